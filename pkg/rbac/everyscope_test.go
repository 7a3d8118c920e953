package rbac

import (
	"slices"
	"testing"

	rbacv1 "k8s.io/api/rbac/v1"

	"github.com/auth-paths/kubectl-auth-paths/pkg/model"
)

// TestGrantsInEveryScopeIsWhoCanEverywhere: for every namespace, the subjects
// of the cluster-wide grants plus that namespace's grants are exactly WhoCan's
// answer there (without system:masters), and no grant of one namespace leaks
// into another.
func TestGrantsInEveryScopeIsWhoCanEverywhere(t *testing.T) {
	createPods := rule(l("create"), l(""), l("pods"))
	inv := &model.Inventory{
		ClusterRoles: []*model.ClusterRole{clusterRole("pod-maker", createPods), clusterRole("reader", getPods), clusterRole("all", everything)},
		Roles:        []*model.Role{role("b", "local-maker", createPods), role("c", "named", rbacv1.PolicyRule{Verbs: l("create"), APIGroups: l(""), Resources: l("pods"), ResourceNames: l("x")})},
		ClusterRoleBindings: []*model.Binding{
			crb("ci", "pod-maker", sa("ci", "builder")),
			crb("readers", "reader", group("viewers")),
		},
		RoleBindings: []*model.Binding{
			rb("a", "admins", model.KindClusterRole, "all", user("alice")),
			rb("b", "devs", model.KindRole, "local-maker", group("devs"), user("bob")),
			rb("b", "ghost", model.KindRole, "missing", user("ghost")),
			rb("c", "named-only", model.KindRole, "named", user("carol")),
		},
	}
	e := NewEvaluator(inv)
	req := Request{Verb: "create", Resource: "pods"}
	grants := slices.Collect(e.GrantsInEveryScope(req))
	byScope := map[string][]string{}
	for _, g := range grants {
		byScope[g.Binding.Namespace] = append(byScope[g.Binding.Namespace], g.Subject().String())
	}
	want := map[string][]string{
		"":  {"ServiceAccount:ci:builder"},
		"a": {"User:alice"},
		"b": {"Group:devs", "User:bob"},
	}
	for scope, subjects := range want {
		if !slices.Equal(byScope[scope], subjects) {
			t.Errorf("scope %q: %v, want %v", scope, byScope[scope], subjects)
		}
	}
	if len(byScope) != len(want) {
		t.Errorf("scopes %v, want only %v (create is never allowed by resourceNames; missing roles grant nothing)", byScope, want)
	}
	for _, ns := range []string{"a", "b", "c", "elsewhere"} {
		got := slices.Clone(byScope[""])
		got = append(got, byScope[ns]...)
		slices.Sort(got)
		if w := whoCanNames(e, inNS(req, ns)); !slices.Equal(got, w) {
			t.Errorf("namespace %s: %v, WhoCan says %v", ns, got, w)
		}
	}
	// Non-resource requests: only ClusterRoleBindings apply.
	inv.ClusterRoles = append(inv.ClusterRoles, clusterRole("health", getHealthz))
	inv.ClusterRoleBindings = append(inv.ClusterRoleBindings, crb("health", "health", user("probe")))
	inv.RoleBindings = append(inv.RoleBindings, rb("a", "urls", model.KindClusterRole, "health", user("dave")))
	e = NewEvaluator(inv)
	var got []string
	for g := range e.GrantsInEveryScope(Request{Verb: "get", Path: "/healthz"}) {
		got = append(got, g.Subject().String())
	}
	if !slices.Equal(got, []string{"User:probe"}) {
		t.Errorf("get /healthz: %v, want only User:probe (RoleBindings never grant non-resource URLs)", got)
	}
}

// TestGrantsInEveryScopeStops: a consumer that stops early is yielded
// nothing more (the sequence is not collected first).
func TestGrantsInEveryScopeStops(t *testing.T) {
	inv := &model.Inventory{}
	inv.ClusterRoles = append(inv.ClusterRoles, clusterRole("health", getHealthz))
	inv.ClusterRoleBindings = append(inv.ClusterRoleBindings, crb("health", "health", user("probe"), user("other")))
	e := NewEvaluator(inv)
	n := 0
	for range e.GrantsInEveryScope(Request{Verb: "get", Path: "/healthz"}) {
		n++
		break
	}
	if all := len(slices.Collect(e.GrantsInEveryScope(Request{Verb: "get", Path: "/healthz"}))); n != 1 || all != 2 {
		t.Errorf("yielded %d before the break and %d in all, want 1 and 2", n, all)
	}
}
