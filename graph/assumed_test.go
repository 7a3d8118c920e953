package graph_test

import (
	"testing"

	"github.com/auth-paths/kubectl-auth-paths/graph"
)

// rankGraph: alice reaches the sink through sa-a by an assumed step (added
// first, so hops alone would pick it), through sa-b by a certain step of the
// same hops, and through sa-c by a certain path one hop longer; bob has only
// the assumed one-hop step and a certain two-hop path.
func rankGraph() *graph.Graph {
	g := graph.New()
	for _, k := range []string{"alice", "bob", "a", "b", "c", "d"} {
		g.AddNode(graph.Node{Key: "User:" + k, Kind: graph.KindUser, Name: k})
	}
	n := func(k string) *graph.Node {
		if k == graph.SinkKey {
			return g.Sink()
		}
		return g.Node("User:" + k)
	}
	add := func(from, to, prim string, hops int, assumed bool) {
		g.AddEdge(graph.Edge{From: n(from), To: n(to), Primitive: prim, Hops: hops, Condition: from + "→" + to, Assumed: assumed})
	}
	add("alice", "a", "rule-pack-step", 1, true)
	add("alice", "b", "token-request", 1, false)
	add("alice", "c", "impersonate", 1, false)
	add("a", graph.SinkKey, "admin-rules", 0, false)
	add("b", graph.SinkKey, "admin-rules", 0, false)
	add("c", "d", "impersonate", 1, false)
	add("d", graph.SinkKey, "admin-rules", 0, false)
	add("bob", "a", "rule-pack-step", 1, true)
	add("bob", "c", "impersonate", 1, false)
	return g
}

func primitives(p []*graph.Edge) []string {
	var out []string
	for _, e := range p {
		out = append(out, e.Primitive)
	}
	return out
}

// TestEqualHopsPreferCertainSteps: among paths of fewest hops, the one with
// fewer assumed steps is chosen, by the reverse search (scan) and first by
// Yen (from); a certain path never beats a shorter assumed one.
func TestEqualHopsPreferCertainSteps(t *testing.T) {
	g := rankGraph()
	tree := g.ShortestTo(g.Sink())
	tests := []struct {
		from        string
		wantFirst   string
		wantHops    int
		wantAssumed int
	}{
		{"alice", "token-request", 1, 0},
		{"bob", "rule-pack-step", 1, 1},
	}
	for _, tt := range tests {
		t.Run(tt.from, func(t *testing.T) {
			from := g.Node("User:" + tt.from)
			p := tree.Path(from)
			if len(p) == 0 || p[0].Primitive != tt.wantFirst || tree.Hops(from) != tt.wantHops || tree.Assumed(from) != tt.wantAssumed || graph.AssumedSteps(p) != tt.wantAssumed {
				t.Errorf("ShortestTo: %v (hops %d, assumed %d), want %s first, %d hops, %d assumed", primitives(p), tree.Hops(from), tree.Assumed(from), tt.wantFirst, tt.wantHops, tt.wantAssumed)
			}
			ks := g.KShortestPaths(from, g.Sink(), 3, -1)
			if len(ks) == 0 || ks[0][0].Primitive != tt.wantFirst {
				t.Fatalf("KShortestPaths: first %v, want %s", ks, tt.wantFirst)
			}
			for i := 1; i < len(ks); i++ {
				hi, hj := graph.Hops(ks[i-1]), graph.Hops(ks[i])
				if hi > hj || (hi == hj && graph.AssumedSteps(ks[i-1]) > graph.AssumedSteps(ks[i])) {
					t.Errorf("KShortestPaths out of order at %d: %v then %v", i, primitives(ks[i-1]), primitives(ks[i]))
				}
			}
		})
	}
	// alice's three paths: certain 1 hop, assumed 1 hop, certain 2 hops.
	ks := g.KShortestPaths(g.Node("User:alice"), g.Sink(), 3, -1)
	var got []string
	for _, p := range ks {
		got = append(got, p[0].Primitive)
	}
	if want := []string{"token-request", "rule-pack-step", "impersonate"}; len(got) != 3 || got[0] != want[0] || got[1] != want[1] || got[2] != want[2] {
		t.Errorf("alice's paths: %v, want %v", got, want)
	}
}

// TestNoAssumedStepsKeepsTheHopsChoice: without assumed steps the choice is
// the search by hops alone (the order edges were added decides ties).
func TestNoAssumedStepsKeepsTheHopsChoice(t *testing.T) {
	g := graph.New()
	for _, k := range []string{"alice", "a", "b"} {
		g.AddNode(graph.Node{Key: "User:" + k, Kind: graph.KindUser, Name: k})
	}
	alice, a, b := g.Node("User:alice"), g.Node("User:a"), g.Node("User:b")
	g.AddEdge(graph.Edge{From: alice, To: a, Primitive: "first", Hops: 1})
	g.AddEdge(graph.Edge{From: alice, To: b, Primitive: "second", Hops: 1})
	g.AddEdge(graph.Edge{From: a, To: g.Sink(), Primitive: "admin-rules"})
	g.AddEdge(graph.Edge{From: b, To: g.Sink(), Primitive: "admin-rules"})
	tree := g.ShortestTo(g.Sink())
	if p := tree.Path(alice); len(p) != 2 || p[0].Primitive != "first" || tree.Assumed(alice) != 0 {
		t.Errorf("ShortestTo: %v", primitives(p))
	}
	if ks := g.KShortestPaths(alice, g.Sink(), 2, -1); len(ks) != 2 || ks[0][0].Primitive != "first" {
		t.Errorf("KShortestPaths: %v", ks)
	}
}
