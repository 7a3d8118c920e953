package cluster

import (
	"fmt"

	rbacv1 "k8s.io/api/rbac/v1"
)

// ShapeOperators is the hostile shape (the same objects) plus three
// ClusterRoles, each bound cluster-wide to the operator-agent
// ServiceAccounts of a twentieth of the namespaces (N/20 holders): add an
// ephemeral container to any pod (a debugging tool), bind any Role with
// RoleBindings created in any namespace (a namespace provisioner), and the
// same for the Roles named deployer only. Each made one step per holder and
// pod, or per holder, namespace and Role: the analysis grew with holders ×
// pods or × namespaces until the fourteenth session (docs/performance.md).
// `make bench` runs it when asked, with BENCH_OPERATORS.
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
