package rules

import (
	rbacv1 "k8s.io/api/rbac/v1"

	"github.com/auth-paths/kubectl-auth-paths/pkg/model"
	"github.com/auth-paths/kubectl-auth-paths/pkg/rbac"
)

// roleContentMatches reports whether the role b references has the content
// the declaration's roleRules give (always true without roleRules).
//
// "Has the content" means: the role is in the input, it has no
// aggregationRule, and roleRules cover every rule it has (the apiserver's own
// Covers, so the rules' order, their split into several rules and duplicate
// verbs do not matter). A role narrower than declared still matches: it grants
// nothing the default does not, and the apiserver's bootstrap reconciliation
// (rbac.authorization.kubernetes.io/autoupdate) adds missing default rules back
// at its next start anyway. A role wider than declared does not: the
// reconciliation never removes rules, so what a user added stays, and a path
// through it is the user's, not the platform's. An aggregated role's rules are
// whatever the aggregation controller selects, not a platform's fixed content.
func (e *Expectation) roleContentMatches(inv *model.Inventory, b *model.Binding) bool {
	if e.RoleRules == nil {
		return true
	}
	rules, ok := referencedRules(inv, b)
	if !ok {
		return false
	}
	covered, _ := rbac.Covers(e.RoleRules, rules)
	return covered
}

// referencedRules returns the rules of the role b references, and false when
// the role is missing or aggregated.
func referencedRules(inv *model.Inventory, b *model.Binding) ([]rbacv1.PolicyRule, bool) {
	switch b.RoleRef.Kind {
	case model.KindClusterRole:
		for _, r := range inv.ClusterRoles {
			if r.Name == b.RoleRef.Name {
				return r.Rules, r.AggregationRule == nil
			}
		}
	case model.KindRole:
		for _, r := range inv.Roles {
			if r.Namespace == b.Namespace && r.Name == b.RoleRef.Name {
				return r.Rules, true
			}
		}
	}
	return nil, false
}
