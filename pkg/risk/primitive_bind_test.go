package risk_test

import (
	"testing"

	"github.com/auth-paths/kubectl-auth-paths/pkg/risk"
)

func TestBindScopes(t *testing.T) {
	a := scenarioAnalysis(t, "bind-rolebinding-namespace-only", risk.Options{})
	if !hasEdge(a, "User:frank", "bind", "Scope:namespace-admin:team-a") || hasEdge(a, "User:frank", "bind", "cluster-admin") {
		t.Errorf("bind through a RoleBinding must give the namespace only: %v", edgesFrom(a, "User:frank"))
	}
	a = scenarioAnalysis(t, "bind-resourcenames-harmless", risk.Options{})
	if !hasEdge(a, "User:erin", "bind", "Scope:ClusterRole view cluster-wide") || hasEdge(a, "User:erin", "bind", "cluster-admin") {
		t.Errorf("bind limited to view: %v", edgesFrom(a, "User:erin"))
	}
	// The existing RoleBinding references the Role tenant-admin, not the ClusterRole.
	a = scenarioAnalysis(t, "bind-role-kind-mismatch", risk.Options{})
	if e := edgesFrom(a, "User:grace"); len(e) != 0 {
		t.Errorf("grace cannot rebind RoleBinding tenant-admins to the ClusterRole: %v", e)
	}
}
