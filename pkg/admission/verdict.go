package admission

import (
	"sort"
	"strings"
)

// Engines.
const (
	EngineVAP        = "ValidatingAdmissionPolicy"
	EngineKyverno    = "Kyverno"
	EngineGatekeeper = "Gatekeeper"
)

// Finding is one policy's answer about one request.
type Finding struct {
	Engine string `json:"engine"`
	// Policy names the object: "ValidatingAdmissionPolicy/no-privileged
	// (binding no-privileged-binding)", "ClusterPolicy/disallow-privileged
	// rule privileged-containers", "K8sPSPPrivilegedContainer/psp-privileged".
	Policy string `json:"policy"`
	// Expression is what decided: a CEL expression, a Kyverno rule's check,
	// a Gatekeeper template's check.
	Expression string `json:"expression,omitempty"`
	// Message is the policy's message (messageExpression evaluated) or why it
	// was not evaluated.
	Message string `json:"message,omitempty"`
}

// String renders a finding in one line.
func (f Finding) String() string {
	s := f.Policy
	if f.Expression != "" {
		s += ": " + f.Expression
	}
	if f.Message != "" && f.Message != f.Expression {
		s += " (" + f.Message + ")"
	}
	return s
}

// Verdict is every matching policy's answer about one request.
type Verdict struct {
	// Denied are the policies that reject the request (enforced).
	Denied []Finding `json:"denied,omitempty"`
	// Warned are policies that match and fail but do not enforce (Warn,
	// Audit, dryrun, Kyverno Audit): the request is admitted.
	Warned []Finding `json:"warned,omitempty"`
	// NotEvaluated are policies that may match but that this tool cannot
	// evaluate: they never block here.
	NotEvaluated []Finding `json:"notEvaluated,omitempty"`
}

// Allowed reports whether no enforced policy rejects the request.
func (v Verdict) Allowed() bool { return len(v.Denied) == 0 }

// Reason renders the rejection in one line ("" when admitted).
func (v Verdict) Reason() string {
	parts := make([]string, 0, len(v.Denied))
	for _, f := range v.Denied {
		parts = append(parts, f.String())
	}
	return strings.Join(parts, "; ")
}

func (v *Verdict) sort() {
	for _, l := range []*[]Finding{&v.Denied, &v.Warned, &v.NotEvaluated} {
		sort.SliceStable(*l, func(i, j int) bool {
			a, b := (*l)[i], (*l)[j]
			if a.Engine != b.Engine {
				return engineOrder(a.Engine) < engineOrder(b.Engine)
			}
			return a.Policy < b.Policy
		})
	}
}

func engineOrder(e string) int {
	switch e {
	case EngineVAP:
		return 0
	case EngineKyverno:
		return 1
	}
	return 2
}
