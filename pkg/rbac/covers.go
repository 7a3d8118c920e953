package rbac

import (
	rbacv1 "k8s.io/api/rbac/v1"
	"k8s.io/component-helpers/auth/rbac/validation"
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
// allow, and returns the parts they do not: the apiserver's own comparison
// (k8s.io/component-helpers/auth/rbac/validation, which the RBAC registry's
// escalation check calls), so that "may grant" here is what the apiserver
// lets a role or binding writer grant.
func Covers(owner, servant []rbacv1.PolicyRule) (bool, []rbacv1.PolicyRule) {
	return validation.Covers(owner, servant)
}
