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
// a ClusterRole covering less than a namespace that it may bind before one
// covering a namespace (or without one) is one step into that role's scope
// in any namespace, whose 0-hop picks are the role's scope in each; Roles
// it may bind cluster-wide still step per namespace.
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
	const (
		anyViewer = "Scope:ClusterRole basic-viewer in any namespace"
		// A Role of namespace a, and a ClusterRole that may bind any Role.
		podReader  = "apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata: {name: pod-reader, namespace: a}\nrules:\n- {apiGroups: [\"\"], resources: [pods], verbs: [list]}"
		roleBinder = "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: {name: role-binder}\nrules:\n- {apiGroups: [rbac.authorization.k8s.io], resources: [roles], verbs: [bind]}"
	)
	for _, tc := range []struct {
		name     string
		bindable string // resourceNames of the bind rule; "" for any ClusterRole
		roles    bool   // the binder may also bind any Role, and namespace a has one
		want     []string
	}{
		{"any role: the admin scope of every namespace only", "", false,
			[]string{"bind→Scope:any-namespace-admin"}},
		{"a lesser role first: its scope in any namespace", "basic-viewer, ns-all", false,
			[]string{"bind→" + anyViewer, "bind→Scope:any-namespace-admin"}},
		{"a lesser role only", "basic-viewer", false,
			[]string{"bind→" + anyViewer}},
		{"a lesser role only, and Roles", "basic-viewer", true,
			[]string{"bind→" + anyViewer, "bind→Scope:Role pod-reader in namespace a"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			docs := []string{adminRole, nsA, nsB, viewer, nsAll, binder(tc.bindable), binderCRB}
			if tc.roles {
				docs = append(docs, podReader, roleBinder, bindingDoc("", "role-binder", "role-binder", "{kind: User, name: binder}"))
			}
			a := analyzeYAML(t, risk.Options{}, docs...)
			got := edgesFrom(a, "User:binder")
			slices.Sort(got)
			if !slices.Equal(got, tc.want) {
				t.Errorf("steps %q, want %q", got, tc.want)
			}
			if slices.Contains(got, "bind→"+anyViewer) {
				picks := edgesFrom(a, anyViewer)
				want := []string{"pick-namespace→Scope:ClusterRole basic-viewer in namespace a", "pick-namespace→Scope:ClusterRole basic-viewer in namespace b"}
				if !slices.Equal(picks, want) {
					t.Errorf("picks %q, want %q", picks, want)
				}
			}
		})
	}
}
