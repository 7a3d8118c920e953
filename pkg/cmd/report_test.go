package cmd

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"k8s.io/cli-runtime/pkg/genericiooptions"
)

const reviewDir = "../../testdata/review"

func rv(name string) string { return filepath.Join(reviewDir, name) }

// runReview runs the root command and returns stdout, stderr and the exit
// status Execute would return.
func runReview(t *testing.T, args ...string) (string, string, int) {
	t.Helper()
	var out, errOut bytes.Buffer
	root := NewCmdAuthPaths(genericiooptions.IOStreams{In: strings.NewReader(""), Out: &out, ErrOut: &errOut})
	root.SetArgs(withDeclaredGaps(args))
	err := root.ExecuteContext(context.Background())
	code := ExitOK
	if err != nil {
		code = ExitError
		var ec ExitCoder
		if errors.As(err, &ec) {
			code = ec.ExitCode()
		}
		if msg := err.Error(); msg != "" {
			errOut.WriteString("error: " + msg + "\n")
		}
	}
	return out.String(), errOut.String(), code
}

func TestScanGate(t *testing.T) {
	cluster := rv("cluster.yaml")
	cases := []struct {
		name   string
		args   []string
		code   int
		stdout []string
		stderr []string
	}{
		{"no gate", []string{"scan", "-f", cluster, "--baseline", rv("baseline-old.json")}, ExitOK,
			[]string{"new", "unchanged", "Gone since the baseline (2)", "2 new, 6 unchanged, 2 gone"}, nil},
		{"new paths fail --fail-on new", []string{"scan", "-f", cluster, "--baseline", rv("baseline-old.json"), "--fail-on", "new"}, ExitGate,
			nil, []string{"gate --fail-on new failed: 2 new path(s) not accepted", "ServiceAccount:monitoring:prometheus", "User:carol"}},
		{"same scan as baseline passes --fail-on new", []string{"scan", "-f", cluster, "--baseline", rv("scan-new.json"), "--fail-on", "new"}, ExitOK, nil, nil},
		{"any fails with findings", []string{"scan", "-f", cluster, "--accept", rv("accept.yaml"), "--fail-on", "any"}, ExitGate,
			[]string{"Accepted (3)", "acceptance expired 2025-01-31"}, []string{"5 path(s) not accepted"}},
		{"any passes when nothing is left", []string{"scan", "-f", rv("cluster-old.yaml"), "--simulate-remove",
			"ClusterRoleBinding/deployer-admin,ClusterRoleBinding/builder-admin,ClusterRoleBinding/ops-admin", "--fail-on", "any"}, ExitOK,
			[]string{"No path to cluster-admin that is not accepted."}, nil},
		{"new without baseline", []string{"scan", "-f", cluster, "--fail-on", "new"}, ExitError, nil, []string{"--fail-on new needs --baseline"}},
		{"bad gate", []string{"scan", "-f", cluster, "--fail-on", "some"}, ExitError, nil, []string{`--fail-on "some": want new or any`}},
		{"malformed accept file", []string{"scan", "-f", cluster, "--accept", rv("accept-malformed-expires.yaml")}, ExitError, nil,
			[]string{"accept-malformed-expires.yaml: entry 2 (User:alice): field \"expires\""}},
		{"malformed groups file", []string{"scan", "-f", cluster, "--groups", rv("groups-malformed.yaml")}, ExitError, nil,
			[]string{"groups-malformed.yaml: user \"bob\": want a list of group names"}},
		{"groups file", []string{"scan", "-f", cluster, "--groups", rv("groups.yaml"), "--expand-groups"}, ExitOK, []string{"User:bob"}, nil},
		{"unknown binding to remove", []string{"chokepoints", "-f", cluster, "--simulate-remove", "RoleBinding/ci/typo"}, ExitError, nil,
			[]string{"--simulate-remove: no such binding in the input: RoleBinding/ci/typo"}},
		{"missing baseline", []string{"scan", "-f", cluster, "--baseline", rv("nope.json")}, ExitError, nil, []string{"--baseline", "nope.json"}},
		{"the root command gates too", []string{"-f", cluster, "--baseline", rv("baseline-old.json"), "--fail-on", "new"}, ExitGate, nil, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			out, errOut, code := runReview(t, c.args...)
			if code != c.code {
				t.Fatalf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", code, c.code, out, errOut)
			}
			for _, w := range c.stdout {
				if !strings.Contains(out, w) {
					t.Errorf("stdout lacks %q:\n%s", w, out)
				}
			}
			for _, w := range c.stderr {
				if !strings.Contains(errOut, w) {
					t.Errorf("stderr lacks %q:\n%s", w, errOut)
				}
			}
		})
	}
}

func TestScanReviewJSON(t *testing.T) {
	out, errOut, code := runReview(t, "scan", "-f", rv("cluster.yaml"), "--baseline", rv("baseline-old.json"), "--accept", rv("accept.yaml"), "-o", "json")
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var doc struct {
		Paths []struct {
			ID     string `json:"id"`
			Status string `json:"status"`
			Note   string `json:"note"`
		} `json:"paths"`
		Accepted []struct {
			ID         string `json:"id"`
			Acceptance struct {
				Owner   string `json:"owner"`
				Expires string `json:"expires"`
			} `json:"acceptance"`
		} `json:"accepted"`
		Gone     []struct{ ID string } `json:"gone"`
		Baseline struct{ New, Unchanged, Gone int }
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.Paths) != 5 || len(doc.Accepted) != 3 || len(doc.Gone) != 2 || doc.Baseline.New != 2 || doc.Baseline.Gone != 2 {
		t.Errorf("paths %d accepted %d gone %d baseline %+v", len(doc.Paths), len(doc.Accepted), len(doc.Gone), doc.Baseline)
	}
	for _, a := range doc.Accepted {
		if a.Acceptance.Owner == "" || a.Acceptance.Expires == "" {
			t.Errorf("accepted %s without owner or expiry", a.ID)
		}
	}
	// The reviewed output is itself a baseline: nothing is new against it.
	f := filepath.Join(t.TempDir(), "reviewed.json")
	if err := os.WriteFile(f, []byte(out), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, errOut, code := runReview(t, "scan", "-f", rv("cluster.yaml"), "--baseline", f, "--fail-on", "new"); code != ExitOK {
		t.Errorf("against its own reviewed output: exit %d: %s", code, errOut)
	}
	// Without review flags the JSON keeps its shape.
	plain, _, _ := runReview(t, "scan", "-f", rv("cluster.yaml"), "-o", "json")
	want, err := os.ReadFile(rv("scan-new.json"))
	if err != nil {
		t.Fatal(err)
	}
	if plain != string(want) {
		t.Error("plain scan -o json differs from testdata/review/scan-new.json (regenerate it if the analysis changed)")
	}
}

func TestScanSARIF(t *testing.T) {
	out, errOut, code := runReview(t, "scan", "-f", rv("cluster.yaml"), "--accept", rv("accept.yaml"), "-o", "sarif")
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var doc struct {
		Version string `json:"version"`
		Runs    []struct {
			Results []json.RawMessage `json:"results"`
		} `json:"runs"`
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil || doc.Version != "2.1.0" || len(doc.Runs) != 1 || len(doc.Runs[0].Results) != 8 {
		t.Errorf("sarif: %v %+v", err, doc)
	}
	if _, _, code := runReview(t, "scan", "-f", rv("cluster.yaml"), "-o", "sarif", "--baseline", rv("baseline-old.json"), "--fail-on", "new"); code != ExitGate {
		t.Errorf("sarif with a failing gate: exit %d, want %d", code, ExitGate)
	}
}

func TestChokepointsCommand(t *testing.T) {
	out, errOut, code := runReview(t, "chokepoints", "-f", rv("cluster.yaml"), "-o", "json")
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var doc struct {
		Method      string
		Identities  []struct{ ChokePoints []string }
		ChokePoints []struct{ Binding, Fix string }
		Cover       struct {
			Bindings []string
			Cut      []string
			Verified bool
		}
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Method == "" || len(doc.Identities) != 8 || len(doc.ChokePoints) != 6 || len(doc.Cover.Bindings) != 7 || len(doc.Cover.Cut) != 5 || !doc.Cover.Verified {
		t.Errorf("chokepoints: %+v", doc)
	}
	out, _, code = runReview(t, "chokepoints", "-f", rv("cluster.yaml"), "--simulate-remove", strings.Join(doc.Cover.Bindings, ","))
	if code != ExitOK || !strings.Contains(out, "Removing 0 binding(s) cuts 0 of 0 identities") || !strings.Contains(out, "As if removed: ClusterRoleBinding/prometheus-secrets") {
		t.Errorf("after removing the cover:\n%s", out)
	}
	out, _, _ = runReview(t, "chokepoints", "-f", rv("cluster.yaml"))
	for _, w := range []string{"SUBJECT", "User:carol", "(none: no single binding", "fix: ClusterRoleBinding prometheus-secrets grants", "verified by re-analysis"} {
		if !strings.Contains(out, w) {
			t.Errorf("table lacks %q:\n%s", w, out)
		}
	}
	if _, errOut, code := runReview(t, "chokepoints", "-f", rv("cluster.yaml"), "-o", "wide"); code != ExitError || !strings.Contains(errOut, "unsupported output format") {
		t.Errorf("-o wide: %d %s", code, errOut)
	}
}

func TestReportCommand(t *testing.T) {
	dir := t.TempDir()
	for _, format := range []string{"md", "html"} {
		f := filepath.Join(dir, "review."+format)
		out, errOut, code := runReview(t, "report", "-f", rv("cluster.yaml"), "-o", format, "--baseline", rv("baseline-old.json"), "--accept", rv("accept.yaml"), "--output-file", f)
		if code != ExitOK || out != "" {
			t.Fatalf("%s: exit %d, stdout %q, stderr %s", format, code, out, errOut)
		}
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, w := range []string{"Changes since the baseline", "Choke points", "Accepted risks", "ServiceAccount:monitoring:prometheus"} {
			if !strings.Contains(string(data), w) {
				t.Errorf("%s report lacks %q", format, w)
			}
		}
	}
	if _, errOut, code := runReview(t, "report", "-f", rv("cluster.yaml"), "-o", "pdf"); code != ExitError || !strings.Contains(errOut, `unsupported output format "pdf": want one of md, html`) {
		t.Errorf("-o pdf: %d %s", code, errOut)
	}
	out, _, code := runReview(t, "report", "-f", rv("cluster.yaml"))
	if code != ExitOK || !strings.HasPrefix(out, "# RBAC review") {
		t.Errorf("markdown to stdout: %d %.80q", code, out)
	}
}

func TestGraphSVG(t *testing.T) {
	out, errOut, code := runReview(t, "graph", "-f", rv("cluster.yaml"), "-o", "svg")
	if code != ExitOK || !strings.Contains(out, "<svg") || !strings.Contains(out, "prometheus") {
		t.Errorf("graph -o svg: exit %d %s %.200s", code, errOut, out)
	}
	if _, errOut, code := runReview(t, "graph", "-f", rv("cluster.yaml"), "-o", "png"); code != ExitError || !strings.Contains(errOut, "unsupported output format") {
		t.Errorf("graph -o png: exit %d %s", code, errOut)
	}
	out, _, code = runReview(t, "graph", "-f", rv("cluster.yaml"))
	if code != ExitOK || !strings.HasPrefix(out, "digraph") && !strings.Contains(out, "digraph") {
		t.Errorf("graph default DOT: %.100s", out)
	}
}

// TestExpectedLabelInSARIFAndReport: a path that only a platform's declared
// default makes is still reported, labelled, at SARIF level note; a user's own
// binding next to it stays an error.
func TestExpectedLabelInSARIFAndReport(t *testing.T) {
	plugin := func(name string) string { return filepath.Join("..", "..", "testdata", "plugins", name, "input.yaml") }
	for _, tc := range []struct {
		scenario, subject string
		expected          bool
	}{
		{"eks-defaults-addon-manager", "User:eks:addon-manager", true},
		{"eks-defaults-not-eks", "User:eks:addon-manager", false},
	} {
		out, errOut, code := runReview(t, "scan", "-f", plugin(tc.scenario), "-o", "sarif")
		if code != ExitOK {
			t.Fatalf("%s: exit %d: %s", tc.scenario, code, errOut)
		}
		var doc struct {
			Runs []struct {
				Results []struct {
					Level      string         `json:"level"`
					Properties map[string]any `json:"properties"`
				} `json:"results"`
			} `json:"runs"`
		}
		if err := json.Unmarshal([]byte(out), &doc); err != nil || len(doc.Runs) != 1 {
			t.Fatalf("%s: sarif: %v", tc.scenario, err)
		}
		found := false
		for _, r := range doc.Runs[0].Results {
			if r.Properties["subject"] != tc.subject {
				continue
			}
			found = true
			label, labelled := r.Properties["expected"].(string)
			if labelled != tc.expected || (tc.expected && (r.Level != "note" || !strings.Contains(label, "EKS default"))) || (!tc.expected && r.Level != "error") {
				t.Errorf("%s: %s level %s expected %q, want labelled=%v", tc.scenario, tc.subject, r.Level, label, tc.expected)
			}
		}
		if !found {
			t.Errorf("%s: no SARIF result for %s", tc.scenario, tc.subject)
		}
		md, errOut, code := runReview(t, "report", "-f", plugin(tc.scenario), "-o", "md")
		if code != ExitOK {
			t.Fatalf("%s: report exit %d: %s", tc.scenario, code, errOut)
		}
		if got := strings.Contains(md, "expected (EKS default"); got != tc.expected {
			t.Errorf("%s: report labels the path expected: %v, want %v", tc.scenario, got, tc.expected)
		}
	}
}

// TestReportOutputIsAFormat: -o is the format, as everywhere in kubectl,
// through the binary: -o html on standard output or into --output-file; a
// file name given to -o (the old form) is refused with the valid formats.
func TestReportOutputIsAFormat(t *testing.T) {
	out, errOut, code := runCLIProcess(t, "", "report", "-f", rv("cluster.yaml"), "-o", "html")
	if code != ExitOK || !strings.HasPrefix(out, "<!DOCTYPE html>") {
		t.Errorf("report -o html: exit %d, stderr %s, stdout %.80q", code, errOut, out)
	}
	file := filepath.Join(t.TempDir(), "r.html")
	out, errOut, code = runCLIProcess(t, "", "report", "-f", rv("cluster.yaml"), "-o", "html", "--output-file", file)
	data, err := os.ReadFile(file)
	if code != ExitOK || out != "" || err != nil || !strings.HasPrefix(string(data), "<!DOCTYPE html>") {
		t.Errorf("report -o html --output-file: exit %d, stderr %s, stdout %q, file %v %.80q", code, errOut, out, err, data)
	}
	_, errOut, code = runCLIProcess(t, "", "report", "-f", rv("cluster.yaml"), "-o", "review.html")
	want := `error: unsupported output format "review.html": want one of md, html (-o is the format; --output-file FILE writes to a file)`
	if code != ExitError || strings.TrimSpace(errOut) != want {
		t.Errorf("report -o review.html: exit %d, stderr %q, want %q", code, errOut, want)
	}
	if _, err := os.Stat("review.html"); err == nil {
		t.Error("report -o review.html wrote review.html")
	}
	// The deprecated --format still works, with a warning.
	out, errOut, code = runCLIProcess(t, "", "report", "-f", rv("cluster.yaml"), "--format", "html")
	if code != ExitOK || !strings.HasPrefix(out, "<!DOCTYPE html>") || !strings.Contains(errOut, "warning: --format is deprecated: use -o md|html") {
		t.Errorf("report --format html: exit %d, stderr %q", code, errOut)
	}
}

// TestReportChangesSection: the report's "Changes since the baseline" lists
// every new path, an accepted one included and marked with its owner and
// reason, and every gone one, and its counts are the lengths of those
// lists (Markdown and HTML, through the binary).
func TestReportChangesSection(t *testing.T) {
	accept := filepath.Join(t.TempDir(), "accept.yaml")
	// prometheus's path is new since baseline-old.json.
	if err := os.WriteFile(accept, []byte("- {subject: ServiceAccount:monitoring:prometheus, reason: exporter rewrite pending, owner: obs, expires: 2099-01-01}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	args := []string{"report", "-f", rv("cluster.yaml"), "--baseline", rv("baseline-old.json"), "--accept", accept}
	md, errOut, code := runCLIProcess(t, "", append(args, "-o", "md")...)
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	_, section, _ := strings.Cut(md, "## Changes since the baseline\n")
	section, _, _ = strings.Cut(section, "\n## ")
	newList, goneList, _ := strings.Cut(section, "**Gone paths**")
	count := func(s string) int { return strings.Count(s, "\n- ") }
	if !strings.Contains(section, "Baseline: "+rv("baseline-old.json")+": 2 new, 6 unchanged, 2 gone.") || count(newList) != 2 || count(goneList) != 2 {
		t.Errorf("counts do not match the lists (%d new, %d gone listed):\n%s", count(newList), count(goneList), section)
	}
	for _, want := range []string{
		"- User:carol (1 hop(s), read-secrets) [27ec34f27599]\n",
		"- ServiceAccount:monitoring:prometheus (1 hop(s), read-secrets) [0724195e7490] — accepted (owner obs: exporter rewrite pending)\n",
	} {
		if !strings.Contains(newList, want) {
			t.Errorf("new paths lack %q:\n%s", want, section)
		}
	}
	if !strings.Contains(md, "| New since baseline | 2 |") || !strings.Contains(md, "| Gone since baseline | 2 |") {
		t.Errorf("summary counts differ from the section:\n%.900s", md)
	}
	html, _, code := runCLIProcess(t, "", append(args, "-o", "html")...)
	if code != ExitOK || !strings.Contains(html, "<code>0724195e7490</code> — accepted (owner obs: exporter rewrite pending)</li>") ||
		strings.Count(html, `<li><span class="new">new</span>`) != 2 {
		t.Errorf("html: exit %d, changes section without the accepted new path", code)
	}
}

// TestReportGraphTop: the report's graph draws the paths of the --graph-top
// most exposed identities (a large cluster's whole graph took graphviz
// minutes to lay out), says so in its title, and draws everything when the
// cluster has no more identities with a path, or with --graph-top 0.
func TestReportGraphTop(t *testing.T) {
	dotOf := func(report string) string {
		_, after, ok := strings.Cut(report, "```dot\n")
		if !ok {
			t.Fatalf("no DOT source in the report")
		}
		dot, _, _ := strings.Cut(after, "```")
		return dot
	}
	// The review fixture has fewer identities with a path than the default.
	out, errOut, code := runReview(t, "report", "-f", rv("cluster.yaml"))
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	small := dotOf(out)
	if !strings.Contains(small, `"Paths to cluster-admin"`) {
		t.Errorf("fixture: the graph's title is not the whole view's:\n%.300s", small)
	}
	all, _, _ := runReview(t, "report", "-f", rv("cluster.yaml"), "--graph-top", "0")
	if dotOf(all) != small {
		t.Error("fixture: --graph-top 0 draws another graph than the default, with fewer identities than it")
	}

	two, errOut, code := runReview(t, "report", "-f", rv("cluster.yaml"), "--graph-top", "2")
	if code != ExitOK {
		t.Fatalf("--graph-top 2: exit %d: %s", code, errOut)
	}
	limited := dotOf(two)
	if !strings.Contains(limited, "Paths of the 2 most exposed of the ") || strings.Count(limited, "->") >= strings.Count(small, "->") {
		t.Errorf("--graph-top 2: %d edges against %d, title:\n%.300s", strings.Count(limited, "->"), strings.Count(small, "->"), limited)
	}
	if _, errOut, code := runReview(t, "report", "-f", rv("cluster.yaml"), "--graph-top", "-1"); code != ExitError || !strings.Contains(errOut, "--graph-top") {
		t.Errorf("--graph-top -1: exit %d, %s", code, errOut)
	}
}
