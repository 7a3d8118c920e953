package rbac

import (
	"fmt"
	"strings"

	rbacv1 "k8s.io/api/rbac/v1"

	"github.com/auth-paths/kubectl-auth-paths/pkg/model"
)

// reviewGrantString is the provenance of a rule that a SelfSubjectRulesReview
// returned: it names the review and the rule itself, never a binding, since
// the review does not say which binding or role the rule came from.
func reviewGrantString(r *model.RulesReview, g Grant) string {
	where := "of cluster-wide rules (from ClusterRoleBindings)"
	if r.Namespace != "" {
		where = fmt.Sprintf("in namespace %s (from RoleBindings there)", r.Namespace)
	}
	return fmt.Sprintf("SelfSubjectRulesReview %s: rule %s to %s", where, RuleString(g.PolicyRule()), g.Subject().Describe())
}

// RuleString renders a rule on one line, its empty fields left out:
// `verbs=impersonate resources=groups resourceNames=system:masters`.
func RuleString(r rbacv1.PolicyRule) string {
	var parts []string
	add := func(name string, values []string, keepEmpty bool) {
		if len(values) == 0 && !keepEmpty {
			return
		}
		quoted := make([]string, len(values))
		for i, v := range values {
			if v == "" {
				v = `""`
			}
			quoted[i] = v
		}
		parts = append(parts, name+"="+strings.Join(quoted, ","))
	}
	add("verbs", r.Verbs, true)
	if len(r.NonResourceURLs) > 0 {
		add("nonResourceURLs", r.NonResourceURLs, false)
		return strings.Join(parts, " ")
	}
	add("apiGroups", r.APIGroups, false)
	add("resources", r.Resources, false)
	add("resourceNames", r.ResourceNames, false)
	return strings.Join(parts, " ")
}
