package cluster

import (
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// ShapeGroupWide adds, on top of the default objects, two RoleBindings in
// every namespace, as namespace templates often do: of the ClusterRole view
// to the group system:serviceaccounts, and of edit to system:authenticated
// (a development cluster where every identity edits every namespace):
// groups every ServiceAccount (every identity) is in, bound once per
// namespace. Each member's evaluation reads its groups' rules, here view's
// and edit's in every namespace; the analysis grew with identities ×
// namespaces until the eleventh session (docs/performance.md). `make bench`
// runs it when asked, with BENCH_GROUPWIDE. No random draw: the default
// objects are the same bytes.
const ShapeGroupWide = "groupwide"

// groupWideNamespace writes the groupwide shape's RoleBindings of ns.
func (g *gen) groupWideNamespace(ns string) {
	g.groupRoleBinding("serviceaccounts-view", ns, "view", "system:serviceaccounts")
	g.groupRoleBinding("authenticated-edit", ns, "edit", "system:authenticated")
}

// groupRoleBinding writes a RoleBinding in ns of a ClusterRole to a group.
func (g *gen) groupRoleBinding(name, ns, clusterRole, group string) {
	g.out(&rbacv1.RoleBinding{TypeMeta: metav1.TypeMeta{APIVersion: "rbac.authorization.k8s.io/v1", Kind: "RoleBinding"},
		ObjectMeta: g.meta(name, ns, nil),
		RoleRef:    rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: clusterRole},
		Subjects:   []rbacv1.Subject{groupSubject(group)}})
}
