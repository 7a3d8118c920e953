package rbac

import (
	"testing"

	rbacv1 "k8s.io/api/rbac/v1"
)

func res(verb, group, resource, sub, name string) Request {
	return Request{Verb: verb, APIGroup: group, Resource: resource, Subresource: sub, Name: name, Namespace: "ns"}
}

func url(verb, path string) Request { return Request{Verb: verb, Path: path} }

func rule(verbs, groups, resources []string) rbacv1.PolicyRule {
	return rbacv1.PolicyRule{Verbs: verbs, APIGroups: groups, Resources: resources}
}

func l(s ...string) []string { return s }

type ruleCase struct {
	name string
	rule rbacv1.PolicyRule
	req  Request
	want bool
}

func runRuleCases(t *testing.T, cases []ruleCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := tc.rule
			if got := RuleAllows(tc.req, &r); got != tc.want {
				t.Errorf("RuleAllows(%s, %+v) = %v, want %v", tc.req, tc.rule, got, tc.want)
			}
		})
	}
}

func TestRuleVerbsGroupsResourcesWithWildcards(t *testing.T) {
	runRuleCases(t, []ruleCase{
		{"exact verb group resource", rule(l("get"), l(""), l("pods")), res("get", "", "pods", "", ""), true},
		{"other verb", rule(l("get"), l(""), l("pods")), res("list", "", "pods", "", ""), false},
		{"verb wildcard", rule(l("*"), l(""), l("pods")), res("escalate", "", "pods", "", ""), true},
		{"verb list", rule(l("get", "list", "watch"), l(""), l("pods")), res("watch", "", "pods", "", ""), true},
		{"verbs are case sensitive", rule(l("GET"), l(""), l("pods")), res("get", "", "pods", "", ""), false},
		{"core group is empty string", rule(l("get"), l(""), l("deployments")), res("get", "apps", "deployments", "", ""), false},
		{"named group", rule(l("get"), l("apps"), l("deployments")), res("get", "apps", "deployments", "", ""), true},
		{"group wildcard", rule(l("get"), l("*"), l("deployments")), res("get", "apps", "deployments", "", ""), true},
		{"group wildcard covers core", rule(l("get"), l("*"), l("pods")), res("get", "", "pods", "", ""), true},
		{"no apiGroups matches nothing", rule(l("get"), nil, l("pods")), res("get", "", "pods", "", ""), false},
		{"resource wildcard", rule(l("get"), l(""), l("*")), res("get", "", "secrets", "", ""), true},
		{"resource wildcard covers subresources", rule(l("create"), l(""), l("*")), res("create", "", "pods", "exec", ""), true},
		{"other resource", rule(l("get"), l(""), l("pods")), res("get", "", "secrets", "", ""), false},
		{"all wildcards", rule(l("*"), l("*"), l("*")), res("deletecollection", "example.com", "widgets", "status", "w"), true},
		{"no verbs matches nothing", rule(nil, l("*"), l("*")), res("get", "", "pods", "", ""), false},
	})
}

func TestRuleSubresources(t *testing.T) {
	runRuleCases(t, []ruleCase{
		{"res never matches res/sub", rule(l("*"), l(""), l("pods")), res("create", "", "pods", "exec", ""), false},
		{"res/sub matches that subresource", rule(l("create"), l(""), l("pods/exec")), res("create", "", "pods", "exec", ""), true},
		{"res/sub does not match the resource", rule(l("get"), l(""), l("pods/log")), res("get", "", "pods", "", ""), false},
		{"res/sub does not match another subresource", rule(l("create"), l(""), l("pods/exec")), res("create", "", "pods", "attach", ""), false},
		{"res/sub does not match another resource's sub", rule(l("create"), l(""), l("pods/exec")), res("create", "", "nodes", "exec", ""), false},
		{"*/sub matches any resource's sub", rule(l("update"), l("*"), l("*/scale")), res("update", "apps", "deployments", "scale", ""), true},
		{"*/sub matches another resource's sub", rule(l("update"), l("*"), l("*/scale")), res("update", "", "replicationcontrollers", "scale", ""), true},
		{"*/sub does not match the resource", rule(l("update"), l("*"), l("*/scale")), res("update", "apps", "deployments", "", ""), false},
		{"*/sub does not match another sub", rule(l("update"), l("*"), l("*/scale")), res("update", "apps", "deployments", "status", ""), false},
		{"*/sub does not match a longer sub with that suffix", rule(l("update"), l("*"), l("*/scale")), res("update", "apps", "deployments", "rescale", ""), false},
		{"res/* is not a pattern", rule(l("*"), l(""), l("pods/*")), res("create", "", "pods", "exec", ""), false},
		{"res/* does not match the resource", rule(l("*"), l(""), l("pods/*")), res("get", "", "pods", "", ""), false},
		{"res/* matches only a literal subresource *", rule(l("*"), l(""), l("pods/*")), res("get", "", "pods", "*", ""), true},
		{"*/* is not everything", rule(l("*"), l(""), l("*/*")), res("get", "", "pods", "", ""), false},
	})
}

func TestRuleResourceNames(t *testing.T) {
	named := rbacv1.PolicyRule{Verbs: l("*"), APIGroups: l(""), Resources: l("secrets"), ResourceNames: l("a", "b")}
	runRuleCases(t, []ruleCase{
		{"named get", named, res("get", "", "secrets", "", "a"), true},
		{"second name", named, res("update", "", "secrets", "", "b"), true},
		{"other name", named, res("get", "", "secrets", "", "c"), false},
		{"list without name", named, res("list", "", "secrets", "", ""), false},
		{"watch without name", named, res("watch", "", "secrets", "", ""), false},
		{"create without name", named, res("create", "", "secrets", "", ""), false},
		{"deletecollection without name", named, res("deletecollection", "", "secrets", "", ""), false},
		{"watch with a name (fieldSelector metadata.name)", named, res("watch", "", "secrets", "", "a"), true},
		{"names are exact", named, res("get", "", "secrets", "", "A"), false},
		{"no resourceNames matches a named request", rule(l("get"), l(""), l("secrets")), res("get", "", "secrets", "", "anything"), true},
		{"resourceNames * is a literal name", rbacv1.PolicyRule{Verbs: l("get"), APIGroups: l(""), Resources: l("secrets"), ResourceNames: l("*")}, res("get", "", "secrets", "", "x"), false},
	})
}

func TestRuleNonResourceURLs(t *testing.T) {
	u := func(urls ...string) rbacv1.PolicyRule {
		return rbacv1.PolicyRule{Verbs: l("get"), NonResourceURLs: urls}
	}
	runRuleCases(t, []ruleCase{
		{"exact", u("/healthz"), url("get", "/healthz"), true},
		{"exact is not a prefix", u("/healthz"), url("get", "/healthz/etcd"), false},
		{"other verb", u("/healthz"), url("post", "/healthz"), false},
		{"star matches every path", u("*"), url("get", "/anything/at/all"), true},
		{"prefix matches the prefix itself", u("/logs/*"), url("get", "/logs/"), true},
		{"prefix matches deeper paths", u("/logs/*"), url("get", "/logs/a/b"), true},
		{"prefix does not match the bare path", u("/logs/*"), url("get", "/logs"), false},
		{"prefix without slash", u("/healthz*"), url("get", "/healthzfoo"), true},
		{"prefix does not match a sibling", u("/logs/*"), url("get", "/logsx/a"), false},
		{"star in the middle is literal", u("/a/*/c"), url("get", "/a/b/c"), false},
		{"one of several", u("/version", "/api", "/api/*"), url("get", "/api/v1"), true},
	})
}

func TestRuleKindsDoNotMix(t *testing.T) {
	runRuleCases(t, []ruleCase{
		{"resource rule never matches a non-resource request", rule(l("*"), l("*"), l("*")), url("get", "/healthz"), false},
		{"non-resource rule never matches a resource request", rbacv1.PolicyRule{Verbs: l("*"), NonResourceURLs: l("*")}, res("get", "", "pods", "", ""), false},
		{"mixed rule matches a resource request by its resources", rbacv1.PolicyRule{Verbs: l("get"), APIGroups: l(""), Resources: l("pods"), NonResourceURLs: l("/x")}, res("get", "", "pods", "", ""), true},
		{"mixed rule matches a non-resource request by its URLs", rbacv1.PolicyRule{Verbs: l("get"), APIGroups: l(""), Resources: l("pods"), NonResourceURLs: l("/x")}, url("get", "/x"), true},
	})
}
