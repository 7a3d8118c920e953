// Package rbac decides what RBAC grants, as the kube-apiserver's RBAC
// authorizer does: the same matching of verbs, API groups, resources,
// subresources, resource names and non-resource URLs, the same binding scopes,
// and ClusterRole aggregation as the aggregation controller computes it.
package rbac

import (
	"strings"

	rbacv1 "k8s.io/api/rbac/v1"
)

// Wildcard is RBAC's "everything".
const Wildcard = "*"

// verbMatches: a rule's verbs contain "*" or the verb.
func verbMatches(rule *rbacv1.PolicyRule, verb string) bool {
	for _, v := range rule.Verbs {
		if v == Wildcard || v == verb {
			return true
		}
	}
	return false
}

// apiGroupMatches: a rule's apiGroups contain "*" or the group ("" is core).
func apiGroupMatches(rule *rbacv1.PolicyRule, group string) bool {
	for _, g := range rule.APIGroups {
		if g == Wildcard || g == group {
			return true
		}
	}
	return false
}

// resourceMatches follows the authorizer exactly: "*" matches everything,
// "res" matches only the resource itself (never "res/sub"), "res/sub" matches
// that subresource, and "*/sub" matches subresource sub of any resource.
// "res/*" is not a pattern: it matches only a subresource literally named "*".
func resourceMatches(rule *rbacv1.PolicyRule, resource, subresource string) bool {
	combined := resource
	if subresource != "" {
		combined = resource + "/" + subresource
	}
	for _, r := range rule.Resources {
		if r == Wildcard || r == combined {
			return true
		}
		if subresource != "" && len(r) == len(subresource)+2 && strings.HasPrefix(r, "*/") && strings.HasSuffix(r, subresource) {
			return true
		}
	}
	return false
}

// resourceNameMatches: a rule without resourceNames matches every request;
// one with resourceNames matches only requests for one of those names, so a
// request without a name (list, create, deletecollection…) never matches it.
func resourceNameMatches(rule *rbacv1.PolicyRule, name string) bool {
	if len(rule.ResourceNames) == 0 {
		return true
	}
	for _, n := range rule.ResourceNames {
		if n == name {
			return true
		}
	}
	return false
}

// nonResourceURLMatches: "*" matches every path, an entry ending in "*" matches
// paths with that prefix, anything else must be equal.
func nonResourceURLMatches(rule *rbacv1.PolicyRule, path string) bool {
	for _, u := range rule.NonResourceURLs {
		if u == Wildcard || u == path {
			return true
		}
		if strings.HasSuffix(u, Wildcard) && strings.HasPrefix(path, strings.TrimRight(u, Wildcard)) {
			return true
		}
	}
	return false
}

// RuleAllows reports whether one policy rule allows the request.
func RuleAllows(req Request, rule *rbacv1.PolicyRule) bool {
	if req.IsResourceRequest() {
		return verbMatches(rule, req.Verb) &&
			apiGroupMatches(rule, req.APIGroup) &&
			resourceMatches(rule, req.Resource, req.Subresource) &&
			resourceNameMatches(rule, req.Name)
	}
	return verbMatches(rule, req.Verb) && nonResourceURLMatches(rule, req.Path)
}
