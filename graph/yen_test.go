package graph_test

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/auth-paths/kubectl-auth-paths/graph"
)

// TestKShortestPathsRandom checks Yen's paths against every loopless path
// enumerated by brute force, on random graphs with parallel steps, cycles,
// assumed steps and dead ends (steps that reach nothing leading to the
// sink, which the search leaves out of its view): each path returned is a
// real loopless path from the start to the sink, no path comes twice, and
// their costs (hops, then assumed steps) are the k smallest of all paths.
func TestKShortestPathsRandom(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	multi := 0
	for round := range 600 {
		g := graph.New()
		var nodes []*graph.Node
		for i := range 3 + r.IntN(6) {
			nodes = append(nodes, g.AddNode(graph.Node{Key: fmt.Sprint("User:", i), Kind: graph.KindUser, Name: fmt.Sprint(i)}))
		}
		all := append(slices.Clone(nodes), g.Sink())
		for i := range r.IntN(18) {
			from := nodes[r.IntN(len(nodes))]
			to := all[r.IntN(len(all))]
			if from == to {
				continue
			}
			g.AddEdge(graph.Edge{From: from, To: to, Primitive: fmt.Sprint("p", i%3), Hops: r.IntN(3), Assumed: r.IntN(4) == 0, Provenance: &graph.Provenance{GrantedBy: []string{fmt.Sprint("g", i)}}})
		}
		start := nodes[0]
		k := 1 + r.IntN(4)
		got := g.KShortestPaths(start, g.Sink(), k, -1)

		var costs [][2]int
		var walk func(n *graph.Node, seen map[*graph.Node]bool, hops, assumed int)
		walk = func(n *graph.Node, seen map[*graph.Node]bool, hops, assumed int) {
			if n == g.Sink() {
				costs = append(costs, [2]int{hops, assumed})
				return
			}
			for _, e := range g.From(n) {
				if seen[e.To] {
					continue
				}
				seen[e.To] = true
				a := 0
				if e.Assumed {
					a = 1
				}
				walk(e.To, seen, hops+e.Hops, assumed+a)
				delete(seen, e.To)
			}
		}
		walk(start, map[*graph.Node]bool{start: true}, 0, 0)
		slices.SortFunc(costs, func(a, b [2]int) int {
			if a[0] != b[0] {
				return a[0] - b[0]
			}
			return a[1] - b[1]
		})
		want := costs[:min(k, len(costs))]

		var gotCosts [][2]int
		seenPaths := map[string]bool{}
		for _, p := range got {
			at := start
			visited := map[*graph.Node]bool{start: true}
			id := ""
			for _, e := range p {
				if e.From != at || visited[e.To] {
					t.Fatalf("round %d: path %v is not a loopless path from %s", round, primitives(p), start.Key)
				}
				visited[e.To] = true
				at = e.To
				id += fmt.Sprintf("%p,", e)
			}
			if at != g.Sink() {
				t.Fatalf("round %d: path %v ends at %s", round, primitives(p), at.Key)
			}
			if seenPaths[id] {
				t.Fatalf("round %d: path %v twice", round, primitives(p))
			}
			seenPaths[id] = true
			gotCosts = append(gotCosts, [2]int{graph.Hops(p), graph.AssumedSteps(p)})
		}
		if len(want) > 1 {
			multi++
		}
		if !slices.Equal(gotCosts, want) {
			t.Fatalf("round %d (k=%d): costs %v, want %v", round, k, gotCosts, want)
		}
	}
	if multi < 100 {
		t.Fatalf("only %d rounds with more than one path: the generator is too kind", multi)
	}
}
