package graph

import (
	"math"

	gonum "gonum.org/v1/gonum/graph"
	"gonum.org/v1/gonum/graph/iterator"
	"gonum.org/v1/gonum/graph/path"
	"gonum.org/v1/gonum/graph/simple"
)

// stepView exposes the graph to gonum with every edge as its own node, so
// that parallel steps (two bindings, two primitives between the same pair of
// identities) are distinct paths. Node IDs: identities 0..n-1, edge i is n+i.
// Neighbours are returned in a fixed order, which makes gonum's searches
// deterministic.
type stepView struct {
	g    *Graph
	from [][]int64
	to   [][]int64
}

func newStepView(g *Graph) *stepView {
	g.Freeze()
	n := len(g.nodes)
	v := &stepView{g: g, from: make([][]int64, n+len(g.edges)), to: make([][]int64, n+len(g.edges))}
	for i, e := range g.edges {
		sid := int64(n + i)
		v.from[e.From.index] = append(v.from[e.From.index], sid)
		v.to[sid] = append(v.to[sid], int64(e.From.index))
		v.from[sid] = append(v.from[sid], int64(e.To.index))
		v.to[e.To.index] = append(v.to[e.To.index], sid)
	}
	return v
}

// assumedScale is one more than the most steps a loopless path can take.
func (v *stepView) assumedScale() float64 { return float64(len(v.g.edges) + 1) }

func (v *stepView) valid(id int64) bool { return id >= 0 && id < int64(len(v.from)) }

func (v *stepView) Node(id int64) gonum.Node {
	if !v.valid(id) {
		return nil
	}
	return simple.Node(id)
}

func (v *stepView) Nodes() gonum.Nodes {
	ns := make([]gonum.Node, len(v.from))
	for i := range ns {
		ns[i] = simple.Node(int64(i))
	}
	return iterator.NewOrderedNodes(ns)
}

func (v *stepView) nodes(ids []int64) gonum.Nodes {
	if len(ids) == 0 {
		return gonum.Empty
	}
	ns := make([]gonum.Node, len(ids))
	for i, id := range ids {
		ns[i] = simple.Node(id)
	}
	return iterator.NewOrderedNodes(ns)
}

func (v *stepView) From(id int64) gonum.Nodes {
	if !v.valid(id) {
		return gonum.Empty
	}
	return v.nodes(v.from[id])
}

func (v *stepView) To(id int64) gonum.Nodes {
	if !v.valid(id) {
		return gonum.Empty
	}
	return v.nodes(v.to[id])
}

// HasEdgeFromTo answers from the step's own ends: a node that takes many
// steps (a hub identity) was read whole per question, and gonum asks for
// every weight.
func (v *stepView) HasEdgeFromTo(uid, vid int64) bool {
	if !v.valid(uid) || !v.valid(vid) {
		return false
	}
	n := int64(len(v.g.nodes))
	switch {
	case uid < n && vid >= n: // identity → the step it takes
		return int64(v.g.edges[vid-n].From.index) == uid
	case uid >= n && vid < n: // step → the identity it leads to
		return int64(v.g.edges[uid-n].To.index) == vid
	}
	return false
}

func (v *stepView) HasEdgeBetween(xid, yid int64) bool {
	return v.HasEdgeFromTo(xid, yid) || v.HasEdgeFromTo(yid, xid)
}

func (v *stepView) Edge(uid, vid int64) gonum.Edge {
	if !v.HasEdgeFromTo(uid, vid) {
		return nil
	}
	w, _ := v.Weight(uid, vid)
	return simple.WeightedEdge{F: simple.Node(uid), T: simple.Node(vid), W: w}
}

// Weight: entering a step costs its hops, leaving it costs nothing. A hop
// weighs more than every assumed step a loopless path can hold together
// (assumedScale), and an assumed step adds 1: paths come fewest hops first,
// then fewest assumed steps. The sums are small integers, exact in float64;
// without assumed steps every weight is hops × assumedScale, which orders
// paths and breaks ties exactly as hops alone do.
func (v *stepView) Weight(xid, yid int64) (float64, bool) {
	if xid == yid {
		return 0, true
	}
	if !v.HasEdgeFromTo(xid, yid) {
		return math.Inf(1), false
	}
	n := int64(len(v.g.nodes))
	if yid >= n {
		e := v.g.edges[yid-n]
		return float64(e.Hops)*v.assumedScale() + float64(assumedCost(e)), true
	}
	return 0, true
}

// KShortestPaths returns up to k loopless paths from one node to another,
// fewest hops first (Yen's algorithm), keeping those of at most maxHops hops
// (maxHops < 0: no limit). Parallel steps through different bindings are
// different paths.
func (g *Graph) KShortestPaths(from, to *Node, k, maxHops int) [][]*Edge {
	if from == nil || to == nil || k <= 0 {
		return nil
	}
	v := newStepView(g)
	raw := path.YenKShortestPaths(v, k, math.Inf(1), simple.Node(int64(from.index)), simple.Node(int64(to.index)))
	n := int64(len(g.nodes))
	var out [][]*Edge
	for _, p := range raw {
		var edges []*Edge
		for _, node := range p {
			if id := node.ID(); id >= n {
				edges = append(edges, g.edges[id-n])
			}
		}
		if maxHops >= 0 && Hops(edges) > maxHops {
			continue
		}
		out = append(out, edges)
	}
	return out
}
