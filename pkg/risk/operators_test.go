package risk_test

import (
	"testing"

	"github.com/auth-paths/kubectl-auth-paths/graph"
	"github.com/auth-paths/kubectl-auth-paths/hack/gen/cluster"
	"github.com/auth-paths/kubectl-auth-paths/pkg/risk"
)

// TestOperatorsStepAlike: an identity whose rules are bound cluster-wide
// steps the same number of times whatever the number of namespaces and
// pods. The operators shape's holders of ephemeral containers on any pod
// and of bind on Roles (any, and by name) stepped once per pod, or per
// namespace and Role, before their steps went into shared scopes.
func TestOperatorsStepAlike(t *testing.T) {
	holders := []string{
		"ServiceAccount:team-00001:operator-agent", // ephemeral-debugger
		"ServiceAccount:team-00002:operator-agent", // role-provisioner
		"ServiceAccount:team-00003:operator-agent", // deployer-provisioner
	}
	steps := func(namespaces int) map[string]int {
		a := risk.Analyze(shapeInventory(t, namespaces, 1, cluster.ShapeOperators), risk.Options{})
		out := map[string]int{}
		for _, k := range holders {
			n := a.Graph.Node(k)
			if n == nil {
				t.Fatalf("%d namespaces: no node %s", namespaces, k)
			}
			for _, e := range a.Graph.From(n) {
				if e.Hops > 0 && e.To.Kind == graph.KindScope {
					out[k+" "+e.Primitive]++
				}
			}
		}
		return out
	}
	// (Which hostile operator role each holder also has changes with the
	// number of namespaces: only the steps of the shape's roles compare.)
	small, large := steps(40), steps(120)
	for _, k := range []string{holders[0] + " exec-pod", holders[1] + " bind", holders[2] + " bind"} {
		if small[k] == 0 || large[k] != small[k] {
			t.Errorf("%s: %d steps into scopes at 40 namespaces, %d at 120; want the same, at least one", k, small[k], large[k])
		}
	}
}
