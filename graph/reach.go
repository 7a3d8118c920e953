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

// Reacher is a Reach kept current while edges come back into a search: it
// answers which nodes reach the target over the edges an EdgeMask leaves
// in, and when a caller puts edges back (Restore) it searches only from
// the nodes those edges join to the target, not the whole graph again. A
// caller that tries putting back, one by one, sets of edges it took out
// (the choke-point cover dropping the bindings it does not need) pays for
// what each set changes.
type Reacher struct {
	g      *Graph
	mask   *EdgeMask
	ok     []bool
	stack  []*Node
	gained []*Node
}

// NewReacher searches, once, which nodes reach target over the edges mask
// leaves in. The mask must change only through the Reacher afterwards.
func (g *Graph) NewReacher(target *Node, mask *EdgeMask) *Reacher {
	return &Reacher{g: g, mask: mask, ok: g.ReachWithout(target, mask.Has).ok}
}

// Has reports whether n reaches the target.
func (r *Reacher) Has(n *Node) bool { return n != nil && r.ok[n.index] }

// Restore takes back one mask Add of each edge and returns the nodes that
// reach the target now and did not before (valid until the next call).
// Reachability only grows as edges come back, and a node that newly
// reaches has a path whose last edge put back joins a node that did not
// reach to one that did: searching back from those is the whole change.
func (r *Reacher) Restore(edges []*Edge) []*Node {
	gained, _ := r.RestoreUntil(edges, nil)
	return gained
}

// RestoreUntil is Restore that stops searching at the first node gained
// for which stop (nil: none) is true, and reports whether it did: then the
// nodes returned are those gained so far, and only Undo, which forgets
// them, may follow. A caller that undoes a restore as soon as it gains one
// of some nodes need not search the rest of what it gains (on a large
// graph, most of the graph, once per restore).
func (r *Reacher) RestoreUntil(edges []*Edge, stop func(*Node) bool) (gained []*Node, stopped bool) {
	for _, e := range edges {
		r.mask.Remove(e)
	}
	r.gained = r.gained[:0]
	mark := func(n *Node) bool {
		r.mark(n)
		return stop != nil && stop(n)
	}
	for _, e := range edges {
		if !r.mask.Has(e) && r.ok[e.To.index] && !r.ok[e.From.index] {
			if mark(e.From) {
				r.stack = r.stack[:0]
				return r.gained, true
			}
			for len(r.stack) > 0 {
				v := r.stack[len(r.stack)-1]
				r.stack = r.stack[:len(r.stack)-1]
				for _, in := range r.g.in[v.index] {
					if !r.ok[in.From.index] && !r.mask.Has(in) && mark(in.From) {
						r.stack = r.stack[:0]
						return r.gained, true
					}
				}
			}
		}
	}
	return r.gained, false
}

func (r *Reacher) mark(n *Node) {
	r.ok[n.index] = true
	r.stack = append(r.stack, n)
	r.gained = append(r.gained, n)
}

// Undo leaves out again the edges of the last Restore, whose gained nodes
// it forgets: the state before that Restore.
func (r *Reacher) Undo(edges []*Edge) {
	for _, e := range edges {
		r.mask.Add(e)
	}
	for _, n := range r.gained {
		r.ok[n.index] = false
	}
	r.gained = r.gained[:0]
}
