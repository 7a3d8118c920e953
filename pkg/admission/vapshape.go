package admission

import (
	"sync"

	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apiserver/pkg/admission"
	"k8s.io/apiserver/pkg/admission/plugin/policy/generic"
	"k8s.io/apiserver/pkg/admission/plugin/policy/validating"
)

// A policy's definition match runs for every request a step makes, and the
// analysis of a large cluster makes one per ServiceAccount, pod and
// namespace it considers: with policies growing with the cluster (one per
// team, each bound to its namespace), policies × requests. A policy whose
// matchConstraints select every namespace and object and name no resource
// decides by the request's kind, resource and scope alone (the operation is
// always CREATE here), so its answer is kept per shape.

// Each request still visited every policy and every binding's namespace
// selector: policies × requests again, cheaper. A policy is left out at
// once, per namespace and request shape, when its namespaceSelector leaves
// the namespace out, when its definition (decided by shape) does not match,
// or when it matches and every binding's namespaceSelector leaves the
// namespace out: what evalVAPs would find for each request of them.

// requestShape is what such a policy's definition match reads of a request.
type requestShape struct {
	kind       schema.GroupVersionKind
	resource   schema.GroupVersionResource
	namespaced bool
}

func shapeOf(req Request) requestShape {
	return requestShape{kind: req.Kind, resource: req.Resource, namespaced: req.Namespace != ""}
}

// definitionResult is DefinitionMatches' answer.
type definitionResult struct {
	matches  bool
	resource schema.GroupVersionResource
	kind     schema.GroupVersionKind
	err      error
}

// shapeMemo holds a policy's definition matches by request shape; the
// evaluations of many principals at once share it.
type shapeMemo struct {
	mu      sync.Mutex
	byShape map[requestShape]definitionResult
}

// matchesByShape reports whether match resources decide by the request's
// shape alone: empty namespace and object selectors (after defaulting) and
// no resourceNames in their rules.
func matchesByShape(m *admissionregistrationv1.MatchResources) bool {
	for _, sel := range []*metav1.LabelSelector{m.NamespaceSelector, m.ObjectSelector} {
		if sel != nil && (len(sel.MatchLabels) > 0 || len(sel.MatchExpressions) > 0) {
			return false
		}
	}
	for _, rules := range [][]admissionregistrationv1.NamedRuleWithOperations{m.ResourceRules, m.ExcludeResourceRules} {
		for _, r := range rules {
			if len(r.ResourceNames) > 0 {
				return false
			}
		}
	}
	return true
}

// definitionMatch is the matcher's DefinitionMatches of the policy, from
// the memo when the policy decides by shape.
func (vp *vapPolicy) definitionMatch(matcher generic.PolicyMatcher, attr admission.Attributes, o admission.ObjectInterfaces, req Request) (bool, schema.GroupVersionResource, schema.GroupVersionKind, error) {
	decide := func() definitionResult {
		ok, res, kind, err := matcher.DefinitionMatches(attr, o, validating.NewValidatingAdmissionPolicyAccessor(vp.policy))
		return definitionResult{ok, res, kind, err}
	}
	if vp.byShape == nil {
		r := decide()
		return r.matches, r.resource, r.kind, r.err
	}
	key := shapeOf(req)
	m := vp.byShape
	m.mu.Lock()
	r, ok := m.byShape[key]
	m.mu.Unlock()
	if !ok {
		r = decide()
		m.mu.Lock()
		if m.byShape == nil {
			m.byShape = map[requestShape]definitionResult{}
		}
		m.byShape[key] = r
		m.mu.Unlock()
	}
	return r.matches, r.resource, r.kind, r.err
}

// filterVAPs is cleared by tests that compare with visiting every policy.
var filterVAPs = true

// relevantKey names the requests of a shape in a namespace.
type relevantKey struct {
	namespace string
	shape     requestShape
}

// relevantVAPs returns, in order, the policies evalVAPs must visit for req:
// all of them for a request that relabels its namespace; otherwise those
// not left out for its namespace and shape, memoised.
func (e *Evaluator) relevantVAPs(req Request, attr admission.Attributes, matcher generic.PolicyMatcher, o admission.ObjectInterfaces) []*vapPolicy {
	if req.NamespaceLabels != nil || !filterVAPs {
		return e.vaps
	}
	key := relevantKey{req.Namespace, shapeOf(req)}
	if v, ok := e.relevant.Load(key); ok {
		return v.([]*vapPolicy)
	}
	var out []*vapPolicy
	for _, vp := range e.vaps {
		if !e.leftOut(vp, req, attr, matcher, o) {
			out = append(out, vp)
		}
	}
	e.relevant.Store(key, out)
	return out
}

// leftOut reports whether the policy certainly gives nothing for the
// requests of req's namespace and shape: no finding, no error.
func (e *Evaluator) leftOut(vp *vapPolicy, req Request, attr admission.Attributes, matcher generic.PolicyMatcher, o admission.ObjectInterfaces) bool {
	if vp.policy.Spec.MatchConstraints == nil {
		return true // evalVAPs skips it
	}
	if vp.callsAuthorizer {
		return false // reported as not evaluated
	}
	if e.excludes(vp.nsSel, attr, req) {
		return true
	}
	if vp.byShape == nil {
		return false
	}
	ok, _, _, err := vp.definitionMatch(matcher, attr, o, req)
	if err != nil {
		return false
	}
	if !ok {
		return true
	}
	for _, sel := range vp.bindingNSSel {
		if sel == nil || !e.excludes(*sel, attr, req) {
			return false
		}
	}
	return true
}
