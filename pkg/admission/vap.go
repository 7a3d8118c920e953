package admission

import (
	"context"
	"fmt"
	"sort"
	"strings"

	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apiserver/pkg/admission"
	"k8s.io/apiserver/pkg/admission/plugin/cel"
	"k8s.io/apiserver/pkg/admission/plugin/policy/generic"
	"k8s.io/apiserver/pkg/admission/plugin/policy/matching"
	"k8s.io/apiserver/pkg/admission/plugin/policy/validating"
	"k8s.io/apiserver/pkg/admission/plugin/webhook/matchconditions"
	celconfig "k8s.io/apiserver/pkg/apis/cel"
	"k8s.io/apiserver/pkg/authentication/user"
	"k8s.io/apiserver/pkg/cel/environment"
	"k8s.io/client-go/kubernetes/scheme"

	"github.com/auth-paths/kubectl-auth-paths/pkg/model"
)

// vapPolicy is one ValidatingAdmissionPolicy compiled, with its bindings.
type vapPolicy struct {
	policy    *admissionregistrationv1.ValidatingAdmissionPolicy
	validator validating.Validator
	bindings  []*admissionregistrationv1.ValidatingAdmissionPolicyBinding
	// nsSel and bindingNSSel are the namespaceSelectors of the policy's
	// matchConstraints and of each binding's matchResources, parsed once
	// (nsselect.go); a binding without matchResources has none.
	nsSel        nsSelector
	bindingNSSel []*nsSelector
	// callsAuthorizer: an expression asks the cluster's authorizers.
	callsAuthorizer bool
	// byShape, for a policy whose matchConstraints select no namespaces,
	// objects or names, memoises its definition match by the request's
	// shape (definitionMatch).
	byShape *shapeMemo
}

// compileVAP compiles a policy as the apiserver's ValidatingAdmissionPolicy
// plugin does (validating.compilePolicy, unexported there): the composited
// compiler over the base CEL environment of this apiserver version, with
// variables, matchConditions, validations and messageExpressions. A compile
// error is kept in the validator and decided by the failure policy.
func compileVAP(p *admissionregistrationv1.ValidatingAdmissionPolicy) validating.Validator {
	hasParam := p.Spec.ParamKind != nil
	optionalVars := cel.OptionalVariableDeclarations{HasParams: hasParam, HasAuthorizer: true}
	messageVars := cel.OptionalVariableDeclarations{HasParams: hasParam, HasAuthorizer: false}
	compiler, err := cel.NewCompositedCompiler(environment.MustBaseEnvSet(environment.DefaultCompatibilityVersion()))
	if err != nil {
		return validating.NewValidator(nil, nil, nil, nil, p.Spec.FailurePolicy, err)
	}
	vars := make([]cel.NamedExpressionAccessor, len(p.Spec.Variables))
	for i, v := range p.Spec.Variables {
		vars[i] = &validating.Variable{Name: v.Name, Expression: v.Expression}
	}
	compiler.CompileAndStoreVariables(vars, optionalVars, environment.StoredExpressions)
	var matcher matchconditions.Matcher
	if len(p.Spec.MatchConditions) > 0 {
		conds := make([]cel.ExpressionAccessor, len(p.Spec.MatchConditions))
		for i := range p.Spec.MatchConditions {
			conds[i] = (*matchconditions.MatchCondition)(&p.Spec.MatchConditions[i])
		}
		matcher = matchconditions.NewMatcher(compiler.CompileCondition(conds, optionalVars, environment.StoredExpressions), p.Spec.FailurePolicy, "policy", "validate", p.Name)
	}
	validations := make([]cel.ExpressionAccessor, len(p.Spec.Validations))
	messages := make([]cel.ExpressionAccessor, len(p.Spec.Validations))
	for i, v := range p.Spec.Validations {
		validations[i] = &validating.ValidationCondition{Expression: v.Expression, Message: v.Message, Reason: v.Reason}
		messages[i] = &validating.MessageExpressionCondition{MessageExpression: v.MessageExpression}
	}
	audits := make([]cel.ExpressionAccessor, len(p.Spec.AuditAnnotations))
	for i, a := range p.Spec.AuditAnnotations {
		audits[i] = &validating.AuditAnnotationCondition{Key: a.Key, ValueExpression: a.ValueExpression}
	}
	return validating.NewValidator(
		compiler.CompileCondition(validations, optionalVars, environment.StoredExpressions),
		matcher,
		compiler.CompileCondition(audits, optionalVars, environment.StoredExpressions),
		compiler.CompileCondition(messages, messageVars, environment.StoredExpressions),
		p.Spec.FailurePolicy,
		nil,
	)
}

// defaultVAP applies the apiserver's defaults for v1 (SetDefaults_*): a
// failure policy of Fail, matchPolicy Equivalent, empty (match-all)
// selectors and rule scope "*".
func defaultVAP(spec *admissionregistrationv1.ValidatingAdmissionPolicySpec) {
	if spec.FailurePolicy == nil {
		f := admissionregistrationv1.Fail
		spec.FailurePolicy = &f
	}
	if spec.MatchConstraints != nil {
		defaultMatch(spec.MatchConstraints)
	}
}

func defaultBinding(spec *admissionregistrationv1.ValidatingAdmissionPolicyBindingSpec) {
	if spec.MatchResources != nil {
		defaultMatch(spec.MatchResources)
	}
}

func defaultMatch(m *admissionregistrationv1.MatchResources) {
	if m.MatchPolicy == nil {
		e := admissionregistrationv1.Equivalent
		m.MatchPolicy = &e
	}
	if m.NamespaceSelector == nil {
		m.NamespaceSelector = &metav1.LabelSelector{}
	}
	if m.ObjectSelector == nil {
		m.ObjectSelector = &metav1.LabelSelector{}
	}
	for _, rules := range [][]admissionregistrationv1.NamedRuleWithOperations{m.ResourceRules, m.ExcludeResourceRules} {
		for i := range rules {
			if rules[i].Scope == nil {
				s := admissionregistrationv1.AllScopes
				rules[i].Scope = &s
			}
		}
	}
}

// vapPolicies pairs the policies and bindings of an inventory, in name order.
func vapPolicies(inv *model.Inventory) []*vapPolicy {
	byName := map[string]*vapPolicy{}
	var out []*vapPolicy
	for _, ap := range inv.AdmissionPolicies {
		if ap.Policy == nil {
			continue
		}
		p := &admissionregistrationv1.ValidatingAdmissionPolicy{ObjectMeta: objectMeta(ap.Meta), Spec: *ap.Policy.DeepCopy()}
		defaultVAP(&p.Spec)
		vp := &vapPolicy{policy: p, validator: compileVAP(p), callsAuthorizer: usesAuthorizer(policyExpressions(&p.Spec)...)}
		if m := p.Spec.MatchConstraints; m != nil {
			vp.nsSel = parseNSSelector(m.NamespaceSelector)
			if matchesByShape(m) {
				vp.byShape = &shapeMemo{}
			}
		}
		byName[p.Name] = vp
		out = append(out, vp)
	}
	for _, ap := range inv.AdmissionPolicies {
		if ap.Binding == nil {
			continue
		}
		vp := byName[ap.Binding.PolicyName]
		if vp == nil {
			continue // the apiserver ignores a binding to a missing policy
		}
		b := &admissionregistrationv1.ValidatingAdmissionPolicyBinding{ObjectMeta: objectMeta(ap.Meta), Spec: *ap.Binding.DeepCopy()}
		defaultBinding(&b.Spec)
		vp.bindings = append(vp.bindings, b)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].policy.Name < out[j].policy.Name })
	for _, vp := range out {
		sort.Slice(vp.bindings, func(i, j int) bool { return vp.bindings[i].Name < vp.bindings[j].Name })
		for _, b := range vp.bindings {
			var sel *nsSelector
			if m := b.Spec.MatchResources; m != nil {
				s := parseNSSelector(m.NamespaceSelector)
				sel = &s
			}
			vp.bindingNSSel = append(vp.bindingNSSel, sel)
		}
	}
	return out
}

func objectMeta(m model.Meta) metav1.ObjectMeta {
	return metav1.ObjectMeta{Name: m.Name, Namespace: m.Namespace, Labels: m.Labels, Annotations: m.Annotations, UID: typesUID(m.UID)}
}

// evalVAPs runs every policy on the request, as the apiserver's dispatcher
// does: definition match, then per binding its match, its params, the
// validator, and the binding's validationActions.
func (e *Evaluator) evalVAPs(req Request, v *Verdict) {
	if len(e.vaps) == 0 {
		return
	}
	attr := e.attributes(req)
	o := admission.NewObjectInterfacesFromScheme(scheme.Scheme)
	matcher := generic.NewPolicyMatcher(matching.NewMatcher(e.nsLister(req), nil))
	ctx := context.Background()
	for _, vp := range e.relevantVAPs(req, attr, matcher, o) {
		name := EngineVAP + "/" + vp.policy.Name
		fail := *vp.policy.Spec.FailurePolicy
		configError := func(policy string, err error) {
			f := Finding{Engine: EngineVAP, Policy: policy, Message: err.Error()}
			if fail == admissionregistrationv1.Fail {
				f.Expression = "failurePolicy: Fail"
				v.Denied = append(v.Denied, f)
				return
			}
			f.Message = "ignored (failurePolicy: Ignore): " + f.Message
			v.Warned = append(v.Warned, f)
		}
		if vp.policy.Spec.MatchConstraints == nil {
			continue // invalid: the apiserver requires matchConstraints
		}
		if vp.callsAuthorizer {
			v.NotEvaluated = append(v.NotEvaluated, Finding{Engine: EngineVAP, Policy: name,
				Message: "its expressions call the authorizer, which is not evaluated offline"})
			continue
		}
		if e.excludes(vp.nsSel, attr, req) {
			continue // what DefinitionMatches decides first
		}
		matches, matchResource, matchKind, err := vp.definitionMatch(matcher, attr, o, req)
		if err != nil {
			configError(name, fmt.Errorf("failed to configure policy: %w", err))
			continue
		}
		if !matches {
			continue
		}
		for i, b := range vp.bindings {
			if sel := vp.bindingNSSel[i]; sel != nil && e.excludes(*sel, attr, req) {
				continue // what BindingMatches decides first
			}
			bname := fmt.Sprintf("%s (binding %s)", name, b.Name)
			ok, err := matcher.BindingMatches(attr, o, validating.NewValidatingAdmissionPolicyBindingAccessor(b))
			if err != nil {
				configError(bname, fmt.Errorf("failed to configure binding: %w", err))
				continue
			}
			if !ok {
				continue
			}
			params, known, err := e.params(vp.policy.Spec.ParamKind, b.Spec.ParamRef, req.Namespace)
			if !known {
				v.NotEvaluated = append(v.NotEvaluated, Finding{Engine: EngineVAP, Policy: bname,
					Message: fmt.Sprintf("its parameters (%s) are not in the input", vp.policy.Spec.ParamKind.Kind)})
				continue
			}
			if err != nil {
				configError(bname, fmt.Errorf("failed to configure binding: %w", err))
				continue
			}
			va, err := admission.NewVersionedAttributes(attr, matchKind, o)
			if err != nil {
				configError(bname, fmt.Errorf("failed to convert object version: %w", err))
				continue
			}
			var ns = e.namespaceObject(req)
			for _, param := range params {
				res := vp.validator.Validate(ctx, matchResource, va, param, ns, celconfig.RuntimeCELCostBudget, nil)
				for i, d := range res.Decisions {
					if d.Action != validating.ActionDeny {
						continue
					}
					f := Finding{Engine: EngineVAP, Policy: bname, Message: d.Message, Expression: decisionExpression(vp.policy, i, d)}
					denied := false
					for _, act := range b.Spec.ValidationActions {
						if act == admissionregistrationv1.Deny {
							denied = true
						}
					}
					if denied {
						v.Denied = append(v.Denied, f)
					} else {
						f.Message += " (validationActions " + actions(b.Spec.ValidationActions) + ": not enforced)"
						v.Warned = append(v.Warned, f)
					}
				}
			}
		}
	}
}

// decisionExpression is the expression behind a denial: the validation's,
// or for an error the failure policy.
func decisionExpression(p *admissionregistrationv1.ValidatingAdmissionPolicy, i int, d validating.PolicyDecision) string {
	if d.Evaluation == validating.EvalError {
		if i < len(p.Spec.Validations) && len(p.Spec.Validations) > 1 {
			return "failurePolicy: Fail (error in " + strings.TrimSpace(p.Spec.Validations[i].Expression) + ")"
		}
		return "failurePolicy: Fail"
	}
	if i < len(p.Spec.Validations) {
		return strings.TrimSpace(p.Spec.Validations[i].Expression)
	}
	return ""
}

func actions(as []admissionregistrationv1.ValidationAction) string {
	s := make([]string, len(as))
	for i, a := range as {
		s[i] = string(a)
	}
	return "[" + strings.Join(s, ",") + "]"
}

// attributes is the admission request of req, as the apiserver builds it.
func (e *Evaluator) attributes(req Request) admission.Attributes {
	u := &user.DefaultInfo{Name: req.User.Name, Groups: req.User.Groups}
	return admission.NewAttributesRecord(req.Object, nil, req.Kind, req.Namespace, req.Name, req.Resource, "", admission.Create,
		&metav1.CreateOptions{}, false, u)
}

// params resolves a binding's paramRef like generic.CollectParams: known is
// false when the input has no object of the parameter kind at all (the kind
// was not read, so the answer is unknown).
func (e *Evaluator) params(kind *admissionregistrationv1.ParamKind, ref *admissionregistrationv1.ParamRef, ns string) (params []runtime.Object, known bool, err error) {
	if kind == nil || ref == nil {
		return []runtime.Object{nil}, true, nil
	}
	objs := e.paramObjects[kind.APIVersion+"/"+kind.Kind]
	if len(objs) == 0 {
		return nil, false, nil
	}
	namespaced := objs[0].Namespace != ""
	pns := ""
	if namespaced {
		pns = ns
		if ref.Namespace != "" {
			pns = ref.Namespace
		} else if pns == "" {
			return nil, true, fmt.Errorf("cannot use namespaced paramRef in policy binding that matches cluster-scoped resources")
		}
	} else if ref.Namespace != "" {
		return nil, true, fmt.Errorf("paramRef.namespace must not be provided for a cluster-scoped `paramKind`")
	}
	var sel labels.Selector
	if ref.Name == "" {
		if ref.Selector == nil {
			return nil, true, fmt.Errorf("one of name or selector must be provided")
		}
		if sel, err = metav1.LabelSelectorAsSelector(ref.Selector); err != nil {
			return nil, true, err
		}
	}
	for _, o := range objs {
		if o.Namespace != pns {
			continue
		}
		if (ref.Name != "" && o.Name == ref.Name) || (sel != nil && sel.Matches(labels.Set(o.Labels))) {
			params = append(params, &unstructured.Unstructured{Object: o.Content})
		}
	}
	if len(params) == 0 && ref.ParameterNotFoundAction != nil && *ref.ParameterNotFoundAction == admissionregistrationv1.DenyAction {
		return nil, true, fmt.Errorf("no params found for policy binding with `Deny` parameterNotFoundAction")
	}
	return params, true, nil
}

// policyExpressions are every CEL expression of a policy.
func policyExpressions(s *admissionregistrationv1.ValidatingAdmissionPolicySpec) []string {
	var out []string
	for _, v := range s.Variables {
		out = append(out, v.Expression)
	}
	for _, m := range s.MatchConditions {
		out = append(out, m.Expression)
	}
	for _, v := range s.Validations {
		out = append(out, v.Expression, v.MessageExpression)
	}
	for _, a := range s.AuditAnnotations {
		out = append(out, a.ValueExpression)
	}
	return out
}
