package cluster

import (
	"fmt"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// ShapeMonolith is the hostile shape (the same objects) plus one namespace,
// monolith, that grows with the cluster instead of the number of
// namespaces: for every team namespace it holds three more
// ServiceAccounts, each bound by a RoleBinding of its own to one of five
// Roles (read pods, exec into pods, patch Deployments, read Secrets, create
// pods), fifteen running pods, one of them with a container that keeps
// stdin open, a Deployment and, for one ServiceAccount in six, a legacy
// token Secret. At 1,000 namespaces that is 3,000 ServiceAccounts, 15,000
// pods and 3,000 RoleBindings in one namespace: a primitive that visits
// the pods of a namespace once per principal that may act on it grows with
// the square of the namespace (docs/performance.md). Written after each
// namespace's own objects, from no random stream: the rest is the hostile
// shape's objects (later UIDs and resourceVersions aside).
const ShapeMonolith = "monolith"

// ShapeLegacyTokens is the monolith shape as a cluster that predates bound
// tokens leaves it: every ServiceAccount of the monolith namespace has a
// legacy token Secret, and a Role of its own, bound to it, that names its
// token Secret (get), itself (create serviceaccounts/token) and its team's
// Deployment (patch), as controllers that read or mint their own token or
// roll their own Deployment are given; and its debugger Role allows get,
// not create, on pods/exec and pods/attach, as Roles written before v1.35
// do (from v1.35, scanned with --kubernetes-version or live, that execs
// into nothing). A primitive that asks, for every principal with such a
// rule, about every token Secret, ServiceAccount, controller or pod of the
// namespace grows with its square.
const ShapeLegacyTokens = "legacytokens"

// ShapeHardened is the monolith shape with no token mounted in the
// monolith namespace's pods (automountServiceAccountToken: false on each):
// exec, attach and patch on every pod there reach nothing, and a primitive
// that visits every pod to find that out, once per principal, grows with
// the square of the namespace.
const ShapeHardened = "hardened"

// monolithNamespace is the namespace the shape adds.
const monolithNamespace = "monolith"

// monolithRoles are the Roles of the monolith namespace, in the order the
// ServiceAccounts are bound to them.
var monolithRoles = []struct {
	name  string
	rules []rbacv1.PolicyRule
}{
	{"pod-reader", []rbacv1.PolicyRule{rule(readV, core, []string{"pods", "pods/log"})}},
	{"debugger", []rbacv1.PolicyRule{rule(readV, core, []string{"pods"}), rule([]string{"create"}, core, []string{"pods/exec", "pods/attach"})}},
	{"deployer", []rbacv1.PolicyRule{rule([]string{"get", "list", "patch", "update"}, []string{"apps"}, []string{"deployments"})}},
	{"secret-reader", []rbacv1.PolicyRule{rule([]string{"get", "list"}, core, []string{"secrets"})}},
	{"pod-maker", []rbacv1.PolicyRule{rule([]string{"create"}, core, []string{"pods"})}},
	{"ephemeral-debugger", []rbacv1.PolicyRule{rule([]string{"patch"}, core, []string{"pods/ephemeralcontainers"})}},
	{"image-swapper", []rbacv1.PolicyRule{rule([]string{"patch"}, core, []string{"pods"})}},
	{"sa-impersonator", []rbacv1.PolicyRule{rule([]string{"impersonate"}, core, []string{"serviceaccounts"})}},
	// Rules that name objects: steps to those alone, beside the scopes.
	{"app-debugger", []rbacv1.PolicyRule{named(rule([]string{"create"}, core, []string{"pods/exec", "pods/attach"}), "app-00001-00", "app-00001-01", "app-00002-00")}},
	{"app-deployer", []rbacv1.PolicyRule{named(rule([]string{"patch"}, []string{"apps"}, []string{"deployments"}), "app-00001", "app-00003")}},
	{"app-impersonator", []rbacv1.PolicyRule{named(rule([]string{"impersonate"}, core, []string{"serviceaccounts"}), "svc-00001", "svc-00002")}},
}

// named limits a rule to the objects of those names.
func named(r rbacv1.PolicyRule, names ...string) rbacv1.PolicyRule {
	r.ResourceNames = names
	return r
}

// monolithNamespaceObjects writes the namespace and its Roles (with the
// first team namespace), then the i-th team's share of its objects.
func (g *gen) monolithNamespaceObjects(i int) {
	ns := monolithNamespace
	if i == 0 {
		nsObj := &corev1.Namespace{TypeMeta: metav1.TypeMeta{APIVersion: "v1", Kind: "Namespace"},
			ObjectMeta: g.meta(ns, "", map[string]string{"kubernetes.io/metadata.name": ns})}
		nsObj.Status.Phase = corev1.NamespaceActive
		g.out(nsObj)
		for _, r := range monolithRoles {
			rules := r.rules
			if g.legacyTokens && r.name == "debugger" {
				// Written before v1.35, when get on pods/exec and
				// pods/attach sufficed: from v1.35 it execs into nothing.
				rules = []rbacv1.PolicyRule{rules[0], rule([]string{"get"}, core, []string{"pods/exec", "pods/attach"})}
			}
			g.out(&rbacv1.Role{TypeMeta: metav1.TypeMeta{APIVersion: "rbac.authorization.k8s.io/v1", Kind: "Role"}, ObjectMeta: g.meta(r.name, ns, nil), Rules: rules})
		}
	}
	var sas []string
	for j := range 3 {
		k := 3*i + j
		sa := fmt.Sprintf("svc-%05d", k)
		sas = append(sas, sa)
		g.out(&corev1.ServiceAccount{TypeMeta: metav1.TypeMeta{APIVersion: "v1", Kind: "ServiceAccount"}, ObjectMeta: g.meta(sa, ns, nil)})
		if k%6 == 0 || g.legacyTokens {
			g.out(g.tokenSecret(ns, sa))
		}
		if g.legacyTokens {
			own := "own-token-" + sa
			g.out(&rbacv1.Role{TypeMeta: metav1.TypeMeta{APIVersion: "rbac.authorization.k8s.io/v1", Kind: "Role"}, ObjectMeta: g.meta(own, ns, nil),
				Rules: []rbacv1.PolicyRule{named(rule([]string{"get"}, core, []string{"secrets"}), sa+"-token"),
					named(rule([]string{"create"}, core, []string{"serviceaccounts/token"}), sa),
					named(rule([]string{"patch"}, []string{"apps"}, []string{"deployments"}), fmt.Sprintf("app-%05d", i))}})
			g.out(&rbacv1.RoleBinding{TypeMeta: metav1.TypeMeta{APIVersion: "rbac.authorization.k8s.io/v1", Kind: "RoleBinding"},
				ObjectMeta: g.meta(own, ns, nil),
				RoleRef:    rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "Role", Name: own},
				Subjects:   []rbacv1.Subject{saSubject(ns, sa)}})
		}
		role := monolithRoles[k%len(monolithRoles)].name
		g.out(&rbacv1.RoleBinding{TypeMeta: metav1.TypeMeta{APIVersion: "rbac.authorization.k8s.io/v1", Kind: "RoleBinding"},
			ObjectMeta: g.meta(sa+"-"+role, ns, nil),
			RoleRef:    rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "Role", Name: role},
			Subjects:   []rbacv1.Subject{saSubject(ns, sa)}})
	}
	app := fmt.Sprintf("app-%05d", i)
	tmpl := g.podTemplate(ns, app, sas[i%3])
	replicas := int32(15)
	dep := &appsv1.Deployment{TypeMeta: metav1.TypeMeta{APIVersion: "apps/v1", Kind: "Deployment"}, ObjectMeta: g.meta(app, ns, map[string]string{"app": app})}
	dep.Spec = appsv1.DeploymentSpec{Replicas: &replicas, Selector: &metav1.LabelSelector{MatchLabels: map[string]string{"app": app}}, Template: tmpl}
	g.out(dep)
	for p := range 15 {
		pod := &corev1.Pod{TypeMeta: metav1.TypeMeta{APIVersion: "v1", Kind: "Pod"}, ObjectMeta: g.meta(fmt.Sprintf("%s-%02d", app, p), ns, map[string]string{"app": app})}
		pod.Spec = *tmpl.Spec.DeepCopy()
		pod.Spec.ServiceAccountName, pod.Spec.DeprecatedServiceAccount = sas[p%3], sas[p%3]
		pod.Spec.NodeName = g.workers[(i*15+p)%len(g.workers)]
		if p == 0 {
			pod.Spec.Containers[0].Stdin = true
		}
		if g.hardened {
			off := false
			pod.Spec.AutomountServiceAccountToken = &off
		}
		pod.Status = corev1.PodStatus{Phase: corev1.PodRunning, StartTime: &created}
		g.out(pod)
	}
}
