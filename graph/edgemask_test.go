package graph_test

import (
	"fmt"
	"testing"

	"github.com/auth-paths/kubectl-auth-paths/graph"
)

func TestEdgeMask(t *testing.T) {
	g := graph.New()
	a := g.AddNode(graph.Node{Key: "User:a", Kind: graph.KindUser, Name: "a"})
	b := g.AddNode(graph.Node{Key: "User:b", Kind: graph.KindUser, Name: "b"})
	g.AddEdge(graph.Edge{From: a, To: b, Primitive: "p", Hops: 1})
	g.AddEdge(graph.Edge{From: b, To: g.Sink(), Primitive: "q", Hops: 1})
	m := g.NewEdgeMask()
	ab, bs := g.From(a)[0], g.From(b)[0]
	steps := []struct {
		do        func()
		wantAB    bool
		wantBS    bool
		wantReach bool
	}{
		{do: func() {}, wantReach: true},
		{do: func() { m.Add(bs) }, wantBS: true},
		{do: func() { m.Add(bs) }, wantBS: true},       // two reasons
		{do: func() { m.Remove(bs) }, wantBS: true},    // one left
		{do: func() { m.Remove(bs) }, wantReach: true}, // none
		{do: func() { m.Remove(bs) }, wantReach: true}, // never below none
		{do: func() { m.Add(ab) }, wantAB: true, wantReach: false},
	}
	for i, s := range steps {
		s.do()
		if m.Has(ab) != s.wantAB || m.Has(bs) != s.wantBS {
			t.Fatalf("step %d: a→b out %v, b→sink out %v; want %v, %v", i, m.Has(ab), m.Has(bs), s.wantAB, s.wantBS)
		}
		if got := g.ReachWithout(g.Sink(), m.Has).Has(a); got != s.wantReach {
			t.Fatalf("step %d: a reaches %v, want %v", i, got, s.wantReach)
		}
	}
	other := graph.New()
	x := other.AddNode(graph.Node{Key: "User:x", Kind: graph.KindUser, Name: "x"})
	other.AddEdge(graph.Edge{From: x, To: other.Sink(), Primitive: "p", Hops: 1})
	y := other.AddNode(graph.Node{Key: "User:y", Kind: graph.KindUser, Name: "y"})
	other.AddEdge(graph.Edge{From: y, To: other.Sink(), Primitive: "p", Hops: 1})
	other.Freeze()
	panics := func(what string, f func()) {
		t.Helper()
		defer func() {
			if recover() == nil {
				t.Errorf("%s did not panic", what)
			}
		}()
		f()
	}
	// index 1: within g's edges, yet not g's
	panics("a mask given another graph's edge", func() { m.Add(other.Edges()[1]) })
	panics("a mask told to put back another graph's edge", func() { m.Remove(other.Edges()[1]) })
	// A graph that changed has new indexes: its mask is refused, even
	// once it is frozen again.
	g.AddEdge(graph.Edge{From: a, To: g.Sink(), Primitive: "r", Hops: 1})
	panics("a mask read while its graph changed", func() { m.Has(ab) })
	g.Freeze()
	panics("a mask read after its graph changed", func() { m.Has(ab) })
}

// An EdgeMask takes edges out of repeated searches and puts them back.
func ExampleEdgeMask() {
	g := graph.New()
	alice := g.AddNode(graph.Node{Key: "User:alice", Kind: graph.KindUser, Name: "alice"})
	g.AddEdge(graph.Edge{From: alice, To: g.Sink(), Primitive: "escalate", Hops: 1, Provenance: &graph.Provenance{Bindings: []string{"crb/dev"}}})
	gone := g.NewEdgeMask()
	step := g.From(alice)[0]
	gone.Add(step)
	fmt.Println(g.ReachWithout(g.Sink(), gone.Has).Has(alice))
	gone.Remove(step)
	fmt.Println(g.ReachWithout(g.Sink(), gone.Has).Has(alice))
	// Output:
	// false
	// true
}
