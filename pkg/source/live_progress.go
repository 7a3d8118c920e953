package source

import (
	"fmt"
	"io"
	"time"
)

// TerminalProgress renders a live load on one status line of a terminal:
//
//	reading cluster: 17/24 lists, 5230 objects (pods: 3000…)
//
// It is only meant for a terminal (it rewrites the line with \r); the caller
// decides. Done clears the line.
type TerminalProgress struct {
	w       io.Writer
	total   int
	done    int
	counts  map[string]int
	last    time.Time
	written bool
}

// NewTerminalProgress returns a progress line writer for a load of
// LiveResources and the named objects (LiveOptions.Objects).
func NewTerminalProgress(w io.Writer, objects ...NamedObject) *TerminalProgress {
	return &TerminalProgress{w: w, total: len(liveLists(objects)), counts: map[string]int{}}
}

// Update is a LiveOptions.Progress function.
func (p *TerminalProgress) Update(ev ProgressEvent) {
	p.counts[ev.Resource] = ev.Objects
	if ev.Done {
		p.done++
	}
	// At most ten redraws a second, and always the last one.
	if !ev.Done && time.Since(p.last) < 100*time.Millisecond {
		return
	}
	p.last = time.Now()
	sum := 0
	for _, n := range p.counts {
		sum += n
	}
	state := "…"
	if ev.Done {
		state = ""
		if ev.Err != nil {
			state = ", failed"
		}
	}
	fmt.Fprintf(p.w, "\r\x1b[Kreading cluster: %d/%d lists, %d objects (%s: %d%s)", p.done, p.total, sum, ev.Resource, ev.Objects, state)
	p.written = true
}

// Done clears the status line.
func (p *TerminalProgress) Done() {
	if p.written {
		fmt.Fprint(p.w, "\r\x1b[K")
	}
}
