package cmd

import (
	"fmt"
	"sort"

	"github.com/spf13/cobra"
	"k8s.io/cli-runtime/pkg/genericiooptions"

	"github.com/auth-paths/kubectl-auth-paths/graph"
	"github.com/auth-paths/kubectl-auth-paths/pkg/rbac"
	"github.com/auth-paths/kubectl-auth-paths/pkg/risk"
)

// ExplainOptions lists every step out of a subject, held or not.
type ExplainOptions struct {
	Analysis *AnalysisOptions
	Output   string
	Subject  rbac.Subject
	streams  genericiooptions.IOStreams
}

// ExplainEdge is one possible step.
type ExplainEdge struct {
	// Holder is the subject or group whose permissions allow the step.
	Holder    string   `json:"holder"`
	Primitive string   `json:"primitive"`
	To        string   `json:"to"`
	Holds     bool     `json:"holds"`
	Condition string   `json:"condition,omitempty"`
	Why       string   `json:"why,omitempty"`
	GrantedBy []string `json:"grantedBy"`
}

// ExplainResult is the -o json|yaml shape of explain.
type ExplainResult struct {
	Subject risk.SubjectRef `json:"subject"`
	Groups  []string        `json:"groups"`
	Hops    *int            `json:"hopsToClusterAdmin"`
	Edges   []ExplainEdge   `json:"edges"`
}

// NewCmdExplain builds `explain`.
func NewCmdExplain(input *InputOptions, streams genericiooptions.IOStreams) *cobra.Command {
	o := &ExplainOptions{Analysis: &AnalysisOptions{Input: input, keepCandidates: true, onlyReachable: true}, Output: OutputTable, streams: streams}
	cmd := &cobra.Command{
		Use:   "explain SUBJECT",
		Short: "Show every escalation step out of a subject and its groups, also those whose condition fails, and why",
		Example: `  # Why can (or can't) this ServiceAccount escalate?
  kubectl auth-paths explain ServiceAccount:ci:deployer -f dump.yaml`,
		Args: cobra.ExactArgs(1),
		RunE: runE(o),
	}
	o.Analysis.AddFlagsWithOutput(cmd, &o.Output)
	return cmd
}

// Complete parses the SUBJECT and the analysis flags.
func (o *ExplainOptions) Complete(_ *cobra.Command, args []string) error {
	s, err := rbac.ParseSubject(args[0])
	if err != nil {
		return err
	}
	o.Subject = s
	return o.Analysis.Complete()
}

// Validate checks the flags.
func (o *ExplainOptions) Validate() error { return o.Analysis.ValidateFor(o.Output) }

// Run analyses and prints.
func (o *ExplainOptions) Run(cmd *cobra.Command) error {
	a, inv, err := o.Analysis.Analyze(cmd.Context(), o.streams, o.Subject)
	if err != nil {
		return err
	}
	n := a.Graph.Node(risk.SubjectKey(o.Subject))
	res := ExplainResult{Edges: []ExplainEdge{}, Groups: []string{}}
	if n == nil {
		return fmt.Errorf("subject %s is not in the input", o.Subject)
	}
	res.Subject = risk.SubjectRef{Kind: string(n.Kind), Name: n.Name, Namespace: n.Namespace}
	tree := a.Graph.ShortestTo(a.Sink())
	if h := tree.Hops(n); h != graph.Unreachable {
		res.Hops = &h
	}
	holders := []*graph.Node{n}
	for _, e := range a.Graph.From(n) {
		if e.Primitive == "member-of" {
			holders = append(holders, e.To)
			res.Groups = append(res.Groups, e.To.Name)
		}
	}
	sort.Strings(res.Groups)
	for _, h := range holders {
		for _, c := range a.Candidates(h.Key) {
			strs := []string{}
			for _, g := range c.Grants {
				strs = append(strs, g.Grant.String())
			}
			res.Edges = append(res.Edges, ExplainEdge{Holder: risk.NodeName(h), Primitive: c.Primitive, To: risk.NodeName(c.To), Holds: c.Holds, Condition: c.When(), Why: c.Why, GrantedBy: strs})
		}
	}
	if o.Output != OutputTable {
		if err := printStructured(o.streams.Out, o.Output, res); err != nil {
			return err
		}
		return Partial(inv)
	}
	w := o.streams.Out
	fmt.Fprintf(w, "%s", res.Subject)
	if len(res.Groups) > 0 {
		fmt.Fprintf(w, " (groups that hold permissions: %v)", res.Groups)
	}
	fmt.Fprintln(w)
	if res.Hops != nil {
		fmt.Fprintf(w, "reaches cluster-admin in %d hop(s)\n", *res.Hops)
	} else {
		fmt.Fprintln(w, "has no path to cluster-admin")
	}
	if len(res.Edges) == 0 {
		fmt.Fprintln(w, "no risky permission found")
	}
	for _, e := range res.Edges {
		mark := "✓"
		if !e.Holds {
			mark = "✗"
		}
		fmt.Fprintf(w, "%s %s ─%s→ %s\n", mark, e.Holder, e.Primitive, e.To)
		if e.Holds {
			fmt.Fprintf(w, "    when: %s\n", e.Condition)
		} else {
			fmt.Fprintf(w, "    not: %s\n", e.Why)
		}
		for _, g := range e.GrantedBy {
			fmt.Fprintf(w, "    by:  %s\n", g)
		}
	}
	return Partial(inv)
}
