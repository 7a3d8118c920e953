package cmd

import (
	"os"
	"runtime/debug"
)

// The collector's setting on large inputs. With Go's default (GOGC=100) the
// heap may grow to twice what was live at the last collection, and on a
// large cluster what is live is most of the peak: the 20,000-namespace
// dump's scan peaked at 2.5 GiB. Set here once the input is read, GOGC=40
// brought it to 2.0 GiB for about a sixth more CPU. Once what reading and
// the analysis keep was made in blocks (internal/slab), less of the heap
// sits in pages shared with garbage and each collection costs less: on
// that dump GOGC=25 brings the scan to 1.4 GiB (30: 1.5) for about 4 % more
// CPU than 30, and it still takes less CPU than decoding the dump. On an
// input of 120,000 objects, though, GOGC=25 cost `from` a sixth more CPU
// than 40 for a tenth less memory (0.5 GiB): the lower setting is kept for
// the inputs whose heap is large enough for it to matter
// (docs/performance.md). Small inputs keep the default: their memory is
// small either way.
const (
	largeInputObjects = 100_000
	largeInputGOGC    = 40
	hugeInputObjects  = 400_000
	hugeInputGOGC     = 25
)

// gcPercentFor returns the GOGC to set for an input of n objects, or false
// to leave the collector as it is: a small input, or a user who set GOGC or
// GOMEMLIMIT in the environment (the runtime has read them; they win).
func gcPercentFor(n int, getenv func(string) string) (int, bool) {
	if n < largeInputObjects || getenv("GOGC") != "" || getenv("GOMEMLIMIT") != "" {
		return 0, false
	}
	if n >= hugeInputObjects {
		return hugeInputGOGC, true
	}
	return largeInputGOGC, true
}

// tuneCollector sets the collector for an input of n objects.
func tuneCollector(n int) {
	if percent, ok := gcPercentFor(n, os.Getenv); ok {
		debug.SetGCPercent(percent)
	}
}
