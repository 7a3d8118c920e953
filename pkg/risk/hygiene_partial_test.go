package risk_test

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/auth-paths/kubectl-auth-paths/pkg/model"
	"github.com/auth-paths/kubectl-auth-paths/pkg/risk"
	"github.com/auth-paths/kubectl-auth-paths/pkg/source"
)

// TestDanglingRoleNeedsTheRoleList: a binding's role is only called missing
// when the live load could read that kind of role where the binding is.
func TestDanglingRoleNeedsTheRoleList(t *testing.T) {
	const in = `apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: to-clusterrole, namespace: team-a}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: reader}
subjects: [{kind: User, name: alice, apiGroup: rbac.authorization.k8s.io}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: to-role, namespace: team-a}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: editor}
subjects: [{kind: User, name: alice, apiGroup: rbac.authorization.k8s.io}]
`
	clusterRoles := model.MissingKind{Resource: "clusterroles.rbac.authorization.k8s.io", Reason: "forbidden"}
	rolesAll := model.MissingKind{Resource: "roles.rbac.authorization.k8s.io", Reason: "forbidden"}
	rolesInA := model.MissingKind{Resource: "roles.rbac.authorization.k8s.io", Reason: "forbidden cluster-wide", ReadInNamespace: "team-a"}
	rolesInB := model.MissingKind{Resource: "roles.rbac.authorization.k8s.io", Reason: "forbidden cluster-wide", ReadInNamespace: "team-b"}
	tests := []struct {
		name    string
		missing []model.MissingKind
		want    []string // bindings reported as dangling
	}{
		{"everything read", nil, []string{"RoleBinding/team-a/to-clusterrole", "RoleBinding/team-a/to-role"}},
		{"ClusterRoles unread", []model.MissingKind{clusterRoles}, []string{"RoleBinding/team-a/to-role"}},
		{"Roles unread", []model.MissingKind{rolesAll}, []string{"RoleBinding/team-a/to-clusterrole"}},
		{"Roles read in the binding's namespace", []model.MissingKind{rolesInA}, []string{"RoleBinding/team-a/to-clusterrole", "RoleBinding/team-a/to-role"}},
		{"Roles read in another namespace", []model.MissingKind{clusterRoles, rolesInB}, nil},
	}
	path := filepath.Join(t.TempDir(), "in.yaml")
	if err := os.WriteFile(path, []byte(in), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			inv, err := source.LoadFiles(source.FileOptions{Filenames: []string{path}})
			if err != nil {
				t.Fatal(err)
			}
			inv.Missing = tt.missing
			var got []string
			for _, f := range risk.Analyze(inv, risk.Options{}).Findings(time.Now()) {
				if f.ID == risk.FindingDanglingRole {
					got = append(got, f.Object)
				}
			}
			if len(got) != len(tt.want) {
				t.Fatalf("dangling %q, want %q", got, tt.want)
			}
			for i := range got {
				if got[i] != tt.want[i] {
					t.Errorf("dangling %q, want %q", got, tt.want)
				}
			}
		})
	}
}
