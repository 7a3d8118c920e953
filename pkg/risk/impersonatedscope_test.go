package risk

import (
	"testing"

	rbacv1 "k8s.io/api/rbac/v1"

	"github.com/auth-paths/kubectl-auth-paths/pkg/rbac"
)

func TestIntersectBoundMeetsInNamespaces(t *testing.T) {
	pods := core([]string{"get"}, "pods")
	for _, tc := range []struct {
		name       string
		identityNS string
		onNS       string
		want       []string // namespaces of the result
	}{
		{"both cluster-wide", "", "", []string{""}},
		{"a RoleBinding's rule meets a cluster-wide one in its namespace", "apps", "", []string{"apps"}},
		{"and the other way round", "", "apps", []string{"apps"}},
		{"the same namespace", "apps", "apps", []string{"apps"}},
		{"two namespaces never meet", "apps", "ci", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := intersectBound([]rbac.BoundRule{{Rule: &pods, Namespace: tc.identityNS}}, []rbac.BoundRule{{Rule: &pods, Namespace: tc.onNS}})
			var ns []string
			for _, r := range got {
				ns = append(ns, r.Namespace)
			}
			if len(ns) != len(tc.want) || (len(ns) == 1 && ns[0] != tc.want[0]) {
				t.Errorf("namespaces %q, want %q", ns, tc.want)
			}
		})
	}
}

// The scope holds the identity's internal checks whatever the requester's
// impersonate-on rules, and nothing else of its rules.
func TestInternalRulesKeepOnlyChecksMadeAsTheIdentity(t *testing.T) {
	got := internalRules([]rbac.BoundRule{{Rule: &rbacv1.PolicyRule{Verbs: []string{"*"}, APIGroups: []string{"*"}, Resources: []string{"*"}}}})
	probe := &Principal{Rules: got}
	for _, tc := range []struct {
		req  rbac.Request
		want bool
	}{
		{res("bind", rbacGroup, "clusterroles", "", "", "cluster-admin"), true},
		{res("escalate", rbacGroup, "roles", "", "apps", "edit"), true},
		{res("approve", certGroup, "signers", "", "", "kubernetes.io/kube-apiserver-client"), true},
		{res("create", certGroup, "certificatesigningrequests", "nodeclient", "", ""), true},
		{res("create", rbacGroup, "clusterrolebindings", "", "", ""), false},
		{res("create", certGroup, "certificatesigningrequests", "", "", ""), false},
		{res("impersonate", "", "users", "", "", "admin"), false},
	} {
		if _, ok := probe.First(tc.req); ok != tc.want {
			t.Errorf("%s allowed = %v, want %v", tc.req, ok, tc.want)
		}
	}
}

func TestScopeLabelIsStableAndShort(t *testing.T) {
	rules := []rbac.BoundRule{
		{Rule: ptr(core([]string{"list"}, "pods"))},
		{Rule: ptr(rbacRule([]string{"create"}, nil, "clusterrolebindings"))},
		{Rule: ptr(core([]string{"get"}, "secrets")), Namespace: "apps"},
		{Rule: ptr(core([]string{"get"}, "configmaps"))},
		{Rule: ptr(core([]string{"get"}, "nodes"))},
	}
	want := "create clusterrolebindings.rbac.authorization.k8s.io; get configmaps; get nodes; and 2 more"
	if got := describeScopeRules(rules); got != want {
		t.Errorf("describeScopeRules = %q, want %q", got, want)
	}
	reversed := []rbac.BoundRule{rules[4], rules[3], rules[2], rules[1], rules[0]}
	if describeScopeRules(reversed) != want || rulesDigest(reversed) != rulesDigest(rules) {
		t.Errorf("the label and key depend on the rules' order")
	}
}

func ptr[T any](v T) *T { return &v }
