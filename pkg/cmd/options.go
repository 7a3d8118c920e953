package cmd

import (
	"errors"
	"fmt"
	"strings"

	"github.com/spf13/cobra"
)

// commandOptions is the shape of every command, as kubectl's own (auth
// can-i): Complete turns flags and arguments into what Run needs (the
// SUBJECT is parsed there, once), Validate refuses bad input before anything
// is read, Run does the work.
type commandOptions interface {
	Complete(cmd *cobra.Command, args []string) error
	Validate() error
	Run(cmd *cobra.Command) error
}

// runE is the RunE of a command with these options.
func runE(o commandOptions) func(*cobra.Command, []string) error {
	return func(cmd *cobra.Command, args []string) error {
		if err := o.Complete(cmd, args); err != nil {
			return err
		}
		if err := o.Validate(); err != nil {
			return err
		}
		return o.Run(cmd)
	}
}

// noSubcommandMatch is the Args of a command that has subcommands and takes
// no argument itself: an unknown subcommand is an error that suggests the
// near ones ("scna": did you mean scan?). Cobra suggests only on a root
// without Args; the root here runs scan, and rules or completion would
// print their help and exit 0.
func noSubcommandMatch(cmd *cobra.Command, args []string) error {
	if len(args) == 0 {
		return nil
	}
	msg := fmt.Sprintf("unknown command %q for %q", args[0], cmd.CommandPath())
	if cmd.SuggestionsMinimumDistance <= 0 {
		cmd.SuggestionsMinimumDistance = 2 // cobra's own default, set only where it suggests
	}
	if s := cmd.SuggestionsFor(args[0]); len(s) > 0 {
		msg += "\n\nDid you mean this?\n\t" + strings.Join(s, "\n\t")
	}
	if cmd.HasAvailableSubCommands() {
		msg += fmt.Sprintf("\n\nRun '%s --help' for the commands.", cmd.CommandPath())
	}
	return errors.New(msg)
}
