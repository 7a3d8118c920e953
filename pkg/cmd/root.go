// Package cmd holds the cobra commands of kubectl auth-paths. Each command is
// an Options struct with Complete, Validate and Run, as kubectl's own are.
package cmd

import (
	"github.com/spf13/cobra"
	"k8s.io/cli-runtime/pkg/genericclioptions"
	"k8s.io/cli-runtime/pkg/genericiooptions"
)

const rootLong = `kubectl auth-paths reads a cluster's RBAC (live, or from -f dumps) and the objects that make
permissions dangerous (ServiceAccounts, token Secrets' metadata, pods, nodes, namespaces and their
Pod Security labels, workloads, webhook configurations, CSRs, PersistentVolumes), and finds every
way an identity becomes cluster-admin: reading token Secrets, creating or changing workloads,
exec, node escapes, escalate, bind, impersonate (legacy and constrained), CSR approval, webhooks,
namespace relabelling.
Who-can answers are decided exactly as the kube-apiserver's RBAC authorizer decides them.

Without a subcommand it runs scan.`

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
	scan := NewScanOptions(input, streams)
	scan.AddFlags(cmd)
	cmd.Args = noSubcommandMatch
	cmd.RunE = runE(scan)
	// --context is registered by the fleet flags (repeatable), not by ConfigFlags.
	cf.Context = nil
	cf.AddFlags(cmd.PersistentFlags())
	input.Fleet.bindContext(cf, cmd.PersistentFlags())
	prof := &profileOptions{}
	prof.addFlags(cmd)
	reject := rejectFleet(input)
	cmd.PersistentPreRunE = func(c *cobra.Command, args []string) error {
		if err := reject(c, args); err != nil {
			return err
		}
		return prof.start()
	}
	cmd.PersistentPostRunE = func(*cobra.Command, []string) error { return prof.stop() }
	setHelpLayout(cmd)
	cmd.SetIn(streams.In)
	cmd.SetOut(streams.Out)
	cmd.SetErr(streams.ErrOut)
	cmd.AddCommand(NewCmdScan(input, streams))
	cmd.AddCommand(NewCmdFrom(input, streams))
	cmd.AddCommand(NewCmdExplain(input, streams))
	cmd.AddCommand(NewCmdGraph(input, streams))
	cmd.AddCommand(NewCmdWhoCan(input, streams))
	cmd.AddCommand(NewCmdWhoAmI(input, streams))
	cmd.AddCommand(NewCmdVerify(input, streams))
	cmd.AddCommand(NewCmdRules(input, streams))
	cmd.AddCommand(NewCmdDump(input, streams))
	cmd.AddCommand(NewCmdChokepoints(input, streams))
	cmd.AddCommand(NewCmdFix(input, streams))
	cmd.AddCommand(NewCmdReport(input, streams))
	cmd.AddCommand(NewCmdVersion(streams))
	registerCompletions(cmd, input) // keep last: completes the commands added above
	return cmd
}
