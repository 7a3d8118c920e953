package risk_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/auth-paths/kubectl-auth-paths/pkg/risk"
)

// TestTokenRequestEveryNamespace: with create serviceaccounts/token bound
// cluster-wide, a principal steps once into every namespace's
// ServiceAccounts; a namespace adds a step only where a rule bound there is
// the one that allows it (its own RoleBinding, before its group's rules).
func TestTokenRequestEveryNamespace(t *testing.T) {
	const (
		nsA     = "apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: app, namespace: a}"
		nsB     = "apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: app, namespace: b}"
		nsC     = "apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: app, namespace: c}"
		adminRB = `apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: app-admin, namespace: NS}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cluster-admin}
subjects: [{kind: ServiceAccount, name: app, namespace: NS}]`
		minter = `apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: minter}
rules:
- {apiGroups: [""], resources: [serviceaccounts/token], verbs: [create]}`
		groupCRB = `apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: minters}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: minter}
subjects: [{kind: Group, name: minters}]`
		ownRB = `apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: own, namespace: b}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: minter}
subjects: [{kind: User, name: ursula}]`
		view = `apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: view}
rules:
- {apiGroups: [""], resources: [pods], verbs: [get]}`
		viewRB = `apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: view, namespace: c}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: view}
subjects: [{kind: User, name: ursula}]`
	)
	rb := func(ns string) string { return strings.ReplaceAll(adminRB, "NS", ns) }
	groups := risk.Options{Groups: map[string][]string{"ursula": {"minters"}}}
	a := analyzeYAML(t, groups, adminRole, nsA, nsB, nsC, rb("a"), rb("b"), rb("c"), minter, groupCRB, ownRB, view, viewRB)
	got := edgesFrom(a, "User:ursula")
	slices.Sort(got)
	want := []string{"member-of→Group:minters", "token-request→Scope:any-serviceaccount:b"}
	if !slices.Equal(got, want) {
		t.Errorf("ursula's steps %q, want %q", got, want)
	}
	if !hasEdge(a, "Group:minters", "token-request", "Scope:any-serviceaccount") {
		t.Errorf("the group's steps: %q", edgesFrom(a, "Group:minters"))
	}
}
