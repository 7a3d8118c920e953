package review

import (
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	htmltemplate "html/template"
	"io"
	"os/exec"
	"slices"
	"strings"
	"text/template"
	"time"

	"github.com/auth-paths/kubectl-auth-paths/pkg/model"
	"github.com/auth-paths/kubectl-auth-paths/pkg/risk"
)

// ReportData is everything a report shows.
type ReportData struct {
	Generated        time.Time
	Input            string
	Result           Result
	Chokepoints      *ChokeResult
	Top              int
	Bindings         map[string]*model.Binding
	DOT              string
	SVG              string
	SVGNote          string
	Missing          []model.MissingKind
	SimulatedRemoved []string
	// Cluster is set for one cluster's section of a fleet report: headings
	// go one level deeper and element ids are prefixed by the cluster.
	Cluster *Cluster
}

// FleetReportData is a report over several clusters: the merged result, the
// clusters' figures, and one section per cluster that was read.
type FleetReportData struct {
	Generated time.Time
	Input     string
	Result    Result
	Clusters  []Cluster
	Sections  []ReportData
}

// RenderSVG renders DOT for the report: with graphviz's dot when dotBin is
// on PATH, else with the embedded renderer (RenderGraph); when both fail it
// returns "" and a note saying why, and the report includes the DOT source.
func RenderSVG(ctx context.Context, dotBin string, dot []byte) (svg, note string) {
	var why []string
	if dotBin != "" {
		s, err := renderWithDot(ctx, dotBin, dot)
		if err == nil {
			return inlineSVG(s), ""
		}
		why = append(why, err.Error())
	}
	data, err := RenderGraph(ctx, dot, "svg")
	if err == nil {
		return inlineSVG(string(data)), ""
	}
	why = append(why, err.Error())
	return "", "the graph could not be drawn (" + strings.Join(why, "; ") + "); the DOT source follows"
}

func renderWithDot(ctx context.Context, dotBin string, dot []byte) (string, error) {
	bin, err := exec.LookPath(dotBin)
	if err != nil {
		return "", fmt.Errorf("graphviz (%s) is not on PATH", dotBin)
	}
	ctx, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "-Tsvg")
	cmd.Stdin = bytes.NewReader(dot)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("dot -Tsvg failed (%v: %s)", err, strings.TrimSpace(errb.String()))
	}
	return out.String(), nil
}

// inlineSVG drops the XML declaration, DOCTYPE and comments before <svg.
func inlineSVG(s string) string {
	if i := strings.Index(s, "<svg"); i >= 0 {
		return s[i:]
	}
	return s
}

// view is the template's model, with derived figures.
type view struct {
	ReportData
	TopPaths     []ReviewedPath
	MorePaths    int
	NewPaths     []ReviewedPath
	Expired      []ReviewedPath
	SVGDataURI   string
	Now          string
	HTMLSVG      htmltemplate.HTML
	Escalations  int
	AlreadyAdmin int
	// StartHere are the first bindings of the cover, in the order it chose
	// them: the report opens with them.
	StartHere []StartStep
}

// startHereMax is how many of the cover's bindings the report opens with.
const startHereMax = 5

// StartStep is one binding of the cover, as the report's opening lists it.
type StartStep struct {
	Binding string
	Source  *model.Source
	// Alone is how many identities lose every path when it alone goes (0:
	// it cuts what the bindings before it leave).
	Alone int
	Fix   string
}

// Cuts says how many identities the binding alone cuts.
func (s StartStep) Cuts() string {
	if s.Alone == 1 {
		return "1 identity"
	}
	return fmt.Sprintf("%d identities", s.Alone)
}

// startHere lists the cover's first bindings with what each cuts alone and
// its fix (a binding of phase 2 of the cover has no figure of its own).
func startHere(c *ChokeResult) []StartStep {
	if c == nil {
		return nil
	}
	byBinding := map[string]ChokePoint{}
	for _, cp := range c.ChokePoints {
		byBinding[cp.Binding] = cp
	}
	var out []StartStep
	for _, b := range c.Cover.Bindings[:min(len(c.Cover.Bindings), startHereMax)] {
		cp := byBinding[b]
		out = append(out, StartStep{Binding: b, Source: cp.Source, Alone: len(cp.Identities), Fix: cp.Fix})
	}
	return out
}

func (d ReportData) view() view {
	v := view{ReportData: d, Now: d.Generated.Format(time.RFC3339), StartHere: startHere(d.Chokepoints)}
	ps := d.Result.Paths
	if d.Top < len(ps) {
		v.TopPaths, v.MorePaths = ps[:d.Top], len(ps)-d.Top
	} else {
		v.TopPaths = ps
	}
	// Every new path is listed, accepted ones too (marked), so that the list
	// has as many entries as the baseline's new count.
	for _, f := range slices.Concat(ps, d.Result.Accepted) {
		if f.Status == StatusNew {
			v.NewPaths = append(v.NewPaths, f)
		}
	}
	for _, f := range ps {
		if f.Note != "" {
			v.Expired = append(v.Expired, f)
		}
		if f.Hops > 0 {
			v.Escalations++
		} else {
			v.AlreadyAdmin++
		}
	}
	if d.SVG != "" {
		v.SVGDataURI = "data:image/svg+xml;base64," + base64.StdEncoding.EncodeToString([]byte(d.SVG))
		// The SVG comes from graphviz, which escapes every label taken from the input.
		v.HTMLSVG = htmltemplate.HTML(d.SVG) //nolint:gosec // graphviz output of our own DOT, labels escaped by dot
	}
	return v
}

func (d ReportData) funcs() map[string]any {
	return map[string]any{
		"source": func(id string) string {
			if b := d.Bindings[id]; b != nil {
				return SourceString(b.Source)
			}
			return ""
		},
		"where": func(s *model.Source) string {
			if s == nil {
				return ""
			}
			return SourceString(*s)
		},
		"join":   strings.Join,
		"anchor": Anchor,
		"h": func(level int) string {
			return strings.Repeat("#", level+d.depth())
		},
		"hopen": func(level int, id string) htmltemplate.HTML {
			tag := fmt.Sprintf("h%d", level+d.depth())
			if id == "" {
				return htmltemplate.HTML("<" + tag + ">") //nolint:gosec // a fixed tag name
			}
			return htmltemplate.HTML(fmt.Sprintf(`<%s id="%s">`, tag, htmltemplate.HTMLEscapeString(d.idPrefix()+id))) //nolint:gosec // id escaped
		},
		"hclose": func(level int) htmltemplate.HTML {
			return htmltemplate.HTML(fmt.Sprintf("</h%d>", level+d.depth())) //nolint:gosec // a fixed tag name
		},
		"first":   RuleOf,
		"attack":  techniques,
		"md":      mdEscape,
		"status":  dash,
		"add":     func(a, b int) int { return a + b },
		"expired": func(a *Acceptance) bool { return a != nil && a.Expired(d.Generated) },
	}
}

// techniques looks a step's technique IDs up for the report (name and link);
// an ID this build does not know is shown by its ID alone.
func techniques(ids []string) []risk.Technique {
	out := make([]risk.Technique, 0, len(ids))
	for _, id := range ids {
		t, ok := risk.LookupTechnique(id)
		if !ok {
			t = risk.Technique{ID: id, Name: id}
		}
		out = append(out, t)
	}
	return out
}

func (d ReportData) depth() int {
	if d.Cluster != nil {
		return 1
	}
	return 0
}

func (d ReportData) idPrefix() string {
	if d.Cluster != nil {
		return Anchor(d.Cluster.Name) + "-"
	}
	return ""
}

// Anchor turns a cluster name into an element id: "cluster-" and the name's
// letters and digits, other characters as dashes (context names hold
// colons and slashes).
func Anchor(name string) string {
	var b strings.Builder
	b.WriteString("cluster-")
	for _, r := range strings.ToLower(name) {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			b.WriteRune(r)
		} else {
			b.WriteByte('-')
		}
	}
	return b.String()
}

// SourceString renders where an object was read: file:line, with the item
// of a List document when there is one ("" when not read from a file).
func SourceString(s model.Source) string {
	if s.File == "" {
		return ""
	}
	out := s.File
	if s.Line > 0 {
		out += fmt.Sprintf(":%d", s.Line)
	}
	if s.Item > 0 {
		out += fmt.Sprintf(" (item %d)", s.Item)
	}
	return out
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// mdEscaper is made once: a Replacer builds its tables on first use.
var mdEscaper = strings.NewReplacer("|", "\\|", "\n", " ", "<", "&lt;", ">", "&gt;", "*", "\\*", "_", "\\_", "`", "\\`", "[", "\\[", "]", "\\]")

// mdEscape keeps table cells and inline text from breaking Markdown.
func mdEscape(s string) string {
	return mdEscaper.Replace(s)
}

func parseMarkdown(funcs map[string]any, texts ...string) (*template.Template, error) {
	t := template.New("md").Funcs(funcs)
	for _, text := range texts {
		if _, err := t.Parse(text); err != nil {
			return nil, err
		}
	}
	return t, nil
}

func parseHTML(funcs map[string]any, texts ...string) (*htmltemplate.Template, error) {
	t := htmltemplate.New("html").Funcs(funcs)
	for _, text := range texts {
		if _, err := t.Parse(text); err != nil {
			return nil, err
		}
	}
	return t, nil
}

// RenderMarkdown writes the report as one Markdown file (the graph as an
// inline data-URI image when rendered, and as DOT in a details block).
func RenderMarkdown(w io.Writer, d ReportData) error {
	t, err := parseMarkdown(d.funcs(), markdownBody, markdownHead, markdownTemplate)
	if err != nil {
		return err
	}
	return t.ExecuteTemplate(w, "md", d.view())
}

// RenderHTML writes the report as one HTML file with inline CSS and SVG, no
// scripts and no external resources.
func RenderHTML(w io.Writer, d ReportData) error {
	t, err := parseHTML(d.funcs(), htmlBody, htmlDocHead, htmlTemplate)
	if err != nil {
		return err
	}
	return t.ExecuteTemplate(w, "html", d.view())
}

// fleetFuncs are the functions of the fleet head templates.
func (f FleetReportData) fleetFuncs() map[string]any {
	fs := ReportData{Generated: f.Generated}.funcs()
	fs["anchor"] = Anchor
	fs["source_of"] = func(c Cluster) string {
		if len(c.Files) > 0 {
			return strings.Join(c.Files, ", ")
		}
		return c.Server
	}
	return fs
}

type fleetView struct {
	FleetReportData
	Now string
}

// RenderFleetMarkdown writes a fleet report: the clusters with their
// figures, then one section per cluster read, as RenderMarkdown's body.
func RenderFleetMarkdown(w io.Writer, f FleetReportData) error {
	head, err := parseMarkdown(f.fleetFuncs(), markdownFleetHead)
	if err != nil {
		return err
	}
	if err := head.Execute(w, fleetView{f, f.Generated.Format(time.RFC3339)}); err != nil {
		return err
	}
	for _, d := range f.Sections {
		t, err := parseMarkdown(d.funcs(), markdownBody)
		if err != nil {
			return err
		}
		if _, err := fmt.Fprintf(w, "\n<a id=\"%s\"></a>\n\n## Cluster %s\n\n", Anchor(d.Cluster.Name), mdEscape(d.Cluster.Name)); err != nil {
			return err
		}
		if err := t.ExecuteTemplate(w, "body", d.view()); err != nil {
			return err
		}
	}
	return nil
}

// RenderFleetHTML writes a fleet report as one HTML file: the clusters with
// their figures, then one section per cluster read.
func RenderFleetHTML(w io.Writer, f FleetReportData) error {
	head, err := parseHTML(f.fleetFuncs(), htmlDocHead, htmlFleetHead)
	if err != nil {
		return err
	}
	v := fleetView{f, f.Generated.Format(time.RFC3339)}
	if err := head.ExecuteTemplate(w, "doc-head", v); err != nil {
		return err
	}
	if err := head.ExecuteTemplate(w, "html", v); err != nil {
		return err
	}
	for _, d := range f.Sections {
		t, err := parseHTML(d.funcs(), htmlBody, htmlSection)
		if err != nil {
			return err
		}
		if err := t.ExecuteTemplate(w, "section", d.view()); err != nil {
			return err
		}
	}
	_, err = io.WriteString(w, "</body>\n</html>\n")
	return err
}
