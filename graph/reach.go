package graph

// Reach is the result of one reverse search from a target that only asks
// which nodes have a path to it: cheaper than a Tree (no distances, no
// tie-breaking between paths), for callers that search the graph without
// some steps many times over, such as choke point analysis.
type Reach struct {
	ok []bool
}

// ReachWithout returns the nodes with a path to target over the edges skip
// rejects not (nil skips none).
func (g *Graph) ReachWithout(target *Node, skip func(*Edge) bool) Reach {
	g.Freeze()
	ok := make([]bool, len(g.nodes))
	ok[target.index] = true
	stack := []*Node{target}
	for len(stack) > 0 {
		v := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		for _, e := range g.in[v.index] {
			if u := e.From; !ok[u.index] && (skip == nil || !skip(e)) {
				ok[u.index] = true
				stack = append(stack, u)
			}
		}
	}
	return Reach{ok: ok}
}

// Has reports whether n has a path to the target.
func (r Reach) Has(n *Node) bool { return n != nil && r.ok[n.index] }
