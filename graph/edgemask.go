package graph

// EdgeMask counts, per edge of a frozen graph, the reasons it is left out
// of a search (each binding on it that is gone): a skip that is an array
// read, for callers that search one graph many times as edges go and come
// back (the choke-point cover's cut). The graph must not change while the
// mask is used.
type EdgeMask struct {
	g   *Graph
	out []int32
}

// NewEdgeMask returns a mask that leaves no edge out.
func (g *Graph) NewEdgeMask() *EdgeMask {
	g.Freeze()
	return &EdgeMask{g: g, out: make([]int32, len(g.edges))}
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
// ShortestToWithout.
func (m *EdgeMask) Has(e *Edge) bool { return m.out[m.at(e)] > 0 }

func (m *EdgeMask) at(e *Edge) int32 {
	if int(e.index) >= len(m.g.edges) || m.g.edges[e.index] != e {
		panic("graph: EdgeMask of another graph, or the graph changed")
	}
	return e.index
}
