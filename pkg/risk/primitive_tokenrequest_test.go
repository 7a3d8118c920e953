package risk_test

import (
	"slices"
	"testing"

	"github.com/auth-paths/kubectl-auth-paths/pkg/risk"
)

// TestTokenRequestEveryNamespace: with create serviceaccounts/token bound
// cluster-wide, a principal steps once into every namespace's
// ServiceAccounts; a namespace adds a step only where a rule bound there is
// the one that allows it (its own RoleBinding, before its group's rules).
func TestTokenRequestEveryNamespace(t *testing.T) {
	const (
		nsA = "apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: app, namespace: a}"
		nsB = "apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: app, namespace: b}"
		nsC = "apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: app, namespace: c}"
	)
	minter := clusterRoleDoc("minter", `{apiGroups: [""], resources: [serviceaccounts/token], verbs: [create]}`)
	groupCRB := bindingDoc("", "minters", "minter", "{kind: Group, name: minters}")
	ownRB := bindingDoc("b", "own", "minter", "{kind: User, name: ursula}")
	view := clusterRoleDoc("view", `{apiGroups: [""], resources: [pods], verbs: [get]}`)
	viewRB := bindingDoc("c", "view", "view", "{kind: User, name: ursula}")
	rb := func(ns string) string {
		return bindingDoc(ns, "app-admin", "cluster-admin", "{kind: ServiceAccount, name: app, namespace: "+ns+"}")
	}
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
