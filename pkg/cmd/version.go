package cmd

import (
	"fmt"

	"github.com/spf13/cobra"
	"k8s.io/cli-runtime/pkg/genericiooptions"

	"github.com/auth-paths/kubectl-auth-paths/pkg/version"
)

// VersionOptions prints the version.
type VersionOptions struct {
	// Output is "" (one line), json or yaml.
	Output  string
	streams genericiooptions.IOStreams
}

// NewCmdVersion builds `version`.
func NewCmdVersion(streams genericiooptions.IOStreams) *cobra.Command {
	o := &VersionOptions{streams: streams}
	cmd := &cobra.Command{
		Use:   "version",
		Short: "Print the version of kubectl auth-paths",
		Args:  cobra.NoArgs,
		RunE:  runE(o),
	}
	addOutputFlag(cmd, &o.Output, versionFormats, "without -o: one line")
	return cmd
}

// Complete has nothing to derive.
func (o *VersionOptions) Complete(_ *cobra.Command, _ []string) error { return nil }

// Validate checks -o.
func (o *VersionOptions) Validate() error {
	if o.Output == "" {
		return nil
	}
	return validateOutput(o.Output, versionFormats)
}

// Run prints the version.
func (o *VersionOptions) Run(_ *cobra.Command) error {
	v := version.Get()
	if o.Output == "" {
		_, err := fmt.Fprintf(o.streams.Out, "kubectl auth-paths %s (commit %s, built %s, %s, %s)\n", v.Version, v.Commit, v.Date, v.GoVersion, v.Platform)
		return err
	}
	return printStructured(o.streams.Out, o.Output, v)
}
