package risk_test

import (
	"strings"
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

// TestNamespacePatchEveryNamespace: rules bound cluster-wide give one
// namespace-patch edge (the same grants in every namespace), with the least
// condition: that of the first namespace, in order, whose level there is to
// lift. A RoleBinding of the principal's own that changes the grants (pods
// there, not Deployments) adds its namespace's edge; explain still sees
// every namespace's step.
func TestNamespacePatchEveryNamespace(t *testing.T) {
	ns := func(name, level string) string {
		return "apiVersion: v1\nkind: Namespace\nmetadata: {name: " + name + ", labels: {pod-security.kubernetes.io/enforce: " + level + "}}"
	}
	const node = "apiVersion: v1\nkind: Node\nmetadata: {name: worker-1}"
	lifter := clusterRoleDoc("lifter", `{apiGroups: [""], resources: [namespaces], verbs: [patch]}`,
		`{apiGroups: [apps], resources: [deployments], verbs: [create]}`)
	podMaker := clusterRoleDoc("pod-maker", `{apiGroups: [""], resources: [pods], verbs: [create]}`)
	crb := bindingDoc("", "lifter", "lifter", "{kind: User, name: mallory}")
	rbInD := bindingDoc("d", "pod-maker", "pod-maker", "{kind: User, name: mallory}")
	docs := []string{node, lifter, crb, ns("a", "privileged"), ns("c", "baseline"), ns("b", "restricted")}
	conditions := func(a *risk.Analysis) []string {
		var out []string
		for _, e := range a.Graph.From(a.Graph.Node("User:mallory")) {
			if e.Primitive == "namespace-patch" {
				out = append(out, e.Condition)
			}
		}
		return out
	}
	for _, tc := range []struct {
		name string
		docs []string
		want []string // the namespace each edge's condition names
	}{
		{"cluster-wide only", docs, []string{"b"}},
		{"and a RoleBinding in d", append(append([]string{}, docs...), podMaker, ns("d", "restricted"), rbInD), []string{"b", "d"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := conditions(analyzeYAML(t, risk.Options{}, tc.docs...))
			if len(got) != len(tc.want) {
				t.Fatalf("namespace-patch edges %q, want %d", got, len(tc.want))
			}
			for i, w := range tc.want {
				if !strings.Contains(got[i], "on namespace "+w+" ") {
					t.Errorf("edge %d: %q, want namespace %s", i, got[i], w)
				}
			}
		})
	}
	a := analyzeYAML(t, risk.Options{KeepCandidates: true}, docs...)
	seen := map[string]bool{}
	for _, c := range a.Candidates("User:mallory") {
		if c.Primitive == "namespace-patch" && c.Holds {
			seen[c.Condition[strings.Index(c.Condition, "on namespace ")+13:][:1]] = true
		}
	}
	if !seen["b"] || !seen["c"] || seen["a"] {
		t.Errorf("explain's namespace-patch steps are in namespaces %v, want b and c", seen)
	}
}
