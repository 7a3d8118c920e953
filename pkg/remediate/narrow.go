package remediate

import (
	"reflect"
	"slices"

	rbacv1 "k8s.io/api/rbac/v1"

	"github.com/auth-paths/kubectl-auth-paths/pkg/rbac"
)

// standardVerbs replace a "*" verb when one verb must go: the verbs the
// apiserver's generic REST handlers know. Custom verbs (bind, escalate,
// impersonate, approve, use…) that "*" also covered are lost with it, which
// narrows and never widens; the RBAC diff lists what is lost.
var standardVerbs = []string{"get", "list", "watch", "create", "update", "patch", "delete", "deletecollection"}

// narrow returns the rules that replace r so that it no longer allows q and
// allows nothing r did not: the union, over each of the rule's dimensions, of
// r with that dimension restricted to the entries that do not match q. A
// dimension written as "*" cannot be restricted (RBAC has no negation), except
// verbs, which are expanded to standardVerbs. An empty result removes the rule.
func narrow(r rbacv1.PolicyRule, q rbac.Request) []rbacv1.PolicyRule {
	if !rbac.RuleAllows(q, &r) {
		return []rbacv1.PolicyRule{r}
	}
	var out []rbacv1.PolicyRule
	add := func(n rbacv1.PolicyRule) {
		for _, o := range out {
			if reflect.DeepEqual(o, n) {
				return
			}
		}
		out = append(out, n)
	}
	wild := func(p rbacv1.PolicyRule) rbacv1.PolicyRule {
		// The other dimensions as wide as possible, to test one entry alone.
		w := rbacv1.PolicyRule{Verbs: []string{"*"}}
		if q.IsResourceRequest() {
			w.APIGroups, w.Resources = []string{"*"}, []string{"*"}
		} else {
			w.NonResourceURLs = []string{"*"}
		}
		if p.Verbs != nil {
			w.Verbs = p.Verbs
		}
		if p.APIGroups != nil {
			w.APIGroups = p.APIGroups
		}
		if p.Resources != nil {
			w.Resources = p.Resources
		}
		if p.ResourceNames != nil {
			w.ResourceNames = p.ResourceNames
		}
		if p.NonResourceURLs != nil {
			w.NonResourceURLs = p.NonResourceURLs
		}
		return w
	}
	keep := func(entries []string, one func(string) rbacv1.PolicyRule) []string {
		var k []string
		for _, e := range entries {
			w := wild(one(e))
			if !rbac.RuleAllows(q, &w) {
				k = append(k, e)
			}
		}
		return k
	}
	// Verbs.
	verbs := keep(r.Verbs, func(e string) rbacv1.PolicyRule { return rbacv1.PolicyRule{Verbs: []string{e}} })
	if slices.Contains(r.Verbs, "*") && q.Verb != "*" {
		for _, v := range standardVerbs {
			if v != q.Verb && !slices.Contains(verbs, v) {
				verbs = append(verbs, v)
			}
		}
	}
	if len(verbs) > 0 {
		n := r
		n.Verbs = verbs
		add(n)
	}
	if q.IsResourceRequest() {
		if g := keep(r.APIGroups, func(e string) rbacv1.PolicyRule { return rbacv1.PolicyRule{APIGroups: []string{e}} }); len(g) > 0 {
			n := r
			n.APIGroups = g
			add(n)
		}
		if res := keep(r.Resources, func(e string) rbacv1.PolicyRule { return rbacv1.PolicyRule{Resources: []string{e}} }); len(res) > 0 {
			n := r
			n.Resources = res
			add(n)
		}
		if len(r.ResourceNames) > 0 {
			if names := keep(r.ResourceNames, func(e string) rbacv1.PolicyRule { return rbacv1.PolicyRule{ResourceNames: []string{e}} }); len(names) > 0 {
				n := r
				n.ResourceNames = names
				add(n)
			}
		}
	} else if u := keep(r.NonResourceURLs, func(e string) rbacv1.PolicyRule { return rbacv1.PolicyRule{NonResourceURLs: []string{e}} }); len(u) > 0 {
		n := r
		n.NonResourceURLs = u
		add(n)
	}
	return out
}

// narrowRules applies narrow to rules[i] and keeps the others.
func narrowRules(rules []rbacv1.PolicyRule, i int, q rbac.Request) []rbacv1.PolicyRule {
	out := make([]rbacv1.PolicyRule, 0, len(rules)+2)
	out = append(out, rules[:i]...)
	out = append(out, narrow(rules[i], q)...)
	return append(out, rules[i+1:]...)
}
