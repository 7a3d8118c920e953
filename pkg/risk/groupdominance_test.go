package risk_test

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/auth-paths/kubectl-auth-paths/graph"
	"github.com/auth-paths/kubectl-auth-paths/hack/gen/cluster"
	"github.com/auth-paths/kubectl-auth-paths/pkg/risk"
)

// TestGroupHoldingEveryGrantTakesTheStep: a step whose grants come from two
// groups of alice is the group's, not alice's, when one of them holds what
// both grants allow where they are bound; alice then reaches it through her
// membership. It stays hers when neither group does, when the covering
// rules are bound in another namespace, and when a grant is her own.
func TestGroupHoldingEveryGrantTakesTheStep(t *testing.T) {
	group := func(name string) string {
		return `{kind: Group, name: ` + name + `, apiGroup: rbac.authorization.k8s.io}`
	}
	user := `{kind: User, name: alice, apiGroup: rbac.authorization.k8s.io}`
	binder := clusterRoleDoc("binder", `{apiGroups: [rbac.authorization.k8s.io], resources: [clusterroles], resourceNames: [admin], verbs: [bind]}`)
	writer := clusterRoleDoc("writer", `{apiGroups: [rbac.authorization.k8s.io], resources: [rolebindings], verbs: [create]}`)
	both := clusterRoleDoc("binder-writer",
		`{apiGroups: [rbac.authorization.k8s.io], resources: [clusterroles], resourceNames: [admin], verbs: [bind]}`,
		`{apiGroups: [rbac.authorization.k8s.io], resources: [rolebindings], verbs: [create]}`)
	admin := clusterRoleDoc("admin", `{apiGroups: ["*"], resources: ["*"], verbs: ["*"]}`)
	ns := "apiVersion: v1\nkind: Namespace\nmetadata: {name: team}"
	ns2 := "apiVersion: v1\nkind: Namespace\nmetadata: {name: other}"
	members := risk.Options{Groups: map[string][]string{"alice": {"g1", "g2"}}}
	base := []string{adminRole, admin, binder, writer, both, ns, ns2}
	tests := []struct {
		name  string
		docs  []string
		steps []string // the nodes with a bind step of their own
	}{
		{"the other group holds both grants", []string{bindingDoc("team", "g1-binder", "binder", group("g1")), bindingDoc("team", "g2-both", "binder-writer", group("g2"))},
			[]string{"Group:g2"}},
		{"each group holds one grant", []string{bindingDoc("team", "g1-binder", "binder", group("g1")), bindingDoc("team", "g2-writer", "writer", group("g2"))},
			[]string{"User:alice"}},
		{"the covering rules are bound in another namespace", []string{bindingDoc("team", "g1-binder", "binder", group("g1")), bindingDoc("team", "g2-writer", "writer", group("g2")), bindingDoc("other", "g2-both", "binder-writer", group("g2"))},
			[]string{"Group:g2", "User:alice"}},
		{"the covering rules are bound cluster-wide", []string{bindingDoc("team", "g1-binder", "binder", group("g1")), bindingDoc("team", "g2-writer", "writer", group("g2")), bindingDoc("", "g2-both", "binder-writer", group("g2"))},
			[]string{"Group:g2"}},
		{"a grant is her own", []string{bindingDoc("team", "alice-binder", "binder", user), bindingDoc("team", "g2-writer", "writer", group("g2"))},
			[]string{"User:alice"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := analyzeYAML(t, members, append(slices.Clone(base), tt.docs...)...)
			var got []string
			var target *graph.Node
			for _, who := range []string{"User:alice", "Group:g1", "Group:g2"} {
				if a.Graph.Node(who) == nil {
					continue
				}
				for _, e := range a.Graph.From(a.Graph.Node(who)) {
					if e.Primitive == "bind" && !slices.Contains(got, who) {
						got = append(got, who)
						target = e.To
					}
				}
			}
			slices.Sort(got)
			want := slices.Sorted(slices.Values(tt.steps))
			if !slices.Equal(got, want) {
				t.Fatalf("bind steps of %v, want %v", got, want)
			}
			if target == nil || !a.Graph.ReachWithout(target, nil).Has(a.Graph.Node("User:alice")) {
				t.Errorf("alice does not reach the bind step's target")
			}
		})
	}
}

// TestHeldStepsAreTheGroups: every step the analysis leaves to a group
// (heldBy) is in the graph as that group's own step, or as a step of a
// group it is in (member-of), with the same primitive, target and length:
// dropping the member's edge never drops a path. On every scenario, the
// generated shapes and random worlds with groups bound in most namespaces;
// and some steps are left to a group that holds only some of the grants.
func TestHeldStepsAreTheGroups(t *testing.T) {
	type held struct {
		from, group string
		c           risk.Candidate
	}
	var mu sync.Mutex
	var seen []held
	restore := risk.OnHeld(func(from *graph.Node, group string, c risk.Candidate) {
		mu.Lock()
		defer mu.Unlock()
		seen = append(seen, held{from.Key, group, c})
	})
	defer restore()
	inputs := scenarioInputs(t)
	inputs = append(inputs, input{"hostile 30", hostileInventory(t, 30, 3)}, input{"groupwide 20", shapeInventory(t, 20, 7, cluster.ShapeGroupWide)})
	rng := rand.New(rand.NewPCG(29, 31))
	base := hostileInventory(t, 16, 5)
	for world := range 24 {
		inputs = append(inputs, input{fmt.Sprintf("spread world %d", world), withSpreadGroups(base, rng)})
	}
	shared := 0
	for _, in := range inputs {
		seen = nil
		a := risk.Analyze(in.inv, risk.Options{})
		for _, h := range seen {
			if !groupTakes(a, "Group:"+h.group, h.c, map[string]bool{}) {
				t.Fatalf("%s: %s's %s step to %s was left to %s, which has no such step %+v", in.name, h.from, h.c.Primitive, h.c.To.Key, h.group, h.c.Grants)
			}
			for _, g := range h.c.Grants {
				if g.Grant.Subject().Name != h.group {
					shared++
					break
				}
			}
		}
	}
	if shared == 0 {
		t.Fatal("no step was left to a group holding only some of its grants: the inputs do not exercise it")
	}
}

// zeroHopsTo reports whether key is n's, or that of a node n reaches by
// 0-hop edges: a group's step into the scope of every namespace reaches,
// by its pick, the scope of one that a narrowed member steps into (the
// bind primitive steps into every namespace's scope at once when its rules
// allow it in all of them, and a narrowed member's rules name fewer).
func zeroHopsTo(a *risk.Analysis, n *graph.Node, key string) bool {
	seen := map[*graph.Node]bool{n: true}
	for queue := []*graph.Node{n}; len(queue) > 0; queue = queue[1:] {
		if queue[0].Key == key {
			return true
		}
		for _, e := range a.Graph.From(queue[0]) {
			if e.Hops == 0 && !seen[e.To] {
				seen[e.To] = true
				queue = append(queue, e.To)
			}
		}
	}
	return false
}

// groupTakes reports whether the group node, or a group it is a member of,
// has the candidate's step (or one of its primitive and length into a scope
// that picks the candidate's target at no cost).
func groupTakes(a *risk.Analysis, key string, c risk.Candidate, visited map[string]bool) bool {
	n := a.Graph.Node(key)
	if n == nil || visited[key] {
		return false
	}
	visited[key] = true
	for _, e := range a.Graph.From(n) {
		if e.Primitive == c.Primitive && e.Hops == c.Hops && zeroHopsTo(a, e.To, c.To.Key) {
			return true
		}
		if e.Primitive == "member-of" && strings.HasPrefix(e.To.Key, "Group:") && groupTakes(a, e.To.Key, c, visited) {
			return true
		}
	}
	return false
}
