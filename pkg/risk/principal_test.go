package risk

import (
	"testing"

	rbacv1 "k8s.io/api/rbac/v1"

	"github.com/auth-paths/kubectl-auth-paths/pkg/rbac"
)

// TestFirstAnyName: FirstAnyName takes only rules without resourceNames,
// in the authorizer's order, while First with an empty name also takes a
// rule naming "" (it allows requests without a name, as the authorizer does).
func TestFirstAnyName(t *testing.T) {
	impersonate := func(ns string, names ...string) rbac.BoundRule {
		return rbac.BoundRule{Namespace: ns, Rule: &rbacv1.PolicyRule{Verbs: []string{"impersonate"}, APIGroups: []string{""}, Resources: []string{"serviceaccounts"}, ResourceNames: names}}
	}
	for _, tc := range []struct {
		name     string
		rules    []rbac.BoundRule
		ns       string
		first    int // index of First's rule, -1 for none
		firstAny int // index of FirstAnyName's rule, -1 for none
	}{
		{"no names", []rbac.BoundRule{impersonate("")}, "", 0, 0},
		{"named empty", []rbac.BoundRule{impersonate("", "")}, "", 0, -1},
		{"named empty, then any name", []rbac.BoundRule{impersonate("", ""), impersonate("")}, "", 0, 1},
		{"named", []rbac.BoundRule{impersonate("", "bot")}, "", -1, -1},
		{"namespaced rule, cluster-wide request", []rbac.BoundRule{impersonate("ci")}, "", -1, -1},
		{"namespaced rule, its namespace", []rbac.BoundRule{impersonate("ci", "bot"), impersonate("ci")}, "ci", 1, 1},
		{"other namespace", []rbac.BoundRule{impersonate("ci")}, "prod", -1, -1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := &Principal{Rules: tc.rules}
			req := res("impersonate", "", "serviceaccounts", "", tc.ns, "")
			check := func(what string, br rbac.BoundRule, ok bool, want int) {
				t.Helper()
				if want < 0 {
					if ok {
						t.Errorf("%s: allowed by %+v, want no rule", what, br.Rule)
					}
					return
				}
				if !ok || br.Namespace != tc.rules[want].Namespace || len(br.Rule.ResourceNames) != len(tc.rules[want].Rule.ResourceNames) || br.Request == nil {
					t.Errorf("%s: %+v, %v; want rule %d with its request", what, br, ok, want)
				}
			}
			br, ok := p.First(req)
			check("First", br, ok, tc.first)
			br, ok = p.FirstAnyName(req)
			check("FirstAnyName", br, ok, tc.firstAny)
		})
	}
}
