package review

import (
	"fmt"

	"github.com/auth-paths/kubectl-auth-paths/pkg/risk"
)

// StaleIDNotes say, once each, when IDs of the baseline or of the accept
// file match no current path because they were written with another scheme
// of path IDs, rather than letting old IDs pass silently as gone (or every
// path as new). The notes go to standard error whatever the output format.
func StaleIDNotes(r Result, b *Baseline) []string {
	var notes []string
	if b != nil && b.PathIDVersion != risk.PathIDVersion && len(b.Paths) > 0 {
		notes = append(notes, fmt.Sprintf("note: baseline %s has path IDs of scheme %d, this version writes scheme %d: its %d paths match no current path by ID (they count as gone and the current paths as new); write a new baseline with `kubectl auth-paths scan -o json > %s`",
			b.File, b.PathIDVersion, risk.PathIDVersion, len(b.Paths), b.File))
	}
	n, file := 0, ""
	for _, a := range r.UnusedAcceptances {
		if a.PathID != "" {
			n++
			file = a.File
		}
	}
	if n > 0 {
		notes = append(notes, fmt.Sprintf("note: %d accepted path ID(s) of %s match no current path: the path is gone, or the ID is of an older scheme (path IDs changed in scheme %d: they now include each step's condition, requests and bindings); take the current IDs from `kubectl auth-paths scan -o json`",
			n, file, risk.PathIDVersion))
	}
	return notes
}
