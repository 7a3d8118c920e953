package remediate

import (
	"github.com/auth-paths/kubectl-auth-paths/graph"
	"github.com/auth-paths/kubectl-auth-paths/pkg/model"
	"github.com/auth-paths/kubectl-auth-paths/pkg/rbac"
	"github.com/auth-paths/kubectl-auth-paths/pkg/risk"
)

// stepEdge returns the graph's edge of a path's step, or nil.
func stepEdge(a *risk.Analysis, s risk.Step) *graph.Edge {
	from := a.Graph.Node(s.From)
	if from == nil {
		return nil
	}
	for _, e := range a.Graph.From(from) {
		if e.Primitive == s.Primitive && risk.NodeName(e.To) == s.To {
			return e
		}
	}
	return nil
}

// objectEdits are, for fix --chokepoints, the edits that take away every
// binding a step acts on (risk.ObjectsOf) when the choke-point cut holds
// them all: the cut may name the binding of a role someone escalates or
// creates, or a RoleBinding someone may add itself to, which grant the step
// nothing. A binding that names the step's holder loses those subjects
// (the holder no longer holds the role it would write into); one that does
// not loses them all, since only its deletion stops the holder from adding
// itself to it. Nil with no reason when the step acts on no binding or on
// one outside the cut.
func (p *planner) objectEdits(a *risk.Analysis, cur *model.Inventory, s risk.Step) ([]Edit, string) {
	e := stepEdge(a, s)
	if e == nil || len(p.allowed) == 0 {
		return nil, ""
	}
	objs := risk.ObjectsOf(e)
	if len(objs) == 0 {
		return nil, ""
	}
	var holder func(rbac.Subject) bool
	if sub, ok := subjectOf(e.From); ok {
		id := identityOf(sub, p.opts.Groups)
		holder = func(s rbac.Subject) bool { return s.Matches(id) }
	}
	var edits []Edit
	for _, id := range objs {
		if !p.allowed[id] {
			return nil, ""
		}
		b := bindingByID(cur, id)
		if b == nil {
			continue // gone already
		}
		if why := p.bindingProtected(b); why != "" {
			return nil, why
		}
		var all, named []rbac.Subject
		for _, x := range b.Subjects {
			c := rbac.CanonicalSubject(x, b.Namespace)
			all = append(all, c)
			if holder != nil && holder(c) {
				named = append(named, c)
			}
		}
		if len(named) == 0 {
			named = all
		}
		for _, c := range named {
			edits = append(edits, Edit{Kind: EditRemoveSubject, Binding: id, Subject: c})
		}
	}
	if len(edits) == 0 {
		return nil, ""
	}
	if len(edits) == 1 {
		return edits, ""
	}
	return []Edit{{Kind: EditGroup, Group: edits}}, ""
}
