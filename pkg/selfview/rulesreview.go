package selfview

import (
	"context"
	"fmt"
	"sync"

	authorizationv1 "k8s.io/api/authorization/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
)

// ClusterScopeNamespace is the namespace of the review of cluster-wide rules.
// The RBAC rule resolver returns the rules of every ClusterRoleBinding that
// applies, then those of the RoleBindings of the namespace asked about
// (k8s.io/kubernetes pkg/registry/rbac/validation VisitRulesFor); the
// apiserver does not check that the namespace exists or is even a valid
// name. This one is not a DNS-1123 label, so no namespace, and no
// RoleBinding, can ever be there: its review returns the rules of
// ClusterRoleBindings alone.
const ClusterScopeNamespace = "auth-paths:cluster-scope"

// Rules is what one SelfSubjectRulesReview returned, converted to RBAC rules.
type Rules struct {
	// Namespace is the namespace reviewed (ClusterScopeNamespace for the
	// cluster-wide rules).
	Namespace        string              `json:"namespace"`
	ResourceRules    []rbacv1.PolicyRule `json:"resourceRules,omitempty"`
	NonResourceRules []rbacv1.PolicyRule `json:"nonResourceRules,omitempty"`
	// Incomplete is the review's own flag: an authorizer that cannot list
	// rules (a webhook, the Node authorizer for a node) was consulted.
	Incomplete bool `json:"incomplete,omitempty"`
	// EvaluationError is the review's evaluationError (e.g. a binding to a
	// role that does not exist).
	EvaluationError string `json:"evaluationError,omitempty"`
}

// ReviewRules asks for the rules of the credentials in each namespace, a few
// at a time; the result is in the order of namespaces. The first failing
// request stops the reviews with an error naming its namespace.
func ReviewRules(ctx context.Context, cs kubernetes.Interface, namespaces []string) ([]Rules, error) {
	out := make([]Rules, len(namespaces))
	errs := make([]error, len(namespaces))
	sem := make(chan struct{}, 4)
	var wg sync.WaitGroup
	for i, ns := range namespaces {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			out[i], errs[i] = reviewRules(ctx, cs, ns)
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

func reviewRules(ctx context.Context, cs kubernetes.Interface, ns string) (Rules, error) {
	req := &authorizationv1.SelfSubjectRulesReview{Spec: authorizationv1.SelfSubjectRulesReviewSpec{Namespace: ns}}
	res, err := cs.AuthorizationV1().SelfSubjectRulesReviews().Create(ctx, req, metav1.CreateOptions{})
	if err != nil {
		where := "namespace " + ns
		if ns == ClusterScopeNamespace {
			where = "the cluster-wide rules (namespace " + ns + ")"
		}
		if apierrors.IsForbidden(err) {
			return Rules{}, fmt.Errorf("SelfSubjectRulesReview for %s is forbidden to these credentials (system:basic-user allows it to every authenticated user unless the cluster changed it): %w", where, err)
		}
		return Rules{}, fmt.Errorf("SelfSubjectRulesReview for %s: %w", where, err)
	}
	return rulesOf(ns, res.Status), nil
}

// rulesOf converts a review's status: a ResourceRule and a NonResourceRule
// are each one PolicyRule, as the authorizer split them.
func rulesOf(ns string, st authorizationv1.SubjectRulesReviewStatus) Rules {
	r := Rules{Namespace: ns, Incomplete: st.Incomplete, EvaluationError: st.EvaluationError}
	for _, rr := range st.ResourceRules {
		r.ResourceRules = append(r.ResourceRules, rbacv1.PolicyRule{Verbs: rr.Verbs, APIGroups: rr.APIGroups, Resources: rr.Resources, ResourceNames: rr.ResourceNames})
	}
	for _, nr := range st.NonResourceRules {
		r.NonResourceRules = append(r.NonResourceRules, rbacv1.PolicyRule{Verbs: nr.Verbs, NonResourceURLs: nr.NonResourceURLs})
	}
	// The apiserver lists bindings in no fixed order; repeats are kept (the
	// cluster-wide rules are taken out of a namespace's as a multiset).
	sortRules(r.ResourceRules)
	sortRules(r.NonResourceRules)
	return r
}
