package risk

import (
	"strings"
	"testing"

	rbacv1 "k8s.io/api/rbac/v1"

	"github.com/auth-paths/kubectl-auth-paths/graph"
	"github.com/auth-paths/kubectl-auth-paths/pkg/model"
)

// userWith returns an inventory where User "u" holds the rules cluster-wide,
// plus the given objects.
func userWith(rules []rbacv1.PolicyRule, inv *model.Inventory) *model.Inventory {
	inv.ClusterRoles = append(inv.ClusterRoles, &model.ClusterRole{Meta: model.Meta{Name: "r"}, Rules: rules})
	inv.ClusterRoleBindings = append(inv.ClusterRoleBindings, &model.Binding{Meta: model.Meta{Name: "r"}, Kind: model.KindClusterRoleBinding,
		RoleRef:  rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: "r"},
		Subjects: []rbacv1.Subject{{APIGroup: rbacv1.GroupName, Kind: rbacv1.UserKind, Name: "u"}}})
	return inv
}

// held returns "primitive→target" of the user's candidates that hold, and the
// Why of those that do not.
func held(a *Analysis, prim string) (holds, fails []string) {
	for _, c := range a.Candidates(userKey("u")) {
		if c.Primitive != prim {
			continue
		}
		if c.Holds {
			holds = append(holds, pickedKeys(a, c.To)...)
		} else {
			fails = append(fails, c.Why)
		}
	}
	return holds, fails
}

// pickedKeys are the keys of what a step's target gives: a shared scope's
// 0-hop picks, else the target itself.
func pickedKeys(a *Analysis, to *graph.Node) []string {
	if to.Kind != graph.KindScope || a.Graph.Node(to.Key) == nil {
		return []string{to.Key}
	}
	var out []string
	for _, e := range a.Graph.From(to) {
		if e.Hops == 0 {
			out = append(out, e.To.Key)
		}
	}
	if len(out) == 0 {
		return []string{to.Key}
	}
	return out
}

func TestNodeProxyVerbsAndSubresources(t *testing.T) {
	objects := func() *model.Inventory {
		return &model.Inventory{
			Nodes: []*model.Node{
				{Meta: model.Meta{Name: "cp", Labels: map[string]string{"node-role.kubernetes.io/control-plane": ""}}},
				{Meta: model.Meta{Name: "w1"}},
			},
			ServiceAccounts: []*model.ServiceAccount{{Meta: model.Meta{Namespace: "ns", Name: "app"}}, {Meta: model.Meta{Namespace: "ns", Name: "off"}}},
			Pods: []*model.Pod{
				{Meta: model.Meta{Namespace: "ns", Name: "app"}, Spec: model.PodSpec{ServiceAccountName: "app", NodeName: "w1"}, Phase: "Running"},
				{Meta: model.Meta{Namespace: "ns", Name: "done"}, Spec: model.PodSpec{ServiceAccountName: "app", NodeName: "w1"}, Phase: "Succeeded"},
				{Meta: model.Meta{Namespace: "ns", Name: "off"}, Spec: model.PodSpec{ServiceAccountName: "off", NodeName: "w1", AutomountServiceAccountToken: new(bool)}, Phase: "Running"},
			},
		}
	}
	for _, tc := range []struct {
		name  string
		rule  rbacv1.PolicyRule
		holds []string
		fails int
	}{
		{"get proxy", rbacv1.PolicyRule{APIGroups: []string{""}, Resources: []string{"nodes/proxy"}, Verbs: []string{"get"}},
			[]string{"cluster-admin", "ServiceAccount:ns:app"}, 0},
		{"create proxy", rbacv1.PolicyRule{APIGroups: []string{""}, Resources: []string{"nodes/proxy"}, Verbs: []string{"create"}},
			[]string{"cluster-admin", "ServiceAccount:ns:app"}, 0},
		{"proxy on the worker only", rbacv1.PolicyRule{APIGroups: []string{""}, Resources: []string{"nodes/proxy"}, Verbs: []string{"get"}, ResourceNames: []string{"w1"}},
			[]string{"ServiceAccount:ns:app"}, 0},
		{"*/proxy covers nodes/proxy", rbacv1.PolicyRule{APIGroups: []string{""}, Resources: []string{"*/proxy"}, Verbs: []string{"get"}},
			[]string{"cluster-admin", "ServiceAccount:ns:app"}, 0},
		// RBAC's ResourceMatches knows "*" and "*/subresource", not "resource/*".
		{"nodes/* is not a wildcard", rbacv1.PolicyRule{APIGroups: []string{""}, Resources: []string{"nodes/*"}, Verbs: []string{"get"}},
			nil, 0},
		{"list proxy is not a kubelet verb", rbacv1.PolicyRule{APIGroups: []string{""}, Resources: []string{"nodes/proxy"}, Verbs: []string{"list", "watch"}},
			nil, 0},
		{"nodes without subresource", rbacv1.PolicyRule{APIGroups: []string{""}, Resources: []string{"nodes"}, Verbs: []string{"*"}},
			nil, 0},
		{"metrics and stats", rbacv1.PolicyRule{APIGroups: []string{""}, Resources: []string{"nodes/metrics", "nodes/stats"}, Verbs: []string{"get"}},
			nil, 2},
		{"fine-grained kubelet subresources", rbacv1.PolicyRule{APIGroups: []string{""}, Resources: []string{"nodes/pods", "nodes/healthz", "nodes/configz", "nodes/log", "nodes/spec"}, Verbs: []string{"get"}},
			nil, 2},
	} {
		a := Analyze(userWith([]rbacv1.PolicyRule{tc.rule}, objects()), Options{KeepCandidates: true})
		holds, fails := held(a, "node-proxy")
		if strings.Join(holds, ",") != strings.Join(tc.holds, ",") {
			t.Errorf("%s: edges to %v, want %v", tc.name, holds, tc.holds)
		}
		if len(fails) != tc.fails {
			t.Errorf("%s: %d failed candidates %q, want %d", tc.name, len(fails), fails, tc.fails)
		}
	}
}
