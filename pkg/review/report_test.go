package review_test

import (
	"bytes"
	"context"
	"fmt"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/auth-paths/kubectl-auth-paths/graph"
	"github.com/auth-paths/kubectl-auth-paths/pkg/review"
	"github.com/auth-paths/kubectl-auth-paths/pkg/review/browsertest"
	"github.com/auth-paths/kubectl-auth-paths/pkg/risk"
)

// reportData builds the report of cluster.yaml against the old baseline;
// dotBin is the graphviz binary ("no-such-dot" to test the fallback).
func reportData(t *testing.T, dotBin string) review.ReportData {
	t.Helper()
	inv := load(t, "cluster.yaml")
	a := risk.Analyze(inv, risk.Options{})
	base, err := review.LoadBaseline(fixture("baseline-old.json"))
	if err != nil {
		t.Fatal(err)
	}
	accept, err := review.LoadAcceptances(fixture("accept.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	rv := review.Apply(a.Scan(false), review.Options{Baseline: base, Acceptances: accept, Now: now})
	choke := review.Chokepoints(inv, risk.Options{})
	dot, err := graph.DOT(a.PathEdges(), graph.DOTOptions{Name: "auth_paths", Title: "Paths to cluster-admin", Legend: true,
		EdgeColor: a.StepColor})
	if err != nil {
		t.Fatal(err)
	}
	d := review.ReportData{Generated: now, Input: "files: testdata/review/cluster.yaml", Result: rv, Chokepoints: &choke, Top: 10,
		Bindings: review.Bindings(inv), DOT: string(dot)}
	d.SVG, d.SVGNote = review.RenderSVG(context.Background(), dotBin, dot)
	return d
}

func haveDot() bool { _, err := exec.LookPath("dot"); return err == nil }

var sections = []string{"Summary", "Start here", "Changes since the baseline", "Top paths", "Choke points", "Accepted risks", "Graph"}

func TestReportMarkdown(t *testing.T) {
	cases := []struct {
		name    string
		dot     string
		noGraph bool
		want    []string
		not     []string
	}{
		{"graph drawn by dot", "dot", false, []string{"![Paths to cluster-admin](data:image/svg+xml;base64,"}, []string{"could not be drawn"}},
		{"graph drawn by the embedded renderer", "no-such-dot", false, []string{"![Paths to cluster-admin](data:image/svg+xml;base64,"}, []string{"could not be drawn"}},
		{"graph not drawn", "", true, []string{"could not be drawn (x); the DOT source follows", "```dot\ndigraph"}, []string{"data:image/svg+xml"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if c.dot == "dot" && !haveDot() {
				t.Skip("graphviz not installed")
			}
			d := reportData(t, c.dot)
			if c.noGraph {
				d.SVG, d.SVGNote = "", "the graph could not be drawn (x); the DOT source follows"
			}
			var buf bytes.Buffer
			if err := review.RenderMarkdown(&buf, d); err != nil {
				t.Fatal(err)
			}
			md := buf.String()
			want := append([]string{
				"| Paths not accepted | 5 |", "| Accepted paths | 3 |", "| Expired acceptances | 1 |",
				"| New since baseline | 2 |", "| Gone since baseline | 2 |",
				"ServiceAccount:monitoring:prometheus (1 hop(s), read-secrets)", "User:eve (1 hop(s), read-secrets)",
				"testdata/review/cluster.yaml:46 | User:alice |",
				"would keep what the SA's pods use", "| platform-team | 2099-12-31 |", "**expired: listed with the paths again**",
				"Accept entry 5 (User:eve) matches no current path", "(verified by re-analysis)",
				"  - ATT&CK: [T1552.007](https://attack.mitre.org/techniques/T1552/007/) Unsecured Credentials: Container API, [T1528](https://attack.mitre.org/techniques/T1528/) Steal Application Access Token",
			}, c.want...)
			for _, s := range sections {
				want = append(want, "## "+s)
			}
			for _, w := range want {
				if !strings.Contains(md, w) {
					t.Errorf("markdown lacks %q", w)
				}
			}
			for _, n := range c.not {
				if strings.Contains(md, n) {
					t.Errorf("markdown has %q", n)
				}
			}
		})
	}
}

// The report opens with the bindings that cut most paths: right after the
// summary, in the cover's order, each with what it cuts alone and its fix.
func TestReportOpensWithChokePoints(t *testing.T) {
	d := reportData(t, "")
	cover := d.Chokepoints.Cover.Bindings
	if len(cover) < 2 {
		t.Fatalf("the review fixture should need several bindings to cut every path, got %v", cover)
	}
	var md, html bytes.Buffer
	if err := review.RenderMarkdown(&md, d); err != nil {
		t.Fatal(err)
	}
	if err := review.RenderHTML(&html, d); err != nil {
		t.Fatal(err)
	}
	for name, out := range map[string]string{"markdown": md.String(), "html": html.String()} {
		summary, start, changes := strings.Index(out, "Summary"), strings.Index(out, "Start here"), strings.Index(out, "Changes since the baseline")
		if summary < 0 || summary >= start || start >= changes {
			t.Errorf("%s: want Summary, then Start here, then the changes (at %d, %d, %d)", name, summary, start, changes)
		}
		opening := out[start:changes]
		first := d.Chokepoints.ChokePoints[slices.IndexFunc(d.Chokepoints.ChokePoints, func(c review.ChokePoint) bool { return c.Binding == cover[0] })]
		for _, want := range []string{cover[0], "alone, cuts every path of " + plural(len(first.Identities)), fmt.Sprintf("Removing %d binding(s)", len(cover))} {
			if !strings.Contains(opening, want) {
				t.Errorf("%s: the opening lacks %q:\n%s", name, want, opening)
			}
		}
		if i, j := strings.Index(opening, cover[0]), strings.Index(opening, cover[1]); i < 0 || j < i {
			t.Errorf("%s: want %s before %s, in the cover's order", name, cover[0], cover[1])
		}
	}
}

func plural(n int) string {
	if n == 1 {
		return "1 identity"
	}
	return fmt.Sprintf("%d identities", n)
}

func TestReportHTML(t *testing.T) {
	for _, dot := range []string{"dot", "no-such-dot", "not drawn"} {
		t.Run(dot, func(t *testing.T) {
			if dot == "dot" && !haveDot() {
				t.Skip("graphviz not installed")
			}
			d := reportData(t, dot)
			if dot == "not drawn" {
				d.SVG, d.SVGNote = "", "the graph could not be drawn (x); the DOT source follows"
			}
			// Names from the cluster are text, never markup.
			d.Result.Paths[0].Subject.Name = `<img src=x onerror=alert(1)>`
			var buf bytes.Buffer
			if err := review.RenderHTML(&buf, d); err != nil {
				t.Fatal(err)
			}
			html := buf.String()
			for _, s := range sections {
				if !strings.Contains(html, ">"+s+"</h2>") {
					t.Errorf("html lacks section %q", s)
				}
			}
			if strings.Contains(html, "<img src=x") || !strings.Contains(html, "&lt;img src=x onerror=alert(1)&gt;") {
				t.Error("subject name not escaped")
			}
			// Self-contained, no JavaScript: nothing loaded, nothing run.
			for _, bad := range []*regexp.Regexp{
				regexp.MustCompile(`(?i)<script`), regexp.MustCompile(`(?i)<link`), regexp.MustCompile(`(?i)\son[a-z]+\s*=\s*"`),
				regexp.MustCompile(`(?i)(src|href)\s*=\s*"(https?:)?//`), regexp.MustCompile(`(?i)@import|url\(`), regexp.MustCompile(`(?i)javascript:`),
			} {
				if m := bad.FindString(html); m != "" {
					t.Errorf("html has %q", m)
				}
			}
			if !strings.Contains(html, `ATT&amp;CK: <code>T1552.007</code> Unsecured Credentials: Container API`) {
				t.Error("html lacks the steps' ATT&CK techniques")
			}
			if !strings.Contains(html, `content="default-src 'none'; script-src 'none';`) {
				t.Error("no Content-Security-Policy forbidding scripts and network loads")
			}
			if dot != "not drawn" && !strings.Contains(html, `<div class="graph"><svg`) {
				t.Error("no inline SVG")
			}
			if dot == "not drawn" && (!strings.Contains(html, "could not be drawn") || !strings.Contains(html, "digraph")) {
				t.Error("fallback: note and DOT source expected")
			}
		})
	}
}

func TestRenderGraph(t *testing.T) {
	dot := []byte(`digraph g { a -> b [label="read-secrets"] }`)
	svg, err := review.RenderGraph(context.Background(), dot, "svg")
	if err != nil || !bytes.Contains(svg, []byte("<svg")) || !bytes.Contains(svg, []byte("read&#45;secrets")) {
		t.Errorf("svg: %v %.200s", err, svg)
	}
	for _, f := range []string{"png", "pdf"} {
		if _, err := review.RenderGraph(context.Background(), dot, f); err == nil {
			t.Errorf("%s: want an error", f)
		}
	}
	if _, err := review.RenderGraph(context.Background(), []byte("digraph {"), "svg"); err == nil {
		t.Error("broken DOT: want an error")
	}
}

// TestReportHTMLInChromium renders the report in headless Chromium (the page's
// Content-Security-Policy forbids every script) and checks a non-empty, non-blank screenshot. It skips
// when chromium is absent, unless CI_REQUIRE_CHROMIUM is set.
func TestReportHTMLInChromium(t *testing.T) {
	bin := browsertest.Chromium(t)
	tmp := t.TempDir()
	page := filepath.Join(tmp, "review.html")
	shot := filepath.Join(tmp, "review.png")
	var buf bytes.Buffer
	dotBin := "dot"
	if !haveDot() {
		dotBin = "no-such-dot"
	}
	if err := review.RenderHTML(&buf, reportData(t, dotBin)); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(page, buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 120*time.Second)
	defer cancel()
	out, err := browsertest.Command(ctx, bin, tmp, 1280, "--screenshot="+shot, "file://"+page).CombinedOutput()
	if err != nil {
		t.Fatalf("chromium: %v\n%s", err, out)
	}
	f, err := os.Open(shot)
	if err != nil {
		t.Fatalf("no screenshot: %v\n%s", err, out)
	}
	defer func() { _ = f.Close() }()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatalf("screenshot is not a PNG: %v", err)
	}
	b := img.Bounds()
	if b.Dx() < 100 || b.Dy() < 100 {
		t.Fatalf("screenshot is %dx%d", b.Dx(), b.Dy())
	}
	// Non-blank: a page with text, tables and a graph has many colours.
	colours := map[[4]uint32]bool{}
	dark := 0
	for y := b.Min.Y; y < b.Max.Y; y += 3 {
		for x := b.Min.X; x < b.Max.X; x += 3 {
			r, g, bl, a := img.At(x, y).RGBA()
			colours[[4]uint32{r >> 8, g >> 8, bl >> 8, a >> 8}] = true
			if r>>8 < 100 && g>>8 < 100 && bl>>8 < 100 {
				dark++
			}
		}
	}
	if len(colours) < 10 || dark < 500 {
		t.Errorf("screenshot looks blank: %d colours, %d dark samples", len(colours), dark)
	}
	if dir := os.Getenv("REVIEW_SCREENSHOT_DIR"); dir != "" {
		data, _ := os.ReadFile(shot)
		_ = os.WriteFile(filepath.Join(dir, "review-report.png"), data, 0o644)
	}

	// No horizontal scroll at 1280 px.
	if scroll, client := browsertest.Widths(ctx, t, bin, buf.String(), 1280); scroll != client {
		t.Errorf("the report scrolls horizontally at 1280 px: scrollWidth %d, clientWidth %d", scroll, client)
	}
}

// TestReportNewPathsIncludeAccepted: the changes section lists every new
// path, an accepted one marked, as many as the baseline's new count.
func TestReportNewPathsIncludeAccepted(t *testing.T) {
	inv := load(t, "cluster.yaml")
	a := risk.Analyze(inv, risk.Options{})
	base, err := review.LoadBaseline(fixture("baseline-old.json"))
	if err != nil {
		t.Fatal(err)
	}
	accept, err := review.ParseAcceptances("accept.yaml", []byte("- {subject: User:carol, reason: reviewed, owner: sec, expires: 2999-01-01}\n"))
	if err != nil {
		t.Fatal(err)
	}
	rv := review.Apply(a.Scan(false), review.Options{Baseline: base, Acceptances: accept, Now: now})
	if len(rv.Accepted) == 0 {
		t.Fatal("no accepted path: the fixture changed")
	}
	for _, format := range []string{"md", "html"} {
		var b strings.Builder
		d := review.ReportData{Generated: now, Input: "files: testdata/review/cluster.yaml", Result: rv, Top: 10}
		var err error
		if format == "md" {
			err = review.RenderMarkdown(&b, d)
		} else {
			err = review.RenderHTML(&b, d)
		}
		if err != nil {
			t.Fatal(err)
		}
		out := b.String()
		if n := strings.Count(out, "— accepted (owner sec: reviewed)"); n == 0 {
			t.Errorf("%s: the accepted new path is not listed as accepted:\n%s", format, out)
		}
		listed := strings.Count(out, "hop(s), ")
		if format == "md" {
			start := strings.Index(out, "**New paths**")
			end := strings.Index(out, "**Gone paths**")
			if start < 0 || end < start {
				t.Fatalf("md: no new/gone lists:\n%s", out)
			}
			listed = strings.Count(out[start:end], "\n- ")
		}
		if format == "md" && listed != rv.Baseline.New {
			t.Errorf("md: %d new paths listed, the baseline counts %d", listed, rv.Baseline.New)
		}
	}
}
