package cluster

import (
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// ShapeRebinders is the hostile shape (the same objects) plus, in every
// tenth namespace, a release bot that may add itself to one RoleBinding of
// ClusterRole admin by name (bind on admin, patch on that RoleBinding), held
// through two RoleBindings of its Role: no binding it holds is on every path
// of the bot, the RoleBinding it acts on is (a choke point that is not a
// grant of the step it cuts; docs/performance.md). Written after each
// namespace's own objects, from no random stream: the rest is the hostile
// shape's bytes.
const ShapeRebinders = "rebinders"

// rebindersNamespace writes the release bot of ns and what it acts on.
func (g *gen) rebindersNamespace(i int, ns string) {
	if i%10 != 0 {
		return
	}
	rbacGroup := []string{rbacv1.GroupName}
	g.out(&corev1.ServiceAccount{TypeMeta: metav1.TypeMeta{APIVersion: "v1", Kind: "ServiceAccount"}, ObjectMeta: g.meta("release-bot", ns, nil)})
	g.out(&rbacv1.Role{TypeMeta: metav1.TypeMeta{APIVersion: "rbac.authorization.k8s.io/v1", Kind: "Role"}, ObjectMeta: g.meta("release-rebinder", ns, nil),
		Rules: []rbacv1.PolicyRule{
			{Verbs: []string{"bind"}, APIGroups: rbacGroup, Resources: []string{"clusterroles"}, ResourceNames: []string{"admin"}},
			{Verbs: []string{"get", "patch"}, APIGroups: rbacGroup, Resources: []string{"rolebindings"}, ResourceNames: []string{"release-admins"}},
		}})
	for _, name := range []string{"release-bot-a", "release-bot-b"} {
		g.out(&rbacv1.RoleBinding{TypeMeta: metav1.TypeMeta{APIVersion: "rbac.authorization.k8s.io/v1", Kind: "RoleBinding"}, ObjectMeta: g.meta(name, ns, nil),
			RoleRef:  rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "Role", Name: "release-rebinder"},
			Subjects: []rbacv1.Subject{saSubject(ns, "release-bot")}})
	}
	g.groupRoleBinding("release-admins", ns, "admin", "release-managers")
}
