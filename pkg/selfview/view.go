package selfview

import (
	"context"
	"fmt"
	"slices"
	"strings"

	rbacv1 "k8s.io/api/rbac/v1"
	"k8s.io/client-go/kubernetes"

	"github.com/auth-paths/kubectl-auth-paths/pkg/model"
)

// rbacResources are the live loader's names of the four RBAC lists.
var rbacResources = []string{
	"clusterroles.rbac.authorization.k8s.io",
	"clusterrolebindings.rbac.authorization.k8s.io",
	"roles.rbac.authorization.k8s.io",
	"rolebindings.rbac.authorization.k8s.io",
}

// View is what the credentials at hand learned about their own permissions.
type View struct {
	Identity Identity `json:"-"`
	// RBACReadable is set when every RBAC kind was read cluster-wide: the
	// real roles and bindings are analysed and nothing was reviewed.
	RBACReadable bool `json:"-"`
	// Cluster is the review of cluster-wide rules; nil when it failed
	// (ClusterError says why) or RBAC was readable.
	Cluster      *Rules `json:"clusterWide,omitempty"`
	ClusterError string `json:"clusterWideError,omitempty"`
	// Namespaces are the reviews of each namespace, sorted by namespace.
	Namespaces []Rules `json:"namespaces,omitempty"`
	// EveryNamespace is set when every namespace of the cluster was reviewed.
	EveryNamespace bool `json:"everyNamespace,omitempty"`
}

// Reviewed are the namespaces reviewed, sorted.
func (v *View) Reviewed() []string {
	out := make([]string, len(v.Namespaces))
	for i, r := range v.Namespaces {
		out[i] = r.Namespace
	}
	return out
}

// RBACReadable reports whether an inventory holds every RBAC kind read
// cluster-wide (none is missing, not even read in one namespace only).
func RBACReadable(inv *model.Inventory) bool {
	for _, m := range inv.Missing {
		if slices.Contains(rbacResources, m.Resource) {
			return false
		}
	}
	return true
}

// Scope says which namespaces to review.
type Scope struct {
	// Namespace is -n: review it (with the defaults) instead of every
	// namespace the credentials may list.
	Namespace string
	// Own is the credentials' own namespace: a ServiceAccount's, else the
	// kubeconfig context's (in a pod, the ServiceAccount's namespace file).
	Own string
}

// NamespacesToReview returns the namespaces to review, sorted, and whether
// they are every namespace of the cluster: -n, else every namespace the
// inventory lists (when namespaces were read), always with default,
// kube-system and the credentials' own namespace.
func NamespacesToReview(s Scope, inv *model.Inventory) ([]string, bool) {
	nss := []string{"default", "kube-system"}
	if s.Own != "" {
		nss = append(nss, s.Own)
	}
	every := false
	switch {
	case s.Namespace != "":
		nss = append(nss, s.Namespace)
	case namespacesRead(inv):
		every = true
		for _, n := range inv.Namespaces {
			nss = append(nss, n.Name)
		}
	}
	slices.Sort(nss)
	return slices.Compact(nss), every
}

func namespacesRead(inv *model.Inventory) bool {
	for _, m := range inv.Missing {
		if m.Resource == "namespaces" {
			return false
		}
	}
	return len(inv.Namespaces) > 0
}

// Build asks for the credentials' rules when the inventory lacks RBAC: the
// cluster-wide review (its failure is kept, not fatal: the namespaced
// reviews still hold those rules, conservatively) and one per namespace.
func Build(ctx context.Context, cs kubernetes.Interface, id Identity, inv *model.Inventory, s Scope) (*View, error) {
	v := &View{Identity: id, RBACReadable: RBACReadable(inv)}
	if v.RBACReadable {
		return v, nil
	}
	if c, err := reviewRules(ctx, cs, ClusterScopeNamespace); err == nil {
		v.Cluster = &c
	} else {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		v.ClusterError = err.Error()
	}
	nss, every := NamespacesToReview(s, inv)
	rules, err := ReviewRules(ctx, cs, nss)
	if err != nil {
		return nil, err
	}
	v.Namespaces, v.EveryNamespace = rules, every
	return v, nil
}

// Apply adds to the inventory the stand-in roles and bindings, the
// identity's own ServiceAccount when the inventory lacks it (the cluster
// just authenticated it, so it exists), and what the view cannot see as
// missing kinds, which make the result partial. A view of readable RBAC
// changes nothing.
func (v *View) Apply(inv *model.Inventory) {
	if v.RBACReadable {
		return
	}
	subject := v.Identity.Subject()
	Synthesize(subject, v.Cluster, v.Namespaces).Add(inv)
	if subject.Kind == rbacv1.ServiceAccountKind && !hasServiceAccount(inv, subject.Namespace, subject.Name) {
		inv.ServiceAccounts = append(inv.ServiceAccounts, &model.ServiceAccount{Meta: model.Meta{Namespace: subject.Namespace, Name: subject.Name},
			Source: model.Source{File: "cluster:selfsubjectreview"}})
	}
	inv.Missing = v.limits(inv.Missing)
}

func hasServiceAccount(inv *model.Inventory, ns, name string) bool {
	for _, sa := range inv.ServiceAccounts {
		if sa.Namespace == ns && sa.Name == name {
			return true
		}
	}
	return false
}

// rbacImpact replaces the live loader's impact of an RBAC kind it could not
// read: the credentials' own rules are known, from the reviews.
const rbacImpact = "the credentials' own rules come from SelfSubjectRulesReviews instead; grants of identities they can become are unknown (paths through those end there), and escalate is evaluated only where it reaches every ClusterRole (no review names the role behind a rule)"

// limits rewrites the RBAC entries of missing and adds what the reviews
// cannot tell.
func (v *View) limits(missing []model.MissingKind) []model.MissingKind {
	out := make([]model.MissingKind, 0, len(missing)+3)
	for _, m := range missing {
		if slices.Contains(rbacResources, m.Resource) {
			m.Inherent = true
			m.Impact = rbacImpact
			if m.ReadInNamespace != "" {
				m.Impact = fmt.Sprintf("read in namespace %s only; %s", m.ReadInNamespace, rbacImpact)
			}
		}
		out = append(out, m)
	}
	if v.Cluster == nil {
		out = append(out, model.MissingKind{Inherent: true, Resource: "selfsubjectrulesreviews (cluster-wide rules)", Reason: firstLine(v.ClusterError),
			Impact: "rules of ClusterRoleBindings count only in the namespaces reviewed, as if granted there, and their cluster-scoped resources and non-resource URLs not at all"})
	}
	if !v.EveryNamespace {
		out = append(out, model.MissingKind{Inherent: true, Resource: "rolebindings (namespaces not reviewed)", Reason: "SelfSubjectRulesReviews asked in " + strings.Join(v.Reviewed(), ", ") + " only",
			Impact: "the credentials' grants through RoleBindings in other namespaces are unknown (list namespaces, or name one with -n)"})
	}
	var incomplete, errs []string
	for _, r := range v.all() {
		if r.Incomplete {
			incomplete = append(incomplete, r.Namespace)
		}
		// A ClusterRoleBinding's error repeats in every review: said once.
		if e := firstLine(r.EvaluationError); e != "" && !slices.Contains(errs, e) {
			errs = append(errs, e)
		}
	}
	if len(incomplete) > 0 {
		out = append(out, model.MissingKind{Inherent: true, Resource: "rules of authorizers other than RBAC", Reason: "SelfSubjectRulesReview incomplete in " + strings.Join(incomplete, ", "),
			Impact: "an authorizer that cannot list rules (a webhook, the Node authorizer) was consulted: what it allows is not evaluated"})
	}
	if len(errs) > 0 {
		out = append(out, model.MissingKind{Inherent: true, Resource: "some RBAC rules", Reason: "SelfSubjectRulesReview evaluation error (" + strings.Join(errs, "; ") + ")",
			Impact: "rules the apiserver could not resolve (e.g. a binding to a role that does not exist) are not listed"})
	}
	return out
}

// all are the cluster-wide review, when made, then the namespaces'.
func (v *View) all() []Rules {
	if v.Cluster == nil {
		return v.Namespaces
	}
	return append([]Rules{*v.Cluster}, v.Namespaces...)
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}
