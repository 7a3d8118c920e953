package review

import (
	"fmt"
	"slices"
	"testing"

	"github.com/auth-paths/kubectl-auth-paths/graph"
	"github.com/auth-paths/kubectl-auth-paths/pkg/risk"
)

func ordered(xs ...string) *orderedSet {
	s := &orderedSet{}
	for _, x := range xs {
		s.add(x)
	}
	return s
}

func names(prefix string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("%s%02d", prefix, i)
	}
	return out
}

// TestJoined: a fix names a binding's own targets first, then its scopes'
// that it has not already, at most maxNamed of them, and counts the rest.
func TestJoined(t *testing.T) {
	tests := []struct {
		name      string
		own, more []string
		want      string
		total     int
	}{
		{"nothing", nil, nil, "", 0},
		{"own only", []string{"a", "b"}, nil, "a, b", 2},
		{"own first, then the scopes' not already named", []string{"b", "x"}, []string{"a", "b", "c"}, "b, x, a, c", 4},
		{"exactly maxNamed: no count", names("n", maxNamed), nil, joinNames(names("n", maxNamed)), maxNamed},
		{"more than maxNamed: the rest counted", names("o", 3), names("m", 20), joinNames(append(names("o", 3), names("m", maxNamed-3)...)) + " and 13 more", 23},
		{"the count leaves out what both have", names("m", 12), names("m", 15), joinNames(names("m", maxNamed)) + " and 5 more", 15},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			j := joined{ordered(tc.own...), ordered(tc.more...)}
			if got := j.String(); got != tc.want {
				t.Errorf("String() = %q, want %q", got, tc.want)
			}
			if got := j.total(); got != tc.total {
				t.Errorf("total() = %d, want %d", got, tc.total)
			}
			for _, x := range append(tc.own, tc.more...) {
				if !j.has(x) {
					t.Errorf("has(%q) = false", x)
				}
			}
			if j.has("absent") {
				t.Error(`has("absent") = true`)
			}
		})
	}
}

func joinNames(xs []string) string {
	return (&joined{ordered(xs...), ordered()}).String()
}

// TestScopePicks: what a shared scope's picks lead on to, made once per
// sequence of scopes; a pick that cannot reach cluster-admin is not named,
// nor a scope among them, and a scope without such a pick is not picked.
func TestScopePicks(t *testing.T) {
	g := graph.New()
	sink := g.Sink()
	any := scopeNode(g, "Scope:any ServiceAccount")
	dead := scopeNode(g, "Scope:nothing on")
	other := scopeNode(g, "Scope:other")
	x := g.AddNode(graph.Node{Key: "User:x", Kind: graph.KindUser, Name: "x"})
	var sas []*graph.Node
	for i := range 3 {
		sa := g.AddNode(graph.Node{Key: fmt.Sprintf("ServiceAccount:ns%d:sa", i), Kind: graph.KindServiceAccount, Namespace: fmt.Sprintf("ns%d", i), Name: "sa"})
		sas = append(sas, sa)
		g.AddEdge(graph.Edge{From: any, To: sa, Primitive: "pick-serviceaccount"})
		if i < 2 {
			g.AddEdge(graph.Edge{From: sa, To: sink, Hops: 1, Primitive: "impersonate"})
		}
	}
	g.AddEdge(graph.Edge{From: any, To: other, Primitive: "pick-scope"})
	g.AddEdge(graph.Edge{From: other, To: sas[0], Primitive: "pick-serviceaccount"})
	g.AddEdge(graph.Edge{From: dead, To: sas[2], Primitive: "pick-serviceaccount"})
	g.AddEdge(graph.Edge{From: x, To: any, Hops: 1, Primitive: "impersonate"})
	g.AddEdge(graph.Edge{From: x, To: dead, Hops: 1, Primitive: "impersonate"})
	g.AddEdge(graph.Edge{From: x, To: other, Hops: 1, Primitive: "impersonate"})
	g.Freeze()
	tree := g.ShortestTo(sink)
	in := &fixInputs{tokens: map[nsName][]string{{"ns1", "sa"}: {"ns1/sa-token"}}}
	sp := newScopePicks(g, tree, in)

	edges := g.From(x)
	picked := sp.picked(edges)
	if len(picked) != 2 || !slices.Contains(picked, any) || !slices.Contains(picked, other) {
		t.Fatalf("picked = %v, want the scope of any ServiceAccount and the other scope, not the one whose pick does not reach", keysOf(picked))
	}
	got := sp.targets(picked)
	if want := []string{"ServiceAccount:ns0:sa", "ServiceAccount:ns1:sa"}; fmt.Sprint(got.names.list) != fmt.Sprint(want) {
		t.Errorf("names = %v, want %v (the picked scope itself is not named)", got.names.list, want)
	}
	if want := []string{"ns0", "ns1"}; fmt.Sprint(got.namespaces.list) != fmt.Sprint(want) {
		t.Errorf("namespaces = %v, want %v", got.namespaces.list, want)
	}
	if want := []string{"ns1/sa-token"}; fmt.Sprint(got.secrets.list) != fmt.Sprint(want) {
		t.Errorf("secrets = %v, want %v", got.secrets.list, want)
	}
	if again := sp.targets(picked); again != got {
		t.Error("the same scopes were looked at twice")
	}
	if one := sp.targets(picked[:1]); one == got || !one.names.has[risk.NodeName(other)] {
		t.Errorf("the scope of any ServiceAccount alone: names %v, want its picks, the other scope among them", one.names.list)
	}
}

func keysOf(ns []*graph.Node) []string {
	var out []string
	for _, n := range ns {
		out = append(out, n.Key)
	}
	return out
}
