package rbac

import (
	"testing"

	rbacv1 "k8s.io/api/rbac/v1"

	"github.com/auth-paths/kubectl-auth-paths/pkg/model"
)

func TestClusterAdminIsDecidedByRulesNotNames(t *testing.T) {
	standardVerbs := l("get", "list", "watch", "create", "update", "patch", "delete", "deletecollection", "impersonate", "bind", "escalate", "approve", "sign", "use", "proxy")
	cases := []struct {
		name  string
		rules []rbacv1.PolicyRule
		want  bool
	}{
		{"the real cluster-admin", []rbacv1.PolicyRule{everything, allURLs}, true},
		{"a role named cluster-admin with get pods (name is irrelevant)", []rbacv1.PolicyRule{getPods}, false},
		{"harmless-looking name, */*/* and nonResourceURLs *", []rbacv1.PolicyRule{rule(l("*"), l("*"), l("*")), {Verbs: l("*"), NonResourceURLs: l("*")}}, true},
		{"both in one rule", []rbacv1.PolicyRule{{Verbs: l("*"), APIGroups: l("*"), Resources: l("*"), NonResourceURLs: l("*")}}, true},
		{"*/*/* without nonResourceURLs", []rbacv1.PolicyRule{everything}, false},
		{"nonResourceURLs * alone", []rbacv1.PolicyRule{allURLs}, false},
		{"every standard verb is not *", []rbacv1.PolicyRule{rule(standardVerbs, l("*"), l("*")), {Verbs: standardVerbs, NonResourceURLs: l("*")}}, false},
		{"every core resource listed is not *", []rbacv1.PolicyRule{rule(l("*"), l("*"), l("pods", "secrets", "nodes")), allURLs}, false},
		{"core group only", []rbacv1.PolicyRule{rule(l("*"), l(""), l("*")), allURLs}, false},
		{"URL prefix /* is not *", []rbacv1.PolicyRule{everything, {Verbs: l("*"), NonResourceURLs: l("/*")}}, false},
		{"resourceNames narrow it", []rbacv1.PolicyRule{{Verbs: l("*"), APIGroups: l("*"), Resources: l("*"), ResourceNames: l("x")}, allURLs}, false},
		{"*/sub is not *", []rbacv1.PolicyRule{rule(l("*"), l("*"), l("*/*")), allURLs}, false},
		{"no rules", nil, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := CoversClusterAdmin(tc.rules); got != tc.want {
				t.Errorf("CoversClusterAdmin(%+v) = %v, want %v", tc.rules, got, tc.want)
			}
		})
	}
	// The same through the evaluator: a role named cluster-admin is what its rules say.
	e := NewEvaluator(&model.Inventory{ClusterRoles: []*model.ClusterRole{clusterRole("cluster-admin", getPods), clusterRole("harmless", everything, allURLs)}})
	for name, want := range map[string]bool{"cluster-admin": false, "harmless": true} {
		rules, ok := e.ClusterRoleRules(name)
		if !ok || CoversClusterAdmin(rules) != want {
			t.Errorf("ClusterRole %s: CoversClusterAdmin = %v, want %v", name, !want, want)
		}
	}
	if _, ok := e.ClusterRoleRules("absent"); ok {
		t.Error("ClusterRoleRules found an absent role")
	}
}

func TestCoversAsTheEscalationCheck(t *testing.T) {
	cases := []struct {
		name           string
		owner, servant []rbacv1.PolicyRule
		want           bool
		missing        int
	}{
		{"same rule", []rbacv1.PolicyRule{getPods}, []rbacv1.PolicyRule{getPods}, true, 0},
		{"more verbs than owned", []rbacv1.PolicyRule{getPods}, []rbacv1.PolicyRule{rule(l("get", "list"), l(""), l("pods"))}, false, 1},
		{"split across owner rules", []rbacv1.PolicyRule{getPods, rule(l("list"), l(""), l("pods"))}, []rbacv1.PolicyRule{rule(l("get", "list"), l(""), l("pods"))}, true, 0},
		{"wildcard covers only through a wildcard", []rbacv1.PolicyRule{rule(l("get", "list"), l(""), l("pods"))}, []rbacv1.PolicyRule{rule(l("*"), l(""), l("pods"))}, false, 1},
		{"owner wildcard covers everything", []rbacv1.PolicyRule{everything}, []rbacv1.PolicyRule{rule(l("escalate"), l("rbac.authorization.k8s.io"), l("clusterroles"))}, true, 0},
		{"resource does not cover subresource", []rbacv1.PolicyRule{rule(l("*"), l(""), l("pods"))}, []rbacv1.PolicyRule{rule(l("create"), l(""), l("pods/exec"))}, false, 1},
		{"*/sub covers res/sub", []rbacv1.PolicyRule{rule(l("*"), l(""), l("*/exec"))}, []rbacv1.PolicyRule{rule(l("create"), l(""), l("pods/exec"))}, true, 0},
		{"unnamed covers named", []rbacv1.PolicyRule{getSecrets}, []rbacv1.PolicyRule{{Verbs: l("get"), APIGroups: l(""), Resources: l("secrets"), ResourceNames: l("a")}}, true, 0},
		{"named does not cover unnamed", []rbacv1.PolicyRule{{Verbs: l("get"), APIGroups: l(""), Resources: l("secrets"), ResourceNames: l("a")}}, []rbacv1.PolicyRule{getSecrets}, false, 1},
		{"named covers the same names", []rbacv1.PolicyRule{{Verbs: l("get"), APIGroups: l(""), Resources: l("secrets"), ResourceNames: l("a", "b")}}, []rbacv1.PolicyRule{{Verbs: l("get"), APIGroups: l(""), Resources: l("secrets"), ResourceNames: l("b", "c")}}, false, 1},
		{"URL prefix covers deeper URL", []rbacv1.PolicyRule{{Verbs: l("get"), NonResourceURLs: l("/logs/*")}}, []rbacv1.PolicyRule{{Verbs: l("get"), NonResourceURLs: l("/logs/a", "/logs")}}, false, 1},
		{"resource rule does not cover URLs", []rbacv1.PolicyRule{everything}, []rbacv1.PolicyRule{getHealthz}, false, 1},
		{"empty servant", []rbacv1.PolicyRule{getPods}, nil, true, 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, missing := Covers(tc.owner, tc.servant)
			if got != tc.want || len(missing) != tc.missing {
				t.Errorf("Covers = %v with %d missing %+v, want %v with %d", got, len(missing), missing, tc.want, tc.missing)
			}
		})
	}
}

func TestClusterAdminRulesIsACopy(t *testing.T) {
	r := ClusterAdminRules()
	r[0] = getPods
	if !CoversClusterAdmin(ClusterAdminRules()) {
		t.Error("modifying the returned rules changed the definition of cluster-admin")
	}
}
