package graph

import "slices"

// Dominators is the dominator tree of the ways to a target: d dominates n
// when every path from n to the target passes through d (n dominates
// itself). Removing the steps out of one node d cuts, of the nodes that
// reach the target, exactly d's subtree when d loses every way, and no one
// otherwise, so one tree answers that question for every node at once
// (choke points). It is computed with the iterative algorithm of Cooper,
// Harvey and Kennedy ("A Simple, Fast Dominance Algorithm") on the reverse
// graph, rooted at the target.
type Dominators struct {
	target *Node
	// idom is the immediate dominator's index of each node that reaches
	// the target, -1 for the others; the target's is its own.
	idom []int
	// pre and last number the tree depth-first: d dominates n when
	// pre[d] <= pre[n] <= last[d].
	pre, last []int
	// byPre are the nodes in that order.
	byPre []*Node
}

// DominatorsTo returns the dominator tree of the ways to target.
func (g *Graph) DominatorsTo(target *Node) *Dominators {
	g.Freeze()
	n := len(g.nodes)
	// Postorder of a depth-first search from the target over the edges
	// backwards (iterative: graphs of large clusters are deep).
	post := make([]int, n)
	for i := range post {
		post[i] = -1
	}
	var order []*Node // postorder
	seen := make([]bool, n)
	type frame struct {
		v *Node
		i int
	}
	stack := []frame{{target, 0}}
	seen[target.index] = true
	for len(stack) > 0 {
		f := &stack[len(stack)-1]
		in := g.in[f.v.index]
		if f.i < len(in) {
			u := in[f.i].From
			f.i++
			if !seen[u.index] {
				seen[u.index] = true
				stack = append(stack, frame{u, 0})
			}
			continue
		}
		post[f.v.index] = len(order)
		order = append(order, f.v)
		stack = stack[:len(stack)-1]
	}
	idom := make([]int, n)
	for i := range idom {
		idom[i] = -1
	}
	idom[target.index] = target.index
	intersect := func(a, b int) int {
		for a != b {
			for post[a] < post[b] {
				a = idom[a]
			}
			for post[b] < post[a] {
				b = idom[b]
			}
		}
		return a
	}
	for changed := true; changed; {
		changed = false
		// Reverse postorder, the target first (skipped).
		for i := len(order) - 2; i >= 0; i-- {
			v := order[i]
			next := -1
			// A node's predecessors in the reverse graph are where its
			// steps lead.
			for _, e := range g.out[v.index] {
				w := e.To.index
				if idom[w] < 0 {
					continue
				}
				if next < 0 {
					next = w
				} else {
					next = intersect(w, next)
				}
			}
			if next >= 0 && idom[v.index] != next {
				idom[v.index] = next
				changed = true
			}
		}
	}
	d := &Dominators{target: target, idom: idom, pre: make([]int, n), last: make([]int, n)}
	children := make([][]int, n)
	for _, v := range g.nodes {
		if p := idom[v.index]; p >= 0 && v != target {
			children[p] = append(children[p], v.index)
		}
	}
	// Number the tree depth-first, children in graph order.
	type item struct{ v, child int }
	walk := []item{{target.index, 0}}
	d.pre[target.index] = 0
	d.byPre = append(d.byPre, target)
	for len(walk) > 0 {
		it := &walk[len(walk)-1]
		if it.child < len(children[it.v]) {
			c := children[it.v][it.child]
			it.child++
			d.pre[c] = len(d.byPre)
			d.byPre = append(d.byPre, g.nodes[c])
			walk = append(walk, item{c, 0})
			continue
		}
		d.last[it.v] = len(d.byPre) - 1
		walk = walk[:len(walk)-1]
	}
	return d
}

// Reaches reports whether n has a path to the target.
func (d *Dominators) Reaches(n *Node) bool { return n != nil && d.idom[n.index] >= 0 }

// Dominates reports whether every path from n to the target passes through
// a (a node dominates itself); false when either has no path.
func (d *Dominators) Dominates(a, n *Node) bool {
	if !d.Reaches(a) || !d.Reaches(n) {
		return false
	}
	return d.pre[a.index] <= d.pre[n.index] && d.pre[n.index] <= d.last[a.index]
}

// Dominated returns the nodes a dominates, a included, in the graph's order.
func (d *Dominators) Dominated(a *Node) []*Node {
	if !d.Reaches(a) {
		return nil
	}
	out := slices.Clone(d.byPre[d.pre[a.index] : d.last[a.index]+1])
	slices.SortFunc(out, func(x, y *Node) int { return x.index - y.index })
	return out
}

// LostWithout returns the nodes that reach the target with every edge and
// no more once gone edges are left out, in the graph's order, when every
// gone edge leaves one node s: s loses every way when none of its other
// steps leads to the target, or to a node with a way that avoids s; and
// then the nodes that lose theirs are those s dominates. g is the graph
// the tree is of.
func (d *Dominators) LostWithout(g *Graph, s *Node, gone func(*Edge) bool) []*Node {
	if !d.Reaches(s) {
		return nil
	}
	for _, e := range g.From(s) {
		if gone(e) {
			continue
		}
		if e.To == d.target || (d.Reaches(e.To) && !d.Dominates(s, e.To)) {
			return nil
		}
	}
	return d.Dominated(s)
}

// LostWithoutSources is LostWithout for gone edges that leave several
// nodes (a binding with several subjects): a source keeps its way when a
// search from it over the edges left finds the target, or a node whose path
// in way (a tree of ways to the same target, ShortestTo) takes no gone edge.
// When at most one source loses its way, the nodes that lose theirs are
// those every path of which passes through it (a source that keeps its way
// can stand in for any gone edge out of it); the result is then exact and
// ok is true. With two or more such sources the nodes that every path takes
// through one of them are not a subtree of the tree, and ok is false.
func (d *Dominators) LostWithoutSources(g *Graph, way *Tree, sources []*Node, gone func(*Edge) bool) (lost []*Node, ok bool) {
	if len(sources) == 1 {
		return d.LostWithout(g, sources[0], gone), true // no search needed
	}
	var dead *Node
	for _, s := range sources {
		if !d.Reaches(s) || d.keepsWay(g, way, s, gone) {
			continue
		}
		if dead != nil && dead != s {
			return nil, false
		}
		dead = s
	}
	if dead == nil {
		return nil, true
	}
	return d.Dominated(dead), true
}

// keepsWay searches from s over the edges gone rejects not, for the target
// or a node whose path in way takes no gone edge. Only nodes that reach
// the target are searched: when s keeps no way, those are the nodes that
// lose theirs, which are few.
func (d *Dominators) keepsWay(g *Graph, way *Tree, s *Node, gone func(*Edge) bool) bool {
	seen := map[*Node]bool{s: true}
	stack := []*Node{s}
	for len(stack) > 0 {
		x := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		for _, e := range g.out[x.index] {
			if gone(e) {
				continue
			}
			w := e.To
			if w == d.target {
				return true
			}
			if seen[w] || !d.Reaches(w) {
				continue
			}
			if way.avoids(w, gone) {
				return true
			}
			seen[w] = true
			stack = append(stack, w)
		}
	}
	return false
}
