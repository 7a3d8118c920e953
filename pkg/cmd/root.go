// Package cmd holds the cobra commands of kubectl auth-paths. Each command is
// an Options struct with Complete, Validate and Run, as kubectl's own are.
package cmd

import (
	"github.com/spf13/cobra"
	"k8s.io/cli-runtime/pkg/genericclioptions"
	"k8s.io/cli-runtime/pkg/genericiooptions"
)

const rootLong = `kubectl auth-paths reads a cluster's RBAC (live, or from -f dumps) and the objects that make
permissions dangerous, and answers who can do what, exactly as the kube-apiserver's RBAC
authorizer decides it.`

// NewCmdAuthPaths builds the root command.
func NewCmdAuthPaths(streams genericiooptions.IOStreams) *cobra.Command {
	cf := genericclioptions.NewConfigFlags(true)
	input := NewInputOptions(cf)
	cmd := &cobra.Command{
		Use:   "auth-paths",
		Short: "Find who can become cluster-admin in a Kubernetes cluster, and how",
		Long:  rootLong + "\n\n" + exitCodesHelp,
		Annotations: map[string]string{
			// Help reads as the plugin is invoked: kubectl auth-paths …
			cobra.CommandDisplayNameAnnotation: "kubectl auth-paths",
		},
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	cf.AddFlags(cmd.PersistentFlags())
	cmd.SetIn(streams.In)
	cmd.SetOut(streams.Out)
	cmd.SetErr(streams.ErrOut)
	cmd.AddCommand(NewCmdWhoCan(input, streams))
	cmd.AddCommand(NewCmdDump(input, streams))
	cmd.AddCommand(NewCmdVersion(streams))
	registerCompletions(cmd, input) // keep last: completes the commands added above
	return cmd
}
