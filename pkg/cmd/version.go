package cmd

import (
	"fmt"

	"github.com/spf13/cobra"
	"k8s.io/cli-runtime/pkg/genericiooptions"

	"github.com/auth-paths/kubectl-auth-paths/pkg/version"
)

// NewCmdVersion builds `version`.
func NewCmdVersion(streams genericiooptions.IOStreams) *cobra.Command {
	output := ""
	cmd := &cobra.Command{
		Use:   "version",
		Short: "Print the version of kubectl auth-paths",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if output == "" {
				v := version.Get()
				_, err := fmt.Fprintf(streams.Out, "kubectl auth-paths %s (commit %s, built %s, %s, %s)\n", v.Version, v.Commit, v.Date, v.GoVersion, v.Platform)
				return err
			}
			if err := validateOutput(output, versionFormats); err != nil {
				return err
			}
			return printStructured(streams.Out, output, version.Get())
		},
	}
	addOutputFlag(cmd, &output, versionFormats, "without -o: one line")
	return cmd
}
