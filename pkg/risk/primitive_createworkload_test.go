package risk

import (
	"slices"
	"strings"
	"testing"

	rbacv1 "k8s.io/api/rbac/v1"

	"github.com/auth-paths/kubectl-auth-paths/pkg/model"
)

// TestCreateByNameOnly: a rule bound cluster-wide that names pods never
// allows a create (the pod has no name yet); the principal creates pods in
// the namespaces of its own rules only, and explain still says why not
// elsewhere. A scan no longer visits the other namespaces for it.
func TestCreateByNameOnly(t *testing.T) {
	named := core([]string{"create"}, "pods")
	named.ResourceNames = []string{"x"}
	world := func(clusterWide ...rbacv1.PolicyRule) *model.Inventory {
		inv := &model.Inventory{
			Namespaces:      []*model.Namespace{{Meta: model.Meta{Name: "a"}}, {Meta: model.Meta{Name: "b"}}},
			ServiceAccounts: []*model.ServiceAccount{{Meta: model.Meta{Namespace: "a", Name: "bot"}}, {Meta: model.Meta{Namespace: "b", Name: "bot"}}},
			Roles:           []*model.Role{{Meta: model.Meta{Namespace: "a", Name: "maker"}, Rules: []rbacv1.PolicyRule{core([]string{"create"}, "pods")}}},
			RoleBindings: []*model.Binding{{Meta: model.Meta{Namespace: "a", Name: "maker"}, Kind: model.KindRoleBinding,
				RoleRef:  rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "Role", Name: "maker"},
				Subjects: []rbacv1.Subject{{APIGroup: rbacv1.GroupName, Kind: rbacv1.UserKind, Name: "u"}}}},
		}
		return userWith(clusterWide, inv)
	}
	for _, tc := range []struct {
		name  string
		rules []rbacv1.PolicyRule
		holds []string // the create-workload steps' picks
		why   string   // a failed step explain keeps
	}{
		{name: "by name cluster-wide, in a namespace", rules: []rbacv1.PolicyRule{named},
			holds: []string{"ServiceAccount:a:bot"}, why: "in b only with resourceNames [x], which never match a create"},
		{name: "any name cluster-wide", rules: []rbacv1.PolicyRule{core([]string{"create"}, "pods")},
			holds: []string{"ServiceAccount:a:bot", "ServiceAccount:b:bot"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			edges := func(a *Analysis) []string {
				var out []string
				for _, e := range a.Graph.Edges() {
					out = append(out, e.From.Key+" "+e.Primitive+" "+e.To.Key+" "+e.When())
				}
				return out
			}
			scan, explain := Analyze(world(tc.rules...), Options{}), Analyze(world(tc.rules...), Options{KeepCandidates: true})
			if a, b := edges(scan), edges(explain); !slices.Equal(a, b) {
				t.Errorf("the scan's graph differs from explain's:\n%q\n%q", a, b)
			}
			steps, fails := held(explain, "create-workload")
			var holds []string
			for _, k := range steps {
				holds = append(holds, picksThrough(explain, k)...)
			}
			slices.Sort(holds)
			if holds = slices.Compact(holds); !slices.Equal(holds, tc.holds) {
				t.Errorf("reached %v, want %v", holds, tc.holds)
			}
			if tc.why != "" && !slices.ContainsFunc(fails, func(f string) bool { return strings.Contains(f, tc.why) }) {
				t.Errorf("failed steps %q, want one containing %q", fails, tc.why)
			}
		})
	}
}
