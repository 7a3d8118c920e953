package cmd

import (
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"
	"k8s.io/cli-runtime/pkg/genericiooptions"

	"github.com/auth-paths/kubectl-auth-paths/pkg/review"
	"github.com/auth-paths/kubectl-auth-paths/pkg/risk"
)

const scanExample = `  # Every identity that can become cluster-admin in the current cluster
  kubectl auth-paths

  # The same from a dump, as JSON
  kubectl auth-paths dump --output-file dump.yaml
  kubectl auth-paths scan -f dump.yaml -o json

  # Also list every member of a group that has a path
  kubectl auth-paths scan -f dump.yaml --expand-groups

  # Only the paths that start in namespace ci
  kubectl auth-paths scan -f dump.yaml -n ci`

// scanNamespaceHelp says what -n does to scan's list.
const scanNamespaceHelp = `With -n NAMESPACE, scan lists only the paths that start in that namespace: those of its
ServiceAccounts, and those whose first step is granted by a RoleBinding in it. The analysis
still reads the whole cluster (a path leaves the namespace); the summary counts and the hygiene
findings stay cluster-wide. -n cannot be combined with --baseline, which compares all paths.`

// ScanOptions lists every identity with a path to cluster-admin.
type ScanOptions struct {
	Analysis     *AnalysisOptions
	Output       string
	ExpandGroups bool
	// Entry keeps only paths whose subject can be obtained this way.
	Entry string
	// Namespace (-n) keeps only the paths that start in it (scanNamespaceHelp).
	Namespace string
	// unfiltered is the number of paths before --entry and -n.
	unfiltered int
	// Review: --baseline, --accept, --fail-on (see reviewflags.go).
	Review  ReviewFlags
	streams genericiooptions.IOStreams
	fleet   bool
}

// NewScanOptions returns defaults.
func NewScanOptions(input *InputOptions, streams genericiooptions.IOStreams) *ScanOptions {
	return &ScanOptions{Analysis: &AnalysisOptions{Input: input}, Output: OutputTable, streams: streams}
}

// AddFlags registers scan's flags on a command (the root and `scan`).
func (o *ScanOptions) AddFlags(cmd *cobra.Command) {
	o.Analysis.AddFlags(cmd)
	o.Analysis.Input.Fleet.AddFlags(cmd)
	addOutputFlag(cmd, &o.Output, scanFormats, "sarif is SARIF 2.1.0, one result per path")
	o.Review.AddFlags(cmd, true)
	cmd.Flags().StringVar(&o.Entry, "entry", "", "Only paths that start from this `KIND` of entry point: "+strings.Join(risk.EntryKinds(), ", "))
	cmd.Flags().BoolVar(&o.ExpandGroups, "expand-groups", false, "List every identity whose path starts by entering a group (default: list the group once)")
}

// NewCmdScan builds `scan`.
func NewCmdScan(input *InputOptions, streams genericiooptions.IOStreams) *cobra.Command {
	o := NewScanOptions(input, streams)
	cmd := &cobra.Command{
		Use:     "scan",
		Short:   "List every identity with a path to cluster-admin, shortest first (the default command)",
		Long:    "List every identity with a path to cluster-admin, shortest first, and the hygiene findings.\n\n" + scanNamespaceHelp,
		Example: scanExample,
		Args:    cobra.NoArgs,
		RunE:    runE(o),
	}
	o.AddFlags(cmd)
	return cmd
}

// Complete reads the analysis flags and -n.
func (o *ScanOptions) Complete(_ *cobra.Command, _ []string) error {
	o.Namespace = o.Analysis.Input.explicitNamespace()
	return o.Analysis.Complete()
}

// Validate checks flags.
func (o *ScanOptions) Validate() error {
	if err := o.Analysis.Validate(); err != nil {
		return err
	}
	fleet, err := o.Review.Validate(o.Analysis)
	if err != nil {
		return err
	}
	o.fleet = fleet
	if o.Entry != "" && !slices.Contains(risk.EntryKinds(), o.Entry) {
		return fmt.Errorf("--entry %q: want one of %s", o.Entry, strings.Join(risk.EntryKinds(), ", "))
	}
	if o.Namespace != "" && o.Review.BaselineFile != "" {
		// The paths -n leaves out would be reported gone since the baseline.
		return fmt.Errorf("-n %s lists only the paths that start in the namespace; --baseline compares all of them: drop one", o.Namespace)
	}
	return validateOutput(o.Output, scanFormats)
}

// filters names the filters of the listing, "" when none.
func (o *ScanOptions) filters() string {
	var f []string
	if o.Entry != "" {
		f = append(f, "--entry "+o.Entry)
	}
	if o.Namespace != "" {
		f = append(f, "-n "+o.Namespace)
	}
	return strings.Join(f, " ")
}

// scan lists one cluster's paths (with --entry and -n applied) and hygiene findings.
func (o *ScanOptions) scan(a *risk.Analysis) (risk.ScanResult, []risk.Finding) {
	res, findings := scanCluster(a, o.ExpandGroups)
	o.unfiltered = len(res.Paths)
	res.Paths = slices.DeleteFunc(res.Paths, func(p risk.Path) bool { return !o.keep(p) })
	return res, findings
}

// keep is the listing's filter: --entry and -n.
func (o *ScanOptions) keep(p risk.Path) bool {
	return (o.Entry == "" || risk.HasEntry(p.Entries, o.Entry)) && (o.Namespace == "" || startsIn(p, o.Namespace))
}

// reviewFilter hands the filters to the review: it matches the baseline and
// the acceptances against every path, then lists and counts only the kept
// ones, so a filtered-out path is neither "gone" nor a stale acceptance.
func (o *ScanOptions) reviewFilter() {
	if filters := o.filters(); filters != "" {
		o.Review.Keep, o.Review.Filter = o.keep, filters
	}
}

// scanAll is scanCluster with scan's --expand-groups: the review filters.
func (o *ScanOptions) scanAll(a *risk.Analysis) (risk.ScanResult, []risk.Finding) {
	return scanCluster(a, o.ExpandGroups)
}

// scanCluster is what scan and report list of one cluster: its paths with
// their entry points, and its hygiene findings.
func scanCluster(a *risk.Analysis, expandGroups bool) (risk.ScanResult, []risk.Finding) {
	res := a.Scan(expandGroups)
	a.AddEntries(res.Paths)
	return res, a.Findings(time.Now())
}

// startsIn reports whether a path starts in namespace ns: its subject is a
// ServiceAccount of ns, or its first step is granted by a RoleBinding in ns.
func startsIn(p risk.Path, ns string) bool {
	if p.Subject.Kind == "ServiceAccount" && p.Subject.Namespace == ns {
		return true
	}
	prefix := "RoleBinding/" + ns + "/"
	return slices.ContainsFunc(firstStep(p).Bindings, func(b string) bool { return strings.HasPrefix(b, prefix) })
}

// runFleet scans every member and prints one result, each path tagged with
// its cluster. Fleet output always has the shape of a reviewed scan.
func (o *ScanOptions) runFleet(cmd *cobra.Command) error {
	runs, err := o.Analysis.AnalyzeFleet(cmd.Context(), o.streams)
	if err != nil {
		return err
	}
	o.reviewFilter()
	rv := o.Review.ApplyFleet(fleetScans(runs, o.scanAll))
	return o.Review.Emit(o.streams.Out, o.streams.ErrOut, o.Output, rv, fleetInventories(runs), fleetPartial(runs))
}

// Run analyses and prints.
func (o *ScanOptions) Run(cmd *cobra.Command) error {
	if o.fleet {
		return o.runFleet(cmd)
	}
	a, inv, err := o.Analysis.Analyze(cmd.Context(), o.streams)
	if err != nil {
		return err
	}
	if o.Review.Active() || o.Output == OutputSARIF {
		res, findings := o.scanAll(a)
		o.Review.Hygiene = findings
		o.reviewFilter()
		return o.Review.Run(o.streams.Out, o.streams.ErrOut, o.Output, res, inv)
	}
	res, findings := o.scan(a)
	// What follows reads neither the analysis nor the input: with the
	// incomplete kinds and the exit code taken now, the collector may free
	// both while the paths are printed (on the largest inputs the paths
	// were printed beside them at the run's peak).
	missing, partial := inv.Missing, Partial(inv)
	if o.Output != OutputTable {
		out := struct {
			PathIDVersion int `json:"pathIDVersion"`
			risk.ScanResult
			// Namespace is -n: paths lists only those that start in it.
			Namespace string `json:"namespace,omitempty"`
			// Findings are the hygiene findings (not paths).
			Findings   []risk.Finding `json:"findings"`
			Incomplete any            `json:"incomplete,omitempty"`
		}{PathIDVersion: risk.PathIDVersion, ScanResult: res, Namespace: o.Namespace, Findings: findings}
		if out.Findings == nil {
			out.Findings = []risk.Finding{}
		}
		if len(missing) > 0 {
			out.Incomplete = missing
		}
		paths := res.Paths
		out.Paths = []risk.Path{}
		if err := printStructuredList(o.streams.Out, o.Output, &out, func(ps []risk.Path) { out.Paths = ps }, "paths", paths); err != nil {
			return err
		}
		return partial
	}
	if o.Namespace != "" {
		fmt.Fprintf(o.streams.Out, "Paths that start in namespace %s (-n): %d\n\n", o.Namespace, len(res.Paths))
	}
	printScanTable(o.streams.Out, res)
	if filters := o.filters(); filters != "" {
		fmt.Fprintf(o.streams.Out, "%s lists %d of the %d paths; the counts above are of every identity\n", filters, len(res.Paths), o.unfiltered)
	}
	printHygiene(o.streams.Out, review.TagFindings("", findings))
	return partial
}

func printScanTable(w io.Writer, res risk.ScanResult) {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	if len(res.Paths) > 0 {
		fmt.Fprintln(tw, "SUBJECT\tENTRY\tHOPS\tFIRST STEP\tTO\tGRANTED BY")
		for _, p := range res.Paths {
			first := firstStep(p)
			granted := ""
			if len(first.GrantedBy) > 0 {
				granted = first.GrantedBy[0]
				if len(first.GrantedBy) > 1 {
					granted += fmt.Sprintf(" (+%d)", len(first.GrantedBy)-1)
				}
			}
			fmt.Fprintf(tw, "%s\t%s\t%d\t%s\t%s\t%s\n", p.Subject, nonEmptyString(p.Exposure, "-"), p.Hops, first.Primitive, first.To, granted)
			if p.Expected != nil {
				// No tab: the label is the line's last cell and widens no column.
				fmt.Fprintf(tw, "  ↳ %s\n", p.Expected.Label)
			}
		}
		_ = tw.Flush()
		fmt.Fprintln(w)
	}
	s := res.Summary
	fmt.Fprintf(w, "%d already cluster-admin, %d by escalation, %d identities analysed", s.AlreadyAdmin, s.ByEscalation, s.Identities)
	if s.ThroughGroups > 0 {
		fmt.Fprintf(w, " (%d reach it through a listed group; --expand-groups lists them)", s.ThroughGroups)
	}
	fmt.Fprintln(w)
	if s.Expected > 0 {
		fmt.Fprintf(w, "%d of the listed paths are expected platform defaults (labelled, still counted above; --no-expected drops the labels)\n", s.Expected)
	}
}

// firstStep is the first escalation step of a path (after group
// memberships). A step into a shared scope (any ServiceAccount of a
// namespace, any node) shows where the path goes on: the identity the next,
// structural step picks out of the scope.
func firstStep(p risk.Path) risk.Step {
	for i, s := range p.Steps {
		if s.Primitive == "member-of" {
			continue
		}
		s.To = reached(p.Steps, i)
		return s
	}
	if len(p.Steps) > 0 {
		return p.Steps[0]
	}
	return risk.Step{}
}

// reached is where step i of a path leads: its target, or, when it enters a
// shared scope, the identity the next (structural, 0-hop) step picks out of
// it (a pick, or the group a node's API identity is in).
func reached(steps []risk.Step, i int) string {
	s := steps[i]
	if i+1 < len(steps) {
		if next := steps[i+1]; strings.HasPrefix(s.To, "Scope:") && next.From == s.To && next.Hops == 0 && (strings.HasPrefix(next.Primitive, "pick-") || next.Primitive == "member-of") {
			return next.To
		}
	}
	return s.To
}

// printPath renders one path with its steps, provenance and conditions.
func printPath(w io.Writer, i int, p risk.Path) {
	fmt.Fprintf(w, "Path %d: %s → cluster-admin in %d hop(s)  [id %s]\n", i, p.Subject, p.Hops, p.ID)
	for _, s := range p.Steps {
		fmt.Fprintf(w, "  %s ─%s→ %s\n", s.From, s.Primitive, s.To)
		if s.Condition != "" {
			fmt.Fprintf(w, "      when: %s\n", s.Condition)
		}
		for _, g := range s.GrantedBy {
			fmt.Fprintf(w, "      by:   %s\n", g)
		}
	}
	if len(p.Steps) == 0 {
		fmt.Fprintln(w, "  (is cluster-admin)")
	}
	fmt.Fprintln(w, strings.Repeat("", 0))
}

func nonEmptyString(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
