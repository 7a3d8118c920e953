package graph_test

import (
	"fmt"
	"math/rand"
	"slices"
	"testing"

	"github.com/auth-paths/kubectl-auth-paths/graph"
)

// TestReacher: on random graphs, a Reacher kept current through Restore
// and Undo answers as a search of the whole graph with the mask does,
// Restore returns exactly the nodes that newly reach, and RestoreUntil
// stops exactly when one of them is a stop node.
func TestReacher(t *testing.T) {
	r := rand.New(rand.NewSource(7))
	for world := range 200 {
		g := graph.New()
		nodes := []*graph.Node{g.Sink()}
		for i := range 3 + r.Intn(25) {
			nodes = append(nodes, g.AddNode(graph.Node{Key: "User:" + string(rune('a'+i)), Kind: graph.KindUser}))
		}
		for range r.Intn(4 * len(nodes)) {
			from, to := nodes[1+r.Intn(len(nodes)-1)], nodes[r.Intn(len(nodes))]
			g.AddEdge(graph.Edge{From: from, To: to, Primitive: "p", Hops: r.Intn(2), Condition: string(rune('a' + r.Intn(3)))})
		}
		edges := g.Edges()
		if len(edges) == 0 {
			continue
		}
		// Sets of edges, as bindings are: some edges in several.
		sets := make([][]*graph.Edge, 1+r.Intn(6))
		for _, e := range edges {
			for i := range sets {
				if r.Intn(3) == 0 {
					sets[i] = append(sets[i], e)
				}
			}
		}
		mask := g.NewEdgeMask()
		for _, s := range sets {
			for _, e := range s {
				mask.Add(e)
			}
		}
		reacher := g.NewReacher(g.Sink(), mask)
		check := func(step string) []bool {
			t.Helper()
			want := g.ReachWithout(g.Sink(), mask.Has)
			got := make([]bool, len(nodes))
			for i, n := range nodes {
				got[i] = want.Has(n)
				if reacher.Has(n) != want.Has(n) {
					t.Fatalf("world %d, %s: %s reaches %v, a whole search says %v", world, step, n.Key, reacher.Has(n), want.Has(n))
				}
			}
			return got
		}
		before := check("start")
		for i := len(sets) - 1; i >= 0; i-- {
			// RestoreUntil stops exactly when Restore would gain a node
			// of stop, and Undo then gives back the state before.
			stop := map[*graph.Node]bool{}
			for _, n := range nodes {
				if r.Intn(4) == 0 {
					stop[n] = true
				}
			}
			other := sets[r.Intn(i+1)] // a set not restored yet: the next restore is of another
			full := slices.Clone(reacher.Restore(other))
			reacher.Undo(other)
			_, stopped := reacher.RestoreUntil(other, func(n *graph.Node) bool { return stop[n] })
			if want := slices.ContainsFunc(full, func(n *graph.Node) bool { return stop[n] }); stopped != want {
				t.Fatalf("world %d: RestoreUntil stopped %v, a restore gains a stop node %v", world, stopped, want)
			}
			reacher.Undo(other)
			if got := check("undo after RestoreUntil"); !slices.Equal(got, before) {
				t.Fatalf("world %d: undo after RestoreUntil did not give back the state before", world)
			}
			gained := slices.Clone(reacher.Restore(sets[i]))
			after := check("restore")
			for j, n := range nodes {
				if (!before[j] && after[j]) != slices.Contains(gained, n) {
					t.Fatalf("world %d: %s gained %v, reported %v", world, n.Key, !before[j] && after[j], slices.Contains(gained, n))
				}
			}
			if r.Intn(2) == 0 {
				reacher.Undo(sets[i])
				if got := check("undo"); !slices.Equal(got, before) {
					t.Fatalf("world %d: undo did not give back the state before", world)
				}
			} else {
				before = after
			}
		}
	}
}

// Next walks the path Path returns, edge by edge.
func TestTreeNext(t *testing.T) {
	g := graph.New()
	a := g.AddNode(graph.Node{Key: "User:a", Kind: graph.KindUser})
	b := g.AddNode(graph.Node{Key: "User:b", Kind: graph.KindUser})
	c := g.AddNode(graph.Node{Key: "User:c", Kind: graph.KindUser})
	g.AddEdge(graph.Edge{From: a, To: b, Primitive: "p", Hops: 1})
	g.AddEdge(graph.Edge{From: b, To: g.Sink(), Primitive: "q", Hops: 1})
	tree := g.ShortestTo(g.Sink())
	var walked []*graph.Edge
	for e := tree.Next(a); e != nil; e = tree.Next(e.To) {
		walked = append(walked, e)
	}
	if path := tree.Path(a); len(path) != 2 || !slices.Equal(walked, path) {
		t.Errorf("Next walked %v, Path is %v", walked, path)
	}
	if tree.Next(c) != nil || tree.Next(g.Sink()) != nil {
		t.Error("Next of a node without a path, or of the target, is not nil")
	}
}

// A Reacher answers which identities reach the sink as the steps of
// removed bindings come back one binding at a time.
func ExampleReacher() {
	g := graph.New()
	alice := g.AddNode(graph.Node{Key: "User:alice", Kind: graph.KindUser, Name: "alice"})
	ops := g.AddNode(graph.Node{Key: "Group:ops", Kind: graph.KindGroup, Name: "ops"})
	g.AddEdge(graph.Edge{From: alice, To: ops, Primitive: "member-of"})
	g.AddEdge(graph.Edge{From: ops, To: g.Sink(), Primitive: "escalate", Hops: 1, Provenance: &graph.Provenance{Bindings: []string{"crb/ops"}}})
	step := g.From(ops)[0]
	gone := g.NewEdgeMask()
	gone.Add(step)
	r := g.NewReacher(g.Sink(), gone)
	fmt.Println(r.Has(alice))
	for _, n := range r.Restore([]*graph.Edge{step}) {
		fmt.Println("now reaches:", n.Key)
	}
	r.Undo([]*graph.Edge{step})
	fmt.Println(r.Has(alice))
	// Output:
	// false
	// now reaches: Group:ops
	// now reaches: User:alice
	// false
}

// Provenance is what grants a step; edges on the same grant share one.
func ExampleProvenance() {
	g := graph.New()
	alice := g.AddNode(graph.Node{Key: "User:alice", Kind: graph.KindUser, Name: "alice"})
	bob := g.AddNode(graph.Node{Key: "User:bob", Kind: graph.KindUser, Name: "bob"})
	grant := &graph.Provenance{GrantedBy: []string{`ClusterRoleBinding "admins" of ClusterRole "cluster-admin"`}, Bindings: []string{"ClusterRoleBinding/admins"}}
	g.AddEdge(graph.Edge{From: alice, To: g.Sink(), Primitive: "admin", Provenance: grant})
	g.AddEdge(graph.Edge{From: bob, To: alice, Primitive: "impersonate", Hops: 1})
	for _, e := range g.Edges() {
		fmt.Println(e.From.Name, e.Primitive, e.GrantedBy(), e.Bindings())
	}
	// Output:
	// alice admin [ClusterRoleBinding "admins" of ClusterRole "cluster-admin"] [ClusterRoleBinding/admins]
	// bob impersonate [] []
}
