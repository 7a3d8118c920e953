package review

import (
	"testing"

	rbacv1 "k8s.io/api/rbac/v1"

	"github.com/auth-paths/kubectl-auth-paths/pkg/model"
)

// TestDescribeSubjects: fix texts name subjects as the authorizer matches
// them (a ServiceAccount without namespace is the RoleBinding's).
func TestDescribeSubjects(t *testing.T) {
	sa := rbacv1.Subject{Kind: rbacv1.ServiceAccountKind, Name: "argocd-redis"}
	tests := []struct {
		name string
		b    model.Binding
		want string
	}{
		{"RoleBinding, no namespace", model.Binding{Meta: model.Meta{Namespace: "argocd"}, Subjects: []rbacv1.Subject{sa}}, "ServiceAccount argocd/argocd-redis"},
		{"RoleBinding, other namespace", model.Binding{Meta: model.Meta{Namespace: "argocd"}, Subjects: []rbacv1.Subject{{Kind: rbacv1.ServiceAccountKind, Name: "x", Namespace: "ci"}}}, "ServiceAccount ci/x"},
		{"ClusterRoleBinding, no namespace", model.Binding{Subjects: []rbacv1.Subject{sa}}, "ServiceAccount argocd-redis (no namespace: matches no one)"},
		{"users and groups", model.Binding{Subjects: []rbacv1.Subject{{Kind: rbacv1.UserKind, Name: "alice"}, {Kind: rbacv1.GroupKind, Name: "dev"}}}, "User alice, Group dev"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := describeSubjects(&tt.b); got != tt.want {
				t.Errorf("describeSubjects = %q, want %q", got, tt.want)
			}
		})
	}
}
