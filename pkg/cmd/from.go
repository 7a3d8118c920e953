package cmd

import (
	"fmt"

	"github.com/spf13/cobra"
	"k8s.io/cli-runtime/pkg/genericiooptions"

	"github.com/auth-paths/kubectl-auth-paths/pkg/rbac"
	"github.com/auth-paths/kubectl-auth-paths/pkg/risk"
)

const fromExample = `  # The three shortest ways a user becomes cluster-admin
  kubectl auth-paths from User:alice -f dump.yaml

  # A ServiceAccount, up to 5 paths of at most 3 hops, as JSON
  kubectl auth-paths from system:serviceaccount:ci:deployer --max-paths 5 --max-hops 3 -o json`

// FromOptions finds the k shortest paths of one subject.
type FromOptions struct {
	Analysis *AnalysisOptions
	Output   string
	MaxPaths int
	MaxHops  int
	Subject  rbac.Subject
	streams  genericiooptions.IOStreams
}

// PathsResult is the -o json|yaml shape of from.
type PathsResult struct {
	Paths      []risk.Path `json:"paths"`
	Incomplete any         `json:"incomplete,omitempty"`
}

// NewCmdFrom builds `from`.
func NewCmdFrom(input *InputOptions, streams genericiooptions.IOStreams) *cobra.Command {
	o := &FromOptions{Analysis: &AnalysisOptions{Input: input, onlyReachable: true}, Output: OutputTable, MaxPaths: 3, MaxHops: -1, streams: streams}
	cmd := &cobra.Command{
		Use:   "from SUBJECT",
		Short: "Show the shortest paths by which one subject becomes cluster-admin",
		Long: `Show up to --max-paths shortest paths (Yen's algorithm) from SUBJECT to cluster-admin, each step
with the binding, role and rule that allow it and the condition that makes it real. Paths of
equal hops list those that hold on RBAC and the cluster's objects alone before those resting on
an assumption (a step that says "assumes …").

SUBJECT is User:NAME, Group:NAME, ServiceAccount:NAMESPACE:NAME, Node:NAME or system:serviceaccount:NAMESPACE:NAME.`,
		Example: fromExample,
		Args:    cobra.ExactArgs(1),
		RunE:    runE(o),
	}
	o.Analysis.AddFlags(cmd)
	addOutputFlag(cmd, &o.Output, tableFormats, "")
	cmd.Flags().IntVar(&o.MaxPaths, "max-paths", o.MaxPaths, "Show at most `N` paths")
	cmd.Flags().IntVar(&o.MaxHops, "max-hops", o.MaxHops, "Only paths of at most `N` hops (-1: no limit)")
	return cmd
}

// Complete parses the SUBJECT and the analysis flags.
func (o *FromOptions) Complete(_ *cobra.Command, args []string) error {
	s, err := rbac.ParseSubject(args[0])
	if err != nil {
		return err
	}
	o.Subject = s
	return o.Analysis.Complete()
}

// Validate checks flags.
func (o *FromOptions) Validate() error {
	if o.MaxPaths < 1 {
		return fmt.Errorf("--max-paths must be at least 1")
	}
	return o.Analysis.ValidateFor(o.Output)
}

// Run analyses and prints the paths.
func (o *FromOptions) Run(cmd *cobra.Command) error {
	a, inv, err := o.Analysis.Analyze(cmd.Context(), o.streams, o.Subject)
	if err != nil {
		return err
	}
	n := a.Graph.Node(risk.SubjectKey(o.Subject))
	res := PathsResult{Paths: []risk.Path{}}
	if n != nil {
		res.Paths = a.From(n, o.MaxPaths, o.MaxHops)
		a.AddEntries(res.Paths)
	}
	if len(inv.Missing) > 0 {
		res.Incomplete = inv.Missing
	}
	if o.Output != OutputTable {
		if err := printStructured(o.streams.Out, o.Output, res); err != nil {
			return err
		}
		return Partial(inv)
	}
	if len(res.Paths) == 0 {
		fmt.Fprintf(o.streams.Out, "No path from %s to cluster-admin", o.Subject)
		if o.MaxHops >= 0 {
			fmt.Fprintf(o.streams.Out, " within %d hops", o.MaxHops)
		}
		fmt.Fprintf(o.streams.Out, ". `kubectl auth-paths explain %s` shows what it can do and which conditions failed.\n", o.Subject)
		return Partial(inv)
	}
	for i, p := range res.Paths {
		printPath(o.streams.Out, i+1, p)
	}
	return Partial(inv)
}
