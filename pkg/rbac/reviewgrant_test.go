package rbac

import (
	"testing"

	rbacv1 "k8s.io/api/rbac/v1"

	"github.com/auth-paths/kubectl-auth-paths/pkg/model"
)

func TestReviewGrantNamesTheReviewAndTheRuleNotABinding(t *testing.T) {
	sa := Subject{Kind: rbacv1.ServiceAccountKind, Namespace: "ci", Name: "probe"}
	rule := rbacv1.PolicyRule{Verbs: []string{"get", "list"}, APIGroups: []string{""}, Resources: []string{"secrets"}, ResourceNames: []string{"a", "b"}}
	tests := []struct {
		name   string
		review *model.RulesReview
		rule   rbacv1.PolicyRule
		want   string
	}{
		{"cluster-wide", &model.RulesReview{}, rule,
			`SelfSubjectRulesReview of cluster-wide rules (from ClusterRoleBindings): rule verbs=get,list apiGroups="" resources=secrets resourceNames=a,b to ServiceAccount "ci/probe"`},
		{"namespace", &model.RulesReview{Namespace: "kube-system"}, rule,
			`SelfSubjectRulesReview in namespace kube-system (from RoleBindings there): rule verbs=get,list apiGroups="" resources=secrets resourceNames=a,b to ServiceAccount "ci/probe"`},
		{"non-resource", &model.RulesReview{}, rbacv1.PolicyRule{Verbs: []string{"get"}, NonResourceURLs: []string{"/metrics"}},
			`SelfSubjectRulesReview of cluster-wide rules (from ClusterRoleBindings): rule verbs=get nonResourceURLs=/metrics to ServiceAccount "ci/probe"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := &model.Binding{Meta: model.Meta{Name: "whoami:selfsubjectrulesreview"}, Kind: model.KindClusterRoleBinding, Review: tt.review}
			if got := (Grant{Binding: b, Rule: &tt.rule}).WithSubject(sa).String(); got != tt.want {
				t.Errorf("got  %s\nwant %s", got, tt.want)
			}
		})
	}
}
