package cmd

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"
	"k8s.io/cli-runtime/pkg/genericiooptions"
	"k8s.io/client-go/kubernetes"

	"github.com/auth-paths/kubectl-auth-paths/pkg/model"
	"github.com/auth-paths/kubectl-auth-paths/pkg/rbac"
	"github.com/auth-paths/kubectl-auth-paths/pkg/remediate"
	"github.com/auth-paths/kubectl-auth-paths/pkg/review"
)

// Output formats of fix besides table, json and yaml.
const (
	OutputPatch   = "patch"
	OutputKubectl = "kubectl"
)

var fixFormats = []string{OutputTable, OutputYAML, OutputPatch, OutputKubectl, OutputJSON}

// FixOptions computes the smallest RBAC change that closes paths, proven by re-analysis.
type FixOptions struct {
	Analysis    *AnalysisOptions
	Output      string
	Subjects    []string
	PathIDs     []string
	Chokepoints bool
	DryRun      string

	target  remediate.Target
	streams genericiooptions.IOStreams
}

// NewCmdFix builds `fix`.
func NewCmdFix(input *InputOptions, streams genericiooptions.IOStreams) *cobra.Command {
	o := &FixOptions{Analysis: &AnalysisOptions{Input: input}, Output: OutputTable, DryRun: DryRunNone, streams: streams}
	cmd := &cobra.Command{
		Use:   "fix",
		Short: "Propose the smallest RBAC change that closes paths to cluster-admin, proven by re-analysis",
		Long: `Compute a change to Roles, ClusterRoles and bindings that closes the paths: every path of
at least one hop (the default), every path of --subject, the paths --path names, or the paths
through the choke-point cut (--chokepoints, which edits only the cut's bindings).

Edits only narrow, least disruptive first: one subject leaves a binding (the binding is deleted
when it was the last), or one rule loses exactly the request a step needs ("*" verbs are
expanded to the standard verbs, never widened). Aggregated ClusterRoles are edited through the
roles they aggregate; roles and bindings the apiserver reconciles or the rule packs declare as
platform defaults are never edited, and a path only they make is reported as not closable.
The planner makes at most 64 rounds of edits, each for the first path still open: on a large
cluster the goals it did not come to are listed as not attempted; apply the change and run
fix again, or target fewer paths.

The proof: the change is applied to the input in memory and the analysis re-run; the output
says which paths close and lists every permission the change removes from anyone.

With --dry-run=server the change is also submitted to the cluster of the current context as
server-side dry runs (dryRun=All: authorization, RBAC's escalation checks on the runner and
admission decide; nothing is stored, checked by the objects' resourceVersions before and after),
and every request of the paths is decided on the input's RBAC and on the proposed RBAC. A change
the apiserver refuses (the runner may not make it, or the object changed since the input was
read) exits 4.`,
		Example: `  # What closes every path, as objects for kubectl apply
  kubectl auth-paths fix -f dump.yaml -o yaml

  # Only the paths of one subject, as kubectl commands
  kubectl auth-paths fix -f dump.yaml --subject ServiceAccount:ci:deployer -o kubectl

  # One path by ID, as JSON patches
  kubectl auth-paths fix -f dump.yaml --path 3f2a9c1d0b7e -o patch

  # Prove on the live cluster that the apiserver accepts the change, without applying it
  kubectl auth-paths fix --subject Group:developers --dry-run=server`,
		Args: cobra.NoArgs,
		RunE: runE(o),
	}
	o.Analysis.AddFlags(cmd)
	addOutputFlag(cmd, &o.Output, fixFormats, "yaml: objects for kubectl apply; patch: JSON patches; kubectl: commands")
	cmd.Flags().StringSliceVar(&o.Subjects, "subject", nil, "Close every path of `SUBJECT` (User:NAME, Group:NAME, ServiceAccount:NS:NAME; repeatable)")
	cmd.Flags().StringSliceVar(&o.PathIDs, "path", nil, "Close the path with this `ID` (from scan or from -o json; repeatable)")
	cmd.Flags().BoolVar(&o.Chokepoints, "chokepoints", false, "Close the paths through the choke-point cut, editing only its bindings")
	cmd.Flags().StringVar(&o.DryRun, "dry-run", o.DryRun, "`MODE`: none or client proves the change offline only; server also submits it to the cluster as server-side dry runs")
	return cmd
}

// Complete parses the subjects and the analysis flags.
func (o *FixOptions) Complete(_ *cobra.Command, _ []string) error {
	for _, s := range o.Subjects {
		sub, err := rbac.ParseSubject(s)
		if err != nil {
			return err
		}
		o.target.Subjects = append(o.target.Subjects, sub)
	}
	o.target.PathIDs = o.PathIDs
	return o.Analysis.Complete()
}

// Validate checks the flags.
func (o *FixOptions) Validate() error {
	if err := o.Analysis.Validate(); err != nil {
		return err
	}
	n := 0
	for _, set := range []bool{len(o.Subjects) > 0, len(o.PathIDs) > 0, o.Chokepoints} {
		if set {
			n++
		}
	}
	if n > 1 {
		return fmt.Errorf("--subject, --path and --chokepoints: give one of them")
	}
	switch o.DryRun {
	case DryRunNone, DryRunClient, DryRunServer:
	default:
		return fmt.Errorf("--dry-run %q: must be %q, %q or %q", o.DryRun, DryRunNone, DryRunClient, DryRunServer)
	}
	return validateOutput(o.Output, fixFormats)
}

// Run plans the change and prints it with its proof.
func (o *FixOptions) Run(cmd *cobra.Command) error {
	o.Analysis.Input.StructuredOutput = o.Output != OutputTable
	inv, opts, err := o.Analysis.Prepare(cmd.Context(), o.streams)
	if err != nil {
		return err
	}
	if o.Chokepoints {
		o.target.Bindings = review.Chokepoints(inv, opts).Cover.Bindings
	}
	res, err := remediate.Plan(inv, opts, o.target)
	if err != nil {
		return err
	}
	var dry *FixDryRun
	if o.DryRun == DryRunServer {
		if dry, err = o.serverDryRun(cmd.Context(), inv, res); err != nil {
			return err
		}
	}
	switch o.Output {
	case OutputYAML:
		err = remediate.WriteYAML(o.streams.Out, res)
		proofTo(o.streams.ErrOut, res, dry)
	case OutputKubectl:
		err = remediate.WriteKubectl(o.streams.Out, res)
		proofTo(o.streams.ErrOut, res, dry)
	case OutputPatch:
		err = printStructured(o.streams.Out, OutputJSON, remediate.Patches(res))
		proofTo(o.streams.ErrOut, res, dry)
	case OutputJSON:
		err = printStructured(o.streams.Out, OutputJSON, struct {
			*remediate.Result
			DryRun *FixDryRun `json:"dryRun,omitempty"`
		}{res, dry})
	default:
		printFix(o.streams.Out, res)
		if dry != nil {
			fmt.Fprint(o.streams.Out, "\n"+dryRunText(dry))
		}
	}
	if err != nil {
		return err
	}
	if dry != nil && (dry.rejected() > 0 || !dry.Unchanged) {
		return WithExitCode(ExitUnverified, fmt.Errorf("the apiserver did not accept %d of %d change(s) in a dry run: the change is not proven", dry.rejected(), len(dry.Server)))
	}
	return Partial(inv)
}

// serverDryRun submits the change to the cluster of the current context.
func (o *FixOptions) serverDryRun(ctx context.Context, inv *model.Inventory, res *remediate.Result) (*FixDryRun, error) {
	cfg, err := o.Analysis.Input.ConfigFlags.ToRESTConfig()
	if err != nil {
		return nil, fmt.Errorf("--dry-run=server needs a cluster: %w", err)
	}
	cs, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		return nil, err
	}
	d := serverDryRun(ctx, cs, res)
	d.Steps = proposedStepChecks(inv, res)
	return d, nil
}

// proofTo writes the proof (and the dry run's evidence) as comments beside
// a machine-readable change.
func proofTo(w io.Writer, res *remediate.Result, dry *FixDryRun) {
	writeCommented(w, proofText(res))
	if dry != nil {
		writeCommented(w, dryRunText(dry))
	}
}

func printFix(w io.Writer, res *remediate.Result) {
	if len(res.Changes) == 0 {
		fmt.Fprintln(w, "No change.")
	} else {
		fmt.Fprintln(w, "Changes:")
		for _, c := range res.Changes {
			name := strings.ToLower(c.Kind) + "/" + c.Name
			if c.Namespace != "" {
				name += " -n " + c.Namespace
			}
			fmt.Fprintf(w, "  %s %s\n", c.Action, name)
			for _, why := range c.Why {
				fmt.Fprintf(w, "      %s\n", why)
			}
		}
		fmt.Fprintln(w)
	}
	fmt.Fprint(w, proofText(res))
	if len(res.Changes) > 0 {
		fmt.Fprintln(w, "\nApply it: -o yaml (kubectl apply -f), -o kubectl (commands) or -o patch (JSON patches).")
	}
}

func proofText(res *remediate.Result) string {
	var b strings.Builder
	closed, open := 0, 0
	for _, g := range res.Goals {
		if g.Closed {
			closed++
		} else {
			open++
		}
	}
	fmt.Fprintf(&b, "Closes %d of %d (verified by re-analysis of the changed input):\n", closed, len(res.Goals))
	for _, g := range res.Goals {
		what := g.Subject + ": every path"
		if g.PathID != "" {
			what = g.Subject + ": path " + g.PathID
		}
		if g.Closed {
			fmt.Fprintf(&b, "  closed  %s\n", what)
		} else {
			fmt.Fprintf(&b, "  open    %s: %s\n", what, g.Reason)
		}
	}
	if len(res.Removed) > 0 {
		fmt.Fprintf(&b, "Every permission the change removes (%d):\n", len(res.Removed))
		for _, l := range res.Removed {
			fmt.Fprintf(&b, "  %s\n", l)
		}
	}
	return b.String()
}
