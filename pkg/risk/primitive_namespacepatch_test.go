package risk_test

import (
	"testing"

	"github.com/auth-paths/kubectl-auth-paths/pkg/risk"
)

func TestNamespacePatch(t *testing.T) {
	for _, name := range []string{"namespace-patch-baseline-control-plane", "namespace-patch-rolebinding-own-namespace"} {
		a := scenarioAnalysis(t, name, risk.Options{})
		for _, node := range []string{"Node:cp-1", "Node:worker-1"} {
			if !hasEdge(a, "User:mallory", "namespace-patch", node) {
				t.Errorf("%s: want namespace-patch → %s, got %v", name, node, edgesFrom(a, "User:mallory"))
			}
		}
	}
	a := scenarioAnalysis(t, "namespace-patch-without-pods", risk.Options{})
	why := ""
	for _, c := range a.Candidates("User:mallory") {
		if c.Primitive == "namespace-patch" && !c.Holds {
			why = c.Why
		}
	}
	if why == "" || hasEdge(a, "User:mallory", "namespace-patch", "Node:cp-1") {
		t.Errorf("patch without pod creation: want only a failed candidate, got edges %v, why %q", edgesFrom(a, "User:mallory"), why)
	}
	c := scenarioAnalysis(t, "namespace-patch-rolebinding-other-namespace", risk.Options{})
	for _, e := range c.Graph.From(c.Graph.Node("User:mallory")) {
		if e.Primitive == "namespace-patch" {
			t.Errorf("a RoleBinding in tools cannot patch namespace apps: %s → %s", e.Primitive, e.To.Key)
		}
	}
}
