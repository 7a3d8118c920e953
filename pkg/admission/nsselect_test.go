package admission

import (
	"fmt"
	"testing"

	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apiserver/pkg/admission"
	"k8s.io/apiserver/pkg/admission/plugin/policy/generic"
	"k8s.io/apiserver/pkg/admission/plugin/policy/matching"
	"k8s.io/apiserver/pkg/admission/plugin/policy/validating"
	"k8s.io/client-go/kubernetes/scheme"

	"github.com/auth-paths/kubectl-auth-paths/pkg/model"
)

// TestExcludesAsTheMatcher: a request the parsed namespaceSelector leaves
// out is one the apiserver's binding matcher rejects without error, for
// every selector (nil, empty, by labels, by expressions, invalid) and
// request (pods of a labelled namespace, of one missing from the input, of
// a namespace relabelled by the step, a Namespace, a cluster-scoped
// object); and the selectors that select a namespace by its labels do
// leave the others out.
func TestExcludesAsTheMatcher(t *testing.T) {
	inv := &model.Inventory{Namespaces: []*model.Namespace{
		{Meta: model.Meta{Name: "prod", Labels: map[string]string{"env": "prod"}}},
		{Meta: model.Meta{Name: "dev", Labels: map[string]string{"env": "dev"}}},
	}}
	e := New(inv)
	selectors := map[string]*metav1.LabelSelector{
		"nil":        nil,
		"empty":      {},
		"env=prod":   {MatchLabels: map[string]string{"env": "prod"}},
		"name=dev":   {MatchLabels: map[string]string{corev1.LabelMetadataName: "dev"}},
		"env notin":  {MatchExpressions: []metav1.LabelSelectorRequirement{{Key: "env", Operator: metav1.LabelSelectorOpNotIn, Values: []string{"prod"}}}},
		"env exists": {MatchExpressions: []metav1.LabelSelectorRequirement{{Key: "env", Operator: metav1.LabelSelectorOpExists}}},
		"invalid":    {MatchExpressions: []metav1.LabelSelectorRequirement{{Key: "env", Operator: "Sometimes"}}},
	}
	pod := func(ns string, relabel map[string]string) Request {
		return Request{Object: &corev1.Pod{TypeMeta: metav1.TypeMeta{APIVersion: "v1", Kind: "Pod"}, ObjectMeta: metav1.ObjectMeta{Name: "p", Namespace: ns}},
			Kind: schema.GroupVersionKind{Version: "v1", Kind: "Pod"}, Resource: schema.GroupVersionResource{Version: "v1", Resource: "pods"}, Namespace: ns, Name: "p", NamespaceLabels: relabel}
	}
	requests := map[string]Request{
		"pod in prod":             pod("prod", nil),
		"pod in dev":              pod("dev", nil),
		"pod in a missing ns":     pod("ghost", nil),
		"pod in dev relabelled":   pod("dev", map[string]string{"env": "prod"}),
		"pod in prod relabelled":  pod("prod", map[string]string{"env": "dev"}),
		"namespace":               {Object: &corev1.Namespace{TypeMeta: metav1.TypeMeta{APIVersion: "v1", Kind: "Namespace"}, ObjectMeta: metav1.ObjectMeta{Name: "dev", Labels: map[string]string{"env": "dev"}}}, Kind: schema.GroupVersionKind{Version: "v1", Kind: "Namespace"}, Resource: schema.GroupVersionResource{Version: "v1", Resource: "namespaces"}, Name: "dev"},
		"cluster-scoped (a Node)": {Object: &corev1.Node{TypeMeta: metav1.TypeMeta{APIVersion: "v1", Kind: "Node"}, ObjectMeta: metav1.ObjectMeta{Name: "n"}}, Kind: schema.GroupVersionKind{Version: "v1", Kind: "Node"}, Resource: schema.GroupVersionResource{Version: "v1", Resource: "nodes"}, Name: "n"},
	}
	o := admission.NewObjectInterfacesFromScheme(scheme.Scheme)
	excluded := 0
	for sname, s := range selectors {
		for rname, req := range requests {
			// Twice: the second answer comes from the memo.
			for round := range 2 {
				what := fmt.Sprintf("selector %s, %s (round %d)", sname, rname, round)
				attr := e.attributes(req)
				mr := &admissionregistrationv1.MatchResources{NamespaceSelector: s}
				if s != nil {
					defaultMatch(mr)
					mr.NamespaceSelector = s
				}
				b := &admissionregistrationv1.ValidatingAdmissionPolicyBinding{Spec: admissionregistrationv1.ValidatingAdmissionPolicyBindingSpec{MatchResources: mr}}
				matcher := generic.NewPolicyMatcher(matching.NewMatcher(e.nsLister(req), nil))
				ok, err := matcher.BindingMatches(attr, o, validating.NewValidatingAdmissionPolicyBindingAccessor(b))
				if !e.excludes(parseNSSelector(s), attr, req) {
					continue
				}
				excluded++
				if ok || err != nil {
					t.Errorf("%s: excluded, but the matcher says %v, %v", what, ok, err)
				}
			}
		}
	}
	// env=prod leaves out dev, prod relabelled dev and the missing one;
	// name=dev prod, prod relabelled and the missing one; env notin prod
	// prod and dev relabelled prod; env exists the missing one: 9, twice.
	if excluded != 18 {
		t.Errorf("excluded %d requests, want 18", excluded)
	}
}
