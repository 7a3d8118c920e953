package cmd

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"
	"k8s.io/cli-runtime/pkg/genericiooptions"

	"github.com/auth-paths/kubectl-auth-paths/graph"
	"github.com/auth-paths/kubectl-auth-paths/pkg/rbac"
	"github.com/auth-paths/kubectl-auth-paths/pkg/review"
	"github.com/auth-paths/kubectl-auth-paths/pkg/risk"
)

// GraphOptions renders the escalation graph as DOT.
type GraphOptions struct {
	Analysis *AnalysisOptions
	All      bool
	// SubjectArg is --subject as given; Subject is it parsed (Complete).
	SubjectArg string
	Subject    *rbac.Subject
	MaxPaths   int
	// Top limits the default view to the paths of the N most exposed
	// identities; Collapse merges at least that many identities that start
	// their paths the same way into one node (0: never).
	Top      int
	Collapse int
	// Output is dot, or svg rendered by the embedded graphviz (no installation needed).
	Output  string
	streams genericiooptions.IOStreams
}

// defaultCollapse is the number of identities starting their paths the
// same way that graph and report draw as one node.
const defaultCollapse = 10

// NewCmdGraph builds `graph`.
func NewCmdGraph(input *InputOptions, streams genericiooptions.IOStreams) *cobra.Command {
	o := &GraphOptions{Analysis: &AnalysisOptions{Input: input}, MaxPaths: 3, Collapse: defaultCollapse, Output: OutputDOT, streams: streams}
	cmd := &cobra.Command{
		Use:   "graph",
		Short: "Write the escalation graph as Graphviz DOT (paths to cluster-admin by default)",
		Long: `Write the escalation graph as Graphviz DOT: by default every edge that lies on a shortest path to
cluster-admin; --all for every edge; --subject for the paths of one subject. Namespaced identities
are grouped per namespace, edges are labelled and coloured by primitive, a legend explains the
colours. The output is deterministic, so two reviews' graphs diff cleanly.

For big clusters: identities that start their paths the same way (same first step, same target,
nothing else drawn into or out of them) are drawn as one node with their count, "412
ServiceAccounts in 206 namespaces", when there are at least --collapse of them; --top N draws
only the paths of the N most exposed identities (anonymous, authenticated, pod, token, user,
node, then ServiceAccount entries; then fewest hops).`,
		Example: `  kubectl auth-paths graph -f dump.yaml | dot -Tsvg > paths.svg
  kubectl auth-paths graph --subject User:alice -f dump.yaml
  kubectl auth-paths graph --top 20 -o svg -f dump.yaml > review.svg`,
		Args: cobra.NoArgs,
		RunE: runE(o),
	}
	o.Analysis.AddFlags(cmd)
	cmd.Flags().BoolVar(&o.All, "all", false, "Every edge of the escalation graph, not only those on paths to cluster-admin")
	cmd.Flags().StringVar(&o.SubjectArg, "subject", "", "Only the shortest paths of `SUBJECT` (User:NAME, Group:NAME, ServiceAccount:NAMESPACE:NAME, Node:NAME)")
	cmd.Flags().IntVar(&o.MaxPaths, "max-paths", o.MaxPaths, "With --subject: draw at most `N` paths")
	cmd.Flags().IntVar(&o.Top, "top", 0, "Only the paths of the `N` most exposed identities (0: every path; not with --all or --subject)")
	cmd.Flags().IntVar(&o.Collapse, "collapse", o.Collapse, "Draw `N` or more identities that start their paths the same way as one node with their count (0: never)")
	addOutputFlag(cmd, &o.Output, graphFormats, "svg is drawn by the embedded graphviz (no installation needed)")
	return cmd
}

// Complete parses --subject and the analysis flags.
func (o *GraphOptions) Complete(_ *cobra.Command, _ []string) error {
	if o.SubjectArg != "" {
		s, err := rbac.ParseSubject(o.SubjectArg)
		if err != nil {
			return fmt.Errorf("--subject: %w", err)
		}
		o.Subject = &s
	}
	return o.Analysis.Complete()
}

// Validate checks the flags.
func (o *GraphOptions) Validate() error {
	if err := o.Analysis.Validate(); err != nil {
		return err
	}
	if o.All && o.Subject != nil {
		return fmt.Errorf("--all and --subject are mutually exclusive")
	}
	if o.Top < 0 || o.Collapse < 0 {
		return fmt.Errorf("--top and --collapse take a number of 0 or more")
	}
	if o.Top > 0 && (o.All || o.Subject != nil) {
		return fmt.Errorf("--top limits the paths view: it cannot be combined with --all or --subject")
	}
	return validateOutput(o.Output, graphFormats)
}

// Run analyses and writes DOT.
func (o *GraphOptions) Run(cmd *cobra.Command) error {
	var ids []rbac.Subject
	if o.Subject != nil {
		ids = append(ids, *o.Subject)
	}
	a, inv, err := o.Analysis.Analyze(cmd.Context(), o.streams, ids...)
	if err != nil {
		return err
	}
	var edges []*graph.Edge
	title := "Paths to cluster-admin"
	switch {
	case o.All:
		edges = a.Graph.Edges()
		title = "Escalation graph"
	case o.Subject != nil:
		n := a.Graph.Node(risk.SubjectKey(*o.Subject))
		seen := map[*graph.Edge]bool{}
		for _, p := range a.Graph.KShortestPaths(n, a.Sink(), o.MaxPaths, -1) {
			for _, e := range p {
				if !seen[e] {
					seen[e] = true
					edges = append(edges, e)
				}
			}
		}
		title = "Paths of " + o.Subject.String() + " to cluster-admin"
	default:
		edges = a.TopPathEdges(o.Top)
		if o.Top > 0 {
			title = fmt.Sprintf("Paths of the %d most exposed identities to cluster-admin", o.Top)
		}
	}
	edges = graph.Collapse(edges, o.Collapse)
	data, err := graph.DOT(edges, graph.DOTOptions{Name: "auth_paths", Title: title, Legend: true,
		EdgeColor: a.StepColor,
		NodeNote: func(n *graph.Node) string {
			if a.Graph.Node(n.Key) != n {
				return "" // a collapsed group: its label says what it holds
			}
			return entryNote(a, n)
		},
		EdgeNote: a.ExpectedEdgeNote})
	if err != nil {
		return err
	}
	if o.Output == OutputSVG {
		img, err := review.RenderGraph(cmd.Context(), data, o.Output)
		if err != nil {
			return err
		}
		if _, err := o.streams.Out.Write(img); err != nil {
			return err
		}
		return Partial(inv)
	}
	if _, err := fmt.Fprintf(o.streams.Out, "%s\n", data); err != nil {
		return err
	}
	return Partial(inv)
}

// entryNote names how an attacker gets an identity, for the picture.
func entryNote(a *risk.Analysis, n *graph.Node) string {
	if !risk.IsIdentity(n) {
		return ""
	}
	entries := a.Entries(n)
	if len(entries) == 0 {
		return ""
	}
	kinds := []string{}
	seen := map[string]bool{}
	for _, e := range entries {
		if !seen[e.Kind] {
			seen[e.Kind] = true
			kinds = append(kinds, e.Kind)
		}
	}
	return "entry: " + strings.Join(kinds, ", ")
}
