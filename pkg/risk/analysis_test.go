package risk_test

import (
	"encoding/json"
	"math/rand"
	"os"
	"path/filepath"
	"testing"

	"sigs.k8s.io/yaml"

	"github.com/auth-paths/kubectl-auth-paths/graph"
	"github.com/auth-paths/kubectl-auth-paths/pkg/model"
	"github.com/auth-paths/kubectl-auth-paths/pkg/rbac"
	"github.com/auth-paths/kubectl-auth-paths/pkg/risk"
	"github.com/auth-paths/kubectl-auth-paths/pkg/source"
)

func loadScenarioFile(t *testing.T, path string) *model.Inventory {
	t.Helper()
	inv, err := source.LoadFiles(source.FileOptions{Filenames: []string{path}})
	if err != nil {
		t.Fatal(err)
	}
	return inv
}

func scenarioAnalysis(t *testing.T, name string, opts risk.Options) *risk.Analysis {
	t.Helper()
	opts.KeepCandidates = true // tests look at failed steps too
	return risk.Analyze(loadScenarioFile(t, filepath.Join("../../testdata/scenarios", name, "input.yaml")), opts)
}

// outcome is everything a user sees of one analysis: the expanded scan, the
// DOT of the paths and the k shortest paths of the scenario's subject.
func outcome(t *testing.T, path string, spec scenarioSpec) string {
	t.Helper()
	subj, err := rbac.ParseSubject(spec.Subject)
	if err != nil {
		t.Fatal(err)
	}
	a := risk.Analyze(loadScenarioFile(t, path), risk.Options{KubernetesVersion: spec.KubernetesVersion, PodSecurityDefault: spec.PodSecurityDefault, Identities: []rbac.Subject{subj}})
	scan, err := json.Marshal(a.Scan(true))
	if err != nil {
		t.Fatal(err)
	}
	from, err := json.Marshal(a.From(a.Graph.Node(risk.SubjectKey(subj)), 5, -1))
	if err != nil {
		t.Fatal(err)
	}
	dot, err := graph.DOT(a.PathEdges(), graph.DOTOptions{Legend: true})
	if err != nil {
		t.Fatal(err)
	}
	return string(scan) + "\n" + string(from) + "\n" + string(dot)
}

// TestResultsIgnoreInputOrder analyses every scenario again with the objects
// of its input in shuffled and reversed orders: scan, from and DOT must be
// byte-identical.
func TestResultsIgnoreInputOrder(t *testing.T) {
	dirs, err := filepath.Glob("../../testdata/scenarios/*")
	if err != nil || len(dirs) == 0 {
		t.Fatalf("no scenarios: %v", err)
	}
	tmp := t.TempDir()
	for _, dir := range dirs {
		t.Run(filepath.Base(dir), func(t *testing.T) {
			raw, err := os.ReadFile(filepath.Join(dir, "scenario.yaml"))
			if err != nil {
				t.Fatal(err)
			}
			var spec scenarioSpec
			if err := yaml.Unmarshal(raw, &spec); err != nil {
				t.Fatal(err)
			}
			in := filepath.Join(dir, "input.yaml")
			want := outcome(t, in, spec)
			data, err := os.ReadFile(in)
			if err != nil {
				t.Fatal(err)
			}
			var list map[string]any
			if err := yaml.Unmarshal(data, &list); err != nil {
				t.Fatal(err)
			}
			items, ok := list["items"].([]any)
			if !ok {
				t.Skip("input is not a List")
			}
			rng := rand.New(rand.NewSource(int64(len(items))))
			for round := 0; round < 3; round++ {
				shuffled := make([]any, len(items))
				if round == 0 {
					for i := range items {
						shuffled[len(items)-1-i] = items[i]
					}
				} else {
					for i, j := range rng.Perm(len(items)) {
						shuffled[i] = items[j]
					}
				}
				list["items"] = shuffled
				out, err := yaml.Marshal(list)
				if err != nil {
					t.Fatal(err)
				}
				path := filepath.Join(tmp, filepath.Base(dir)+".yaml")
				if err := os.WriteFile(path, out, 0o644); err != nil {
					t.Fatal(err)
				}
				if got := outcome(t, path, spec); got != want {
					t.Fatalf("round %d: the result depends on the order of the input objects:\n--- in order\n%s\n--- shuffled\n%s", round, want, got)
				}
			}
		})
	}
}

func subjects(paths []risk.Path) []string {
	var out []string
	for _, p := range paths {
		out = append(out, p.Subject.String())
	}
	return out
}

// A binding to an implicit group: scan lists the group once, and every member
// only with expand-groups.
func TestScanListsImplicitGroupUnlessExpanded(t *testing.T) {
	a := scenarioAnalysis(t, "member-of-serviceaccounts", risk.Options{})
	short := a.Scan(false)
	if got, want := subjects(short.Paths), []string{"User:ops-lead", "Group:system:serviceaccounts"}; !equalStrings(got, want) {
		t.Errorf("scan: %v, want %v", got, want)
	}
	if short.Summary.ThroughGroups != 3 || short.Summary.ByEscalation != 4 || short.Summary.AlreadyAdmin != 1 {
		t.Errorf("scan summary: %+v", short.Summary)
	}
	full := a.Scan(true)
	want := []string{"User:ops-lead", "Group:system:serviceaccounts", "ServiceAccount:apps:default", "ServiceAccount:apps:web", "ServiceAccount:ci:default"}
	if got := subjects(full.Paths); !equalStrings(got, want) {
		t.Errorf("scan --expand-groups: %v, want %v", got, want)
	}
	for _, p := range full.Paths[2:] {
		if p.Steps[0].Primitive != "member-of" || p.Steps[0].To != "Group:system:serviceaccounts" {
			t.Errorf("%s: first step %+v, want member-of system:serviceaccounts", p.Subject, p.Steps[0])
		}
	}
	if full.Summary.ByEscalation != 4 || full.Summary.AlreadyAdmin != 1 {
		t.Errorf("expanded summary: %+v", full.Summary)
	}
}

// A binding to system:unauthenticated makes user system:anonymous a start even
// when no binding names it; system:authenticated does not include it.
func TestAnonymousUser(t *testing.T) {
	a := scenarioAnalysis(t, "member-of-unauthenticated-anonymous", risk.Options{})
	n := a.Graph.Node("User:system:anonymous")
	if n == nil {
		t.Fatal("User:system:anonymous is not in the graph")
	}
	found := false
	for _, p := range a.Scan(true).Paths {
		if p.Subject.String() == "User:system:anonymous" {
			found = p.Hops == 0 && p.Steps[0].Primitive == "member-of" && p.Steps[0].To == "Group:system:unauthenticated"
		}
	}
	if !found {
		t.Errorf("scan --expand-groups does not list system:anonymous through system:unauthenticated: %v", subjects(a.Scan(true).Paths))
	}
	b := scenarioAnalysis(t, "member-of-authenticated-not-anonymous", risk.Options{})
	if b.Graph.Node("User:system:anonymous") != nil {
		t.Error("without a binding to system:unauthenticated, system:anonymous must not be added")
	}
	b = scenarioAnalysis(t, "member-of-authenticated-not-anonymous", risk.Options{Identities: []rbac.Subject{{Kind: "User", Name: "system:anonymous"}}})
	if hops := b.Graph.ShortestTo(b.Sink()).Hops(b.Graph.Node("User:system:anonymous")); hops != graph.Unreachable {
		t.Errorf("system:anonymous is not in system:authenticated, got %d hops", hops)
	}
}

func equalStrings(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
