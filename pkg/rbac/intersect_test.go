package rbac

import (
	"testing"

	rbacv1 "k8s.io/api/rbac/v1"
)

// intersectRules are rules with every matching form of match.go: wildcards,
// subresources, "*/sub", resourceNames, URL prefixes.
var intersectRules = []rbacv1.PolicyRule{
	rule(l("*"), l("*"), l("*")),
	{Verbs: l("*"), NonResourceURLs: l("*")},
	rule(l("create"), l("rbac.authorization.k8s.io"), l("clusterrolebindings")),
	rule(l("create", "get"), l(""), l("pods", "pods/exec")),
	rule(l("get", "list"), l("*"), l("*/exec", "secrets")),
	rule(l("*"), l(""), l("pods/*")),
	rule(l("*"), l(""), l("*/*")),
	{Verbs: l("get"), APIGroups: l(""), Resources: l("secrets"), ResourceNames: l("a", "b")},
	{Verbs: l("get", "update"), APIGroups: l(""), Resources: l("secrets", "configmaps"), ResourceNames: l("b", "c")},
	{Verbs: l("get"), NonResourceURLs: l("/api/*", "/healthz")},
	{Verbs: l("get", "post"), NonResourceURLs: l("/api/v1*", "/metrics")},
	{Verbs: l("get"), APIGroups: l("apps"), Resources: l("deployments"), NonResourceURLs: l("/version")},
}

var intersectRequests = []Request{
	res("create", "rbac.authorization.k8s.io", "clusterrolebindings", "", ""),
	res("create", "", "pods", "", ""),
	res("create", "", "pods", "exec", "p"),
	res("get", "", "pods", "exec", "p"),
	res("get", "", "nodes", "exec", "n"),
	res("get", "", "pods", "*", "p"),
	res("get", "", "pods", "log", "p"),
	res("get", "", "secrets", "", "a"),
	res("get", "", "secrets", "", "b"),
	res("get", "", "secrets", "", "c"),
	res("get", "", "secrets", "", ""),
	res("update", "", "configmaps", "", "b"),
	res("list", "apps", "deployments", "", ""),
	res("get", "apps", "deployments", "", "d"),
	url("get", "/api/v1/namespaces"),
	url("get", "/api"),
	url("post", "/api/v1"),
	url("get", "/healthz"),
	url("get", "/metrics"),
	url("get", "/version"),
}

// TestIntersectAllowsWhatBothAllow checks every pair of rules against every
// request: the intersection allows a request exactly when both rules do.
func TestIntersectAllowsWhatBothAllow(t *testing.T) {
	for i, a := range intersectRules {
		for j, b := range intersectRules {
			got, ok := Intersect(a, b)
			for _, req := range intersectRequests {
				want := RuleAllows(req, &a) && RuleAllows(req, &b)
				allows := ok && RuleAllows(req, &got)
				if allows != want {
					t.Errorf("rules %d %+v and %d %+v: intersection %+v (ok %v) allows %s = %v, want %v", i, a, j, b, got, ok, req, allows, want)
				}
			}
		}
	}
}

func TestIntersectSharesNothing(t *testing.T) {
	cases := []struct {
		name string
		a, b rbacv1.PolicyRule
	}{
		{"different verbs", rule(l("get"), l(""), l("pods")), rule(l("create"), l(""), l("pods"))},
		{"different groups", rule(l("get"), l("apps"), l("pods")), rule(l("get"), l(""), l("pods"))},
		{"resource and its subresource", rule(l("get"), l(""), l("pods")), rule(l("get"), l(""), l("pods/exec"))},
		{"any resource's exec and a resource without subresource", rule(l("get"), l(""), l("*/exec")), rule(l("get"), l(""), l("pods"))},
		{"disjoint resourceNames (empty would mean every name)",
			rbacv1.PolicyRule{Verbs: l("get"), APIGroups: l(""), Resources: l("secrets"), ResourceNames: l("a")},
			rbacv1.PolicyRule{Verbs: l("get"), APIGroups: l(""), Resources: l("secrets"), ResourceNames: l("b")}},
		{"disjoint URL prefixes", rbacv1.PolicyRule{Verbs: l("get"), NonResourceURLs: l("/api/*")}, rbacv1.PolicyRule{Verbs: l("get"), NonResourceURLs: l("/apis/*")}},
		{"resource rule and URL rule", rule(l("*"), l("*"), l("*")), rbacv1.PolicyRule{Verbs: l("*"), NonResourceURLs: l("*")}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got, ok := Intersect(c.a, c.b); ok {
				t.Errorf("Intersect = %+v, want none", got)
			}
		})
	}
}

func TestIntersectKeepsTheNarrowerPattern(t *testing.T) {
	got, ok := Intersect(rule(l("*"), l("*"), l("*/exec")), rule(l("create", "get"), l(""), l("pods/exec", "pods")))
	want := rule(l("create", "get"), l(""), l("pods/exec"))
	if !ok || !ruleEqual(got, want) {
		t.Errorf("Intersect = %+v (ok %v), want %+v", got, ok, want)
	}
	got, ok = Intersect(rbacv1.PolicyRule{Verbs: l("get"), NonResourceURLs: l("/api/*")}, rbacv1.PolicyRule{Verbs: l("*"), NonResourceURLs: l("/api/v1/*", "/apis")})
	want = rbacv1.PolicyRule{Verbs: l("get"), NonResourceURLs: l("/api/v1/*")}
	if !ok || !ruleEqual(got, want) {
		t.Errorf("Intersect = %+v (ok %v), want %+v", got, ok, want)
	}
}
