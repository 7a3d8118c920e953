package risk_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/auth-paths/kubectl-auth-paths/graph"
	"github.com/auth-paths/kubectl-auth-paths/pkg/rbac"
	"github.com/auth-paths/kubectl-auth-paths/pkg/risk"
)

// A rooted analysis that stops once its roots reach cluster-admin
// (chokepoints' verification) says of every identity of every scenario
// whether it reaches cluster-admin exactly as the whole analysis does, and
// builds no more than the rooted analysis that does not stop.
func TestStopWhenRootsReachKeepsReach(t *testing.T) {
	dirs, err := os.ReadDir("../../testdata/scenarios")
	if err != nil {
		t.Fatal(err)
	}
	stopped, checked := 0, 0
	for _, d := range dirs {
		inv := loadScenarioFile(t, filepath.Join("../../testdata/scenarios", d.Name(), "input.yaml"))
		whole := risk.Analyze(inv, risk.Options{})
		tree := whole.Graph.ShortestTo(whole.Sink())
		for _, n := range whole.Graph.Nodes() {
			s, ok := risk.SubjectOf(n)
			if !ok {
				continue
			}
			want := tree.Hops(n) != graph.Unreachable
			full := risk.Analyze(inv, risk.Options{Roots: []rbac.Subject{s}})
			stop := risk.Analyze(inv, risk.Options{Roots: []rbac.Subject{s}, StopWhenRootsReach: true})
			got := false
			if m := stop.Graph.Node(n.Key); m != nil {
				got = stop.Graph.ShortestTo(stop.Sink()).Hops(m) != graph.Unreachable
			}
			if got != want {
				t.Errorf("%s: %s reaches cluster-admin = %v with StopWhenRootsReach, %v in the whole analysis", d.Name(), n.Key, got, want)
			}
			if len(stop.Graph.Edges()) > len(full.Graph.Edges()) {
				t.Errorf("%s: %s: stopping built %d edges, more than the %d of not stopping", d.Name(), n.Key, len(stop.Graph.Edges()), len(full.Graph.Edges()))
			}
			if len(stop.Graph.Edges()) < len(full.Graph.Edges()) {
				stopped++
			}
			checked++
		}
	}
	if stopped == 0 {
		t.Errorf("no analysis of %d stopped early: the option does nothing", checked)
	}
}
