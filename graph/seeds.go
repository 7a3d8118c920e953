package graph

import (
	"slices"
	"strings"
)

// Seeds are nodes that many graphs hold without making them: each choke
// point verification re-analyses the input with every identity of it, and
// making 50k nodes (and a map of their keys) per re-analysis, to evaluate a
// few principals, was most of its cost. A graph seeded with them makes a
// seed's node the first time it is asked for by key (Node, AddNode), so
// that a seed never asked for is a node without steps that no listing
// shows; Materialize makes them all.
type Seeds struct {
	nodes []Node
	index map[string]int32
}

// NewSeeds indexes nodes (of distinct keys) once; they must not change
// afterwards.
func NewSeeds(nodes []Node) *Seeds {
	s := &Seeds{nodes: nodes, index: make(map[string]int32, len(nodes))}
	for i := range nodes {
		s.index[nodes[i].Key] = int32(i)
	}
	return s
}

// Index returns the index of the seed of key.
func (s *Seeds) Index(key string) (int32, bool) {
	i, ok := s.index[key]
	return i, ok
}

// Seed makes g hold the seeds' nodes but those whose index gone holds.
func (g *Graph) Seed(s *Seeds, gone map[int32]bool) {
	g.seeds, g.seedsGone = s, gone
}

// seedNode makes the node of a seed's key the first time it is asked for;
// nil when key is no seed of g.
func (g *Graph) seedNode(key string) *Node {
	if g.seeds == nil {
		return nil
	}
	i, ok := g.seeds.index[key]
	if !ok || g.seedsGone[i] {
		return nil
	}
	return g.AddNode(g.seeds.nodes[i])
}

// Materialize makes the node of every seed not yet made, and returns
// every seed's node in key order.
func (g *Graph) Materialize() []*Node {
	if g.seeds == nil {
		return nil
	}
	out := make([]*Node, 0, len(g.seeds.nodes))
	for i := range g.seeds.nodes {
		if g.seedsGone[int32(i)] {
			continue
		}
		out = append(out, g.AddNode(g.seeds.nodes[i])) // the node made before, if any
	}
	slices.SortFunc(out, func(a, b *Node) int { return strings.Compare(a.Key, b.Key) })
	return out
}
