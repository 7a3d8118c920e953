package risk_test

import (
	"slices"
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

// TestBindEveryNamespace: a principal that may create RoleBindings and bind
// ClusterRoles cluster-wide steps once into every namespace's admin scope;
// a namespace adds a step of its own only where the first ClusterRole it may
// bind there covers less than the namespace (its scope is that role's).
func TestBindEveryNamespace(t *testing.T) {
	const (
		nsA = "apiVersion: v1\nkind: Namespace\nmetadata: {name: a}"
		nsB = "apiVersion: v1\nkind: Namespace\nmetadata: {name: b}"
	)
	// After cluster-admin (it covers everything), ClusterRoles are tried by
	// name: basic-viewer before ns-all.
	viewer := clusterRoleDoc("basic-viewer", `{apiGroups: [""], resources: [pods], verbs: [get]}`)
	nsAll := clusterRoleDoc("ns-all", `{apiGroups: ["*"], resources: ["*"], verbs: ["*"]}`)
	binderCRB := bindingDoc("", "binder", "binder", "{kind: User, name: binder}")
	binder := func(names string) string {
		bind := "{apiGroups: [rbac.authorization.k8s.io], resources: [clusterroles], verbs: [bind]"
		if names != "" {
			bind += ", resourceNames: [" + names + "]"
		}
		return clusterRoleDoc("binder", "{apiGroups: [rbac.authorization.k8s.io], resources: [rolebindings], verbs: [create]}", bind+"}")
	}
	for _, tc := range []struct {
		name     string
		bindable string // resourceNames of the bind rule; "" for any ClusterRole
		want     []string
	}{
		{"any role: the admin scope of every namespace only", "",
			[]string{"bind→Scope:any-namespace-admin"}},
		{"a lesser role first: its scope in every namespace", "basic-viewer, ns-all",
			[]string{"bind→Scope:ClusterRole basic-viewer in namespace a", "bind→Scope:ClusterRole basic-viewer in namespace b", "bind→Scope:any-namespace-admin"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := analyzeYAML(t, risk.Options{}, adminRole, nsA, nsB, viewer, nsAll, binder(tc.bindable), binderCRB)
			got := edgesFrom(a, "User:binder")
			slices.Sort(got)
			if !slices.Equal(got, tc.want) {
				t.Errorf("steps %q, want %q", got, tc.want)
			}
		})
	}
}
