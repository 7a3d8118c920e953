package graph

// EdgeMask counts, per edge of a frozen graph, the reasons it is left out
// of a search (each binding on it that is gone): a skip that is an array
// read, for callers that search one graph many times as edges go and come
// back (the choke-point cover's cut). The graph must not change while the
// mask is used.
type EdgeMask struct {
	g       *Graph
	freezes int // the graph's when the mask was made
	out     []int32
}

// NewEdgeMask returns a mask that leaves no edge out.
func (g *Graph) NewEdgeMask() *EdgeMask {
	g.Freeze()
	return &EdgeMask{g: g, freezes: g.freezes, out: make([]int32, len(g.edges))}
}

// Add leaves e out once more.
func (m *EdgeMask) Add(e *Edge) { m.out[m.at(e)]++ }

// Remove takes back one Add of e.
func (m *EdgeMask) Remove(e *Edge) {
	if i := m.at(e); m.out[i] > 0 {
		m.out[i]--
	}
}

// Has reports whether e is left out: a skip for ReachWithout and
// ShortestToWithout. It is called once per edge per search, so it checks
// only that the graph is the mask's as it was (Add and Remove, which take
// edges from the caller, also check that e is one of its edges: looking
// that up here was a tenth of a large cover's time, a cache miss per edge).
func (m *EdgeMask) Has(e *Edge) bool {
	if !m.g.frozen || m.g.freezes != m.freezes {
		panic("graph: EdgeMask of a graph that changed")
	}
	return m.out[e.index] > 0
}

func (m *EdgeMask) at(e *Edge) int32 {
	if !m.g.frozen || m.g.freezes != m.freezes || int(e.index) >= len(m.g.edges) || m.g.edges[e.index] != e {
		panic("graph: EdgeMask of another graph, or the graph changed")
	}
	return e.index
}
