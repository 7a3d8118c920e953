package graph_test

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/auth-paths/kubectl-auth-paths/graph"
)

// randomGraph has n users and scopes with edges of 0 and 1 hops between
// them and to the sink, cycles and parallel paths included.
func randomCutGraph(r *rand.Rand, n, m int) *graph.Graph {
	g := graph.New()
	nodes := []*graph.Node{g.Sink()}
	for i := range n {
		kind := graph.KindUser
		if i%3 == 0 {
			kind = graph.KindScope
		}
		nodes = append(nodes, g.AddNode(graph.Node{Key: fmt.Sprintf("%s:%03d", kind, i), Kind: kind, Name: fmt.Sprint(i)}))
	}
	for i := range m {
		from := nodes[1+r.IntN(n)]
		to := nodes[r.IntN(len(nodes))]
		if r.IntN(4) == 0 {
			to = g.Sink()
		}
		g.AddEdge(graph.Edge{From: from, To: to, Hops: r.IntN(2), Primitive: fmt.Sprintf("p%d", i%5), Condition: fmt.Sprint(i)})
	}
	g.Freeze()
	return g
}

// TestCutTree: after every removal, the tree is the one made anew on the
// graph without the removed edges (hops as a whole search finds them, the
// same step for every node), each node's steps lead to the target in its
// hops, and every node whose step changed is reported.
func TestCutTree(t *testing.T) {
	for seed := range uint64(60) {
		r := rand.New(rand.NewPCG(seed, 7))
		g := randomCutGraph(r, 5+r.IntN(40), 10+r.IntN(160))
		mask := g.NewEdgeMask()
		tree := g.NewCutTree(g.Sink(), mask)
		var removed []*graph.Edge
		for round := 0; round < 12; round++ {
			before := make(map[*graph.Node]*graph.Edge)
			for _, n := range g.Nodes() {
				before[n] = tree.Next(n)
			}
			var batch []*graph.Edge
			for range 1 + r.IntN(3) {
				batch = append(batch, g.Edges()[r.IntN(len(g.Edges()))])
			}
			removed = append(removed, batch...)
			changed := map[*graph.Node]bool{}
			for _, n := range tree.Remove(batch) {
				if changed[n] {
					t.Fatalf("seed %d round %d: %s reported twice", seed, round, n.Key)
				}
				changed[n] = true
			}
			fresh := g.NewEdgeMask()
			for _, e := range removed {
				fresh.Add(e)
			}
			want := g.NewCutTree(g.Sink(), fresh)
			whole := g.ShortestToWithout(g.Sink(), fresh.Has)
			for _, n := range g.Nodes() {
				if tree.Hops(n) != whole.Hops(n) || tree.Hops(n) != want.Hops(n) {
					t.Fatalf("seed %d round %d: %s hops %d, a whole search %d", seed, round, n.Key, tree.Hops(n), whole.Hops(n))
				}
				if tree.Next(n) != want.Next(n) {
					t.Fatalf("seed %d round %d: %s steps by %v, the tree made anew by %v", seed, round, n.Key, tree.Next(n), want.Next(n))
				}
				if tree.Next(n) != before[n] && !changed[n] {
					t.Fatalf("seed %d round %d: %s's step changed, not reported", seed, round, n.Key)
				}
				hops, cur := 0, n
				for e := tree.Next(cur); e != nil; e = tree.Next(cur) {
					if mask.Has(e) || e.From != cur {
						t.Fatalf("seed %d round %d: %s's path takes a removed or foreign edge", seed, round, n.Key)
					}
					hops += e.Hops
					cur = e.To
				}
				if tree.Hops(n) != graph.Unreachable && (cur != g.Sink() || hops != tree.Hops(n)) {
					t.Fatalf("seed %d round %d: %s's path ends at %s after %d hops, want the sink after %d", seed, round, n.Key, cur.Key, hops, tree.Hops(n))
				}
			}
		}
	}
}
