package remediate

import (
	"reflect"
	"testing"

	rbacv1 "k8s.io/api/rbac/v1"

	"github.com/auth-paths/kubectl-auth-paths/pkg/rbac"
)

func TestNarrow(t *testing.T) {
	createPods := rbac.Request{Verb: "create", Resource: "pods", Namespace: "ns"}
	rule := func(verbs, groups, res []string) rbacv1.PolicyRule {
		return rbacv1.PolicyRule{Verbs: verbs, APIGroups: groups, Resources: res}
	}
	s := func(v ...string) []string { return v }
	tests := []struct {
		name string
		rule rbacv1.PolicyRule
		q    rbac.Request
		want []rbacv1.PolicyRule
	}{
		{"one verb one resource: the rule goes", rule(s("create"), s(""), s("pods")), createPods, nil},
		{"one verb of several", rule(s("get", "create"), s(""), s("pods")), createPods, []rbacv1.PolicyRule{rule(s("get"), s(""), s("pods"))}},
		{"one resource of several", rule(s("create"), s(""), s("pods", "configmaps")), createPods, []rbacv1.PolicyRule{rule(s("create"), s(""), s("configmaps"))}},
		{"verbs and resources: exactly create pods goes", rule(s("get", "create"), s(""), s("pods", "secrets")), createPods,
			[]rbacv1.PolicyRule{rule(s("get"), s(""), s("pods", "secrets")), rule(s("get", "create"), s(""), s("secrets"))}},
		{"verb * expands to the standard verbs but create", rule(s("*"), s(""), s("pods")), createPods,
			[]rbacv1.PolicyRule{rule(s("get", "list", "watch", "update", "patch", "delete", "deletecollection"), s(""), s("pods"))}},
		{"resource * cannot be narrowed: only verbs are", rule(s("create", "get"), s("*"), s("*")), createPods,
			[]rbacv1.PolicyRule{rule(s("get"), s("*"), s("*"))}},
		{"subresource entry stays for the resource", rule(s("create"), s(""), s("pods", "pods/exec")), createPods,
			[]rbacv1.PolicyRule{rule(s("create"), s(""), s("pods/exec"))}},
		{"a rule that does not allow the request is kept", rule(s("get"), s(""), s("pods")), createPods, []rbacv1.PolicyRule{rule(s("get"), s(""), s("pods"))}},
		{"one resource name of several", rbacv1.PolicyRule{Verbs: s("impersonate"), APIGroups: s(""), Resources: s("users"), ResourceNames: s("admin", "bob")},
			rbac.Request{Verb: "impersonate", Resource: "users", Name: "admin"},
			[]rbacv1.PolicyRule{{Verbs: s("impersonate"), APIGroups: s(""), Resources: s("users"), ResourceNames: s("bob")}}},
		{"non-resource URL", rbacv1.PolicyRule{Verbs: s("get"), NonResourceURLs: s("/healthz", "/metrics")}, rbac.Request{Verb: "get", Path: "/metrics"},
			[]rbacv1.PolicyRule{{Verbs: s("get"), NonResourceURLs: s("/healthz")}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := narrow(tt.rule, tt.q)
			if !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("narrow = %+v, want %+v", got, tt.want)
			}
			// Never widen, and the request is gone.
			for i := range got {
				if rbac.RuleAllows(tt.q, &got[i]) && rbac.RuleAllows(tt.q, &tt.rule) {
					t.Errorf("rule %+v still allows %v", got[i], tt.q)
				}
				if ok, _ := rbac.Covers([]rbacv1.PolicyRule{tt.rule}, []rbacv1.PolicyRule{got[i]}); !ok {
					t.Errorf("rule %+v is wider than %+v", got[i], tt.rule)
				}
			}
		})
	}
}
