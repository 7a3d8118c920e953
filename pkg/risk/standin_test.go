package risk_test

import (
	"slices"
	"strings"
	"testing"

	rbacv1 "k8s.io/api/rbac/v1"

	"github.com/auth-paths/kubectl-auth-paths/pkg/model"
	"github.com/auth-paths/kubectl-auth-paths/pkg/rbac"
	"github.com/auth-paths/kubectl-auth-paths/pkg/risk"
	"github.com/auth-paths/kubectl-auth-paths/pkg/selfview"
)

var standInSA = rbac.Subject{Kind: rbacv1.ServiceAccountKind, Namespace: "ci", Name: "probe"}

// standInAnalysis analyses the rules as whoami does without RBAC read access
// (stand-ins of a cluster-wide review), or as the same rules in a real
// ClusterRole and ClusterRoleBinding; extra are other real ClusterRoles.
func standInAnalysis(rules []rbacv1.PolicyRule, real bool, extra ...*model.ClusterRole) *risk.Analysis {
	inv := &model.Inventory{Skipped: map[string]int{}, ClusterRoles: extra}
	if real {
		inv.ClusterRoles = append(inv.ClusterRoles, &model.ClusterRole{Meta: model.Meta{Name: "tools"}, Rules: rules})
		inv.ClusterRoleBindings = []*model.Binding{{Meta: model.Meta{Name: "tools"}, Kind: model.KindClusterRoleBinding,
			RoleRef:  rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: model.KindClusterRole, Name: "tools"},
			Subjects: []rbacv1.Subject{{Kind: rbacv1.ServiceAccountKind, Namespace: "ci", Name: "probe"}}}}
	} else {
		selfview.Synthesize(standInSA, &selfview.Rules{ResourceRules: rules}, nil).Add(inv)
	}
	return risk.Analyze(inv, risk.Options{Identities: []rbac.Subject{standInSA}, KeepCandidates: true})
}

// Stand-ins are no objects to write or bind; escalate reaches the real
// ClusterRole behind reviewed cluster-wide rules only on every ClusterRole.
func TestStandInsAreNotObjectsToWriteOrBind(t *testing.T) {
	escalateOwn := []rbacv1.PolicyRule{{Verbs: []string{"escalate", "update"}, APIGroups: []string{rbacv1.GroupName}, Resources: []string{"clusterroles"}}}
	escalateNamed := []rbacv1.PolicyRule{{Verbs: []string{"escalate", "update"}, APIGroups: []string{rbacv1.GroupName}, Resources: []string{"clusterroles"}, ResourceNames: []string{"tools"}}}
	escalateRoles := []rbacv1.PolicyRule{{Verbs: []string{"escalate", "update"}, APIGroups: []string{rbacv1.GroupName}, Resources: []string{"roles"}}}
	escalateOnly := []rbacv1.PolicyRule{{Verbs: []string{"escalate", "get"}, APIGroups: []string{rbacv1.GroupName}, Resources: []string{"clusterroles"}}}
	bindAny := []rbacv1.PolicyRule{
		{Verbs: []string{"bind"}, APIGroups: []string{rbacv1.GroupName}, Resources: []string{"clusterroles"}},
		{Verbs: []string{"create"}, APIGroups: []string{rbacv1.GroupName}, Resources: []string{"clusterrolebindings"}},
	}
	admin := &model.ClusterRole{Meta: model.Meta{Name: "cluster-admin"}, Rules: []rbacv1.PolicyRule{
		{Verbs: []string{"*"}, APIGroups: []string{"*"}, Resources: []string{"*"}}, {Verbs: []string{"*"}, NonResourceURLs: []string{"*"}}}}
	sa := "ServiceAccount:ci:probe"
	tests := []struct {
		name  string
		rules []rbacv1.PolicyRule
		real  bool
		extra []*model.ClusterRole
		want  []string
	}{
		// The real role bound to it can be rewritten with *.
		{name: "escalate own real role", rules: escalateOwn, real: true, want: []string{"escalate→cluster-admin"}},
		// The review does not name the role behind the rules, but escalate
		// and update on every ClusterRole reach it.
		{name: "escalate every ClusterRole, rules from a review", rules: escalateOwn, want: []string{"escalate→cluster-admin"}},
		// By name only: the role behind the rules is unknown, so out of reach.
		{name: "escalate named ClusterRoles, rules from a review", rules: escalateNamed},
		// Roles (namespaced) are not the ClusterRole behind cluster-wide rules.
		{name: "escalate Roles, rules from a review", rules: escalateRoles},
		// Escalate without update or patch writes nothing.
		{name: "escalate without update, rules from a review", rules: escalateOnly},
		// Only the stand-in ClusterRole exists: it is no role to bind.
		{name: "bind with no known role", rules: bindAny},
		// A real ClusterRole read from the cluster is bound as usual.
		{name: "bind a real role, rules from a review", rules: bindAny, extra: []*model.ClusterRole{admin}, want: []string{"bind→cluster-admin"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := standInAnalysis(tt.rules, tt.real, tt.extra...)
			var got []string
			for _, e := range edgesFrom(a, sa) {
				if e != "member-of→Group:system:authenticated" && !slices.Contains(got, e) {
					got = append(got, e)
				}
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("steps %v, want %v", got, tt.want)
			}
			for _, c := range a.Candidates(risk.SubjectKey(standInSA)) {
				if c.Primitive == "bind" && c.To != nil && c.To.Name == selfview.StandInName {
					t.Errorf("a step binds the stand-in: %+v", c)
				}
				if strings.Contains(c.Condition, selfview.StandInName) {
					t.Errorf("a step writes the stand-in: %s", c.Condition)
				}
			}
		})
	}
}
