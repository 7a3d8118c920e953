package cluster

import (
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// ShapeAuthEdit is the hostile shape (the same objects, drawn from the same
// streams; their UIDs shift) plus a RoleBinding of edit to the group
// system:authenticated in every namespace: a development cluster's namespace
// template on the cluster whose identities hold the most rules of their own
// bound cluster-wide (operators reading configmaps, deployments and Secrets
// everywhere; namespace, node, event and CRD readers). Each such identity
// may combine its own rule with edit in every namespace; the analysis grew
// with those identities × namespaces until the thirteenth session
// (docs/performance.md). `make bench` runs it when asked, with
// BENCH_AUTHEDIT.
const ShapeAuthEdit = "authedit"

// authEditNamespace writes the authedit shape's RoleBinding of ns.
func (g *gen) authEditNamespace(ns string) {
	g.out(&rbacv1.RoleBinding{TypeMeta: metav1.TypeMeta{APIVersion: "rbac.authorization.k8s.io/v1", Kind: "RoleBinding"},
		ObjectMeta: g.meta("authenticated-edit", ns, nil),
		RoleRef:    rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: "edit"},
		Subjects:   []rbacv1.Subject{groupSubject("system:authenticated")}})
}
