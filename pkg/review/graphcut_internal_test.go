package review

import (
	"slices"
	"testing"

	"github.com/auth-paths/kubectl-auth-paths/graph"
)

// TestGraphCut: the bindings graphCut picks cut the identities on the
// graph, each is needed, and none is protected.
func TestGraphCut(t *testing.T) {
	type step struct {
		from, to string
		hops     int
		bindings []string
	}
	const sink = graph.SinkKey
	tests := []struct {
		name      string
		steps     []step
		keys      []string
		protected []string
		want      []string
	}{
		{
			name: "binding-disjoint paths: one binding each",
			steps: []step{
				{"User:x", "Scope:a", 1, []string{"RoleBinding/a/x"}},
				{"User:x", "Scope:b", 1, []string{"RoleBinding/b/x"}},
				{"Scope:a", sink, 1, nil},
				{"Scope:b", sink, 1, nil},
			},
			keys: []string{"User:x"},
			want: []string{"RoleBinding/a/x", "RoleBinding/b/x"},
		},
		{
			name: "the binding shared by most shortest paths first",
			steps: []step{
				{"User:x", "Scope:s", 1, []string{"RoleBinding/s/x"}},
				{"User:y", "Scope:s", 1, []string{"RoleBinding/s/y"}},
				{"Scope:s", sink, 1, []string{"ClusterRoleBinding/shared"}},
			},
			keys: []string{"User:x", "User:y"},
			want: []string{"ClusterRoleBinding/shared"},
		},
		{
			name: "a path no binding grants: nothing to pick, the binding on the shorter path is not kept",
			steps: []step{
				{"User:z", "Node:n", 1, []string{"RoleBinding/a/z"}},
				{"Node:n", sink, 0, nil},
				{"User:z", "Scope:c", 1, nil},
				{"Scope:c", "Scope:d", 1, nil},
				{"Scope:d", sink, 1, nil},
			},
			keys: []string{"User:z"},
			want: nil,
		},
		{
			name: "a protected binding is never picked; the other identity is still cut",
			steps: []step{
				{"User:p", sink, 1, []string{"ClusterRoleBinding/admins"}},
				{"User:q", sink, 1, []string{"RoleBinding/q/q"}},
			},
			keys:      []string{"User:p", "User:q"},
			protected: []string{"ClusterRoleBinding/admins"},
			want:      []string{"RoleBinding/q/q"},
		},
		{
			name: "a pick made redundant by a later one is dropped",
			steps: []step{
				// The shortest path has two bindings; the tie goes to the
				// first by name, which the longer path's binding makes redundant.
				{"User:x", "Scope:a", 1, []string{"RoleBinding/a/first"}},
				{"Scope:a", sink, 1, []string{"RoleBinding/z/last"}},
				{"User:x", "Scope:b", 1, nil},
				{"Scope:b", "Scope:c", 1, nil},
				{"Scope:c", sink, 1, []string{"RoleBinding/z/last"}},
			},
			keys: []string{"User:x"},
			want: []string{"RoleBinding/z/last"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			g := graph.New()
			for _, s := range tc.steps {
				g.AddEdge(graph.Edge{From: scopeNode(g, s.from), To: scopeNode(g, s.to), Primitive: "step", Hops: s.hops, Provenance: &graph.Provenance{Bindings: s.bindings}})
			}
			protected := map[string]bool{}
			for _, b := range tc.protected {
				protected[b] = true
			}
			if got := graphCut(g, tc.keys, nil, protected); !slices.Equal(got, tc.want) {
				t.Errorf("graphCut = %v, want %v", got, tc.want)
			}
		})
	}
}

// TestAddUnreaching: the nodes of a re-analysis that do not reach
// cluster-admin are added to what the next one need not evaluate; those
// that do, and what was there before, are kept as they are.
func TestAddUnreaching(t *testing.T) {
	const sink = graph.SinkKey
	tests := []struct {
		name  string
		steps [][2]string
		dead  []string // before
		want  []string
	}{
		{
			name:  "a dead end and what only steps to it",
			steps: [][2]string{{"User:a", "Scope:s"}, {"Scope:s", sink}, {"User:b", "Scope:t"}, {"User:c", "User:b"}},
			want:  []string{"Scope:t", "User:b", "User:c"},
		},
		{
			name:  "a node with one way out of several still reaches",
			steps: [][2]string{{"User:a", "Scope:t"}, {"User:a", "Scope:s"}, {"Scope:s", sink}},
			want:  []string{"Scope:t"},
		},
		{
			name:  "what was dead before stays dead, even if absent now",
			steps: [][2]string{{"User:a", sink}},
			dead:  []string{"User:z"},
			want:  []string{"User:z"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			g := graph.New()
			for _, s := range tc.steps {
				g.AddEdge(graph.Edge{From: scopeNode(g, s[0]), To: scopeNode(g, s[1]), Primitive: "step", Hops: 1})
			}
			dead := map[string]bool{}
			for _, k := range tc.dead {
				dead[k] = true
			}
			addUnreaching(dead, g)
			if got := sortedKeys(dead); !slices.Equal(got, tc.want) {
				t.Errorf("dead = %v, want %v", got, tc.want)
			}
		})
	}
}

// scopeNode returns the node of key in g, made as a scope the first time
// (the sink for graph.SinkKey).
func scopeNode(g *graph.Graph, key string) *graph.Node {
	if key == graph.SinkKey {
		return g.Sink()
	}
	return g.AddNode(graph.Node{Key: key, Kind: graph.KindScope, Name: key})
}
