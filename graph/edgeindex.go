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

// hash hashes e's de-duplication key (what sameKey compares) without
// building it.
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

// edgeIndex finds a stored edge by its de-duplication key while edges are
// added. It is a table of the edges' positions in Graph.edges, each with
// the low half of its key's hash, found by linear probing: 8 bytes a slot,
// where a map from hash to edge (and another for the hashes two keys
// share) took about 25 a slot; a large cluster's graph has millions of
// edges, all indexed at the analysis' peak. Freeze, which reorders the
// edges, drops it.
type edgeIndex struct {
	// slots hold uint32(hash)<<32 | position+1; 0 is empty.
	slots []uint64
	n     int
}

// minSlots is the size of a new index's table.
const minSlots = 64

// find returns the stored edge with e's key (h is its hash), or nil.
func (g *Graph) find(h uint64, e *Edge) *Edge {
	x := &g.seen
	if len(x.slots) == 0 {
		return nil
	}
	mask := uint64(len(x.slots) - 1)
	tag := h & 0xffffffff
	for i := h & mask; ; i = (i + 1) & mask {
		s := x.slots[i]
		if s == 0 {
			return nil
		}
		if s>>32 == tag {
			if old := g.edges[s&0xffffffff-1]; sameKey(old, e) {
				return old
			}
		}
	}
}

// remember indexes the stored edge at position pos of g.edges, whose key
// has hash h and is not indexed yet.
func (g *Graph) remember(h uint64, pos int) {
	x := &g.seen
	if (x.n+1)*4 > len(x.slots)*3 {
		x.grow()
	}
	x.put(h&0xffffffff<<32 | uint64(pos+1))
	x.n++
}

// put stores slot s in the first empty slot from its hash's.
func (x *edgeIndex) put(s uint64) {
	mask := uint64(len(x.slots) - 1)
	i := s >> 32 & mask
	for x.slots[i] != 0 {
		i = (i + 1) & mask
	}
	x.slots[i] = s
}

// grow doubles the table (the stored half of each hash places it again:
// the table never has 2^32 slots).
func (x *edgeIndex) grow() {
	old := x.slots
	x.slots = make([]uint64, max(minSlots, 2*len(old)))
	for _, s := range old {
		if s != 0 {
			x.put(s)
		}
	}
}

// index rebuilds the de-duplication index that Freeze dropped, for an edge
// added after it.
func (g *Graph) index() {
	g.seen = edgeIndex{slots: make([]uint64, minSlots)}
	for i, e := range g.edges {
		g.remember(g.hash(e), i)
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
