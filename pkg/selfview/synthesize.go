package selfview

import (
	"encoding/json"
	"slices"
	"strings"

	rbacv1 "k8s.io/api/rbac/v1"

	"github.com/auth-paths/kubectl-auth-paths/pkg/model"
	"github.com/auth-paths/kubectl-auth-paths/pkg/rbac"
)

// StandInName names every stand-in role and binding, so that a path's
// bindings say what they are; the RulesReview mark, not the name, is what
// the analysis goes by (a real object could have this name).
const StandInName = "whoami:selfsubjectrulesreview"

// sourceFile is where stand-ins say they were read from.
const sourceFile = "cluster:selfsubjectrulesreviews"

// StandIns are the roles and bindings that stand for the reviewed rules.
type StandIns struct {
	ClusterRoles        []*model.ClusterRole
	ClusterRoleBindings []*model.Binding
	Roles               []*model.Role
	RoleBindings        []*model.Binding
}

// Synthesize turns reviews into stand-in RBAC bound to subject:
//
//   - cluster, the review in ClusterScopeNamespace (nil when it failed),
//     holds the rules of ClusterRoleBindings: a ClusterRole and a
//     ClusterRoleBinding, its cluster-scoped resources and non-resource URLs
//     included, since a ClusterRoleBinding grants them.
//   - each namespace's review holds those rules too, then the rules of the
//     RoleBindings there; what is left once the cluster-wide rules are taken
//     out (as a multiset: a RoleBinding may repeat a cluster-wide rule) is a
//     Role and a RoleBinding in that namespace. A RoleBinding grants nothing
//     cluster-scoped and no non-resource URL even when its ClusterRole names
//     them, and the engine evaluates a Role in a RoleBinding that way; the
//     review's non-resource rules are not kept there at all.
//
// Without the cluster-wide review, every rule of a namespace's review is kept
// in that namespace only: rules of ClusterRoleBindings then count only where
// reviewed, and their cluster-scoped resources and non-resource URLs not at
// all (never more than the credentials hold).
//
// Rules are sorted and repeats dropped, so the result does not depend on the
// order the apiserver lists bindings in.
func Synthesize(subject rbac.Subject, cluster *Rules, namespaces []Rules) StandIns {
	var out StandIns
	bindingSubject := bindingSubjectOf(subject)
	var clusterRules []rbacv1.PolicyRule
	if cluster != nil {
		clusterRules = cluster.ResourceRules
		rules := canonicalRules(append(append([]rbacv1.PolicyRule{}, cluster.ResourceRules...), cluster.NonResourceRules...))
		if len(rules) > 0 {
			review := &model.RulesReview{}
			src := model.Source{File: sourceFile + "/" + ClusterScopeNamespace}
			out.ClusterRoles = append(out.ClusterRoles, &model.ClusterRole{Meta: model.Meta{Name: StandInName}, Rules: rules, Review: review, Source: src})
			out.ClusterRoleBindings = append(out.ClusterRoleBindings, &model.Binding{Meta: model.Meta{Name: StandInName}, Kind: model.KindClusterRoleBinding,
				RoleRef: rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: model.KindClusterRole, Name: StandInName}, Subjects: []rbacv1.Subject{bindingSubject}, Review: review, Source: src})
		}
	}
	for _, ns := range namespaces {
		rules := canonicalRules(withoutRules(ns.ResourceRules, clusterRules))
		if len(rules) == 0 {
			continue
		}
		review := &model.RulesReview{Namespace: ns.Namespace}
		src := model.Source{File: sourceFile + "/" + ns.Namespace}
		meta := model.Meta{Namespace: ns.Namespace, Name: StandInName}
		out.Roles = append(out.Roles, &model.Role{Meta: meta, Rules: rules, Review: review, Source: src})
		out.RoleBindings = append(out.RoleBindings, &model.Binding{Meta: meta, Kind: model.KindRoleBinding,
			RoleRef: rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: model.KindRole, Name: StandInName}, Subjects: []rbacv1.Subject{bindingSubject}, Review: review, Source: src})
	}
	return out
}

// Add appends the stand-ins to an inventory (the caller sorts it if needed).
func (s StandIns) Add(inv *model.Inventory) {
	inv.ClusterRoles = append(inv.ClusterRoles, s.ClusterRoles...)
	inv.ClusterRoleBindings = append(inv.ClusterRoleBindings, s.ClusterRoleBindings...)
	inv.Roles = append(inv.Roles, s.Roles...)
	inv.RoleBindings = append(inv.RoleBindings, s.RoleBindings...)
}

// bindingSubjectOf is the binding subject naming exactly this identity.
func bindingSubjectOf(s rbac.Subject) rbacv1.Subject {
	if s.Kind == rbacv1.ServiceAccountKind {
		return rbacv1.Subject{Kind: rbacv1.ServiceAccountKind, Namespace: s.Namespace, Name: s.Name}
	}
	return rbacv1.Subject{Kind: s.Kind, APIGroup: rbacv1.GroupName, Name: s.UserName()}
}

// withoutRules removes one equal rule of rules for each rule of remove
// (a multiset difference); the order of the rest is kept.
func withoutRules(rules, remove []rbacv1.PolicyRule) []rbacv1.PolicyRule {
	left := map[string]int{}
	for _, r := range remove {
		left[ruleKey(r)]++
	}
	var out []rbacv1.PolicyRule
	for _, r := range rules {
		k := ruleKey(r)
		if left[k] > 0 {
			left[k]--
			continue
		}
		out = append(out, r)
	}
	return out
}

// canonicalRules sorts rules by their JSON form and drops repeats.
func canonicalRules(rules []rbacv1.PolicyRule) []rbacv1.PolicyRule {
	keyed := make(map[string]rbacv1.PolicyRule, len(rules))
	for _, r := range rules {
		keyed[ruleKey(r)] = r
	}
	keys := make([]string, 0, len(keyed))
	for k := range keyed {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	out := make([]rbacv1.PolicyRule, len(keys))
	for i, k := range keys {
		out[i] = keyed[k]
	}
	return out
}

// sortRules sorts rules by their JSON form, repeats kept.
func sortRules(rules []rbacv1.PolicyRule) {
	slices.SortStableFunc(rules, func(a, b rbacv1.PolicyRule) int { return strings.Compare(ruleKey(a), ruleKey(b)) })
}

// ruleKey is a rule's identity: its fields as JSON, nil and empty lists alike.
func ruleKey(r rbacv1.PolicyRule) string {
	norm := func(v []string) []string {
		if len(v) == 0 {
			return nil
		}
		return v
	}
	b, _ := json.Marshal(rbacv1.PolicyRule{Verbs: norm(r.Verbs), APIGroups: norm(r.APIGroups), Resources: norm(r.Resources),
		ResourceNames: norm(r.ResourceNames), NonResourceURLs: norm(r.NonResourceURLs)})
	return strings.TrimSpace(string(b))
}
