package cluster

import (
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// ShapeFanIn is the hostile shape (the same objects) plus, in every
// namespace, a RoleBinding of edit naming the default ServiceAccounts of
// 60 other namespaces (CI runners deploying everywhere): each of those
// ServiceAccounts holds edit in 60 namespaces, by bindings that name 59
// others beside it (docs/performance.md: linear, but several times the
// floor). Written after each namespace's own objects, from no random
// stream: the rest is the hostile shape's objects (later UIDs and
// resourceVersions aside).
const ShapeFanIn = "fanin"

// fanInSubjects is how many ServiceAccounts each fan-in binding names.
const fanInSubjects = 60

// fanInNamespace writes the fan-in binding of the i-th namespace ns.
func (g *gen) fanInNamespace(i int, ns string) {
	n := min(fanInSubjects, g.n-1)
	if n <= 0 {
		return
	}
	// Namespaces spread over the cluster, never ns itself: i+1+k·step.
	step := max(1, (g.n-1)/n)
	subjects := make([]rbacv1.Subject, 0, n)
	for k := range n {
		subjects = append(subjects, saSubject(nsName((i+1+k*step)%g.n), "default"))
	}
	g.out(&rbacv1.RoleBinding{TypeMeta: metav1.TypeMeta{APIVersion: "rbac.authorization.k8s.io/v1", Kind: "RoleBinding"},
		ObjectMeta: g.meta("fan-in-edit", ns, nil),
		RoleRef:    rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: "edit"},
		Subjects:   subjects})
}
