package graph_test

import (
	"fmt"
	"testing"

	"github.com/auth-paths/kubectl-auth-paths/graph"
)

// Three ServiceAccounts that reach the same scope with the same step are
// drawn as one node; the user, who enters it another way, stays.
func ExampleCollapse() {
	g := graph.New()
	scope := g.AddNode(graph.Node{Key: "Scope:any-serviceaccount", Kind: graph.KindScope, Label: "Scope\nany ServiceAccount"})
	var edges []*graph.Edge
	for _, ns := range []string{"a", "b", "c"} {
		sa := g.AddNode(graph.Node{Key: "ServiceAccount:" + ns + ":bot", Kind: graph.KindServiceAccount, Name: "bot", Namespace: ns})
		edges = append(edges, &graph.Edge{From: sa, To: scope, Primitive: "token-request", Hops: 1})
	}
	alice := g.AddNode(graph.Node{Key: "User:alice", Kind: graph.KindUser, Name: "alice"})
	edges = append(edges, &graph.Edge{From: alice, To: scope, Primitive: "impersonate", Hops: 1})
	for _, e := range graph.Collapse(edges, 3) {
		fmt.Printf("%q -%s-> %s\n", e.From.DisplayName(), e.Primitive, e.To.Key)
	}
	// Output:
	// "3 ServiceAccounts\nin 3 namespaces\ne.g. bot" -token-request-> Scope:any-serviceaccount
	// "User\nalice" -impersonate-> Scope:any-serviceaccount
}

// TestCollapseKeepsWhatDiffers: identities entered by another edge, with
// more than one drawn edge, of another kind, or fewer than min, stay.
func TestCollapseKeepsWhatDiffers(t *testing.T) {
	g := graph.New()
	to := g.AddNode(graph.Node{Key: "Scope:x", Kind: graph.KindScope})
	other := g.AddNode(graph.Node{Key: "Scope:y", Kind: graph.KindScope})
	sa := func(ns string) *graph.Node {
		return g.AddNode(graph.Node{Key: "ServiceAccount:" + ns + ":s", Kind: graph.KindServiceAccount, Name: "s", Namespace: ns})
	}
	a, b, c, d := sa("a"), sa("b"), sa("c"), sa("d")
	group := g.AddNode(graph.Node{Key: "Group:g", Kind: graph.KindGroup, Name: "g"})
	edges := []*graph.Edge{
		{From: a, To: to, Primitive: "p", Hops: 1},
		{From: b, To: to, Primitive: "p", Hops: 1},
		{From: c, To: to, Primitive: "p", Hops: 1},
		{From: c, To: other, Primitive: "p", Hops: 1}, // c leaves two ways
		{From: d, To: to, Primitive: "p", Hops: 1},
		{From: group, To: d, Primitive: "q", Hops: 1}, // d is entered
		{From: group, To: to, Primitive: "p", Hops: 1},
	}
	for _, tc := range []struct {
		min, want int
	}{{0, 7}, {1, 7}, {2, 6}, {3, 7}} {
		if got := graph.Collapse(edges, tc.min); len(got) != tc.want {
			t.Errorf("min %d: %d edges, want %d", tc.min, len(got), tc.want)
		}
	}
	got := graph.Collapse(edges, 2)
	if got[0].From.Name != "2 ServiceAccounts" || got[0].From.Namespace != "" {
		t.Errorf("a and b collapse into one node: %+v", got[0].From)
	}
}
