package risk_test

import (
	"encoding/json"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"sigs.k8s.io/yaml"

	"github.com/auth-paths/kubectl-auth-paths/graph"
	"github.com/auth-paths/kubectl-auth-paths/pkg/model"
	"github.com/auth-paths/kubectl-auth-paths/pkg/rbac"
	"github.com/auth-paths/kubectl-auth-paths/pkg/risk"
	"github.com/auth-paths/kubectl-auth-paths/pkg/source"
)

var update = flag.Bool("update", false, "rewrite the golden files of testdata/scenarios and testdata/entries")

// scenarioSpec is testdata/scenarios/NAME/scenario.yaml: what the scenario proves.
type scenarioSpec struct {
	// Description says what the scenario shows.
	Description string `json:"description"`
	// Subject is the attacker.
	Subject string `json:"subject"`
	// Expect is "path" (the subject reaches cluster-admin) or "none".
	Expect string `json:"expect"`
	// Primitive must appear on the subject's shortest path (expect: path), or
	// among its explained steps with a failed condition (expect: none).
	Primitive string `json:"primitive"`
	// Hops is the expected length of the shortest path (expect: path).
	Hops int `json:"hops"`
	// KubernetesVersion and PodSecurityDefault are passed as the flags would.
	KubernetesVersion  string `json:"kubernetesVersion"`
	PodSecurityDefault string `json:"podSecurityDefault"`
	// NoCSRAutoApproval is --no-csr-auto-approval.
	NoCSRAutoApproval bool `json:"noCSRAutoApproval"`
}

// TestScenarios runs every scenario of testdata/scenarios: the subject's
// result must match scenario.yaml, and the scan result and DOT must match
// the golden files (rewrite them with -update).
func TestScenarios(t *testing.T) {
	for _, dir := range caseDirs(t, "scenarios") {
		dir := dir
		t.Run(filepath.Base(dir), func(t *testing.T) {
			var spec scenarioSpec
			readSpec(t, filepath.Join(dir, "scenario.yaml"), &spec)
			inv := loadInput(t, dir)
			subj, err := rbac.ParseSubject(spec.Subject)
			if err != nil {
				t.Fatal(err)
			}
			a := risk.Analyze(inv, risk.Options{KubernetesVersion: spec.KubernetesVersion, PodSecurityDefault: spec.PodSecurityDefault, NoCSRAutoApproval: spec.NoCSRAutoApproval, Identities: []rbac.Subject{subj}, KeepCandidates: true})
			n := a.Graph.Node(risk.SubjectKey(subj))
			if n == nil {
				t.Fatalf("subject %s not in graph", spec.Subject)
			}
			paths := a.From(n, 1, -1)
			switch spec.Expect {
			case "path":
				if len(paths) == 0 {
					t.Fatalf("%s: expected a path to cluster-admin, found none; explain: %s", spec.Subject, explain(a, n))
				}
				if paths[0].Hops != spec.Hops {
					t.Errorf("%s: shortest path has %d hops, want %d: %+v", spec.Subject, paths[0].Hops, spec.Hops, paths[0])
				}
				if !hasPrimitive(paths[0], spec.Primitive) {
					t.Errorf("%s: shortest path does not use %s: %+v", spec.Subject, spec.Primitive, paths[0])
				}
			case "none":
				if len(paths) != 0 {
					t.Fatalf("%s: expected no path, found %+v", spec.Subject, paths[0])
				}
				if spec.Primitive != "" && !hasFailed(a, n, spec.Primitive) {
					t.Errorf("%s: expected a %s step whose condition fails; explain: %s", spec.Subject, spec.Primitive, explain(a, n))
				}
			default:
				t.Fatalf("scenario.yaml: expect must be path or none, got %q", spec.Expect)
			}
			scan, err := json.MarshalIndent(a.Scan(true), "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			golden(t, filepath.Join(dir, "expected-scan.json"), append(scan, '\n'))
			dot, err := graph.DOT(a.PathEdges(), graph.DOTOptions{Title: "Paths to cluster-admin", Legend: true, EdgeColor: a.StepColor})
			if err != nil {
				t.Fatal(err)
			}
			golden(t, filepath.Join(dir, "expected.dot"), append(dot, '\n'))
			renderDOT(t, filepath.Join(dir, "expected.dot"))
		})
	}
}

// caseDirs returns the case directories under testdata/ROOT, failing when there are none.
func caseDirs(t *testing.T, root string) []string {
	t.Helper()
	dirs, err := filepath.Glob(filepath.Join("../../testdata", root, "*"))
	if err != nil {
		t.Fatal(err)
	}
	if len(dirs) == 0 {
		t.Fatalf("no cases in testdata/%s", root)
	}
	return dirs
}

// readSpec reads a case's YAML description strictly: a misspelt field fails.
func readSpec(t *testing.T, path string, spec any) {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := yaml.UnmarshalStrict(raw, spec); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}

// loadInput reads a case's input.yaml with the offline decoder.
func loadInput(t *testing.T, dir string) *model.Inventory {
	t.Helper()
	inv, err := source.LoadFiles(source.FileOptions{Filenames: []string{filepath.Join(dir, "input.yaml")}})
	if err != nil {
		t.Fatal(err)
	}
	return inv
}

func hasPrimitive(p risk.Path, prim string) bool {
	for _, s := range p.Steps {
		if s.Primitive == prim {
			return true
		}
	}
	return false
}

// hasFailed: the subject (or one of its groups) has a candidate of the primitive whose condition failed.
func hasFailed(a *risk.Analysis, n *graph.Node, prim string) bool {
	keys := []string{n.Key}
	for _, e := range a.Graph.From(n) {
		if e.Primitive == "member-of" {
			keys = append(keys, e.To.Key)
		}
	}
	for _, k := range keys {
		for _, c := range a.Candidates(k) {
			if c.Primitive == prim && !c.Holds {
				return true
			}
		}
	}
	return false
}

func explain(a *risk.Analysis, n *graph.Node) string {
	var lines []string
	keys := []string{n.Key}
	for _, e := range a.Graph.From(n) {
		keys = append(keys, e.To.Key)
	}
	for _, k := range keys {
		for _, c := range a.Candidates(k) {
			lines = append(lines, k+" "+c.Primitive+" → "+c.To.Key+" holds="+map[bool]string{true: "yes", false: "no: " + c.Why}[c.Holds])
		}
	}
	sort.Strings(lines)
	return "\n" + strings.Join(lines, "\n")
}

func golden(t *testing.T, path string, got []byte) {
	t.Helper()
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./pkg/risk -run 'TestScenarios|TestEntryCases' -update to create it)", err)
	}
	if string(want) != string(got) {
		t.Errorf("%s differs from the result (run with -update if the change is intended):\n%s", path, got)
	}
}

// renderDOT checks that graphviz accepts the DOT, when dot is installed (CI installs it).
func renderDOT(t *testing.T, path string) {
	t.Helper()
	dot, err := exec.LookPath("dot")
	if err != nil {
		if os.Getenv("CI_REQUIRE_GRAPHVIZ") != "" {
			t.Fatal("graphviz dot not found but CI_REQUIRE_GRAPHVIZ is set")
		}
		t.Logf("graphviz dot not installed: %s not rendered", path)
		return
	}
	out, err := exec.Command(dot, "-Tsvg", "-o", os.DevNull, path).CombinedOutput()
	if err != nil || strings.Contains(string(out), "Error") {
		t.Errorf("dot -Tsvg %s: %v\n%s", path, err, out)
	}
}
