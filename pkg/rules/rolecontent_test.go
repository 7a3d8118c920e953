package rules_test

import (
	"strings"
	"testing"

	rbacv1 "k8s.io/api/rbac/v1"

	"github.com/auth-paths/kubectl-auth-paths/pkg/model"
	"github.com/auth-paths/kubectl-auth-paths/pkg/rules"
)

// contentPack declares ClusterRoleBinding acme-agent of ClusterRole
// acme-agent (to User acme:agent) with the role's content: escalate and
// update on clusterroles, get on configmaps.
const contentPack = `apiVersion: auth-paths.io/v1alpha2
kind: RulePack
metadata: {name: p}
expected:
- id: e1
  platform: ACME
  reason: r
  reference: https://example.com/doc
  binding: {kind: ClusterRoleBinding, name: acme-agent}
  roleRef: {kind: ClusterRole, name: acme-agent}
  subjects: [{kind: User, name: "acme:agent"}]
  roleRules:
  - {apiGroups: [rbac.authorization.k8s.io], resources: [clusterroles], verbs: [escalate, update]}
  - {apiGroups: [""], resources: [configmaps], verbs: [get]}
`

func rule(group, resource string, verbs ...string) rbacv1.PolicyRule {
	return rbacv1.PolicyRule{APIGroups: []string{group}, Resources: []string{resource}, Verbs: verbs}
}

// TestRoleRulesMatchByContent: a declaration with roleRules labels the
// binding only when the role grants nothing beyond them.
func TestRoleRulesMatchByContent(t *testing.T) {
	p, err := rules.Parse([]byte(contentPack), "p.yaml")
	if err != nil {
		t.Fatal(err)
	}
	const rg = "rbac.authorization.k8s.io"
	tests := []struct {
		name  string
		role  *model.ClusterRole // nil: the role is not in the input
		match bool
	}{
		{"same rules", &model.ClusterRole{Rules: []rbacv1.PolicyRule{rule(rg, "clusterroles", "escalate", "update"), rule("", "configmaps", "get")}}, true},
		{"same rules in another order and split", &model.ClusterRole{Rules: []rbacv1.PolicyRule{rule("", "configmaps", "get"), rule(rg, "clusterroles", "update"), rule(rg, "clusterroles", "escalate")}}, true},
		{"narrower: a rule removed", &model.ClusterRole{Rules: []rbacv1.PolicyRule{rule(rg, "clusterroles", "escalate", "update")}}, true},
		{"wider: a verb added", &model.ClusterRole{Rules: []rbacv1.PolicyRule{rule(rg, "clusterroles", "escalate", "update", "bind"), rule("", "configmaps", "get")}}, false},
		{"wider: a rule added", &model.ClusterRole{Rules: []rbacv1.PolicyRule{rule(rg, "clusterroles", "escalate", "update"), rule("", "configmaps", "get"), rule("", "secrets", "get")}}, false},
		{"wider: a wildcard", &model.ClusterRole{Rules: []rbacv1.PolicyRule{rule(rg, "*", "escalate", "update")}}, false},
		{"aggregated", &model.ClusterRole{Rules: []rbacv1.PolicyRule{rule("", "configmaps", "get")}, AggregationRule: &rbacv1.AggregationRule{}}, false},
		{"role missing", nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := &model.Binding{Kind: model.KindClusterRoleBinding, RoleRef: rbacv1.RoleRef{Kind: model.KindClusterRole, Name: "acme-agent"},
				Subjects: []rbacv1.Subject{{Kind: rbacv1.UserKind, Name: "acme:agent"}}}
			b.Name = "acme-agent"
			inv := &model.Inventory{ClusterRoleBindings: []*model.Binding{b}}
			if tt.role != nil {
				tt.role.Name = "acme-agent"
				inv.ClusterRoles = []*model.ClusterRole{tt.role}
			}
			got := rules.ExpectedBindings([]*rules.Pack{p}, inv)
			if _, ok := got[b.ID()]; ok != tt.match {
				t.Errorf("expected = %v, want %v", ok, tt.match)
			}
		})
	}
}

// TestRoleRulesOnARoleBinding: the Role is looked up in the binding's namespace.
func TestRoleRulesOnARoleBinding(t *testing.T) {
	pack := strings.NewReplacer("{kind: ClusterRoleBinding, name: acme-agent}", "{kind: RoleBinding, namespace: acme, name: acme-agent}",
		"{kind: ClusterRole, name: acme-agent}", "{kind: Role, name: acme-agent}").Replace(contentPack)
	p, err := rules.Parse([]byte(pack), "p.yaml")
	if err != nil {
		t.Fatal(err)
	}
	b := &model.Binding{Kind: model.KindRoleBinding, RoleRef: rbacv1.RoleRef{Kind: model.KindRole, Name: "acme-agent"},
		Subjects: []rbacv1.Subject{{Kind: rbacv1.UserKind, Name: "acme:agent"}}}
	b.Name, b.Namespace = "acme-agent", "acme"
	for _, ns := range []string{"acme", "other"} {
		r := &model.Role{Rules: []rbacv1.PolicyRule{rule("", "configmaps", "get")}}
		r.Name, r.Namespace = "acme-agent", ns
		inv := &model.Inventory{RoleBindings: []*model.Binding{b}, Roles: []*model.Role{r}}
		_, ok := rules.ExpectedBindings([]*rules.Pack{p}, inv)[b.ID()]
		if ok != (ns == "acme") {
			t.Errorf("Role in namespace %s: expected = %v", ns, ok)
		}
	}
}

func TestLintRoleRules(t *testing.T) {
	tests := []struct {
		name, from, to string
		want           []string
	}{
		{"prefix with content", "roleRef: {kind: ClusterRole, name: acme-agent}", `roleRef: {kind: ClusterRole, namePrefix: "acme:"}`, []string{"expected[0] (e1).roleRef.namePrefix", "roleRules declares one role's content: give roleRef.name"}},
		{"rule without verbs", "verbs: [get]}", "verbs: []}", []string{"expected[0] (e1).roleRules[1].verbs"}},
		{"resources and URLs", `resources: [configmaps], verbs: [get]}`, `resources: [configmaps], nonResourceURLs: [/healthz], verbs: [get]}`, []string{"expected[0] (e1).roleRules[1]: a rule has apiGroups and resources, or nonResourceURLs, not both"}},
		{"rule without resources", `apiGroups: [""], resources: [configmaps], verbs: [get]}`, `verbs: [get]}`, []string{"expected[0] (e1).roleRules[1]: a rule has apiGroups and resources"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pack := strings.Replace(contentPack, tt.from, tt.to, 1)
			if pack == contentPack {
				t.Fatalf("%q not in the pack", tt.from)
			}
			_, err := rules.Parse([]byte(pack), "p.yaml")
			if err == nil {
				t.Fatal("want an error")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
			if rules.ValidateSchema([]byte(pack)) == nil {
				t.Errorf("the schema accepts it")
			}
		})
	}
}
