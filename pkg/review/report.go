package review

import (
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	htmltemplate "html/template"
	"io"
	"os/exec"
	"strings"
	"text/template"
	"time"

	"github.com/auth-paths/kubectl-auth-paths/pkg/model"
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
	TopPaths     []Finding
	MorePaths    int
	NewPaths     []Finding
	Expired      []Finding
	SVGDataURI   string
	Now          string
	HTMLSVG      htmltemplate.HTML
	Escalations  int
	AlreadyAdmin int
}

func (d ReportData) view() view {
	v := view{ReportData: d, Now: d.Generated.Format(time.RFC3339)}
	ps := d.Result.Paths
	if d.Top < len(ps) {
		v.TopPaths, v.MorePaths = ps[:d.Top], len(ps)-d.Top
	} else {
		v.TopPaths = ps
	}
	for _, f := range ps {
		if f.Status == StatusNew {
			v.NewPaths = append(v.NewPaths, f)
		}
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
		"join":    strings.Join,
		"first":   RuleOf,
		"md":      mdEscape,
		"status":  dash,
		"add":     func(a, b int) int { return a + b },
		"expired": func(a *Acceptance) bool { return a != nil && a.Expired(d.Generated) },
	}
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

// mdEscape keeps table cells and inline text from breaking Markdown.
func mdEscape(s string) string {
	r := strings.NewReplacer("|", "\\|", "\n", " ", "<", "&lt;", ">", "&gt;", "*", "\\*", "_", "\\_", "`", "\\`", "[", "\\[", "]", "\\]")
	return r.Replace(s)
}

// RenderMarkdown writes the report as one Markdown file (the graph as an
// inline data-URI image when rendered, and as DOT in a details block).
func RenderMarkdown(w io.Writer, d ReportData) error {
	t, err := template.New("md").Funcs(d.funcs()).Parse(markdownTemplate)
	if err != nil {
		return err
	}
	return t.Execute(w, d.view())
}

// RenderHTML writes the report as one HTML file with inline CSS and SVG, no
// scripts and no external resources.
func RenderHTML(w io.Writer, d ReportData) error {
	t, err := htmltemplate.New("html").Funcs(d.funcs()).Parse(htmlTemplate)
	if err != nil {
		return err
	}
	return t.Execute(w, d.view())
}
