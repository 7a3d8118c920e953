package risk_test

import (
	"slices"
	"testing"

	"github.com/auth-paths/kubectl-auth-paths/pkg/risk"
)

// TestStepObjects: a step that acts on existing bindings rather than holds
// them records which (risk.ObjectsOf: any one serves), so that choke
// points can name them; a step that creates its binding records none.
func TestStepObjects(t *testing.T) {
	nsAdmin := clusterRoleDoc("ns-admin", `{apiGroups: ["*"], resources: ["*"], verbs: ["*"]}`)
	rewriter := func(update string) string {
		return clusterRoleDoc("rewriter", `{apiGroups: [rbac.authorization.k8s.io], resources: [clusterroles], verbs: [bind], resourceNames: [ns-admin]}`, update)
	}
	update := `{apiGroups: [rbac.authorization.k8s.io], resources: [rolebindings], verbs: [update]}`
	teams := []string{
		bindingDoc("a", "x-admins", "ns-admin", "{kind: Group, name: team-x}"),
		bindingDoc("a", "y-admins", "ns-admin", "{kind: Group, name: team-y}"),
	}
	rita := "{kind: User, name: rita}"
	role := func(name, rule string) string {
		return "apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata: {name: " + name + ", namespace: a}\nrules:\n- " + rule
	}
	roleBinding := func(name, roleName, subject string) string {
		return "apiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata: {name: " + name + ", namespace: a}\n" +
			"roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: " + roleName + "}\nsubjects: [" + subject + "]"
	}
	cases := []struct {
		name       string
		docs       []string
		from, prim string
		to         string // the step's target, by name
		want       []string
	}{
		{
			name: "bind by updating: every RoleBinding it may update that refers to the role",
			docs: append([]string{nsAdmin, rewriter(update), bindingDoc("a", "rw", "rewriter", rita)}, teams...),
			from: "User:rita", prim: "bind", to: "Scope:all permissions in namespace a",
			want: []string{"RoleBinding/a/x-admins", "RoleBinding/a/y-admins"},
		},
		{
			name: "bind by updating one RoleBinding by name",
			docs: append([]string{nsAdmin, rewriter(`{apiGroups: [rbac.authorization.k8s.io], resources: [rolebindings], verbs: [patch], resourceNames: [y-admins]}`), bindingDoc("a", "rw", "rewriter", rita)}, teams...),
			from: "User:rita", prim: "bind", to: "Scope:all permissions in namespace a",
			want: []string{"RoleBinding/a/y-admins"},
		},
		{
			name: "bind by creating: none",
			docs: append([]string{nsAdmin, rewriter(`{apiGroups: [rbac.authorization.k8s.io], resources: [rolebindings], verbs: [create]}`), bindingDoc("a", "rw", "rewriter", rita)}, teams...),
			from: "User:rita", prim: "bind", to: "Scope:all permissions in namespace a",
			want: nil,
		},
		{
			name: "bound cluster-wide: the pick of the namespace names its RoleBindings",
			docs: append([]string{nsAdmin, rewriter(update), bindingDoc("", "rw", "rewriter", rita)}, teams...),
			from: "Scope:ClusterRole ns-admin where a RoleBinding binds it", prim: "pick-namespace", to: "Scope:all permissions in namespace a",
			want: []string{"RoleBinding/a/x-admins", "RoleBinding/a/y-admins"},
		},
		{
			name: "escalate: the binding of the role it writes * into",
			docs: []string{
				role("small", `{apiGroups: [""], resources: [pods], verbs: [get]}`),
				role("editor", `{apiGroups: [rbac.authorization.k8s.io], resources: [roles], verbs: [update, escalate], resourceNames: [small]}`),
				roleBinding("eve-small", "small", "{kind: User, name: eve}"),
				roleBinding("eve-editor", "editor", "{kind: User, name: eve}"),
			},
			from: "User:eve", prim: "escalate", to: "Scope:all permissions in namespace a",
			want: []string{"RoleBinding/a/eve-small"},
		},
		{
			name: "dangling-role: the binding of the missing role it creates",
			docs: []string{
				role("creator", `{apiGroups: [rbac.authorization.k8s.io], resources: [roles], verbs: [create, escalate]}`),
				roleBinding("eve-missing", "missing", "{kind: User, name: eve}"),
				roleBinding("eve-creator", "creator", "{kind: User, name: eve}"),
			},
			from: "User:eve", prim: "dangling-role", to: "Scope:all permissions in namespace a",
			want: []string{"RoleBinding/a/eve-missing"},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			a := analyzeYAML(t, risk.Options{}, append([]string{"apiVersion: v1\nkind: Namespace\nmetadata: {name: a}"}, tc.docs...)...)
			found := false
			for _, e := range a.Graph.Edges() {
				if risk.NodeName(e.From) != tc.from || e.Primitive != tc.prim || risk.NodeName(e.To) != tc.to {
					continue
				}
				found = true
				if got := risk.ObjectsOf(e); !slices.Equal(got, tc.want) {
					t.Errorf("objects %v, want %v", got, tc.want)
				}
			}
			if !found {
				var steps []string
				for _, e := range a.Graph.Edges() {
					steps = append(steps, risk.NodeName(e.From)+" -"+e.Primitive+"-> "+risk.NodeName(e.To))
				}
				t.Fatalf("no step %s -%s-> %s among %v", tc.from, tc.prim, tc.to, steps)
			}
		})
	}
}
