package admission

import (
	"fmt"
	"testing"

	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apiserver/pkg/admission"
	"k8s.io/apiserver/pkg/admission/plugin/policy/generic"
	"k8s.io/apiserver/pkg/admission/plugin/policy/matching"
	"k8s.io/apiserver/pkg/admission/plugin/policy/validating"
	"k8s.io/client-go/kubernetes/scheme"

	"github.com/auth-paths/kubectl-auth-paths/pkg/model"
)

// TestDefinitionMatchByShape: a policy's definition match, memoised by the
// request's shape where its matchConstraints allow it, is the apiserver
// matcher's answer for every request — first asked and from the memo — for
// match constraints by resource, by scope, with exclusions, with
// resourceNames, namespace and object selectors (the same resource asked
// with and without a namespace too); and only the policies
// without selectors or names are memoised.
func TestDefinitionMatchByShape(t *testing.T) {
	inv := &model.Inventory{Namespaces: []*model.Namespace{
		{Meta: model.Meta{Name: "prod", Labels: map[string]string{"env": "prod"}}},
		{Meta: model.Meta{Name: "dev", Labels: map[string]string{"env": "dev"}}},
	}}
	e := New(inv)
	rule := func(group, resource string, scope admissionregistrationv1.ScopeType, names ...string) admissionregistrationv1.NamedRuleWithOperations {
		return admissionregistrationv1.NamedRuleWithOperations{ResourceNames: names, RuleWithOperations: admissionregistrationv1.RuleWithOperations{
			Operations: []admissionregistrationv1.OperationType{admissionregistrationv1.Create},
			Rule:       admissionregistrationv1.Rule{APIGroups: []string{group}, APIVersions: []string{"*"}, Resources: []string{resource}, Scope: &scope}}}
	}
	all, namespaced, cluster := admissionregistrationv1.AllScopes, admissionregistrationv1.NamespacedScope, admissionregistrationv1.ClusterScope
	constraints := []struct {
		name    string
		match   admissionregistrationv1.MatchResources
		byShape bool
	}{
		{"pods", admissionregistrationv1.MatchResources{ResourceRules: []admissionregistrationv1.NamedRuleWithOperations{rule("", "pods", all)}}, true},
		{"every resource, namespaced", admissionregistrationv1.MatchResources{ResourceRules: []admissionregistrationv1.NamedRuleWithOperations{rule("*", "*", namespaced)}}, true},
		{"every resource, cluster-scoped", admissionregistrationv1.MatchResources{ResourceRules: []admissionregistrationv1.NamedRuleWithOperations{rule("*", "*", cluster)}}, true},
		{"every resource but pods", admissionregistrationv1.MatchResources{ResourceRules: []admissionregistrationv1.NamedRuleWithOperations{rule("*", "*", all)},
			ExcludeResourceRules: []admissionregistrationv1.NamedRuleWithOperations{rule("", "pods", all)}}, true},
		{"workloads", admissionregistrationv1.MatchResources{ResourceRules: []admissionregistrationv1.NamedRuleWithOperations{rule("apps", "*", all)}}, true},
		{"pods named p", admissionregistrationv1.MatchResources{ResourceRules: []admissionregistrationv1.NamedRuleWithOperations{rule("", "pods", all, "p")}}, false},
		{"pods of prod", admissionregistrationv1.MatchResources{ResourceRules: []admissionregistrationv1.NamedRuleWithOperations{rule("", "pods", all)},
			NamespaceSelector: &metav1.LabelSelector{MatchLabels: map[string]string{"env": "prod"}}}, false},
		{"objects labelled", admissionregistrationv1.MatchResources{ResourceRules: []admissionregistrationv1.NamedRuleWithOperations{rule("*", "*", all)},
			ObjectSelector: &metav1.LabelSelector{MatchExpressions: []metav1.LabelSelectorRequirement{{Key: "app", Operator: metav1.LabelSelectorOpExists}}}}, false},
	}
	request := func(obj runtime.Object, kind schema.GroupVersionKind, res schema.GroupVersionResource, ns, name string) Request {
		return Request{Object: obj, Kind: kind, Resource: res, Namespace: ns, Name: name}
	}
	podKind, podRes := schema.GroupVersionKind{Version: "v1", Kind: "Pod"}, schema.GroupVersionResource{Version: "v1", Resource: "pods"}
	pod := func(ns, name string, labels map[string]string) Request {
		return request(&corev1.Pod{TypeMeta: metav1.TypeMeta{APIVersion: "v1", Kind: "Pod"}, ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns, Labels: labels}}, podKind, podRes, ns, name)
	}
	requests := []struct {
		name string
		req  Request
	}{
		{"pod p in prod", pod("prod", "p", nil)},
		{"pod q in prod", pod("prod", "q", map[string]string{"app": "x"})},
		{"pod p in dev", pod("dev", "p", map[string]string{"app": "x"})},
		{"pod q in dev", pod("dev", "q", nil)},
		{"pod without a namespace", pod("", "r", nil)},
		{"deployment in dev", request(&appsv1.Deployment{TypeMeta: metav1.TypeMeta{APIVersion: "apps/v1", Kind: "Deployment"}, ObjectMeta: metav1.ObjectMeta{Name: "d", Namespace: "dev"}},
			schema.GroupVersionKind{Group: "apps", Version: "v1", Kind: "Deployment"}, schema.GroupVersionResource{Group: "apps", Version: "v1", Resource: "deployments"}, "dev", "d")},
		{"namespace", request(&corev1.Namespace{TypeMeta: metav1.TypeMeta{APIVersion: "v1", Kind: "Namespace"}, ObjectMeta: metav1.ObjectMeta{Name: "new", Labels: map[string]string{"env": "prod"}}},
			schema.GroupVersionKind{Version: "v1", Kind: "Namespace"}, schema.GroupVersionResource{Version: "v1", Resource: "namespaces"}, "", "new")},
		{"node", request(&corev1.Node{TypeMeta: metav1.TypeMeta{APIVersion: "v1", Kind: "Node"}, ObjectMeta: metav1.ObjectMeta{Name: "n"}},
			schema.GroupVersionKind{Version: "v1", Kind: "Node"}, schema.GroupVersionResource{Version: "v1", Resource: "nodes"}, "", "n")},
	}
	o := admission.NewObjectInterfacesFromScheme(scheme.Scheme)
	memoised, matched := 0, 0
	for _, c := range constraints {
		match := c.match
		defaultMatch(&match)
		p := &admissionregistrationv1.ValidatingAdmissionPolicy{ObjectMeta: metav1.ObjectMeta{Name: "p"},
			Spec: admissionregistrationv1.ValidatingAdmissionPolicySpec{MatchConstraints: &match}}
		vp := &vapPolicy{policy: p}
		if matchesByShape(&match) {
			vp.byShape = &shapeMemo{}
		}
		if got := vp.byShape != nil; got != c.byShape {
			t.Errorf("%s: memoised by shape %v, want %v", c.name, got, c.byShape)
		}
		// Twice: the second answers come from the memo.
		for round := range 2 {
			for _, r := range requests {
				what := fmt.Sprintf("%s, %s (round %d)", c.name, r.name, round)
				attr := e.attributes(r.req)
				matcher := generic.NewPolicyMatcher(matching.NewMatcher(e.nsLister(r.req), nil))
				wantOK, wantRes, wantKind, wantErr := matcher.DefinitionMatches(attr, o, validating.NewValidatingAdmissionPolicyAccessor(p))
				ok, res, kind, err := vp.definitionMatch(matcher, attr, o, r.req)
				if ok != wantOK || res != wantRes || kind != wantKind || fmt.Sprint(err) != fmt.Sprint(wantErr) {
					t.Errorf("%s: got %v %v %v %v, want %v %v %v %v", what, ok, res, kind, err, wantOK, wantRes, wantKind, wantErr)
				}
				if ok {
					matched++
				}
			}
		}
		if vp.byShape != nil && len(vp.byShape.byShape) > 0 {
			memoised++
		}
	}
	if memoised != 5 || matched == 0 {
		t.Errorf("%d policies memoised, %d requests matched: the cases do not exercise the memo", memoised, matched)
	}
}

// TestRelevantVAPsAsEvery: leaving out, per namespace and request shape,
// the policies that certainly give nothing finds every request's verdict —
// denials, warnings, configuration errors, policies not evaluated — as
// visiting every policy does, first asked and from the memo; and it leaves
// some out.
func TestRelevantVAPsAsEvery(t *testing.T) {
	sel := func(labels map[string]string) *metav1.LabelSelector {
		return &metav1.LabelSelector{MatchLabels: labels}
	}
	rules := func(group, resource string) *admissionregistrationv1.MatchResources {
		return &admissionregistrationv1.MatchResources{ResourceRules: []admissionregistrationv1.NamedRuleWithOperations{{RuleWithOperations: admissionregistrationv1.RuleWithOperations{
			Operations: []admissionregistrationv1.OperationType{admissionregistrationv1.Create},
			Rule:       admissionregistrationv1.Rule{APIGroups: []string{group}, APIVersions: []string{"*"}, Resources: []string{resource}}}}}}
	}
	policy := func(name string, match *admissionregistrationv1.MatchResources, expr string) *model.AdmissionPolicy {
		return &model.AdmissionPolicy{Meta: model.Meta{Name: name}, Kind: model.KindValidatingAdmissionPolicy, Policy: &admissionregistrationv1.ValidatingAdmissionPolicySpec{
			MatchConstraints: match, Validations: []admissionregistrationv1.Validation{{Expression: expr}}}}
	}
	binding := func(name, policy string, nsSel *metav1.LabelSelector, actions ...admissionregistrationv1.ValidationAction) *model.AdmissionPolicy {
		spec := &admissionregistrationv1.ValidatingAdmissionPolicyBindingSpec{PolicyName: policy, ValidationActions: actions}
		if nsSel != nil {
			spec.MatchResources = &admissionregistrationv1.MatchResources{NamespaceSelector: nsSel}
		}
		return &model.AdmissionPolicy{Meta: model.Meta{Name: name}, Kind: model.KindValidatingAdmissionPolicyBinding, Binding: spec}
	}
	withNS := func(m *admissionregistrationv1.MatchResources, s *metav1.LabelSelector) *admissionregistrationv1.MatchResources {
		m.NamespaceSelector = s
		return m
	}
	deny := admissionregistrationv1.Deny
	warn := admissionregistrationv1.Warn
	inv := &model.Inventory{
		Namespaces: []*model.Namespace{
			{Meta: model.Meta{Name: "prod", Labels: map[string]string{"env": "prod"}}},
			{Meta: model.Meta{Name: "dev", Labels: map[string]string{"env": "dev"}}},
			{Meta: model.Meta{Name: "team-a", Labels: map[string]string{"env": "dev", "team": "a"}}},
		},
		AdmissionPolicies: []*model.AdmissionPolicy{
			policy("pods-prod-only", rules("", "pods"), "object.metadata.name != 'bad'"),
			binding("pods-prod-only", "pods-prod-only", sel(map[string]string{"env": "prod"}), deny),
			binding("pods-team-a", "pods-prod-only", sel(map[string]string{"team": "a"}), warn),
			policy("pods-everywhere", rules("", "pods"), "object.metadata.name != 'worse'"),
			binding("pods-everywhere", "pods-everywhere", nil, deny),
			policy("deployments-dev", withNS(rules("apps", "deployments"), sel(map[string]string{"env": "dev"})), "object.metadata.name != 'bad'"),
			binding("deployments-dev", "deployments-dev", nil, deny),
			policy("unbound", rules("", "pods"), "false"),
			policy("bad-expression", rules("", "pods"), "object.spec.nothing("),
			binding("bad-expression", "bad-expression", sel(map[string]string{"env": "dev"}), deny),
			policy("asks-authorizer", rules("", "pods"), "authorizer.requestResource.check('get').allowed()"),
			binding("asks-authorizer", "asks-authorizer", sel(map[string]string{"env": "prod"}), deny),
			policy("invalid-selector", withNS(rules("", "pods"), &metav1.LabelSelector{MatchExpressions: []metav1.LabelSelectorRequirement{{Key: "env", Operator: "Sometimes"}}}), "true"),
			binding("invalid-selector", "invalid-selector", nil, deny),
		},
	}
	e := New(inv)
	pod := func(ns, name string) Request {
		return Request{Object: &corev1.Pod{TypeMeta: metav1.TypeMeta{APIVersion: "v1", Kind: "Pod"}, ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns}},
			Kind: schema.GroupVersionKind{Version: "v1", Kind: "Pod"}, Resource: schema.GroupVersionResource{Version: "v1", Resource: "pods"}, Namespace: ns, Name: name}
	}
	deployment := func(ns, name string) Request {
		return Request{Object: &appsv1.Deployment{TypeMeta: metav1.TypeMeta{APIVersion: "apps/v1", Kind: "Deployment"}, ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns}},
			Kind: schema.GroupVersionKind{Group: "apps", Version: "v1", Kind: "Deployment"}, Resource: schema.GroupVersionResource{Group: "apps", Version: "v1", Resource: "deployments"}, Namespace: ns, Name: name}
	}
	var requests []Request
	for _, ns := range []string{"prod", "dev", "team-a", "missing"} {
		for _, name := range []string{"good", "bad", "worse"} {
			requests = append(requests, pod(ns, name), deployment(ns, name))
		}
	}
	relabelled := pod("dev", "bad")
	relabelled.NamespaceLabels = map[string]string{"env": "prod"}
	requests = append(requests, relabelled)
	findings := 0
	for round := range 2 {
		for _, req := range requests {
			got := e.Admit(req)
			filterVAPs = false
			want := e.Admit(req)
			filterVAPs = true
			if fmt.Sprint(got) != fmt.Sprint(want) {
				t.Errorf("%s %s/%s (round %d): %v, visiting every policy %v", req.Kind.Kind, req.Namespace, req.Name, round, got, want)
			}
			findings += len(want.Denied) + len(want.Warned) + len(want.NotEvaluated)
		}
	}
	left := 0
	e.relevant.Range(func(_, v any) bool {
		left += len(e.vaps) - len(v.([]*vapPolicy))
		return true
	})
	if findings == 0 || left == 0 {
		t.Errorf("%d findings, %d policies left out: the cases do not exercise it", findings, left)
	}
}
