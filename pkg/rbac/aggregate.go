package rbac

import (
	"fmt"
	"reflect"
	"slices"
	"sort"

	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"

	"github.com/auth-paths/kubectl-auth-paths/pkg/model"
)

// Aggregate fills aggregated ClusterRoles as the clusterrole-aggregation
// controller does: the rules of an aggregated role become the union (without
// duplicates, in selector and name order) of the rules of every other
// ClusterRole matched by one of its selectors; its own written rules are
// replaced. Aggregated roles that select other aggregated roles are computed
// to a fixpoint. It returns warnings for bad selectors and for roles whose
// stored rules differ from the computed ones (e.g. a partial dump).
func Aggregate(roles []*model.ClusterRole) (map[string][]rbacv1.PolicyRule, []string) {
	var warnings []string
	current := make(map[string][]rbacv1.PolicyRule, len(roles))
	for _, r := range roles {
		current[r.Name] = r.Rules
	}
	type agg struct {
		role      *model.ClusterRole
		selectors []labels.Selector
	}
	var aggs []agg
	for _, r := range roles {
		if r.AggregationRule == nil {
			continue
		}
		a := agg{role: r}
		for i := range r.AggregationRule.ClusterRoleSelectors {
			sel, err := metav1.LabelSelectorAsSelector(&r.AggregationRule.ClusterRoleSelectors[i])
			if err != nil {
				warnings = append(warnings, fmt.Sprintf("ClusterRole %q: aggregationRule.clusterRoleSelectors[%d]: %v; selector ignored", r.Name, i, err))
				continue
			}
			a.selectors = append(a.selectors, sel)
		}
		aggs = append(aggs, a)
	}
	if len(aggs) == 0 {
		return current, warnings
	}
	// The controller visits the selected roles in name order, whatever the
	// input order.
	byName := make([]*model.ClusterRole, len(roles))
	copy(byName, roles)
	sort.SliceStable(byName, func(i, j int) bool { return byName[i].Name < byName[j].Name })
	roles = byName
	for iter := 0; iter <= len(aggs)+1; iter++ {
		changed := false
		for _, a := range aggs {
			var rules []rbacv1.PolicyRule
			for _, sel := range a.selectors {
				for _, other := range roles {
					if other.Name == a.role.Name || !sel.Matches(labels.Set(other.Labels)) {
						continue
					}
					for _, rule := range current[other.Name] {
						if !containsRule(rules, rule) {
							rules = append(rules, rule)
						}
					}
				}
			}
			if !reflect.DeepEqual(normalizeNil(rules), normalizeNil(current[a.role.Name])) {
				current[a.role.Name] = rules
				changed = true
			}
		}
		if !changed {
			break
		}
	}
	for _, a := range aggs {
		if !rulesEqual(a.role.Rules, current[a.role.Name]) && len(a.role.Rules) > 0 {
			warnings = append(warnings, fmt.Sprintf("ClusterRole %q is aggregated: its written rules differ from the union of the ClusterRoles its selectors match in the input; using the union, as the aggregation controller would", a.role.Name))
		}
	}
	return current, warnings
}

func normalizeNil(r []rbacv1.PolicyRule) []rbacv1.PolicyRule {
	if len(r) == 0 {
		return nil
	}
	return r
}

func containsRule(list []rbacv1.PolicyRule, r rbacv1.PolicyRule) bool {
	for i := range list {
		if ruleEqual(list[i], r) {
			return true
		}
	}
	return false
}

// ruleEqual is semantic equality: nil and empty lists are the same.
func ruleEqual(a, b rbacv1.PolicyRule) bool {
	return slices.Equal(a.Verbs, b.Verbs) && slices.Equal(a.APIGroups, b.APIGroups) && slices.Equal(a.Resources, b.Resources) &&
		slices.Equal(a.ResourceNames, b.ResourceNames) && slices.Equal(a.NonResourceURLs, b.NonResourceURLs)
}

func rulesEqual(a, b []rbacv1.PolicyRule) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if !ruleEqual(a[i], b[i]) {
			return false
		}
	}
	return true
}
