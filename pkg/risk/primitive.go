package risk

import (
	"slices"
	"sort"

	"github.com/auth-paths/kubectl-auth-paths/graph"
	"github.com/auth-paths/kubectl-auth-paths/pkg/model"
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

// grantedBy renders a candidate's grants, de-duplicated, in order. The
// strings are interned: one grant is usually behind many steps.
func (a *Analysis) grantedBy(c Candidate) (strs, bindings []string) {
	for _, g := range c.Grants {
		s := a.grantString(g.Grant)
		if !slices.Contains(strs, s) {
			strs = append(strs, s)
		}
		if g.Grant.Binding != nil {
			id := a.bindingID(g.Grant.Binding)
			if !slices.Contains(bindings, id) {
				bindings = append(bindings, id)
			}
		}
	}
	sort.Strings(bindings)
	return strs, bindings
}

// grantKey is what a grant's provenance string depends on.
type grantKey struct {
	binding            *model.Binding
	roleKind, roleName string
	ruleIndex          int
	subject            rbac.Subject
	superuser          bool
}

func (a *Analysis) grantString(g rbac.Grant) string {
	k := grantKey{g.Binding, g.RoleKind, g.RoleName, g.RuleIndex, g.Subject, g.Superuser}
	s, ok := a.strs.grants[k]
	if !ok {
		s = g.String()
		a.strs.grants[k] = s
	}
	return s
}

func (a *Analysis) bindingID(b *model.Binding) string {
	id, ok := a.strs.bindings[b]
	if !ok {
		id = b.ID()
		a.strs.bindings[b] = id
	}
	return id
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
