package graph

import (
	"math"
)

// Tree is the result of one reverse search from a target: for every node, the
// fewest hops to the target and the first edge of one shortest path.
type Tree struct {
	g      *Graph
	target *Node
	dist   []int
	next   []*Edge
	// assumed is the number of assumed steps on the chosen path.
	assumed []int
	// skip rejects the edges the search leaves out (ShortestToWithout).
	skip func(*Edge) bool
	// kids is the tree downwards, made on first use (LostWithout).
	kids treeChildren
}

// Unreachable is the distance of nodes with no path.
const Unreachable = math.MaxInt32

// ShortestTo runs one reverse 0-1 BFS from target over all edges (membership
// and admin-equivalence edges cost 0, escalation steps 1). One search answers
// every identity at once, which is what `scan` needs. Nodes and edges are
// visited in their stable order, so the chosen paths are deterministic.
// Among the paths of fewest hops, the chosen one has the fewest assumed steps
// (see fewestAssumed).
func (g *Graph) ShortestTo(target *Node) *Tree {
	return g.ShortestToWithout(target, nil)
}

// ShortestToWithout is ShortestTo over the edges skip rejects not (nil skips
// none): the graph as it would be without some steps, e.g. every step a
// binding grants, without building a new one.
func (g *Graph) ShortestToWithout(target *Node, skip func(*Edge) bool) *Tree {
	t := g.fewestHops(target, skip)
	t.fewestAssumed()
	return t
}

// fewestHops is the reverse 0-1 BFS by hops alone.
func (g *Graph) fewestHops(target *Node, skip func(*Edge) bool) *Tree {
	g.Freeze()
	t := &Tree{g: g, target: target, dist: make([]int, len(g.nodes)), skip: skip}
	t.next = g.reverse01(target, t.dist, func(e *Edge) (int, bool) { return e.Hops, skip == nil || !skip(e) })
	return t
}

// fewestAssumed re-chooses, among the steps that keep a node at its fewest
// hops ("tight" steps), the ones with the fewest assumed steps to the target:
// a second reverse 0-1 BFS over tight steps only, costing 1 per assumed step.
// A node whose first choice already has the fewest keeps it, so that graphs
// without assumed steps get exactly the paths of the search by hops. The
// result is acyclic: a node that keeps its choice keeps its whole path (every
// suffix of a path with the fewest assumed steps has the fewest), and a
// re-chosen node follows the second search's tree towards the target.
func (t *Tree) fewestAssumed() {
	g := t.g
	n := len(g.nodes)
	t.assumed = make([]int, n)
	// Assumed steps on the first choice of each node, memoised along it.
	known := make([]bool, n)
	known[t.target.index] = true
	var first func(u *Node) int
	first = func(u *Node) int {
		if known[u.index] || t.next[u.index] == nil {
			return t.assumed[u.index]
		}
		known[u.index] = true // a cycle cannot occur: the BFS tree is acyclic
		e := t.next[u.index]
		t.assumed[u.index] = first(e.To) + assumedCost(e)
		return t.assumed[u.index]
	}
	if !g.assumed {
		return
	}
	for _, u := range g.nodes {
		if t.dist[u.index] != Unreachable {
			first(u)
		}
	}
	best := make([]int, n)
	via := g.reverse01(t.target, best, func(e *Edge) (int, bool) {
		u, v := e.From, e.To
		return assumedCost(e), (t.skip == nil || !t.skip(e)) && t.dist[u.index] != Unreachable && t.dist[u.index] == t.dist[v.index]+e.Hops
	})
	for _, u := range g.nodes {
		if t.dist[u.index] != Unreachable && best[u.index] < t.assumed[u.index] {
			t.next[u.index] = via[u.index]
			t.assumed[u.index] = best[u.index]
		}
	}
}

// reverse01 is a reverse 0-1 BFS from target over the edges cost admits,
// each costing 0 or 1: it fills dist and returns, per node, the first edge of
// one cheapest path. Edges are visited in the graph's stable order, so the
// result is deterministic.
func (g *Graph) reverse01(target *Node, dist []int, cost func(*Edge) (int, bool)) []*Edge {
	via := make([]*Edge, len(g.nodes))
	for i := range dist {
		dist[i] = Unreachable
	}
	dist[target.index] = 0
	// Deque as two slices: front (cost +0) and back (cost +1).
	deque := []*Node{target}
	head := 0
	var later []*Node
	for head < len(deque) || len(later) > 0 {
		if head == len(deque) {
			deque, later, head = later, nil, 0
			continue
		}
		v := deque[head]
		head++
		for _, e := range g.in[v.index] {
			c, ok := cost(e)
			if !ok {
				continue
			}
			u := e.From
			if d := dist[v.index] + c; d < dist[u.index] {
				dist[u.index] = d
				via[u.index] = e
				if c == 0 {
					deque = append(deque, u)
				} else {
					later = append(later, u)
				}
			}
		}
	}
	return via
}

func assumedCost(e *Edge) int {
	if e.Assumed {
		return 1
	}
	return 0
}

// Assumed returns the number of assumed steps on the path Path returns.
func (t *Tree) Assumed(n *Node) int {
	if t.assumed == nil {
		return 0
	}
	return t.assumed[n.index]
}

// Hops returns the fewest hops from n to the target, or Unreachable.
func (t *Tree) Hops(n *Node) int { return t.dist[n.index] }

// Path returns one shortest path from n to the target (nil when unreachable;
// empty when n is the target).
func (t *Tree) Path(n *Node) []*Edge {
	if t.dist[n.index] == Unreachable {
		return nil
	}
	var path []*Edge
	seen := map[*Node]bool{}
	for cur := n; cur != t.target; {
		if seen[cur] {
			return nil
		}
		seen[cur] = true
		e := t.next[cur.index]
		if e == nil {
			return nil
		}
		path = append(path, e)
		cur = e.To
	}
	if path == nil {
		path = []*Edge{}
	}
	return path
}

// Next returns the first edge of the path Path returns for n: nil when n
// is the target or has no path. Following Next from a node walks its path
// without making it (a caller reading the paths of thousands of nodes per
// search, as the choke-point cover's cut does).
func (t *Tree) Next(n *Node) *Edge {
	if t.dist[n.index] == Unreachable {
		return nil
	}
	return t.next[n.index]
}
