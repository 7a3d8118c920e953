package cmd

import (
	"fmt"
	"os"
	"runtime"
	"runtime/pprof"

	"github.com/spf13/cobra"
)

// profileOptions are kubectl's hidden --profile/--profile-output flags, for
// the performance work in docs/performance.md: a CPU or heap profile of one
// run of the whole binary, read with `go tool pprof`.
type profileOptions struct {
	kind   string
	output string
	file   *os.File
}

func (o *profileOptions) addFlags(cmd *cobra.Command) {
	f := cmd.PersistentFlags()
	f.StringVar(&o.kind, "profile", "none", "Name of the `PROFILE` to capture: none, cpu or heap")
	f.StringVar(&o.output, "profile-output", "profile.pprof", "Name of the `FILE` to write the profile to")
	_ = f.MarkHidden("profile")
	_ = f.MarkHidden("profile-output")
}

// start begins a CPU profile; a heap profile is taken at stop.
func (o *profileOptions) start() error {
	switch o.kind {
	case "none", "heap":
		return nil
	case "cpu":
		f, err := os.Create(o.output)
		if err != nil {
			return fmt.Errorf("--profile-output: %w", err)
		}
		o.file = f
		return pprof.StartCPUProfile(f)
	}
	return fmt.Errorf("--profile %q: want none, cpu or heap", o.kind)
}

func (o *profileOptions) stop() error {
	switch o.kind {
	case "cpu":
		pprof.StopCPUProfile()
		return o.file.Close()
	case "heap":
		f, err := os.Create(o.output)
		if err != nil {
			return fmt.Errorf("--profile-output: %w", err)
		}
		runtime.GC()
		if err := pprof.WriteHeapProfile(f); err != nil {
			_ = f.Close()
			return err
		}
		return f.Close()
	}
	return nil
}
