package cmd

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"
	"k8s.io/cli-runtime/pkg/genericiooptions"

	"github.com/auth-paths/kubectl-auth-paths/pkg/review"
)

// ChokepointsOptions finds the bindings every path of an identity passes through.
type ChokepointsOptions struct {
	Analysis *AnalysisOptions
	Output   string
	streams  genericiooptions.IOStreams
	fleet    bool
}

// NewCmdChokepoints builds `chokepoints`.
func NewCmdChokepoints(input *InputOptions, streams genericiooptions.IOStreams) *cobra.Command {
	o := &ChokepointsOptions{Analysis: &AnalysisOptions{Input: input}, Output: OutputTable, streams: streams}
	cmd := &cobra.Command{
		Use:   "chokepoints",
		Short: "Find the bindings every path of an identity passes through, and a small set that cuts every escalation",
		Long: `For every identity with a path to cluster-admin, list the bindings that every one of its paths
passes through (choke points), each verified by re-analysing the input without it, with a fix
suggestion built from the binding, its role and the steps it grants (naming at most ten of the
targets, namespaces, ServiceAccounts or Secrets it is about, and counting the rest). A binding
a step acts on rather than holds counts too, when no other would serve: the RoleBinding someone
may add itself to (bind, and update or patch on RoleBindings), the binding of a role someone may
escalate, the binding of a missing role someone may create. Then propose a small set of
bindings whose removal cuts every path of every identity that is not already cluster-admin
(greedy set cover; bindings that make someone cluster-admin outright are never proposed).

--simulate-remove recomputes everything as if the named bindings were deleted.`,
		Example: `  kubectl auth-paths chokepoints -f dump.yaml
  kubectl auth-paths chokepoints -f dump.yaml --simulate-remove clusterrolebinding/prometheus-secrets -o json`,
		Args: cobra.NoArgs,
		RunE: runE(o),
	}
	o.Analysis.AddFlagsWithOutput(cmd, &o.Output)
	o.Analysis.Input.Fleet.AddFlags(cmd)
	return cmd
}

// ClusterChokepoints are one fleet member's choke points; bindings are the
// member's own, so each cluster has its own cover.
type ClusterChokepoints struct {
	Cluster             review.Cluster `json:"cluster"`
	*review.ChokeResult `json:",omitempty"`
}

// RunFleet finds the choke points of every member.
func (o *ChokepointsOptions) RunFleet(cmd *cobra.Command) error {
	runs, err := o.Analysis.AnalyzeFleet(cmd.Context(), o.streams)
	if err != nil {
		return err
	}
	out := make([]ClusterChokepoints, 0, len(runs))
	for _, r := range runs {
		cc := ClusterChokepoints{Cluster: r.cluster}
		if r.inv != nil {
			res := review.Chokepoints(r.inv, r.opts)
			cc.ChokeResult = &res
		}
		out = append(out, cc)
	}
	if o.Output != OutputTable {
		if err := printStructured(o.streams.Out, o.Output, struct {
			Clusters []ClusterChokepoints `json:"clusters"`
		}{out}); err != nil {
			return err
		}
		return fleetPartial(runs)
	}
	for i, cc := range out {
		if i > 0 {
			fmt.Fprintln(o.streams.Out)
		}
		c := cc.Cluster
		fmt.Fprintf(o.streams.Out, "=== Cluster %s (%s) ===\n", c.Name, c.Status)
		if cc.ChokeResult == nil {
			fmt.Fprintf(o.streams.Out, "not read: %s\n", c.Error)
			continue
		}
		printChokepoints(o.streams.Out, *cc.ChokeResult, c.Name)
	}
	return fleetPartial(runs)
}

// Complete reads the analysis flags.
func (o *ChokepointsOptions) Complete(_ *cobra.Command, _ []string) error {
	return o.Analysis.Complete()
}

// Validate checks the flags and whether several clusters are asked for.
func (o *ChokepointsOptions) Validate() error {
	if err := o.Analysis.ValidateFor(o.Output); err != nil {
		return err
	}
	fleet, err := o.Analysis.ValidateFleet()
	o.fleet = fleet
	return err
}

// Run analyses and prints, one cluster or every member of a fleet.
func (o *ChokepointsOptions) Run(cmd *cobra.Command) error {
	if o.fleet {
		return o.RunFleet(cmd)
	}
	o.Analysis.Input.StructuredOutput = o.Output != OutputTable
	inv, opts, err := o.Analysis.Prepare(cmd.Context(), o.streams)
	if err != nil {
		return err
	}
	res := review.Chokepoints(inv, opts)
	res.SimulatedRemoved = o.Analysis.SimulateRemove
	if o.Output != OutputTable {
		out := struct {
			review.ChokeResult
			Incomplete any `json:"incomplete,omitempty"`
		}{ChokeResult: res}
		if len(inv.Missing) > 0 {
			out.Incomplete = inv.Missing
		}
		if err := printStructured(o.streams.Out, o.Output, out); err != nil {
			return err
		}
		return Partial(inv)
	}
	printChokepoints(o.streams.Out, res, "")
	return Partial(inv)
}

// printChokepoints prints one cluster's choke points; cluster names the
// fleet member ("" outside fleets), whose check is run on it alone.
func printChokepoints(w io.Writer, res review.ChokeResult, cluster string) {
	if len(res.SimulatedRemoved) > 0 {
		fmt.Fprintf(w, "As if removed: %s\n\n", strings.Join(res.SimulatedRemoved, ", "))
	}
	if len(res.Identities) == 0 {
		fmt.Fprintln(w, "No identity has a path to cluster-admin.")
		return
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "SUBJECT\tHOPS\tCHOKE POINTS")
	for _, ic := range res.Identities {
		cps := strings.Join(ic.ChokePoints, ", ")
		if cps == "" {
			cps = "(none: " + ic.Note + ")"
		}
		if ic.AlreadyAdmin {
			cps += "  [already cluster-admin]"
		}
		fmt.Fprintf(tw, "%s\t%d\t%s\n", ic.Subject, ic.Hops, cps)
	}
	_ = tw.Flush()
	if len(res.ChokePoints) > 0 {
		fmt.Fprintln(w, "\nChoke points:")
		for _, cp := range res.ChokePoints {
			where := ""
			if cp.Source != nil {
				where = "  (" + review.SourceString(*cp.Source) + ")"
			}
			fmt.Fprintf(w, "  %s%s\n", cp.Binding, where)
			fmt.Fprintf(w, "      every path of: %s\n", strings.Join(cp.Identities, ", "))
			fmt.Fprintf(w, "      fix: %s\n", cp.Fix)
		}
	}
	c := res.Cover
	fmt.Fprintf(w, "\nRemoving %d binding(s) cuts %d of %d identities that are not already cluster-admin", len(c.Bindings), len(c.Cut), c.Identities)
	if c.Verified {
		fmt.Fprint(w, " (verified by re-analysis)")
	}
	fmt.Fprintln(w, ":")
	for _, b := range c.Bindings {
		fmt.Fprintf(w, "  %s\n", b)
	}
	if len(c.Remaining) > 0 {
		fmt.Fprintf(w, "Still reaching cluster-admin: %s\n", strings.Join(c.Remaining, ", "))
	}
	switch {
	case len(c.Bindings) == 0:
	case cluster != "":
		fmt.Fprintf(w, "Check it: run chokepoints on cluster %s alone (its --context, or -f its files) with %s\n", cluster, simulateRemoveArgs(c.Bindings))
	default:
		fmt.Fprintf(w, "Check it: add %s\n", simulateRemoveArgs(c.Bindings))
	}
}

// maxArgLen is below the longest single argument Linux passes to a program
// (MAX_ARG_STRLEN, 128 KiB).
const maxArgLen = 100_000

// simulateRemoveArgs is the --simulate-remove flag for the bindings: one
// comma-separated argument, or the flag once per binding when that
// argument would be too long to run (a cover of thousands of bindings).
func simulateRemoveArgs(bindings []string) string {
	if joined := strings.Join(bindings, ","); len(joined) <= maxArgLen {
		return "--simulate-remove " + joined
	}
	return "--simulate-remove " + strings.Join(bindings, " --simulate-remove ")
}
