package cluster

import (
	"fmt"

	rbacv1 "k8s.io/api/rbac/v1"
)

// ShapeOperators is the hostile shape (the same objects) plus five
// ClusterRoles, each bound cluster-wide to the operator-agent
// ServiceAccounts of a twentieth of the namespaces (N/20 holders): add an
// ephemeral container to any pod (a debugging tool), bind any Role with
// RoleBindings created in any namespace (a namespace provisioner), the
// same for the Roles named deployer only, bind any ClusterRole by updating
// the RoleBindings that exist (a binding rewriter, which creates none), and
// impersonate thirty users and thirty groups by name (a support tool).
// Each made one step per holder and pod, or per holder, namespace and Role
// (until the fourteenth session), or read every binding per holder,
// namespace and ClusterRole, or asked about every user and group per
// holder (until the seventeenth): the analysis grew with holders × pods,
// × namespaces, or worse (docs/performance.md). `make bench` runs it when
// asked, with BENCH_OPERATORS.
const ShapeOperators = "operators"

// operatorsCluster writes the operators shape's ClusterRoles and bindings.
func (g *gen) operatorsCluster() {
	rbacGroup := []string{rbacv1.GroupName}
	roles := []*rbacv1.ClusterRole{
		clusterRole("ephemeral-debugger", nil,
			rule([]string{"patch", "update"}, core, []string{"pods/ephemeralcontainers"}), rule(readV, core, []string{"pods"})),
		clusterRole("role-provisioner", nil,
			rule([]string{"bind"}, rbacGroup, []string{"roles"}), rule([]string{"create"}, rbacGroup, []string{"rolebindings"})),
		clusterRole("deployer-provisioner", nil,
			rbacv1.PolicyRule{Verbs: []string{"bind"}, APIGroups: rbacGroup, Resources: []string{"roles"}, ResourceNames: []string{"deployer"}},
			rule([]string{"create"}, rbacGroup, []string{"rolebindings"})),
		clusterRole("binding-rewriter", nil,
			rule([]string{"bind"}, rbacGroup, []string{"clusterroles"}), rule([]string{"update", "patch"}, rbacGroup, []string{"rolebindings"})),
		clusterRole("support-impersonator", nil,
			rbacv1.PolicyRule{Verbs: []string{"impersonate"}, APIGroups: core, Resources: []string{"users"}, ResourceNames: g.everyNth(30, func(i int) string { return fmt.Sprintf("user-%05d@example.com", i) })},
			rbacv1.PolicyRule{Verbs: []string{"impersonate"}, APIGroups: core, Resources: []string{"groups"}, ResourceNames: g.everyNth(30, func(i int) string { return fmt.Sprintf("team-%05d-devs", i) })}),
	}
	for k, cr := range roles {
		g.out(g.custom(cr))
		var subs []rbacv1.Subject
		for i := k + 1; i < g.n; i += 20 {
			subs = append(subs, saSubject(nsName(i), operatorSA))
		}
		if len(subs) == 0 {
			subs = append(subs, saSubject(nsName(0), operatorSA))
		}
		g.out(g.crb(fmt.Sprintf("%s-agents", cr.Name), cr.Name, subs...))
	}
}

// everyNth names k objects spread over the namespaces' numbers (name(i) for
// i = 0, n/k, 2n/k, …), so that the names exist at every size.
func (g *gen) everyNth(k int, name func(int) string) []string {
	step := max(1, g.n/k)
	var out []string
	for i := 0; i < g.n && len(out) < k; i += step {
		out = append(out, name(i))
	}
	return out
}
