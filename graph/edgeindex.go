package graph

import (
	"hash/maphash"
	"strings"
)

// hashKey is the part of an edge's de-duplication key that maphash takes
// at once; further grants are hashed after it.
type hashKey struct {
	from, to  *Node
	primitive string
	grant     string
	grants    int
	hops      int
	assumed   bool
}

// hash hashes e's de-duplication key (see edgeKey) without building it.
func (g *Graph) hash(e *Edge) uint64 {
	k := hashKey{from: e.From, to: e.To, primitive: e.Primitive, grants: len(e.GrantedBy()), hops: e.Hops, assumed: e.Assumed}
	if len(e.GrantedBy()) > 0 {
		k.grant = e.GrantedBy()[0]
	}
	if len(e.GrantedBy()) < 2 {
		return maphash.Comparable(g.seed, k)
	}
	var h maphash.Hash
	h.SetSeed(g.seed)
	maphash.WriteComparable(&h, k)
	for _, s := range e.GrantedBy()[1:] {
		_, _ = h.WriteString(s)
		_ = h.WriteByte(0)
	}
	return h.Sum64()
}

// find returns the stored edge with e's key (h is its hash), or nil.
func (g *Graph) find(h uint64, e *Edge) *Edge {
	old, ok := g.seen[h]
	if !ok {
		return nil
	}
	if sameKey(old, e) {
		return old
	}
	return g.clash[e.key()]
}

// remember indexes a new stored edge under its hash h.
func (g *Graph) remember(h uint64, e *Edge) {
	if _, taken := g.seen[h]; !taken {
		g.seen[h] = e
		return
	}
	if g.clash == nil {
		g.clash = map[edgeKey]*Edge{}
	}
	g.clash[e.key()] = e
}

// index rebuilds the de-duplication index that Freeze dropped, for an edge
// added after it.
func (g *Graph) index() {
	g.seen = make(map[uint64]*Edge, len(g.edges))
	for _, e := range g.edges {
		g.remember(g.hash(e), e)
	}
}

// sameKey reports whether a and b have the same de-duplication key.
func sameKey(a, b *Edge) bool {
	if a.From != b.From || a.To != b.To || a.Primitive != b.Primitive || a.Hops != b.Hops || a.Assumed != b.Assumed || len(a.GrantedBy()) != len(b.GrantedBy()) {
		return false
	}
	for i := range a.GrantedBy() {
		if a.GrantedBy()[i] != b.GrantedBy()[i] {
			return false
		}
	}
	return true
}

// compareJoined compares strings.Join(a, "\x01") with strings.Join(b,
// "\x01"), joining nothing in the usual case: edges are sorted and
// de-duplicated by these lists millions of times.
func compareJoined(a, b []string) int {
	for i := 0; i < len(a) && i < len(b); i++ {
		if a[i] == b[i] {
			continue
		}
		// Everything before element i is the same; its first differing
		// byte decides, unless one element is a prefix of the other.
		x, y := a[i], b[i]
		if n := min(len(x), len(y)); x[:n] != y[:n] {
			return strings.Compare(x[:n], y[:n])
		}
		return strings.Compare(strings.Join(a[i:], "\x01"), strings.Join(b[i:], "\x01"))
	}
	switch {
	case len(a) == len(b):
		return 0
	case len(a) == 0 || len(b) == 0:
		// No list and a list of one empty string join alike.
		return strings.Compare(strings.Join(a, "\x01"), strings.Join(b, "\x01"))
	case len(a) < len(b):
		return -1
	}
	return 1
}

// adjacency returns one empty list per node, each with room for its count
// of edges, cut from one array.
func adjacency(counts []int) [][]*Edge {
	total := 0
	for _, c := range counts {
		total += c
	}
	all := make([]*Edge, 0, total)
	lists := make([][]*Edge, len(counts))
	for i, c := range counts {
		lists[i] = all[len(all) : len(all) : len(all)+c]
		all = all[:len(all)+c]
	}
	return lists
}
