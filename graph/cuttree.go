package graph

import "container/heap"

// CutTree is a tree of shortest paths to a target that stays exact as edges
// are left out, a few at a time: the choke-point cover's cut leaves out one
// binding's edges per pick and reads the identities' shortest paths again,
// and a whole search per pick made the cut grow as picks × graph, quadratic
// in the cluster's size. Removing edges only lengthens the paths that took
// them, so only the nodes below a removed tree edge are searched again.
//
// A path's length is its hops, then its edges: of paths of the fewest hops,
// one of the fewest edges. Every node's step is the first edge of its
// out-list (in the graph's stable order) that starts such a path, so that
// the tree after removals is the one a search of the remaining graph would
// make, whatever was removed before. (Tree, which paths are printed from,
// breaks ties by the order of its search instead, which removals change
// everywhere.)
type CutTree struct {
	g      *Graph
	target *Node
	gone   *EdgeMask
	dist   []int64 // hops<<32 | edges; unreached for no path
	next   []*Edge
	// stamp marks the nodes of one removal's search (stamp[i] == round).
	stamp []int32
	round int32
}

const unreached = int64(1) << 62

// weight is an edge's length: its hops, then one edge.
func weight(e *Edge) int64 { return int64(e.Hops)<<32 | 1 }

// NewCutTree makes the tree to target over the edges gone leaves in; edges
// are removed by Remove, which adds them to gone. The graph must not change
// while the tree is used.
func (g *Graph) NewCutTree(target *Node, gone *EdgeMask) *CutTree {
	g.Freeze()
	n := len(g.nodes)
	t := &CutTree{g: g, target: target, gone: gone, dist: make([]int64, n), next: make([]*Edge, n), stamp: make([]int32, n)}
	for i := range t.dist {
		t.dist[i] = unreached
	}
	t.dist[target.index] = 0
	t.settle(&distHeap{{0, target}}, nil)
	for _, u := range g.nodes {
		t.choose(u)
	}
	return t
}

// settle runs Dijkstra's search backwards from the nodes on h (their
// distances set), over the edges gone leaves in, into the nodes inside
// admits (nil: every node).
func (t *CutTree) settle(h *distHeap, inside func(*Node) bool) {
	heap.Init(h)
	for h.Len() > 0 {
		at := heap.Pop(h).(distAt)
		v := at.n
		if at.d != t.dist[v.index] {
			continue // shortened since it was put on the heap
		}
		for _, e := range t.g.in[v.index] {
			u := e.From
			if t.gone.Has(e) || (inside != nil && !inside(u)) {
				continue
			}
			if d := at.d + weight(e); d < t.dist[u.index] {
				t.dist[u.index] = d
				heap.Push(h, distAt{d, u})
			}
		}
	}
}

// choose sets u's step: the first edge of its out-list that starts a
// shortest path (nil without one, and for the target).
func (t *CutTree) choose(u *Node) {
	t.next[u.index] = nil
	if u == t.target || t.dist[u.index] == unreached {
		return
	}
	for _, e := range t.g.out[u.index] {
		if d := t.dist[e.To.index]; d != unreached && !t.gone.Has(e) && d+weight(e) == t.dist[u.index] {
			t.next[u.index] = e
			return
		}
	}
}

// Hops returns the fewest hops from n to the target, or Unreachable.
func (t *CutTree) Hops(n *Node) int {
	if t.dist[n.index] == unreached {
		return Unreachable
	}
	return int(t.dist[n.index] >> 32)
}

// Next returns the first step of n's path (nil for the target and for a
// node without one).
func (t *CutTree) Next(n *Node) *Edge { return t.next[n.index] }

// Remove leaves the edges out (adding them to the mask) and returns the
// nodes whose path changed: those whose path took one of them, each once.
// Every other node keeps its path, which no longer edge can have been
// preferred to and no removal can shorten.
func (t *CutTree) Remove(edges []*Edge) []*Node {
	t.round++
	var changed []*Node
	mark := func(u *Node) {
		if t.stamp[u.index] != t.round {
			t.stamp[u.index] = t.round
			changed = append(changed, u)
		}
	}
	for _, e := range edges {
		t.gone.Add(e)
		if t.next[e.From.index] == e {
			mark(e.From)
		}
	}
	// Below them in the tree: the nodes whose step leads into one.
	for i := 0; i < len(changed); i++ {
		for _, e := range t.g.in[changed[i].index] {
			if t.next[e.From.index] == e {
				mark(e.From)
			}
		}
	}
	if len(changed) == 0 {
		return nil
	}
	inside := func(u *Node) bool { return t.stamp[u.index] == t.round }
	h := &distHeap{}
	for _, u := range changed {
		t.dist[u.index] = unreached
	}
	// Each starts from its best step out of the region, then the search
	// spreads inside it.
	for _, u := range changed {
		for _, e := range t.g.out[u.index] {
			if v := e.To; !inside(v) && t.dist[v.index] != unreached && !t.gone.Has(e) {
				if d := t.dist[v.index] + weight(e); d < t.dist[u.index] {
					t.dist[u.index] = d
				}
			}
		}
		if t.dist[u.index] != unreached {
			*h = append(*h, distAt{t.dist[u.index], u})
		}
	}
	t.settle(h, inside)
	for _, u := range changed {
		t.choose(u)
	}
	return changed
}

// distAt is a node and its distance when put on the heap.
type distAt struct {
	d int64
	n *Node
}

// distHeap orders nodes by distance, then by their order in the graph.
type distHeap []distAt

func (h distHeap) Len() int { return len(h) }
func (h distHeap) Less(i, j int) bool {
	return h[i].d < h[j].d || (h[i].d == h[j].d && h[i].n.index < h[j].n.index)
}
func (h distHeap) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *distHeap) Push(x any)   { *h = append(*h, x.(distAt)) }
func (h *distHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}
