package cmd

import (
	"bytes"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"k8s.io/cli-runtime/pkg/genericiooptions"

	"github.com/auth-paths/kubectl-auth-paths/graph"
	"github.com/auth-paths/kubectl-auth-paths/pkg/model"
	"github.com/auth-paths/kubectl-auth-paths/pkg/review"
	"github.com/auth-paths/kubectl-auth-paths/pkg/risk"
)

// ReportOptions writes the review-meeting report.
type ReportOptions struct {
	Analysis *AnalysisOptions
	Review   ReviewFlags
	// Output is the format, md or html (-o, as in kubectl); OutputFile the
	// file written instead of standard output.
	Output     string
	OutputFile string
	Top        int
	// GraphTop limits the graph to the paths of the N most exposed
	// identities (0: every path): a whole large cluster's graph is neither
	// readable nor drawable in time (graphviz's layout grows faster than it).
	GraphTop     int
	ExpandGroups bool
	// Dot is the graphviz binary used for the inline SVG ("" disables it).
	Dot     string
	streams genericiooptions.IOStreams
	fleet   bool
}

// NewCmdReport builds `report`.
func NewCmdReport(input *InputOptions, streams genericiooptions.IOStreams) *cobra.Command {
	o := &ReportOptions{Analysis: &AnalysisOptions{Input: input}, Output: OutputMarkdown, Top: 10, GraphTop: 10, Dot: "dot", streams: streams}
	cmd := &cobra.Command{
		Use:   "report",
		Short: "Write one self-contained Markdown or HTML file for a review meeting",
		Long: `Write one self-contained file for a review meeting: summary figures, then where to start
(the first bindings of the smallest set found whose removal cuts every path, each with what it
cuts alone and its fix), what changed since the baseline, the top paths with their steps and
the file and line of each binding, choke points with fix suggestions, accepted risks and their
expiry, and the graph of paths inline as SVG (rendered with graphviz's dot when it is on PATH,
else with the embedded graphviz; if neither can draw it, the DOT source is included). The graph
draws the paths of the --graph-top most exposed identities (10 by default; 0 for every path),
identities that start their paths the same way drawn as one node with their count, as ` + "`graph`" + `
does; ` + "`kubectl auth-paths graph`" + ` draws any other view.
The HTML needs no JavaScript and loads nothing from the network.`,
		Example: `  # HTML for the meeting, against last time's scan and the accepted risks
  kubectl auth-paths report -f dump.yaml -o html --baseline last.json --accept accepted.yaml --output-file review.html

  # Markdown on standard output
  kubectl auth-paths report -f dump.yaml > review.md`,
		Args: cobra.NoArgs,
		RunE: runE(o),
	}
	o.Analysis.AddFlags(cmd)
	o.Analysis.Input.Fleet.AddFlags(cmd)
	o.Review.AddFlags(cmd, true)
	addOutputFlag(cmd, &o.Output, reportFormats, "")
	cmd.Flags().StringVar(&o.OutputFile, "output-file", "", "Write the report to `FILE` instead of standard output")
	_ = cmd.MarkFlagFilename("output-file", OutputMarkdown, OutputHTML)
	// --format was the format's flag before -o became it, as in kubectl.
	cmd.Flags().StringVar(&o.Output, "format", o.Output, "Output `FORMAT`: md or html")
	// Hidden, not MarkDeprecated: cobra swallows pflag's deprecation notice.
	_ = cmd.Flags().MarkHidden("format")
	cmd.Flags().IntVar(&o.Top, "top", o.Top, "Show the first `N` paths with every step")
	cmd.Flags().IntVar(&o.GraphTop, "graph-top", o.GraphTop, "Draw the paths of the `N` most exposed identities in the graph (0: every path)")
	cmd.Flags().BoolVar(&o.ExpandGroups, "expand-groups", false, "List every identity whose path starts by entering a group")
	return cmd
}

// Complete reads the analysis flags and warns about the deprecated --format.
func (o *ReportOptions) Complete(cmd *cobra.Command, _ []string) error {
	if cmd.Flags().Changed("format") {
		fmt.Fprintln(o.streams.ErrOut, "warning: --format is deprecated: use -o md|html (and --output-file FILE for a file)")
	}
	return o.Analysis.Complete()
}

// Validate checks flags.
func (o *ReportOptions) Validate() error {
	if err := o.Analysis.Validate(); err != nil {
		return err
	}
	if err := validateOutput(o.Output, reportFormats); err != nil {
		return err
	}
	if o.Top < 0 || o.GraphTop < 0 {
		return fmt.Errorf("--top and --graph-top must not be negative")
	}
	fleet, err := o.Review.Validate(o.Analysis)
	o.fleet = fleet
	return err
}

// section builds one cluster's report data: result, choke points and graph.
func (o *ReportOptions) section(cmd *cobra.Command, a *risk.Analysis, inv *model.Inventory, opts risk.Options, rv review.Result) (review.ReportData, error) {
	choke := review.ChokepointsOf(a)
	title := "Paths to cluster-admin"
	if n := identitiesWithPath(a); o.GraphTop > 0 && n > o.GraphTop {
		title = fmt.Sprintf("Paths of the %d most exposed of the %d identities with a path to cluster-admin", o.GraphTop, n)
	}
	dot, err := graph.DOT(graph.Collapse(a.TopPathEdges(o.GraphTop), defaultCollapse), graph.DOTOptions{Name: "auth_paths", Title: title, Legend: true,
		EdgeColor: a.StepColor})
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

// identitiesWithPath counts the identities that reach cluster-admin (those
// the graph ranks by exposure).
func identitiesWithPath(a *risk.Analysis) int {
	tree := a.Graph.ShortestTo(a.Sink())
	n := 0
	for _, node := range a.Graph.Nodes() {
		if risk.IsIdentity(node) && tree.Hops(node) != graph.Unreachable {
			n++
		}
	}
	return n
}

// runFleet writes one report over every member: the clusters' figures, then
// a section per cluster read.
func (o *ReportOptions) runFleet(cmd *cobra.Command) error {
	runs, err := o.Analysis.AnalyzeFleet(cmd.Context(), o.streams)
	if err != nil {
		return err
	}
	rv := o.Review.ApplyFleet(fleetScans(runs, func(a *risk.Analysis) (risk.ScanResult, []risk.Finding) {
		return scanCluster(a, o.ExpandGroups)
	}))
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
		if o.Output == OutputHTML {
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
	scan, findings := scanCluster(a, o.ExpandGroups)
	o.Review.Hygiene = findings
	rv := o.Review.Apply(scan, inv)
	data, err := o.section(cmd, a, inv, opts, rv)
	if err != nil {
		return err
	}
	err = o.emit(rv, func(buf *bytes.Buffer) error {
		if o.Output == OutputHTML {
			return review.RenderHTML(buf, data)
		}
		return review.RenderMarkdown(buf, data)
	})
	if err != nil {
		return err
	}
	return Partial(inv)
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
