package cluster

import (
	"fmt"

	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// ShapeWide adds, on top of the default objects, many cluster-wide objects
// of the kinds an analysis may read once per principal or per binding:
//   - N/2 more Nodes (worker nodes with no pods yet): every node is a
//     principal (its kubelet identity) and a pick of the any-node scope;
//   - N/10 aggregated ClusterRoles, each with one labelled part that reads
//     ConfigMaps, and in every namespace a RoleBinding of one of them to the
//     namespace's default ServiceAccount and to the group of its
//     ServiceAccounts: every binding an identity holds may name an
//     aggregated role;
//   - N/10 mutating and N/10 validating webhook configurations, and a group
//     webhook-editors that may patch three of the mutating ones by name
//     (one path to cluster-admin through them);
//   - ClusterRoles whose rules name ServiceAccounts or Secrets that exist in
//     every namespace (create serviceaccounts/token and impersonate for
//     app-0, get the Secrets app-0-token and app-1-token, patch the
//     Deployment svc-0), or that may bind the ClusterRoles edit and view
//     with RoleBindings, each bound cluster-wide to N/20 ServiceAccounts of
//     random namespaces: a rule bound cluster-wide reaches the object of
//     that name (or the binding) in each namespace, for each holder.
//
// Its objects come from a random stream of their own after the default
// ones: the default objects are the same bytes.
const ShapeWide = "wide"

func (g *gen) wideCount() int { return max(1, g.n/10) }

// wideCluster writes the wide shape's cluster-wide objects.
func (g *gen) wideCluster() {
	w := g.wide
	for i := 0; i < max(1, g.n/2); i++ {
		name := fmt.Sprintf("wide-node-%05d", i)
		node := &corev1.Node{TypeMeta: metav1.TypeMeta{APIVersion: "v1", Kind: "Node"},
			ObjectMeta: g.meta(name, "", map[string]string{"kubernetes.io/hostname": name, "kubernetes.io/os": "linux"})}
		node.Status.Conditions = []corev1.NodeCondition{{Type: corev1.NodeReady, Status: corev1.ConditionTrue}}
		g.out(node)
	}
	for k := 0; k < g.wideCount(); k++ {
		name := fmt.Sprintf("agg-%04d", k)
		agg := g.custom(aggregated(name, "wide.example.com/"+name, nil))
		// As a dump shows it: the controller has copied the part's rules.
		agg.Rules = []rbacv1.PolicyRule{rule(readV, core, []string{"configmaps"})}
		g.out(agg)
		g.out(g.custom(clusterRole(name+"-part", map[string]string{"wide.example.com/" + name: "true"}, rule(readV, core, []string{"configmaps"}))))
	}
	sideEffects := admissionregistrationv1.SideEffectClassNone
	for k := 0; k < g.wideCount(); k++ {
		hook := func(name string) (admissionregistrationv1.WebhookClientConfig, []admissionregistrationv1.RuleWithOperations) {
			url := fmt.Sprintf("https://hooks-%d.example.com/%s", w.IntN(50), name)
			return admissionregistrationv1.WebhookClientConfig{URL: &url}, []admissionregistrationv1.RuleWithOperations{{
				Operations: []admissionregistrationv1.OperationType{admissionregistrationv1.Create},
				Rule:       admissionregistrationv1.Rule{APIGroups: []string{""}, APIVersions: []string{"v1"}, Resources: []string{"configmaps"}},
			}}
		}
		name := fmt.Sprintf("wide-hook-%04d", k)
		cc, rules := hook(name)
		g.out(&admissionregistrationv1.MutatingWebhookConfiguration{
			TypeMeta:   metav1.TypeMeta{APIVersion: "admissionregistration.k8s.io/v1", Kind: "MutatingWebhookConfiguration"},
			ObjectMeta: g.meta(name, "", nil),
			Webhooks: []admissionregistrationv1.MutatingWebhook{{Name: name + ".example.com", ClientConfig: cc, Rules: rules,
				SideEffects: &sideEffects, AdmissionReviewVersions: []string{"v1"}}},
		})
		cc, rules = hook(name)
		g.out(&admissionregistrationv1.ValidatingWebhookConfiguration{
			TypeMeta:   metav1.TypeMeta{APIVersion: "admissionregistration.k8s.io/v1", Kind: "ValidatingWebhookConfiguration"},
			ObjectMeta: g.meta(name, "", nil),
			Webhooks: []admissionregistrationv1.ValidatingWebhook{{Name: name + ".example.com", ClientConfig: cc, Rules: rules,
				SideEffects: &sideEffects, AdmissionReviewVersions: []string{"v1"}}},
		})
	}
	var named []string
	for range 3 {
		named = append(named, fmt.Sprintf("wide-hook-%04d", w.IntN(g.wideCount())))
	}
	g.out(g.custom(clusterRole("webhook-editor", nil, rbacv1.PolicyRule{Verbs: []string{"get", "patch"},
		APIGroups: []string{"admissionregistration.k8s.io"}, Resources: []string{"mutatingwebhookconfigurations"}, ResourceNames: named})))
	g.out(g.crb("webhook-editors", "webhook-editor", groupSubject("webhook-editors")))
	g.wideNamed()
}

// wideNamed writes the ClusterRoles that name objects of every namespace,
// each bound cluster-wide to N/20 ServiceAccounts of random namespaces.
func (g *gen) wideNamed() {
	named := func(verbs, groups, resources, names []string) rbacv1.PolicyRule {
		r := rule(verbs, groups, resources)
		r.ResourceNames = names
		return r
	}
	roles := []struct {
		name string
		rule rbacv1.PolicyRule
	}{
		{"named-token-minter", named([]string{"create"}, core, []string{"serviceaccounts/token"}, []string{"app-0"})},
		{"named-impersonator", named([]string{"impersonate"}, core, []string{"serviceaccounts"}, []string{"app-0"})},
		{"named-secret-reader", named([]string{"get"}, core, []string{"secrets"}, []string{"app-0-token", "app-1-token"})},
		{"named-deployer", named([]string{"get", "patch"}, []string{"apps"}, []string{"deployments"}, []string{"svc-0"})},
		{"named-binder", named([]string{"bind"}, []string{rbacv1.GroupName}, []string{"clusterroles"}, []string{"edit", "view"})},
	}
	for _, r := range roles {
		rules := []rbacv1.PolicyRule{r.rule}
		if r.name == "named-binder" {
			rules = append(rules, rule([]string{"create"}, []string{rbacv1.GroupName}, []string{"rolebindings"}))
		}
		g.out(g.custom(clusterRole(r.name, nil, rules...)))
		var subjects []rbacv1.Subject
		for range max(1, g.n/20) {
			subjects = append(subjects, saSubject(nsName(g.wide.IntN(g.n)), "app-1"))
		}
		g.out(g.crb(r.name, r.name, subjects...))
	}
}

// wideNamespace writes the wide shape's objects of namespace i.
func (g *gen) wideNamespace(i int, ns string) {
	g.out(&rbacv1.RoleBinding{TypeMeta: metav1.TypeMeta{APIVersion: "rbac.authorization.k8s.io/v1", Kind: "RoleBinding"},
		ObjectMeta: g.meta("agg-view", ns, nil),
		RoleRef:    rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: fmt.Sprintf("agg-%04d", i%g.wideCount())},
		Subjects:   []rbacv1.Subject{saSubject(ns, "default"), groupSubject("system:serviceaccounts:" + ns)}})
}
