package cmd

import (
	"os"
	"runtime/debug"
)

// The collector's setting on large inputs. With Go's default (GOGC=100) the
// heap may grow to twice what was live at the last collection, and on a
// large cluster what is live is most of the peak: the 20,000-namespace
// dump's scan peaked at 2.5 GiB. Set here once the input is read, GOGC=40
// brought it to 2.0 GiB for about a sixth more CPU; once what reading and
// the analysis keep was made in blocks (internal/slab), leaving less of the
// heap in pages shared with garbage, GOGC=30 brings it under 1.5 GiB for
// about 6 % more CPU than 40, still well under the time of decoding the
// dump (docs/performance.md). Small inputs keep the default: their memory is
// small either way.
const (
	largeInputObjects = 100_000
	largeInputGOGC    = 30
)

// gcPercentFor returns the GOGC to set for an input of n objects, or false
// to leave the collector as it is: a small input, or a user who set GOGC or
// GOMEMLIMIT in the environment (the runtime has read them; they win).
func gcPercentFor(n int, getenv func(string) string) (int, bool) {
	if n < largeInputObjects || getenv("GOGC") != "" || getenv("GOMEMLIMIT") != "" {
		return 0, false
	}
	return largeInputGOGC, true
}

// tuneCollector sets the collector for an input of n objects.
func tuneCollector(n int) {
	if percent, ok := gcPercentFor(n, os.Getenv); ok {
		debug.SetGCPercent(percent)
	}
}
