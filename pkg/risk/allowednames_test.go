package risk

import (
	"slices"
	"testing"

	rbacv1 "k8s.io/api/rbac/v1"

	"github.com/auth-paths/kubectl-auth-paths/graph"
	"github.com/auth-paths/kubectl-auth-paths/pkg/rbac"
)

// TestAllowedNames: the names allowedNames returns are exactly those First
// allows the request for, or every name; rules of other namespaces, verbs
// or resources, and a rule naming only "", add none.
func TestAllowedNames(t *testing.T) {
	rule := func(ns string, verbs, resources, names []string) rbac.BoundRule {
		return rbac.BoundRule{Namespace: ns, Rule: &rbacv1.PolicyRule{Verbs: verbs, APIGroups: []string{""}, Resources: resources, ResourceNames: names}}
	}
	imp := []string{"impersonate"}
	tests := []struct {
		name  string
		rules []rbac.BoundRule
		want  []string
		all   bool
	}{
		{name: "no rule", want: nil},
		{name: "names of two rules, sorted, once each", rules: []rbac.BoundRule{
			rule("", imp, []string{"users"}, []string{"carol", "alice"}),
			rule("", []string{"*"}, []string{"users", "groups"}, []string{"bob", "alice"}),
		}, want: []string{"alice", "bob", "carol"}},
		{name: "a rule without names allows every name", rules: []rbac.BoundRule{
			rule("", imp, []string{"users"}, []string{"alice"}),
			rule("", imp, []string{"*"}, nil),
		}, all: true},
		{name: "other verbs, resources and namespaces name no one", rules: []rbac.BoundRule{
			rule("", []string{"get"}, []string{"users"}, []string{"dave"}),
			rule("", imp, []string{"groups"}, []string{"erin"}),
			rule("team", imp, []string{"users"}, nil),
			rule("team", imp, []string{"users"}, []string{"frank"}),
			rule("", imp, []string{"users"}, []string{""}),
		}, want: nil},
		{name: "a rule without names for another verb does not allow every name", rules: []rbac.BoundRule{
			rule("", []string{"get"}, []string{"users"}, nil),
			rule("", imp, []string{"users"}, []string{"gina"}),
		}, want: []string{"gina"}},
	}
	pool := []string{"alice", "bob", "carol", "dave", "erin", "frank", "gina", "nobody", ""}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := &Principal{Rules: tc.rules}
			req := res("impersonate", "", "users", "", "", "")
			got, all := allowedNames(p, req)
			if all != tc.all || !slices.Equal(got, tc.want) {
				t.Fatalf("allowedNames = %v, all %v; want %v, all %v", got, all, tc.want, tc.all)
			}
			for _, n := range pool {
				r := req
				r.Name = n
				_, ok := p.First(r)
				if in := all || slices.Contains(got, n); n != "" && ok != in {
					t.Errorf("First allows %q: %v, but allowedNames says %v", n, ok, in)
				}
			}
		})
	}
}

// TestNamedNodes: the nodes of a key-sorted list named by the names, in the
// list's order; names without a node are left out.
func TestNamedNodes(t *testing.T) {
	var list []*graph.Node
	for _, n := range []string{"a", "b", "c", "d"} {
		list = append(list, &graph.Node{Key: userKey(n), Name: n})
	}
	var got []string
	for _, n := range namedNodes(list, userKey, []string{"a", "c", "missing", "zz"}) {
		got = append(got, n.Name)
	}
	if want := []string{"a", "c"}; !slices.Equal(got, want) {
		t.Errorf("namedNodes = %v, want %v", got, want)
	}
	if got := namedNodes(list, groupKey, []string{"a"}); len(got) != 0 {
		t.Errorf("a name of another kind's key found %v", got)
	}
}
