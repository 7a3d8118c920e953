package admission

import (
	"encoding/json"
	"fmt"
	"path"
	"sort"
	"strings"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	psaapi "k8s.io/pod-security-admission/api"

	"github.com/auth-paths/kubectl-auth-paths/pkg/model"
)

// Kyverno ClusterPolicy and Policy, by Kyverno's documented semantics:
//
//   - match/exclude: resources (kinds, names, namespaces, selector,
//     namespaceSelector, operations, annotations), any/all, subjects
//     (User, Group, ServiceAccount). roles/clusterRoles are not evaluated.
//   - the failure action: validate.failureAction (1.13+), else
//     spec.validationFailureAction (default Audit), with
//     validationFailureActionOverrides by namespace; only Enforce blocks.
//   - validate.podSecurity (level, version, exclude by controlName) with the
//     Pod Security Standards checks of k8s.io/pod-security-admission;
//   - validate.pattern and anyPattern (pattern.go).
//
// A rule with preconditions, deny, cel, foreach, assert or manifests is not
// evaluated. A Policy applies in its own namespace only. Kyverno's default
// resourceFilters skip kube-system, kube-public, kube-node-lease and the
// kyverno namespace: rules there are reported as not evaluated.
type kyvernoPolicy struct {
	obj   *model.EnginePolicy
	name  string
	spec  kyvernoSpec
	rules []kyvernoRule
}

type kyvernoSpec struct {
	ValidationFailureAction          string            `json:"validationFailureAction"`
	ValidationFailureActionOverrides []kyvernoOverride `json:"validationFailureActionOverrides"`
	Rules                            []json.RawMessage `json:"rules"`
}

type kyvernoOverride struct {
	Action            string                `json:"action"`
	Namespaces        []string              `json:"namespaces"`
	NamespaceSelector *metav1.LabelSelector `json:"namespaceSelector"`
}

type kyvernoRule struct {
	Name          string           `json:"name"`
	Match         kyvernoMatch     `json:"match"`
	Exclude       *kyvernoMatch    `json:"exclude"`
	Preconditions json.RawMessage  `json:"preconditions"`
	Validate      *kyvernoValidate `json:"validate"`
}

type kyvernoMatch struct {
	Any []kyvernoFilter `json:"any"`
	All []kyvernoFilter `json:"all"`
	kyvernoFilter
}

type kyvernoFilter struct {
	Resources    *kyvernoResources `json:"resources"`
	Subjects     []kyvernoSubject  `json:"subjects"`
	Roles        []string          `json:"roles"`
	ClusterRoles []string          `json:"clusterRoles"`
}

type kyvernoResources struct {
	Kinds             []string              `json:"kinds"`
	Name              string                `json:"name"`
	Names             []string              `json:"names"`
	Namespaces        []string              `json:"namespaces"`
	Annotations       map[string]string     `json:"annotations"`
	Selector          *metav1.LabelSelector `json:"selector"`
	NamespaceSelector *metav1.LabelSelector `json:"namespaceSelector"`
	Operations        []string              `json:"operations"`
}

type kyvernoSubject struct {
	Kind      string `json:"kind"`
	Name      string `json:"name"`
	Namespace string `json:"namespace"`
}

type kyvernoValidate struct {
	FailureAction          string            `json:"failureAction"`
	FailureActionOverrides []kyvernoOverride `json:"failureActionOverrides"`
	Message                string            `json:"message"`
	Pattern                any               `json:"pattern"`
	AnyPattern             []any             `json:"anyPattern"`
	PodSecurity            *struct {
		Level   string `json:"level"`
		Version string `json:"version"`
		Exclude []struct {
			ControlName     string   `json:"controlName"`
			Images          []string `json:"images"`
			RestrictedField string   `json:"restrictedField"`
			Values          []string `json:"values"`
		} `json:"exclude"`
	} `json:"podSecurity"`
	Deny      json.RawMessage `json:"deny"`
	CEL       json.RawMessage `json:"cel"`
	ForEach   json.RawMessage `json:"foreach"`
	Assert    json.RawMessage `json:"assert"`
	Manifests json.RawMessage `json:"manifests"`
}

func (e *Evaluator) addKyverno(p *model.EnginePolicy) {
	kp := &kyvernoPolicy{obj: p, name: p.Kind + "/" + p.Name}
	if p.Namespace != "" {
		kp.name = p.Kind + "/" + p.Namespace + "/" + p.Name
	}
	if len(p.Spec) > 0 {
		if err := json.Unmarshal(p.Spec, &kp.spec); err != nil {
			e.unknown = append(e.unknown, Finding{Engine: EngineKyverno, Policy: kp.name, Message: "spec not understood: " + err.Error()})
			return
		}
	}
	for i, raw := range kp.spec.Rules {
		var r kyvernoRule
		if err := json.Unmarshal(raw, &r); err != nil {
			e.unknown = append(e.unknown, Finding{Engine: EngineKyverno, Policy: fmt.Sprintf("%s rule %d", kp.name, i+1), Message: "rule not understood: " + err.Error()})
			continue
		}
		if r.Validate == nil {
			continue // mutate, generate, verifyImages: they do not reject
		}
		kp.rules = append(kp.rules, r)
	}
	e.kyverno = append(e.kyverno, kp)
}

// kyvernoFiltered are the namespaces of Kyverno's default resourceFilters.
var kyvernoFiltered = map[string]bool{"kube-system": true, "kube-public": true, "kube-node-lease": true, "kyverno": true}

func (e *Evaluator) evalKyverno(req Request, v *Verdict) {
	for _, kp := range e.kyverno {
		if kp.obj.Namespace != "" && kp.obj.Namespace != req.Namespace {
			continue // a Policy applies in its own namespace only
		}
		for _, r := range kp.rules {
			name := kp.name + " rule " + r.Name
			m, why := r.Match.matches(e, req)
			if why == "" && m && r.Exclude != nil {
				var ex bool
				ex, why = r.Exclude.matches(e, req)
				m = !ex
			}
			if why != "" {
				v.NotEvaluated = append(v.NotEvaluated, Finding{Engine: EngineKyverno, Policy: name, Message: why})
				continue
			}
			if !m {
				continue
			}
			if kyvernoFiltered[req.Namespace] {
				v.NotEvaluated = append(v.NotEvaluated, Finding{Engine: EngineKyverno, Policy: name,
					Message: "Kyverno's default resourceFilters skip namespace " + req.Namespace + " (its ConfigMap is not in the input)"})
				continue
			}
			if len(r.Preconditions) > 0 && string(r.Preconditions) != "null" {
				v.NotEvaluated = append(v.NotEvaluated, Finding{Engine: EngineKyverno, Policy: name, Message: "rule with preconditions is not evaluated"})
				continue
			}
			expr, fails, note := r.Validate.check(req)
			if note != "" {
				v.NotEvaluated = append(v.NotEvaluated, Finding{Engine: EngineKyverno, Policy: name, Message: note})
				continue
			}
			if len(fails) == 0 {
				continue
			}
			msg := strings.Join(fails, "; ")
			if r.Validate.Message != "" {
				msg = strings.TrimSpace(r.Validate.Message) + ": " + msg
			}
			f := Finding{Engine: EngineKyverno, Policy: name, Expression: expr, Message: msg}
			if action := kp.action(e, r, req); action == "enforce" {
				v.Denied = append(v.Denied, f)
			} else {
				f.Message += " (failure action " + action + ": not enforced)"
				v.Warned = append(v.Warned, f)
			}
		}
	}
}

// action is the rule's failure action in the request's namespace, lower case.
func (kp *kyvernoPolicy) action(e *Evaluator, r kyvernoRule, req Request) string {
	action, overrides := kp.spec.ValidationFailureAction, kp.spec.ValidationFailureActionOverrides
	if r.Validate.FailureAction != "" {
		action = r.Validate.FailureAction
	}
	if len(r.Validate.FailureActionOverrides) > 0 {
		overrides = r.Validate.FailureActionOverrides
	}
	for _, o := range overrides {
		inNS := len(o.Namespaces) > 0 && anyGlob(o.Namespaces, req.Namespace)
		if o.NamespaceSelector != nil && selectorMatches(o.NamespaceSelector, e.namespaceLabels(req)) {
			inNS = true
		}
		if inNS {
			action = o.Action
			break
		}
	}
	action = strings.ToLower(action)
	if action == "" {
		action = "audit"
	}
	return action
}

// matches: the legacy form (resources and subjects together) or any/all.
// why is set when the match cannot be decided.
func (m kyvernoMatch) matches(e *Evaluator, req Request) (bool, string) {
	if len(m.Any) > 0 {
		for _, f := range m.Any {
			ok, why := f.matches(e, req)
			if why != "" {
				return false, why
			}
			if ok {
				return true, ""
			}
		}
		return false, ""
	}
	if len(m.All) > 0 {
		for _, f := range m.All {
			ok, why := f.matches(e, req)
			if why != "" || !ok {
				return false, why
			}
		}
		return true, ""
	}
	if m.Resources == nil && len(m.Subjects) == 0 && len(m.Roles) == 0 && len(m.ClusterRoles) == 0 {
		return false, ""
	}
	return m.kyvernoFilter.matches(e, req)
}

func (f kyvernoFilter) matches(e *Evaluator, req Request) (bool, string) {
	if len(f.Roles) > 0 || len(f.ClusterRoles) > 0 {
		return false, "match by roles/clusterRoles is not evaluated"
	}
	if len(f.Subjects) > 0 {
		ok := false
		for _, s := range f.Subjects {
			switch s.Kind {
			case "User":
				ok = ok || globMatch(s.Name, req.User.Name)
			case "Group":
				for _, g := range req.User.Groups {
					ok = ok || globMatch(s.Name, g)
				}
			case "ServiceAccount":
				ok = ok || req.User.Name == "system:serviceaccount:"+s.Namespace+":"+s.Name
			}
		}
		if !ok {
			return false, ""
		}
	}
	if r := f.Resources; r != nil {
		return r.matches(e, req), ""
	}
	return true, ""
}

func (r *kyvernoResources) matches(e *Evaluator, req Request) bool {
	if len(r.Kinds) > 0 {
		ok := false
		for _, k := range r.Kinds {
			ok = ok || kyvernoKindMatches(k, req)
		}
		if !ok {
			return false
		}
	}
	names := r.Names
	if r.Name != "" {
		names = append(names, r.Name)
	}
	if len(names) > 0 && !anyGlob(names, req.Name) {
		return false
	}
	if len(r.Namespaces) > 0 && (req.Namespace == "" || !anyGlob(r.Namespaces, req.Namespace)) {
		return false
	}
	if len(r.Operations) > 0 && !matchList(r.Operations, opCreate) {
		return false
	}
	if r.Selector != nil && !selectorMatches(r.Selector, objectLabels(req)) {
		return false
	}
	if r.NamespaceSelector != nil && (req.Namespace == "" || !selectorMatches(r.NamespaceSelector, e.namespaceLabels(req))) {
		return false
	}
	for k, want := range r.Annotations {
		if got, ok := objectAnnotations(req)[k]; !ok || !globMatch(want, got) {
			return false
		}
	}
	return true
}

// kyvernoKindMatches reads "Pod", "v1/Pod", "*/Pod", "apps/v1/Deployment",
// "*"; a subresource kind ("Pod/exec") never matches an object create.
func kyvernoKindMatches(k string, req Request) bool {
	if k == "*" {
		return true
	}
	parts := strings.Split(k, "/")
	kind := parts[len(parts)-1]
	if len(parts) >= 2 && strings.EqualFold(parts[len(parts)-2], req.Kind.Kind) && parts[len(parts)-1] != "" {
		return false // Kind/subresource
	}
	if !globMatch(kind, req.Kind.Kind) {
		return false
	}
	switch len(parts) {
	case 2: // version/Kind or */Kind
		return parts[0] == "*" || parts[0] == req.Kind.Version
	case 3: // group/version/Kind
		return (parts[0] == "*" || parts[0] == req.Kind.Group) && (parts[1] == "*" || parts[1] == req.Kind.Version)
	}
	return true
}

func objectAnnotations(req Request) map[string]string {
	switch o := req.Object.(type) {
	case *corev1.Pod:
		return o.Annotations
	case *corev1.PersistentVolume:
		return o.Annotations
	case *corev1.PersistentVolumeClaim:
		return o.Annotations
	}
	return nil
}

// check runs the rule's validation: what decided, the failures, or a note
// when it is not evaluated.
func (val *kyvernoValidate) check(req Request) (expr string, fails []string, note string) {
	for name, raw := range map[string]json.RawMessage{"deny": val.Deny, "cel": val.CEL, "foreach": val.ForEach, "assert": val.Assert, "manifests": val.Manifests} {
		if len(raw) > 0 && string(raw) != "null" {
			return "", nil, "validate." + name + " is not evaluated"
		}
	}
	switch {
	case val.PodSecurity != nil:
		pod, ok := req.Object.(*corev1.Pod)
		if !ok {
			return "", nil, ""
		}
		return val.podSecurity(pod)
	case val.Pattern != nil || len(val.AnyPattern) > 0:
		obj, err := runtime.DefaultUnstructuredConverter.ToUnstructured(req.Object)
		if err != nil {
			return "", nil, "cannot convert the object: " + err.Error()
		}
		if val.Pattern != nil {
			ok, why, unsupported := matchPattern(val.Pattern, any(obj), "")
			if unsupported != "" {
				return "", nil, "pattern not evaluated: " + unsupported
			}
			if !ok {
				return "validate.pattern", []string{why}, ""
			}
			return "", nil, ""
		}
		var whys []string
		for _, p := range val.AnyPattern {
			ok, why, unsupported := matchPattern(p, any(obj), "")
			if unsupported != "" {
				return "", nil, "anyPattern not evaluated: " + unsupported
			}
			if ok {
				return "", nil, ""
			}
			whys = append(whys, why)
		}
		return "validate.anyPattern", whys, ""
	}
	return "", nil, "validate rule without podSecurity or pattern is not evaluated"
}

func (val *kyvernoValidate) podSecurity(pod *corev1.Pod) (string, []string, string) {
	ps := val.PodSecurity
	level, err := psaapi.ParseLevel(ps.Level)
	if err != nil {
		return "", nil, fmt.Sprintf("podSecurity level %q not recognised", ps.Level)
	}
	version := psaapi.LatestVersion()
	if ps.Version != "" {
		if version, err = psaapi.ParseVersion(ps.Version); err != nil {
			return "", nil, fmt.Sprintf("podSecurity version %q not recognised", ps.Version)
		}
	}
	var fails []string
	for _, f := range pssFailures(level, version, pod) {
		control := kyvernoControls[f.id]
		excused := false
		for _, ex := range ps.Exclude {
			// An exclusion naming the control excuses it: with images or
			// restrictedField/values it excuses only some pods, but the
			// attacker chooses the image and the fields, so the step is
			// kept (a risk tool errs towards the path).
			if strings.EqualFold(ex.ControlName, control) {
				excused = true
			}
		}
		if excused {
			continue
		}
		s := f.reason
		if f.details != "" {
			s += " (" + f.details + ")"
		}
		fails = append(fails, control+": "+s)
	}
	sort.Strings(fails)
	v := ps.Version
	if v == "" {
		v = "latest"
	}
	return fmt.Sprintf("podSecurity level %s version %s", ps.Level, v), fails, ""
}

// globMatch is Kyverno's and Gatekeeper's wildcard match (* and ?).
func globMatch(pattern, s string) bool {
	if pattern == "*" {
		return true
	}
	ok, err := path.Match(pattern, s)
	if err != nil {
		return pattern == s
	}
	if ok {
		return true
	}
	// path.Match's * stops at "/": names and images may contain one.
	return wildcard(pattern, s)
}

func anyGlob(list []string, s string) bool {
	for _, p := range list {
		if globMatch(p, s) {
			return true
		}
	}
	return false
}

// wildcard matches * (any run) and ? (one character), "/" included.
func wildcard(p, s string) bool {
	for len(p) > 0 {
		switch p[0] {
		case '*':
			for i := len(s); i >= 0; i-- {
				if wildcard(p[1:], s[i:]) {
					return true
				}
			}
			return false
		case '?':
			if len(s) == 0 {
				return false
			}
			p, s = p[1:], s[1:]
		default:
			if len(s) == 0 || s[0] != p[0] {
				return false
			}
			p, s = p[1:], s[1:]
		}
	}
	return len(s) == 0
}
