package risk_test

import (
	"encoding/json"
	"path/filepath"
	"testing"

	"github.com/auth-paths/kubectl-auth-paths/pkg/model"
	"github.com/auth-paths/kubectl-auth-paths/pkg/rbac"
	"github.com/auth-paths/kubectl-auth-paths/pkg/risk"
)

// fromJSON is what `from` prints for a subject: its k shortest paths with entries.
func fromJSON(t *testing.T, inv *model.Inventory, subj rbac.Subject, roots bool) string {
	t.Helper()
	opts := risk.Options{Identities: []rbac.Subject{subj}}
	if roots {
		opts.Roots = opts.Identities
	}
	a := risk.Analyze(inv, opts)
	n := a.Graph.Node(risk.SubjectKey(subj))
	if n == nil {
		return "not in graph"
	}
	paths := a.From(n, 5, -1)
	a.AddEntries(paths)
	out, err := json.Marshal(paths)
	if err != nil {
		t.Fatal(err)
	}
	return string(out)
}

// TestRootsGiveTheSamePaths: building only what a subject reaches gives
// `from` exactly the paths of the whole graph, on every scenario and on a
// generated cluster.
func TestRootsGiveTheSamePaths(t *testing.T) {
	checked := 0
	for _, dir := range caseDirs(t, "scenarios") {
		var spec scenarioSpec
		readSpec(t, filepath.Join(dir, "scenario.yaml"), &spec)
		subj, err := rbac.ParseSubject(spec.Subject)
		if err != nil {
			t.Fatal(err)
		}
		inv := loadInput(t, dir)
		if full, lazy := fromJSON(t, inv, subj, false), fromJSON(t, inv, subj, true); full != lazy {
			t.Errorf("%s: from %s differs with Roots:\nfull %s\nroots %s", filepath.Base(dir), spec.Subject, full, lazy)
		}
		checked++
	}
	gen := benchInventoryN(t, 30)
	for _, s := range []string{"User:iam-bot@example.com", "ServiceAccount:team-00003:app-4", "Group:team-00003-devs", "User:metrics@example.com", "ServiceAccount:team-00000:deployer"} {
		subj, err := rbac.ParseSubject(s)
		if err != nil {
			t.Fatal(err)
		}
		full, lazy := fromJSON(t, gen, subj, false), fromJSON(t, gen, subj, true)
		if full != lazy {
			t.Errorf("generated cluster: from %s differs with Roots", s)
		}
		if full == "not in graph" || full == "[]" {
			t.Errorf("generated cluster: %s has no path to compare: %s", s, full)
		}
		checked++
	}
	if checked < 100 {
		t.Fatalf("only %d subjects checked", checked)
	}
}
