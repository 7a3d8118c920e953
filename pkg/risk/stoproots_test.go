package risk_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
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

// explain's analysis (Roots and KeepCandidates) keeps the failed steps of
// the subject and its groups only, and they are those of the whole analysis.
func TestRootsKeepTheirOwnCandidates(t *testing.T) {
	dirs, err := os.ReadDir("../../testdata/scenarios")
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range dirs {
		inv := loadScenarioFile(t, filepath.Join("../../testdata/scenarios", d.Name(), "input.yaml"))
		whole := risk.Analyze(inv, risk.Options{KeepCandidates: true})
		for _, n := range whole.Graph.Nodes() {
			s, ok := risk.SubjectOf(n)
			if !ok {
				continue
			}
			rooted := risk.Analyze(inv, risk.Options{KeepCandidates: true, Roots: []rbac.Subject{s}})
			if got, want := describe(rooted.Candidates(n.Key)), describe(whole.Candidates(n.Key)); got != want {
				t.Errorf("%s: %s: candidates\n%s\nwant\n%s", d.Name(), n.Key, got, want)
			}
			for _, m := range rooted.Graph.Nodes() {
				if len(rooted.Candidates(m.Key)) > 0 && m.Key != n.Key && m.Kind != graph.KindGroup && m.Kind != graph.KindScope {
					t.Errorf("%s: root %s: candidates of %s are kept too", d.Name(), n.Key, m.Key)
				}
			}
		}
	}
}

func describe(cs []risk.Candidate) string {
	var b strings.Builder
	for _, c := range cs {
		fmt.Fprintf(&b, "%s %s %v %q %q\n", c.Primitive, c.To.Key, c.Holds, c.When(), c.Why)
	}
	return b.String()
}
