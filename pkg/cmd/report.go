package cmd

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"
	"k8s.io/cli-runtime/pkg/genericiooptions"

	"github.com/auth-paths/kubectl-auth-paths/graph"
	"github.com/auth-paths/kubectl-auth-paths/pkg/model"
	"github.com/auth-paths/kubectl-auth-paths/pkg/review"
	"github.com/auth-paths/kubectl-auth-paths/pkg/risk"
)

// OutputSARIF is scan's SARIF 2.1.0 output.
const OutputSARIF = "sarif"

// ReviewFlags are the review-meeting and CI flags of scan and report.
type ReviewFlags struct {
	BaselineFile string
	AcceptFile   string
	FailOn       string
	// Now decides acceptance expiry (tests); zero means the current time.
	Now time.Time
	// Hygiene are scan's hygiene findings, passed through to -o json|yaml.
	Hygiene []risk.Finding

	baseline    *review.Baseline
	acceptances []review.Acceptance
}

// AddFlags registers --baseline and --accept, and --fail-on when gate is set.
func (r *ReviewFlags) AddFlags(cmd *cobra.Command, gate bool) {
	cmd.Flags().StringVar(&r.BaselineFile, "baseline", "", "A previous `scan -o json`: mark each path new or unchanged and list the ones gone since")
	cmd.Flags().StringVar(&r.AcceptFile, "accept", "", "YAML list of accepted risks {subject or pathID, reason, owner, expires: YYYY-MM-DD}: listed apart until they expire")
	if gate {
		cmd.Flags().StringVar(&r.FailOn, "fail-on", "", "CI gate: exit status 2 when there are new (needs --baseline) or any paths that are not accepted: new or any")
	}
	_ = cmd.MarkFlagFilename("baseline", "json")
	_ = cmd.MarkFlagFilename("accept", "yaml", "yml")
}

// Active reports whether any review flag is set.
func (r *ReviewFlags) Active() bool {
	return r.BaselineFile != "" || r.AcceptFile != "" || r.FailOn != ""
}

// Validate checks the flags and reads the files (before the cluster is read).
func (r *ReviewFlags) Validate() error {
	if err := review.ValidateGate(r.FailOn, r.BaselineFile != ""); err != nil {
		return err
	}
	if r.BaselineFile != "" {
		b, err := review.LoadBaseline(r.BaselineFile)
		if err != nil {
			return err
		}
		r.baseline = b
	}
	if r.AcceptFile != "" {
		as, err := review.LoadAcceptances(r.AcceptFile)
		if err != nil {
			return err
		}
		r.acceptances = as
	}
	return nil
}

// Apply marks the scan against the baseline and the acceptances.
func (r *ReviewFlags) Apply(res risk.ScanResult, inv *model.Inventory) review.Result {
	out := review.Apply(res, review.Options{Baseline: r.baseline, Acceptances: r.acceptances, Now: r.Now})
	if inv != nil && len(inv.Missing) > 0 {
		out.Incomplete = inv.Missing
	}
	out.Findings = review.TagFindings("", r.Hygiene)
	return out
}

// ApplyFleet marks each member's scan against the baseline and the acceptances.
func (r *ReviewFlags) ApplyFleet(scans []review.ClusterScan) review.Result {
	return review.ApplyFleet(scans, review.Options{Baseline: r.baseline, Acceptances: r.acceptances, Now: r.Now})
}

// CheckMode refuses a baseline made by a fleet run for a single-cluster run
// and the reverse.
func (r *ReviewFlags) CheckMode(fleet bool) error {
	return review.CheckBaselineMode(r.baseline, fleet)
}

// Run prints a reviewed scan and applies the gate: exit status 2 (after the
// result is printed) when it fails, else 3 when the input was partial.
func (r *ReviewFlags) Run(w, errOut io.Writer, format string, res risk.ScanResult, inv *model.Inventory) error {
	return r.Emit(w, errOut, format, r.Apply(res, inv), map[string]*model.Inventory{"": inv}, partial(inv))
}

// Emit prints a reviewed result (invs: each cluster's inventory, "" outside
// fleets) and returns the gate's exit status, else incomplete.
func (r *ReviewFlags) Emit(w, errOut io.Writer, format string, rv review.Result, invs map[string]*model.Inventory, incomplete error) error {
	switch format {
	case OutputSARIF:
		data, err := review.SARIFFleet(rv, invs)
		if err != nil {
			return err
		}
		if _, err := fmt.Fprintf(w, "%s\n", data); err != nil {
			return err
		}
	case OutputJSON, OutputYAML:
		if err := printStructured(w, format, rv); err != nil {
			return err
		}
	default:
		printReviewTable(w, rv)
	}
	if err := r.Gate(errOut, rv); err != nil {
		return err
	}
	return incomplete
}

// Gate applies --fail-on: exit status 2, with the failing paths named on
// standard error, when it fails.
func (r *ReviewFlags) Gate(errOut io.Writer, rv review.Result) error {
	failing := rv.Gate(r.FailOn)
	if len(failing) == 0 {
		return nil
	}
	what := "path(s) not accepted"
	if r.FailOn == review.FailOnNew {
		what = "new path(s) not accepted"
	}
	ids := make([]string, 0, len(failing))
	for _, f := range failing {
		ids = append(ids, f.Subject.String()+" ["+f.ID+"]")
	}
	fmt.Fprintf(errOut, "gate --fail-on %s failed: %d %s: %s\n", r.FailOn, len(failing), what, strings.Join(ids, ", "))
	return WithExitCode(ExitGate, nil)
}

func printReviewTable(w io.Writer, rv review.Result) {
	fleet := rv.Clusters != nil
	cluster := func(c string) string {
		if fleet {
			return c + "\t"
		}
		return ""
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	if fleet {
		printClusters(w, rv.Clusters)
	}
	if len(rv.Paths) > 0 {
		fmt.Fprintln(tw, cluster("CLUSTER")+"SUBJECT\tENTRY\tHOPS\tSTATUS\tFIRST STEP\tTO\tID\tNOTE")
		for _, f := range rv.Paths {
			first := firstStep(f.Path)
			fmt.Fprintf(tw, "%s%s\t%s\t%d\t%s\t%s\t%s\t%s\t%s\n", cluster(f.Cluster), f.Subject, dash(f.Exposure), f.Hops, dash(f.Status), first.Primitive, first.To, f.ID, f.Note)
		}
		_ = tw.Flush()
	} else {
		fmt.Fprintln(w, "No path to cluster-admin that is not accepted.")
	}
	if len(rv.Gone) > 0 {
		fmt.Fprintf(w, "\nGone since the baseline (%d):\n", len(rv.Gone))
		for _, p := range rv.Gone {
			fmt.Fprintf(tw, "  %s%s\t%d\t%s\t%s\n", cluster(p.Cluster), p.Subject, p.Hops, firstStep(p.Path).Primitive, p.ID)
		}
		_ = tw.Flush()
	}
	if len(rv.Accepted) > 0 {
		fmt.Fprintf(w, "\nAccepted (%d):\n", len(rv.Accepted))
		fmt.Fprintln(tw, "  "+cluster("CLUSTER")+"SUBJECT\tHOPS\tSTATUS\tID\tOWNER\tEXPIRES\tREASON")
		for _, f := range rv.Accepted {
			fmt.Fprintf(tw, "  %s%s\t%d\t%s\t%s\t%s\t%s\t%s\n", cluster(f.Cluster), f.Subject, f.Hops, dash(f.Status), f.ID, f.Acceptance.Owner, f.Acceptance.Expires, f.Acceptance.Reason)
		}
		_ = tw.Flush()
	}
	for _, a := range rv.UnusedAcceptances {
		fmt.Fprintf(w, "note: accept entry %d (%s) matches no current path\n", a.Entry, a.Target())
	}
	printHygiene(w, rv.Findings)
	fmt.Fprintln(w)
	s := rv.Summary
	fmt.Fprintf(w, "%d finding(s), %d accepted; %d already cluster-admin, %d by escalation, %d identities analysed", len(rv.Paths), len(rv.Accepted), s.AlreadyAdmin, s.ByEscalation, s.Identities)
	if fleet {
		fmt.Fprintf(w, " in %d cluster(s)", len(rv.Clusters))
	}
	if s.ThroughGroups > 0 {
		fmt.Fprintf(w, " (%d reach it through a listed group; --expand-groups lists them)", s.ThroughGroups)
	}
	fmt.Fprintln(w)
	if b := rv.Baseline; b != nil {
		fmt.Fprintf(w, "Since %s: %d new, %d unchanged, %d gone\n", b.File, b.New, b.Unchanged, b.Gone)
		if len(b.NotScanned) > 0 {
			fmt.Fprintf(w, "Not compared (in the baseline, not read now): %s\n", strings.Join(b.NotScanned, ", "))
		}
	}
}

// printClusters lists a fleet's members and how reading each went.
func printClusters(w io.Writer, cs []review.Cluster) {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "CLUSTER\tSTATUS\tSOURCE\tIDENTITIES\tBY ESCALATION\tFINDINGS\tACCEPTED\tDETAIL")
	for _, c := range cs {
		src := c.Server
		if len(c.Files) > 0 {
			src = strings.Join(c.Files, ",")
		}
		detail := c.Error
		if len(c.Incomplete) > 0 {
			var kinds []string
			for _, m := range c.Incomplete {
				kinds = append(kinds, m.Resource+" ("+m.Reason+")")
			}
			detail = "could not read " + strings.Join(kinds, ", ")
		}
		if c.Summary == nil {
			fmt.Fprintf(tw, "%s\t%s\t%s\t-\t-\t-\t-\t%s\n", c.Name, c.Status, dash(src), detail)
			continue
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%d\t%d\t%d\t%s\n", c.Name, c.Status, dash(src), c.Summary.Identities, c.Summary.ByEscalation, c.Findings, c.Accepted, detail)
	}
	_ = tw.Flush()
	fmt.Fprintln(w)
}

// printHygiene lists the hygiene findings, with their cluster in a fleet.
func printHygiene(w io.Writer, findings []review.HygieneFinding) {
	if len(findings) == 0 {
		return
	}
	fmt.Fprintf(w, "\nHygiene findings (%d):\n", len(findings))
	for _, f := range findings {
		where := ""
		if f.Cluster != "" {
			where = "[" + f.Cluster + "] "
		}
		fmt.Fprintf(w, "  %s%s  %s: %s\n", where, f.ID, f.Object, f.Message)
		if f.Expected != nil {
			fmt.Fprintf(w, "      %s\n", f.Expected.Label)
		}
	}
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// ReportOptions writes the review-meeting report.
type ReportOptions struct {
	Analysis     *AnalysisOptions
	Review       ReviewFlags
	Format       string
	OutputFile   string
	Top          int
	ExpandGroups bool
	// Dot is the graphviz binary used for the inline SVG ("" disables it).
	Dot     string
	streams genericiooptions.IOStreams
	fleet   bool
}

// NewCmdReport builds `report`.
func NewCmdReport(input *InputOptions, streams genericiooptions.IOStreams) *cobra.Command {
	o := &ReportOptions{Analysis: &AnalysisOptions{Input: input}, Format: "md", Top: 10, Dot: "dot", streams: streams}
	cmd := &cobra.Command{
		Use:   "report",
		Short: "Write one self-contained Markdown or HTML file for a review meeting",
		Long: `Write one self-contained file for a review meeting: summary figures, what changed since the
baseline, the top paths with their steps and the file and line of each binding, choke points
with fix suggestions, accepted risks and their expiry, and the graph of paths inline as SVG
(rendered with graphviz's dot when it is on PATH, else with the embedded graphviz; if neither
can draw it, the DOT source is included).
The HTML needs no JavaScript and loads nothing from the network.`,
		Example: `  kubectl auth-paths report -f dump.yaml --format html --baseline last.json --accept accepted.yaml -o review.html
  kubectl auth-paths report -f dump.yaml --format md > review.md`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := o.Validate(); err != nil {
				return err
			}
			return o.Run(cmd)
		},
	}
	o.Analysis.AddFlags(cmd)
	o.Analysis.Input.Fleet.AddFlags(cmd)
	o.Review.AddFlags(cmd, true)
	cmd.Flags().StringVar(&o.Format, "format", o.Format, "md or html")
	cmd.Flags().StringVarP(&o.OutputFile, "output", "o", "", "Write the report to this file (default: standard output)")
	cmd.Flags().IntVar(&o.Top, "top", o.Top, "Number of paths shown with every step")
	cmd.Flags().BoolVar(&o.ExpandGroups, "expand-groups", false, "List every identity whose path starts by entering a group")
	return cmd
}

// Validate checks flags.
func (o *ReportOptions) Validate() error {
	if err := o.Analysis.Validate(); err != nil {
		return err
	}
	if o.Format != "md" && o.Format != "html" {
		return fmt.Errorf("--format %q: want md or html", o.Format)
	}
	if o.Top < 0 {
		return fmt.Errorf("--top must not be negative")
	}
	if err := o.Review.Validate(); err != nil {
		return err
	}
	fleet, err := o.Analysis.ValidateFleet()
	if err != nil {
		return err
	}
	o.fleet = fleet
	return o.Review.CheckMode(fleet)
}

// section builds one cluster's report data: result, choke points and graph.
func (o *ReportOptions) section(cmd *cobra.Command, a *risk.Analysis, inv *model.Inventory, opts risk.Options, rv review.Result) (review.ReportData, error) {
	choke := review.Chokepoints(inv, opts)
	dot, err := graph.DOT(a.PathEdges(), graph.DOTOptions{Name: "auth_paths", Title: "Paths to cluster-admin", Legend: true,
		EdgeColor: func(p string) string { return risk.PrimitiveColors[p] }})
	if err != nil {
		return review.ReportData{}, err
	}
	data := review.ReportData{
		Generated: time.Now().UTC(), Input: describeInput(o.Analysis), Result: rv, Chokepoints: &choke,
		Top: o.Top, Bindings: review.Bindings(inv), DOT: string(dot), Missing: inv.Missing,
		SimulatedRemoved: o.Analysis.SimulateRemove,
	}
	data.SVG, data.SVGNote = review.RenderSVG(cmd.Context(), o.Dot, dot)
	return data, nil
}

// runFleet writes one report over every member: the clusters' figures, then
// a section per cluster read.
func (o *ReportOptions) runFleet(cmd *cobra.Command) error {
	runs, err := o.Analysis.AnalyzeFleet(cmd.Context(), o.streams)
	if err != nil {
		return err
	}
	scans := make([]review.ClusterScan, 0, len(runs))
	for _, r := range runs {
		cs := review.ClusterScan{Cluster: r.cluster, Inventory: r.inv}
		if r.a != nil {
			cs.Scan = r.a.Scan(o.ExpandGroups)
			r.a.AddEntries(cs.Scan.Paths)
			cs.Findings = r.a.Findings(time.Now())
		}
		scans = append(scans, cs)
	}
	rv := o.Review.ApplyFleet(scans)
	f := review.FleetReportData{Generated: time.Now().UTC(), Input: describeInput(o.Analysis), Result: rv, Clusters: rv.Clusters}
	for i, r := range runs {
		if r.a == nil {
			continue
		}
		c := rv.Clusters[i]
		d, err := o.section(cmd, r.a, r.inv, r.opts, rv.ForCluster(c))
		if err != nil {
			return err
		}
		d.Cluster = &c
		f.Sections = append(f.Sections, d)
	}
	err = o.emit(rv, func(buf *bytes.Buffer) error {
		if o.Format == "html" {
			return review.RenderFleetHTML(buf, f)
		}
		return review.RenderFleetMarkdown(buf, f)
	})
	if err != nil {
		return err
	}
	return fleetPartial(runs)
}

// emit renders the report, writes it, then applies --fail-on: the file is
// written even when the gate fails.
func (o *ReportOptions) emit(rv review.Result, render func(*bytes.Buffer) error) error {
	var buf bytes.Buffer
	if err := render(&buf); err != nil {
		return err
	}
	if err := o.write(buf.Bytes()); err != nil {
		return err
	}
	return o.Review.Gate(o.streams.ErrOut, rv)
}

func (o *ReportOptions) write(data []byte) error {
	if o.OutputFile == "" {
		_, err := o.streams.Out.Write(data)
		return err
	}
	return os.WriteFile(o.OutputFile, data, 0o644)
}

// Run analyses and writes the report; --fail-on applies after it is written.
func (o *ReportOptions) Run(cmd *cobra.Command) error {
	if o.fleet {
		return o.runFleet(cmd)
	}
	o.Analysis.Input.StructuredOutput = o.OutputFile == ""
	inv, opts, err := o.Analysis.Prepare(cmd.Context(), o.streams)
	if err != nil {
		return err
	}
	a := risk.Analyze(inv, opts)
	o.Analysis.Input.PrintWarnings(o.streams.ErrOut, a.Warnings())
	scan := a.Scan(o.ExpandGroups)
	a.AddEntries(scan.Paths)
	o.Review.Hygiene = a.Findings(time.Now())
	rv := o.Review.Apply(scan, inv)
	data, err := o.section(cmd, a, inv, opts, rv)
	if err != nil {
		return err
	}
	err = o.emit(rv, func(buf *bytes.Buffer) error {
		if o.Format == "html" {
			return review.RenderHTML(buf, data)
		}
		return review.RenderMarkdown(buf, data)
	})
	if err != nil {
		return err
	}
	return partial(inv)
}

func describeInput(o *AnalysisOptions) string {
	if f := o.Input.Fleet; len(f.ClusterFiles) > 0 {
		return "files of clusters: " + strings.Join(f.ClusterFiles, ", ")
	}
	if f := o.Input.Fleet; f.AllContexts {
		return "every kubeconfig context"
	}
	if f := o.Input.Fleet; f.multiple() {
		return "kubeconfig contexts " + strings.Join(f.contexts, ", ")
	}
	if o.Input.Offline() {
		return "files: " + strings.Join(o.Input.Filenames, ", ")
	}
	if cf := o.Input.ConfigFlags; cf != nil && cf.Context != nil && *cf.Context != "" {
		return "cluster (context " + *cf.Context + ")"
	}
	return "cluster (current kubeconfig context)"
}
