package cmd

import (
	"os"
	"runtime/debug"
)

// The collector's setting on large inputs. With Go's default (GOGC=100) the
// heap may grow to twice what was live at the last collection, and on a
// large cluster what is live is most of the peak: the 20,000-namespace
// dump's scan peaked at 2.5 GiB. At GOGC=40, set here once the input is
// read, it peaks at 2.0 GiB (1.8 with GOGC=40 from the start) for about a
// sixth more CPU, still under the time of decoding the dump; below 40 the
// CPU grows faster than the memory falls (docs/performance.md). Small inputs
// keep the default: their memory is small either way.
const (
	largeInputObjects = 100_000
	largeInputGOGC    = 40
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
