package graph

import "math"

// Tree is the result of one reverse search from a target: for every node, the
// fewest hops to the target and the first edge of one shortest path.
type Tree struct {
	g      *Graph
	target *Node
	dist   []int
	next   []*Edge
}

// Unreachable is the distance of nodes with no path.
const Unreachable = math.MaxInt32

// ShortestTo runs one reverse 0-1 BFS from target over all edges (membership
// and admin-equivalence edges cost 0, escalation steps 1). One search answers
// every identity at once, which is what `scan` needs. Nodes and edges are
// visited in their stable order, so the chosen paths are deterministic.
func (g *Graph) ShortestTo(target *Node) *Tree {
	g.Freeze()
	t := &Tree{g: g, target: target, dist: make([]int, len(g.nodes)), next: make([]*Edge, len(g.nodes))}
	for i := range t.dist {
		t.dist[i] = Unreachable
	}
	t.dist[target.index] = 0
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
			u := e.From
			d := t.dist[v.index] + e.Hops
			if d < t.dist[u.index] {
				t.dist[u.index] = d
				t.next[u.index] = e
				if e.Hops == 0 {
					deque = append(deque, u)
				} else {
					later = append(later, u)
				}
			}
		}
	}
	return t
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
