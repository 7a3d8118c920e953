package remediate

import (
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/auth-paths/kubectl-auth-paths/pkg/model"
	"github.com/auth-paths/kubectl-auth-paths/pkg/risk"
)

// Typed is the change's object as a typed RBAC object, ready for an update
// (the same object -o yaml prints; a delete names it only). The
// resourceVersion of the input, when it had one, makes an update of an
// object changed since conflict instead of overwriting it.
func (c *Change) Typed() any {
	meta := metav1.ObjectMeta{Name: c.Name, Namespace: c.Namespace, Labels: c.meta.Labels, Annotations: c.annotations(), ResourceVersion: c.meta.ResourceVersion}
	switch c.Kind {
	case model.KindClusterRole:
		return &rbacv1.ClusterRole{ObjectMeta: meta, Rules: c.afterRules, AggregationRule: c.aggregation}
	case model.KindRole:
		return &rbacv1.Role{ObjectMeta: meta, Rules: c.afterRules}
	case model.KindClusterRoleBinding:
		return &rbacv1.ClusterRoleBinding{ObjectMeta: meta, RoleRef: c.roleRef, Subjects: c.afterSubjects}
	default:
		return &rbacv1.RoleBinding{ObjectMeta: meta, RoleRef: c.roleRef, Subjects: c.afterSubjects}
	}
}

// Path is the path the goal names (its subject's shortest path for a
// subject goal), as the analysis of the input found it.
func (g Goal) Path() risk.Path { return g.path }

// annotations are the input's, without kubectl's last-applied copy (it would
// restore the old object on the next apply); nil when none remain.
func (c *Change) annotations() map[string]string {
	var ann map[string]string
	for k, v := range c.meta.Annotations {
		if k == "kubectl.kubernetes.io/last-applied-configuration" {
			continue
		}
		if ann == nil {
			ann = map[string]string{}
		}
		ann[k] = v
	}
	return ann
}

// ResourceVersion is the object's resourceVersion in the input; empty when
// the input did not carry one (a hand-written file).
func (c *Change) ResourceVersion() string { return c.meta.ResourceVersion }
