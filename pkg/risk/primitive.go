package risk

import (
	"fmt"
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
	// Color is the colour of its steps in the DOT graph and the HTML report
	// ("#rrggbb"), stable across releases.
	Color() string
	// Techniques are the MITRE ATT&CK for Containers techniques the step is
	// an instance of (LookupTechnique knows each), most specific first.
	Techniques() []string
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
	// Later is the condition kept as its parts (see graph.Edge.Later);
	// read the condition with When.
	Later fmt.Stringer
	Holds bool
	// Why says which condition failed, when Holds is false.
	Why string
	// Assumed is set when the step holds only under an assumption the input
	// cannot confirm (a controller's flags, a node's file modes, a name being
	// free); its Condition then says "assumes …". At equal hops, paths with
	// fewer assumed steps rank first.
	Assumed bool
	// Personal is set when the step rests on a binding that names the
	// principal itself (its role is escalated or created): then grants held
	// through a group do not make the group's own step the same.
	Personal bool
	// BoundBy is the binding the step's role is bound by, when the step
	// rests on that binding naming the principal (escalate, dangling-role):
	// the group that holds every grant takes the same step only if the
	// binding names it, or a group all its members are in.
	BoundBy *model.Binding
	// Objects are the existing bindings the step acts on rather than holds,
	// any one of which serves: the RoleBindings a principal may add itself
	// to (bind by update), the binding of a role it escalates or creates
	// (BoundBy, counted without being listed here). Deleting them all cuts
	// the step however the principal's grants change: what choke points
	// read beside the grants.
	Objects []*model.Binding
}

// objects returns the bindings the step acts on: Objects, or BoundBy when
// it is a binding of the input (not a review's stand-in).
func (c Candidate) objects() []*model.Binding {
	if len(c.Objects) > 0 {
		return c.Objects
	}
	if c.BoundBy != nil && c.BoundBy.Review == nil {
		return []*model.Binding{c.BoundBy}
	}
	return nil
}

// grantedBy renders a candidate's grants, de-duplicated, in order, with the
// grants themselves (one per rendering, in the same order). The strings are
// interned: one grant is usually behind many steps. Like every function of
// this file that reads a.strs, it is called with a.mu held.
func (a *Analysis) grantedBy(c Candidate) (strs, bindings []string, refs []rbac.Grant) {
	if len(c.Grants) == 1 {
		// Most steps rest on one grant: its rendering is shared by every edge
		// it makes (edges never change their slices).
		r := a.rendered(c.Grants[0].Grant)
		return r.strs, r.bindings, r.grants
	}
	for _, g := range c.Grants {
		r := a.rendered(g.Grant)
		if !slices.Contains(strs, r.strs[0]) {
			strs = append(strs, r.strs[0])
			refs = append(refs, g.Grant)
		}
		if len(r.bindings) > 0 && !slices.Contains(bindings, r.bindings[0]) {
			bindings = append(bindings, r.bindings[0])
		}
	}
	sort.Strings(bindings)
	return a.strs.names.Slice(strs), a.strs.names.Slice(bindings), a.strs.refs.Slice(refs)
}

// rendered returns the rendering of one grant, made once: its provenance
// string, its binding's ID (none for a grant of no binding) and the grant.
func (a *Analysis) rendered(g rbac.Grant) renderedGrants {
	r, h, ok := a.strs.single.get(keyOf(g))
	if ok {
		return r
	}
	r = renderedGrants{
		strs:   a.strs.names.Slice([]string{a.strs.chars.Copy(g.String())}),
		grants: a.strs.refs.Slice([]rbac.Grant{g}),
	}
	if g.Binding != nil {
		r.bindings = a.strs.names.Slice([]string{a.bindingID(g.Binding)})
	}
	a.strs.single.put(h, r)
	return r
}

func keyOf(g rbac.Grant) grantKey {
	return grantKey{g.Binding, g.RuleIndex, g.Subject(), g.Superuser}
}

// grantKey is what a grant's provenance string depends on.
type grantKey struct {
	binding   *model.Binding // and so its roleRef
	ruleIndex int32
	subject   rbac.Subject
	superuser bool
}

func (a *Analysis) bindingID(b *model.Binding) string {
	id, ok := a.strs.bindings[b]
	if !ok {
		id = a.strs.chars.Copy(b.ID())
		a.strs.bindings[b] = id
	}
	return id
}

// provenance returns what grants a step: for a step on one grant, one
// value shared by every step that rests on that grant for the same request
// (on generated clusters about one in six shares one: most grants name
// their subject, most requests their target), and by every step on no
// grant at all; for a step on several, its own.
func (a *Analysis) provenance(c Candidate) *graph.Provenance {
	if len(c.objects()) > 0 {
		return a.newProvenance(c) // its own: the objects are the step's
	}
	switch len(c.Grants) {
	case 0:
		if a.strs.noGrant == nil {
			a.strs.noGrant = &graph.Provenance{Data: &StepData{}}
		}
		return a.strs.noGrant
	case 1:
		// A real request has a verb: the zero one stands for none.
		k := stepKey{grant: keyOf(c.Grants[0].Grant)}
		if r := c.Grants[0].Request; r != nil {
			k.req = *r
		}
		p, h, ok := a.strs.steps.get(k)
		if !ok {
			p = a.newProvenance(c)
			a.strs.steps.put(h, p)
		}
		return p
	}
	return a.newProvenance(c)
}

func (a *Analysis) newProvenance(c Candidate) *graph.Provenance {
	strs, bindings, refs := a.grantedBy(c)
	reqs := c.requests()
	if objs := c.objects(); len(objs) > 0 {
		var objects []string
		for _, b := range objs {
			objects = append(objects, a.bindingID(b))
		}
		slices.Sort(objects)
		d := &actingData{StepData: StepData{Requests: reqs, Grants: refs}, objects: a.strs.names.Slice(slices.Compact(objects))}
		return &graph.Provenance{GrantedBy: strs, Bindings: bindings, Data: d}
	}
	if len(reqs) != 1 {
		return &graph.Provenance{GrantedBy: strs, Bindings: bindings, Data: &StepData{Requests: reqs, Grants: refs}}
	}
	x := a.strs.provs.New(oneRequestProvenance{req: [1]rbac.Request{reqs[0]}})
	x.d = StepData{Requests: x.req[:], Grants: refs}
	x.p = graph.Provenance{GrantedBy: strs, Bindings: bindings, Data: &x.d}
	return &x.p
}

// intern returns the one copy of a condition string: many principals take
// the same step (create pods in a namespace, read one Secret) with the same text.
func (a *Analysis) intern(s string) string {
	v, h, ok := a.strs.conds.get(s)
	if !ok {
		s = a.strs.chars.Copy(s)
		a.strs.conds.put(h, s)
		return s
	}
	return v
}

// When returns the candidate's condition: Condition, or else Later rendered.
func (c Candidate) When() string {
	if c.Condition == "" && c.Later != nil {
		return c.Later.String()
	}
	return c.Condition
}

// requests returns the authorization requests the step needs, in order, without repeats.
func (c Candidate) requests() []rbac.Request {
	if len(c.Grants) == 1 {
		if c.Grants[0].Request == nil {
			return nil
		}
		return []rbac.Request{*c.Grants[0].Request}
	}
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

// structuralStep is a step the analysis makes itself rather than a
// registered primitive: group membership, held admin rules, system:masters
// and the any-node scope. They evaluate nothing; they exist so that every
// primitive name an edge carries has a colour, a summary and techniques.
type structuralStep struct {
	id, summary, color string
	techniques         []string
}

func (s structuralStep) ID() string                                 { return s.id }
func (s structuralStep) Summary() string                            { return s.summary }
func (s structuralStep) Color() string                              { return s.color }
func (s structuralStep) Techniques() []string                       { return s.techniques }
func (s structuralStep) Evaluate(*Analysis, *Principal) []Candidate { return nil }

// structural are the steps of the analysis itself. member-of and the picks
// (pick-node, pick-serviceaccount, pick-identity, pick-namespace, pick-workload) are no attacker action
// (a member already holds its groups' permissions; a node, ServiceAccount or
// namespace is picked by the step that enters the scope), so they carry no
// technique: the technique is the step's before or after them.
var structural = []Primitive{
	structuralStep{"admin-rules", "rules bound cluster-wide cover every verb on every resource and non-resource URL: cluster-admin outright", "#b91c1c", []string{"T1078"}},
	structuralStep{"superuser-group", "membership of system:masters bypasses RBAC authorization entirely", "#b91c1c", []string{"T1078"}},
	structuralStep{"member-of", "a group membership: every member holds the group's permissions", "#64748b", nil},
	structuralStep{pickNode, "a step that names the node its pod runs on reaches any node alike; code run in a pod that shares its host reaches that node", "#78716c", nil},
	structuralStep{pickServiceAccount, "a step that may name any ServiceAccount (a new pod's, a token's, an impersonated one), run in any running pod or hold a node's identity names this one", "#78716c", nil},
	structuralStep{pickIdentity, "a step that may name any user, group or ServiceAccount (a certificate's subject, an impersonation) names this one", "#78716c", nil},
	structuralStep{pickExecScope, "an ephemeral container added to a pod runs what exec into it runs: the running pods' scope of the same namespaces", "#78716c", nil},
	structuralStep{pickNamespace, "a RoleBinding that may be made in any namespace is made in this one", "#78716c", nil},
	structuralStep{pickWorkload, "a change that may be made to every controller of a kind is made to this namespace's first one", "#78716c", nil},
}

// Structural returns the steps the analysis makes itself (not registered
// primitives), in documentation order.
func Structural() []Primitive { return slices.Clone(structural) }

// LookupPrimitive finds the primitive of a step by ID among the built-in
// ones, the structural steps and extra (rule-pack) primitives.
func LookupPrimitive(id string, extra []Primitive) (Primitive, bool) {
	for _, list := range [][]Primitive{registry, structural, extra} {
		for _, p := range list {
			if p.ID() == id {
				return p, true
			}
		}
	}
	return nil, false
}

// Primitive finds the primitive of a step by ID, rule packs' included.
func (a *Analysis) Primitive(id string) (Primitive, bool) { return LookupPrimitive(id, a.Opts.Extra) }

// StepColor is the colour of a step's edges; "" for an unknown primitive.
func (a *Analysis) StepColor(id string) string {
	if p, ok := a.Primitive(id); ok {
		return p.Color()
	}
	return ""
}
