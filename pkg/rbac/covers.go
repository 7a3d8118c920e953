package rbac

import (
	"strings"

	rbacv1 "k8s.io/api/rbac/v1"
)

// clusterAdminRules are what "cluster-admin" means: every verb on every
// resource of every group, and every verb on every non-resource URL.
var clusterAdminRules = []rbacv1.PolicyRule{
	{Verbs: []string{Wildcard}, APIGroups: []string{Wildcard}, Resources: []string{Wildcard}},
	{Verbs: []string{Wildcard}, NonResourceURLs: []string{Wildcard}},
}

// ClusterAdminRules returns a copy of the rules that define cluster-admin equivalence.
func ClusterAdminRules() []rbacv1.PolicyRule {
	out := make([]rbacv1.PolicyRule, len(clusterAdminRules))
	copy(out, clusterAdminRules)
	return out
}

// CoversClusterAdmin reports whether cluster-wide rules cover everything
// cluster-admin can do. It is decided by the rules, never by a role's name.
func CoversClusterAdmin(rules []rbacv1.PolicyRule) bool {
	ok, _ := Covers(rules, clusterAdminRules)
	return ok
}

// Covers reports whether the owner rules allow everything the servant rules
// allow, with the meaning the apiserver gives it when it checks escalation:
// each servant rule is broken into single verb/group/resource/name (or
// verb/URL) rules, and each must be covered by one owner rule, where a
// wildcard covers only through a wildcard. It returns the uncovered parts.
func Covers(owner, servant []rbacv1.PolicyRule) (bool, []rbacv1.PolicyRule) {
	var missing []rbacv1.PolicyRule
	for _, s := range servant {
		for _, atom := range breakdown(s) {
			covered := false
			for i := range owner {
				if ruleCovers(&owner[i], &atom) {
					covered = true
					break
				}
			}
			if !covered {
				missing = append(missing, atom)
			}
		}
	}
	return len(missing) == 0, missing
}

// breakdown splits a rule into rules with one verb and one group/resource/name
// or one non-resource URL each.
func breakdown(r rbacv1.PolicyRule) []rbacv1.PolicyRule {
	var out []rbacv1.PolicyRule
	for _, g := range r.APIGroups {
		for _, res := range r.Resources {
			for _, v := range r.Verbs {
				if len(r.ResourceNames) > 0 {
					for _, n := range r.ResourceNames {
						out = append(out, rbacv1.PolicyRule{APIGroups: []string{g}, Resources: []string{res}, Verbs: []string{v}, ResourceNames: []string{n}})
					}
				} else {
					out = append(out, rbacv1.PolicyRule{APIGroups: []string{g}, Resources: []string{res}, Verbs: []string{v}})
				}
			}
		}
	}
	for _, u := range r.NonResourceURLs {
		for _, v := range r.Verbs {
			out = append(out, rbacv1.PolicyRule{NonResourceURLs: []string{u}, Verbs: []string{v}})
		}
	}
	return out
}

func has(set []string, s string) bool {
	for _, x := range set {
		if x == s {
			return true
		}
	}
	return false
}

func hasAll(set, want []string) bool {
	for _, w := range want {
		if !has(set, w) {
			return false
		}
	}
	return true
}

func ruleCovers(owner, sub *rbacv1.PolicyRule) bool {
	verbs := has(owner.Verbs, Wildcard) || hasAll(owner.Verbs, sub.Verbs)
	groups := has(owner.APIGroups, Wildcard) || hasAll(owner.APIGroups, sub.APIGroups)
	resources := resourcesCover(owner.Resources, sub.Resources)
	urls := urlsCover(owner.NonResourceURLs, sub.NonResourceURLs)
	names := len(owner.ResourceNames) == 0 || (len(sub.ResourceNames) > 0 && hasAll(owner.ResourceNames, sub.ResourceNames))
	return verbs && groups && resources && urls && names
}

func resourcesCover(owner, sub []string) bool {
	if has(owner, Wildcard) {
		return true
	}
	for _, r := range sub {
		if has(owner, r) {
			continue
		}
		res, subres, ok := strings.Cut(r, "/")
		if !ok || res == "" {
			return false
		}
		if !has(owner, "*/"+subres) {
			return false
		}
	}
	return true
}

func urlsCover(owner, sub []string) bool {
	for _, u := range sub {
		covered := false
		for _, o := range owner {
			if o == u || (strings.HasSuffix(o, Wildcard) && strings.HasPrefix(u, strings.TrimRight(o, Wildcard))) {
				covered = true
				break
			}
		}
		if !covered {
			return false
		}
	}
	return true
}
