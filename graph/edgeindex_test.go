package graph

import (
	"fmt"
	"math/rand"
	"strings"
	"testing"
)

func TestCompareJoined(t *testing.T) {
	cases := []struct {
		a, b []string
		want int
	}{
		{nil, nil, 0},
		{nil, []string{""}, 0},
		{[]string{"a"}, []string{"a"}, 0},
		{[]string{"a"}, []string{"b"}, -1},
		{[]string{"a", "b"}, []string{"a"}, 1},
		{[]string{"a"}, []string{"ab"}, -1},
		{[]string{"a", "b"}, []string{"ab"}, -1},
		{[]string{"a\x00"}, []string{"a", "b"}, -1},
		{[]string{"a\x01b"}, []string{"a", "b"}, 0},
		{[]string{"a\x02"}, []string{"a", "b"}, 1},
		{[]string{"x", "a"}, []string{"x", "a", ""}, -1},
	}
	for _, c := range cases {
		if got := compareJoined(c.a, c.b); got != c.want {
			t.Errorf("compareJoined(%q, %q) = %d, want %d", c.a, c.b, got, c.want)
		}
	}
	// Against joining, on lists of short strings over a small alphabet.
	r := rand.New(rand.NewSource(1))
	list := func() []string {
		out := make([]string, r.Intn(4))
		for i := range out {
			b := make([]byte, r.Intn(3))
			for j := range b {
				b[j] = "\x00\x01\x02ab"[r.Intn(5)]
			}
			out[i] = string(b)
		}
		return out
	}
	for range 20000 {
		a, b := list(), list()
		if got, want := compareJoined(a, b), strings.Compare(strings.Join(a, "\x01"), strings.Join(b, "\x01")); got != want {
			t.Fatalf("compareJoined(%q, %q) = %d, want %d", a, b, got, want)
		}
	}
}

// TestEdgeHashClash gives different edges one hash, and others hashes that
// share their low half or the slot they start from: each is still found
// under its own key, and a key not stored is not found.
func TestEdgeHashClash(t *testing.T) {
	g := New()
	u, v := g.AddNode(Node{Key: "User:u"}), g.AddNode(Node{Key: "User:v"})
	g.index()
	edge := func(grants ...string) *Edge {
		return &Edge{From: u, To: v, Primitive: "p", Provenance: &Provenance{GrantedBy: grants}}
	}
	stored := []struct {
		h uint64
		e *Edge
	}{
		{7, edge("x", "y")},
		{7, edge("x\x01y")},
		{7 | 1<<40, edge("z")},    // same low half, another high half
		{7 + minSlots, edge("w")}, // same first slot, another low half
		{8, edge("q")},
	}
	// Enough more to make the table grow twice with the others in it.
	for i := range 3 * minSlots {
		stored = append(stored, struct {
			h uint64
			e *Edge
		}{uint64(i % 5), edge(fmt.Sprint("many", i))})
	}
	for i, s := range stored {
		g.edges = append(g.edges, s.e)
		g.remember(s.h, i)
	}
	for i, s := range stored {
		probe := *s.e // an equal key, not the stored edge
		if got := g.find(s.h, &probe); got != s.e {
			t.Fatalf("find(edge %d %q) = %v, want the stored one", i, s.e.GrantedBy(), got)
		}
	}
	if got := g.find(7, &Edge{From: v, To: u, Primitive: "p"}); got != nil {
		t.Errorf("find(other) = %v, want nil", got)
	}
	if got := g.find(9, stored[0].e); got != nil {
		t.Errorf("find under another hash = %v, want nil", got)
	}
	if g.seen.n != len(stored) || len(g.seen.slots) < minSlots*4 {
		t.Errorf("index holds %d in %d slots, want %d in at least %d", g.seen.n, len(g.seen.slots), len(stored), minSlots*4)
	}
}

// TestAddEdgeAfterFreeze: Freeze drops the de-duplication index; an edge
// added after it is still de-duplicated.
func TestAddEdgeAfterFreeze(t *testing.T) {
	g := New()
	u := g.AddNode(Node{Key: "User:u"})
	g.AddEdge(Edge{From: u, To: g.Sink(), Primitive: "p", Condition: "z", Provenance: &Provenance{GrantedBy: []string{"a", "b"}}})
	g.Freeze()
	g.AddEdge(Edge{From: u, To: g.Sink(), Primitive: "p", Condition: "y", Provenance: &Provenance{GrantedBy: []string{"a", "b"}}})
	g.AddEdge(Edge{From: u, To: g.Sink(), Primitive: "q"})
	if es := g.Edges(); len(es) != 2 || es[0].Condition != "y" || es[1].Primitive != "q" {
		t.Fatalf("edges after Freeze: %+v", es)
	}
	if out := g.From(u); len(out) != 2 {
		t.Errorf("From(u) has %d edges, want 2", len(out))
	}
}
