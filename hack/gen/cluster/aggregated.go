package cluster

import (
	"fmt"

	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// ShapeAggregated is the hostile shape (the same objects) plus, for every
// fifth namespace, an operator's custom resource with its two ClusterRoles
// aggregated into the bootstrap roles, as operators install them: every
// verb into admin and edit, the reads into view. edit, admin and view
// then hold rules for N/5 custom resources each, and every binding of them
// in every namespace holds those rules (docs/performance.md). Written
// after each namespace's own objects, from no random stream: the rest is
// the hostile shape's objects (later UIDs and resourceVersions aside).
const ShapeAggregated = "aggregated"

// aggregatedNamespace writes the operator roles of ns, if it has some.
func (g *gen) aggregatedNamespace(i int) {
	if i%5 != 0 {
		return
	}
	group := fmt.Sprintf("op%05d.example.com", i)
	resources := []string{"widgets", "widgets/status", "widgets/scale"}
	label := func(k string) map[string]string {
		return map[string]string{"rbac.authorization.k8s.io/" + k: "true", "app.kubernetes.io/managed-by": "operator"}
	}
	edit := label("aggregate-to-edit")
	edit["rbac.authorization.k8s.io/aggregate-to-admin"] = "true"
	name := fmt.Sprintf("op%05d-widgets", i)
	for _, cr := range []*rbacv1.ClusterRole{
		clusterRole(name+"-edit", edit, rule([]string{"*"}, []string{group}, resources)),
		clusterRole(name+"-view", label("aggregate-to-view"), rule(readV, []string{group}, resources)),
	} {
		cr.ObjectMeta = metav1.ObjectMeta{Name: cr.Name, Labels: cr.Labels}
		g.out(g.custom(cr))
	}
}
