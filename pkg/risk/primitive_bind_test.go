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
// it may bind cluster-wide are one step into the scope of the Roles of any
// namespace (TestBindRolesOfEveryNamespace).
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
			[]string{"bind→" + anyViewer, "bind→Scope:Roles of any namespace"}},
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

// TestBindRolesOfEveryNamespace: rules bound cluster-wide that may bind
// Roles, with RoleBindings created in any namespace, are one step per rule
// into the scope of the Roles (named) of any namespace, whose 0-hop picks
// are each Role's scope in its namespace; a Role only an update of an
// existing RoleBinding binds, or only a namespaced rule may bind, is a step
// in its namespace.
func TestBindRolesOfEveryNamespace(t *testing.T) {
	role := func(ns, name, rule string) string {
		return "apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata: {name: " + name + ", namespace: " + ns + "}\nrules:\n- " + rule
	}
	const (
		nsA        = "apiVersion: v1\nkind: Namespace\nmetadata: {name: a}"
		nsB        = "apiVersion: v1\nkind: Namespace\nmetadata: {name: b}"
		readPods   = `{apiGroups: [""], resources: [pods], verbs: [list]}`
		everything = `{apiGroups: ["*"], resources: ["*"], verbs: ["*"]}`
		user       = "{kind: User, name: binder}"
		create     = "{apiGroups: [rbac.authorization.k8s.io], resources: [rolebindings], verbs: [create]}"
		update     = "{apiGroups: [rbac.authorization.k8s.io], resources: [rolebindings], verbs: [update]}"
		bindRoles  = "{apiGroups: [rbac.authorization.k8s.io], resources: [roles], verbs: [bind]"
	)
	roles := []string{nsA, nsB, role("a", "pod-reader", readPods), role("b", "pod-reader", readPods), role("b", "owner", everything)}
	// An existing RoleBinding of Role pod-reader in a, which update may change.
	existing := "apiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata: {name: readers, namespace: a}\n" +
		"roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: pod-reader}\nsubjects: [{kind: User, name: someone}]"
	for _, tc := range []struct {
		name  string
		docs  []string
		want  []string
		scope string   // the scope stepped into
		picks []string // its picks
	}{
		{name: "any Role", docs: []string{clusterRoleDoc("binder", create, bindRoles+"}"), bindingDoc("", "binder", "binder", user)},
			want: []string{"bind→Scope:Roles of any namespace"}, scope: "Scope:Roles of any namespace",
			picks: []string{"pick-namespace→Scope:Role pod-reader in namespace a", "pick-namespace→Scope:Role pod-reader in namespace b", "pick-namespace→Scope:namespace-admin:b"}},
		{name: "named Roles", docs: []string{clusterRoleDoc("binder", create, bindRoles+", resourceNames: [pod-reader, missing]}"), bindingDoc("", "binder", "binder", user)},
			want: []string{"bind→Scope:Roles named missing,pod-reader of any namespace"}, scope: "Scope:Roles named missing,pod-reader of any namespace",
			picks: []string{"pick-namespace→Scope:Role pod-reader in namespace a", "pick-namespace→Scope:Role pod-reader in namespace b"}},
		{name: "no Role of that name", docs: []string{clusterRoleDoc("binder", create, bindRoles+", resourceNames: [missing]}"), bindingDoc("", "binder", "binder", user)}},
		{name: "update of an existing RoleBinding only", docs: []string{clusterRoleDoc("binder", update, bindRoles+"}"), bindingDoc("", "binder", "binder", user), existing},
			want: []string{"bind→Scope:Role pod-reader in namespace a"}},
		{name: "bind Roles in one namespace", docs: []string{clusterRoleDoc("binder", create), bindingDoc("", "binder", "binder", user),
			clusterRoleDoc("role-binder", bindRoles+"}"), bindingDoc("b", "role-binder", "role-binder", user)},
			want: []string{"bind→Scope:Role pod-reader in namespace b", "bind→Scope:namespace-admin:b"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := analyzeYAML(t, risk.Options{}, append(append([]string{}, roles...), tc.docs...)...)
			wantEdgesFrom(t, a, "User:binder", tc.want)
			if tc.scope != "" {
				wantEdgesFrom(t, a, tc.scope, tc.picks)
			}
		})
	}
}

// TestBindByUpdatingRoleBindings: bind on ClusterRoles with update or patch
// of any RoleBinding (rules bound cluster-wide, no create) is one step per
// ClusterRole into the scope of the namespaces where a RoleBinding refers to
// it, picking the namespace's admin scope for a role that covers it and
// the role's scope otherwise. Where a condition fails the steps are per
// namespace as before: create allowed (every namespace's admin scope),
// update only of named RoleBindings, update in one namespace only.
func TestBindByUpdatingRoleBindings(t *testing.T) {
	const (
		nsA        = "apiVersion: v1\nkind: Namespace\nmetadata: {name: a}"
		nsB        = "apiVersion: v1\nkind: Namespace\nmetadata: {name: b}"
		nsC        = "apiVersion: v1\nkind: Namespace\nmetadata: {name: c}"
		user       = "{kind: User, name: rewriter}"
		someone    = "{kind: User, name: someone}"
		bindCRs    = "{apiGroups: [rbac.authorization.k8s.io], resources: [clusterroles], verbs: [bind]}"
		bindOwner  = "{apiGroups: [rbac.authorization.k8s.io], resources: [clusterroles], verbs: [bind], resourceNames: [ns-owner]}"
		bindLister = "{apiGroups: [rbac.authorization.k8s.io], resources: [clusterroles], verbs: [bind], resourceNames: [pod-lister]}"
		update     = "{apiGroups: [rbac.authorization.k8s.io], resources: [rolebindings], verbs: [update, patch]}"
		updateOne  = "{apiGroups: [rbac.authorization.k8s.io], resources: [rolebindings], verbs: [patch], resourceNames: [viewers]}"
		create     = "{apiGroups: [rbac.authorization.k8s.io], resources: [rolebindings], verbs: [create]}"
		readPods   = `{apiGroups: [""], resources: [pods], verbs: [list]}`
		everything = `{apiGroups: ["*"], resources: ["*"], verbs: ["*"]}`
	)
	world := []string{nsA, nsB, nsC,
		clusterRoleDoc("ns-owner", everything), clusterRoleDoc("pod-lister", readPods),
		bindingDoc("a", "owners", "ns-owner", someone), bindingDoc("b", "viewers", "pod-lister", someone),
		bindingDoc("b", "owners", "ns-owner", someone)}
	for _, tc := range []struct {
		name   string
		docs   []string
		want   []string
		scopes map[string][]string // scope → its picks
	}{
		{name: "update any RoleBinding, bind any ClusterRole", docs: []string{clusterRoleDoc("rewriter", bindCRs, update), bindingDoc("", "rewriter", "rewriter", user)},
			want: []string{"bind→Scope:ClusterRole ns-owner where a RoleBinding binds it", "bind→Scope:ClusterRole pod-lister where a RoleBinding binds it"},
			scopes: map[string][]string{
				"Scope:ClusterRole ns-owner where a RoleBinding binds it":   {"pick-namespace→Scope:namespace-admin:a", "pick-namespace→Scope:namespace-admin:b"},
				"Scope:ClusterRole pod-lister where a RoleBinding binds it": {"pick-namespace→Scope:ClusterRole pod-lister in namespace b"},
			}},
		{name: "create too: every namespace's admin scope", docs: []string{clusterRoleDoc("rewriter", bindCRs, update, create), bindingDoc("", "rewriter", "rewriter", user)},
			want: []string{"bind→Scope:any-namespace-admin"}},
		{name: "update of one named RoleBinding", docs: []string{clusterRoleDoc("rewriter", bindCRs, updateOne), bindingDoc("", "rewriter", "rewriter", user)},
			want: []string{"bind→Scope:ClusterRole pod-lister in namespace b"}},
		{name: "a role the folded covering role dominates in a namespace gets no step there",
			docs: []string{clusterRoleDoc("rewriter", bindOwner, update), bindingDoc("", "rewriter", "rewriter", user),
				clusterRoleDoc("lister-binder", bindLister), bindingDoc("b", "lister-binder", "lister-binder", user)},
			want: []string{"bind→Scope:ClusterRole ns-owner where a RoleBinding binds it"}},
		{name: "update in one namespace", docs: []string{clusterRoleDoc("rewriter", bindCRs), bindingDoc("", "rewriter", "rewriter", user),
			clusterRoleDoc("updater", update), bindingDoc("b", "updater", "updater", user)},
			want: []string{"bind→Scope:namespace-admin:b"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := analyzeYAML(t, risk.Options{}, append(append([]string{}, world...), tc.docs...)...)
			wantEdgesFrom(t, a, "User:rewriter", tc.want)
			for scope, want := range tc.scopes {
				wantEdgesFrom(t, a, scope, want)
			}
		})
	}
}

// wantEdgesFrom checks the steps out of the node of key (edgesFrom), in any
// order.
func wantEdgesFrom(t *testing.T, a *risk.Analysis, key string, want []string) {
	t.Helper()
	got := edgesFrom(a, key)
	slices.Sort(got)
	if !slices.Equal(got, want) {
		t.Errorf("steps from %s %q, want %q", key, got, want)
	}
}
