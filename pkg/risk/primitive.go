package risk

import (
	"sort"

	"github.com/auth-paths/kubectl-auth-paths/graph"
	"github.com/auth-paths/kubectl-auth-paths/pkg/rbac"
)

// Primitive is one kind of escalation step.
type Primitive interface {
	// ID is the stable identifier used in JSON, DOT and docs.
	ID() string
	// Summary says in one line what the primitive is.
	Summary() string
	// Evaluate returns the steps the principal can take with this primitive,
	// including ones whose condition fails (Holds false, Why set) so that
	// `explain` can say why an edge is absent.
	Evaluate(a *Analysis, p *Principal) []Candidate
}

// Candidate is a possible step.
type Candidate struct {
	Primitive string
	To        *graph.Node
	// Hops is 1 for an escalation step, 0 for admin-equivalent rules.
	Hops      int
	Grants    []rbac.BoundRule
	Condition string
	Holds     bool
	// Why says which condition failed, when Holds is false.
	Why string
}

// grantedBy renders a candidate's grants, de-duplicated, in order.
func (c Candidate) grantedBy() (strs, bindings []string) {
	seen := map[string]bool{}
	seenB := map[string]bool{}
	for _, g := range c.Grants {
		s := g.Grant.String()
		if !seen[s] {
			seen[s] = true
			strs = append(strs, s)
		}
		if g.Grant.Binding != nil {
			id := g.Grant.Binding.ID()
			if !seenB[id] {
				seenB[id] = true
				bindings = append(bindings, id)
			}
		}
	}
	sort.Strings(bindings)
	return strs, bindings
}

// requests returns the authorization requests the step needs, in order, without repeats.
func (c Candidate) requests() []rbac.Request {
	var out []rbac.Request
	seen := map[rbac.Request]bool{}
	for _, g := range c.Grants {
		if g.Request == nil || seen[*g.Request] {
			continue
		}
		seen[*g.Request] = true
		out = append(out, *g.Request)
	}
	return out
}

// registry holds every built-in primitive, in documentation order.
var registry []Primitive

func register(p Primitive) { registry = append(registry, p) }

// Primitives returns the built-in primitives.
func Primitives() []Primitive { return append([]Primitive(nil), registry...) }

// PrimitiveColors are the DOT colours of each primitive (stable across releases).
var PrimitiveColors = map[string]string{
	"member-of":           "#64748b",
	"pick-node":           "#78716c",
	"admin-rules":         "#b91c1c",
	"superuser-group":     "#b91c1c",
	"read-secrets":        "#7c3aed",
	"token-request":       "#9333ea",
	"token-secret-create": "#a855f7",
	"create-workload":     "#2563eb",
	"modify-workload":     "#0891b2",
	"exec-pod":            "#0d9488",
	"node-escape":         "#ea580c",
	"create-pv":           "#d97706",
	"node-proxy":          "#ca8a04",
	"node-compromise":     "#92400e",
	"escalate":            "#dc2626",
	"bind":                "#e11d48",
	"impersonate":         "#db2777",
	"csr-approve":         "#be123c",
	"webhook-config":      "#4f46e5",
	"namespace-patch":     "#c2410c",
}
