package cluster

import (
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// ShapeGroupWide adds, on top of the default objects, one RoleBinding in
// every namespace of the ClusterRole view to the group
// system:serviceaccounts, as namespace templates often do: a group every
// ServiceAccount is in, bound once per namespace. Each member's evaluation
// reads its groups' rules, here view's in every namespace, so the analysis
// grows with ServiceAccounts × namespaces (docs/performance.md, tenth
// session: not fixed yet; `make bench` runs it only when asked, with
// BENCH_GROUPWIDE). No random draw: the default objects are the same bytes.
const ShapeGroupWide = "groupwide"

// groupWideNamespace writes the groupwide shape's RoleBinding of ns.
func (g *gen) groupWideNamespace(ns string) {
	g.out(&rbacv1.RoleBinding{TypeMeta: metav1.TypeMeta{APIVersion: "rbac.authorization.k8s.io/v1", Kind: "RoleBinding"},
		ObjectMeta: g.meta("serviceaccounts-view", ns, nil),
		RoleRef:    rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: "view"},
		Subjects:   []rbacv1.Subject{groupSubject("system:serviceaccounts")}})
}
