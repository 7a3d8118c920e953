package cluster

import (
	"fmt"

	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// Shapes of generated clusters.
const (
	// ShapeDefault is the realistic mix described in the package comment.
	ShapeDefault = "default"
	// ShapeHostile adds, on top of the default objects, the shapes that make
	// an analysis superlinear when it fans out per principal: many
	// identities with real paths, groups spanning hundreds of namespaces,
	// one identity reaching every identity (CSR approval, impersonation,
	// cluster-wide token requests), and stale references.
	ShapeHostile = "hostile"
)

// The hostile shape, per namespace i:
//   - a ServiceAccount operator-agent bound (one ClusterRoleBinding per role) to
//     one of the N/20 operator ClusterRoles, which grant cluster-wide secrets
//     read (30 %), pods write (10 %), bind (5 %), `*` (3 %) or only reads, and
//     a pod running as it: whoever creates pods, changes workloads or reads
//     secrets in the namespace inherits the operator's rights;
//   - a RoleBinding of the shared `edit` to team group org-NN-engineers (ten
//     groups, each in N/10 namespaces) and to group
//     system:serviceaccounts:NS of one of the N/200 CI namespaces (each in
//     ≈200 namespaces);
//   - in a third of the namespaces a RoleBinding of `edit` to ServiceAccounts
//     of other namespaces, so that about one binding in ten names a subject
//     of another namespace;
//   - in a tenth, a RoleBinding to a Role that does not exist and one naming a
//     ServiceAccount that does not exist;
//   - a legacy token Secret for the default ServiceAccount of one namespace
//     in six (on top of the default shape's).
//
// Cluster-wide: a ServiceAccount bound to cluster-admin with a legacy token
// Secret (what secret readers reach), one CSR approver for
// kubernetes.io/kube-apiserver-client, one ServiceAccount with cluster-wide
// serviceaccounts/token, one user who impersonates users, groups and
// ServiceAccounts, cluster-wide nodes/proxy for group monitoring, and a
// ClusterRoleBinding to a ClusterRole that does not exist.
const (
	operatorSA    = "operator-agent"
	kubeAdminSA   = "kube-admin"
	csrApproverSA = "csr-approver"
	tokenMinterSA = "token-minter"
	impersonator  = "impersonator@example.com"
)

func (g *gen) operators() int { return max(1, g.n/20) }

func (g *gen) ciNamespace(i int) string {
	nCI := max(1, g.n/200)
	return nsName(((i%nCI)*200 + 7) % g.n)
}

func saSubject(ns, name string) rbacv1.Subject {
	return rbacv1.Subject{Kind: rbacv1.ServiceAccountKind, Name: name, Namespace: ns}
}

func groupSubject(name string) rbacv1.Subject {
	return rbacv1.Subject{Kind: rbacv1.GroupKind, APIGroup: rbacv1.GroupName, Name: name}
}

func userSubject(name string) rbacv1.Subject {
	return rbacv1.Subject{Kind: rbacv1.UserKind, APIGroup: rbacv1.GroupName, Name: name}
}

// hostileCluster writes the hostile shape's cluster-wide objects.
func (g *gen) hostileCluster() {
	h := g.hostile
	for k := 0; k < g.operators(); k++ {
		name := fmt.Sprintf("operator-%04d", k)
		rules := []rbacv1.PolicyRule{rule(readV, core, []string{"configmaps", "services", "endpoints"}), rule(readV, []string{"apps"}, []string{"deployments"})}
		switch x := h.IntN(100); {
		case x < 3:
			rules = append(rules, rule([]string{"*"}, []string{"*"}, []string{"*"}))
		case x < 8:
			rules = append(rules, rule([]string{"bind"}, []string{"rbac.authorization.k8s.io"}, []string{"clusterroles"}),
				rule([]string{"create", "update"}, []string{"rbac.authorization.k8s.io"}, []string{"rolebindings", "clusterrolebindings"}))
		case x < 18:
			rules = append(rules, rule([]string{"create", "patch", "update", "delete"}, core, []string{"pods"}))
		case x < 48:
			rules = append(rules, rule(readV, core, []string{"secrets"}))
		}
		g.out(g.custom(clusterRole(name, nil, rules...)))
		var subs []rbacv1.Subject
		for i := k; i < g.n; i += g.operators() {
			subs = append(subs, saSubject(nsName(i), operatorSA))
		}
		g.out(g.crb(name, name, subs...))
	}
	g.out(g.crb("kube-admin", "cluster-admin", saSubject(nsName(0), kubeAdminSA)))

	csr := clusterRole("csr-approver", nil,
		rule([]string{"create", "get", "list", "watch"}, []string{"certificates.k8s.io"}, []string{"certificatesigningrequests"}),
		rule([]string{"update"}, []string{"certificates.k8s.io"}, []string{"certificatesigningrequests/approval"}),
		rbacv1.PolicyRule{Verbs: []string{"approve"}, APIGroups: []string{"certificates.k8s.io"}, Resources: []string{"signers"}, ResourceNames: []string{"kubernetes.io/kube-apiserver-client"}})
	minter := clusterRole("token-minter", nil, rule([]string{"create"}, core, []string{"serviceaccounts/token"}))
	imp := clusterRole("impersonator", nil, rule([]string{"impersonate"}, core, []string{"users", "groups", "serviceaccounts"}))
	for _, cr := range []*rbacv1.ClusterRole{csr, minter, imp} {
		g.out(g.custom(cr))
	}
	g.out(g.crb("csr-approver", "csr-approver", saSubject(nsName(2%g.n), csrApproverSA)))
	g.out(g.crb("token-minter", "token-minter", saSubject(nsName(3%g.n), tokenMinterSA)))
	g.out(g.crb("impersonator", "impersonator", userSubject(impersonator)))
	g.out(g.crb("monitoring-node-proxy", "node-proxy", groupSubject("monitoring")))
	// A ClusterRole deleted after its binding: the binding grants nothing.
	g.out(g.crb("legacy-operator", "removed-operator", saSubject(nsName(h.IntN(g.n)), "legacy-operator"), userSubject("old-admin@example.com")))
}

// hostileNamespace writes the hostile shape's objects of namespace i, after its default ones.
func (g *gen) hostileNamespace(i int, ns string, sas []string) {
	h := g.hostile
	extra := []string{operatorSA}
	if i == 0 {
		extra = append(extra, kubeAdminSA)
	}
	if i == 2%g.n {
		extra = append(extra, csrApproverSA)
	}
	if i == 3%g.n {
		extra = append(extra, tokenMinterSA)
	}
	for _, sa := range extra {
		g.out(&corev1.ServiceAccount{TypeMeta: metav1.TypeMeta{APIVersion: "v1", Kind: "ServiceAccount"}, ObjectMeta: g.meta(sa, ns, nil)})
		if sa == kubeAdminSA || h.IntN(6) == 0 {
			g.out(g.tokenSecret(ns, sa))
		}
	}
	if h.IntN(6) == 0 {
		g.out(g.tokenSecret(ns, "default"))
	}
	// The operator's pod.
	pod := &corev1.Pod{TypeMeta: metav1.TypeMeta{APIVersion: "v1", Kind: "Pod"}, ObjectMeta: g.meta("operator-"+g.suffix(), ns, map[string]string{"app": "operator"})}
	pod.Spec = g.podTemplate(ns, "operator", operatorSA).Spec
	pod.Spec.NodeName = g.pick(g.workers)
	pod.Status = g.podStatus(pod)
	g.out(pod)

	rb := func(name, kind, role string, subs ...rbacv1.Subject) {
		g.out(&rbacv1.RoleBinding{TypeMeta: metav1.TypeMeta{APIVersion: "rbac.authorization.k8s.io/v1", Kind: "RoleBinding"},
			ObjectMeta: g.meta(name, ns, nil), RoleRef: rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: kind, Name: role}, Subjects: subs})
	}
	rb("org-edit", "ClusterRole", "edit", groupSubject(fmt.Sprintf("org-%02d-engineers", i%10)))
	rb("ci-edit", "ClusterRole", "edit", groupSubject("system:serviceaccounts:"+g.ciNamespace(i)))
	if h.IntN(3) == 0 {
		other := nsName(h.IntN(g.n))
		rb("cross-edit", "ClusterRole", "edit", saSubject(other, fmt.Sprintf("app-%d", h.IntN(2))), saSubject(nsName(h.IntN(g.n)), "default"))
	}
	if h.IntN(10) == 0 {
		rb("stale-role", "Role", "removed-role", userSubject(fmt.Sprintf("user-%05d@example.com", h.IntN(g.n*3+10))))
		rb("stale-subject", "ClusterRole", "view", saSubject(ns, "removed-sa"), saSubject(ns, g.pick(sas)))
	}
}
