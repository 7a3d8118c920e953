package rules

import (
	"fmt"
	"strings"

	"github.com/auth-paths/kubectl-auth-paths/pkg/model"
	"github.com/auth-paths/kubectl-auth-paths/pkg/rbac"
	"github.com/auth-paths/kubectl-auth-paths/pkg/risk"
)

// Primitives turns the active packs' rules into escalation primitives.
func Primitives(packs []*Pack, inv *model.Inventory) []risk.Primitive {
	var out []risk.Primitive
	for _, p := range packs {
		if len(p.Rules) == 0 {
			continue
		}
		if ok, _ := Active(p, inv); !ok {
			continue
		}
		for i := range p.Rules {
			out = append(out, &rulePrimitive{pack: p, rule: &p.Rules[i]})
		}
	}
	return out
}

// rulePrimitive evaluates one rule like a built-in primitive.
type rulePrimitive struct {
	pack *Pack
	rule *Rule
}

func (r *rulePrimitive) ID() string      { return r.rule.ID }
func (r *rulePrimitive) Summary() string { return r.rule.Description }

// RuleColor is the colour of every rule-pack step: a pack says what a step
// is, not how it is drawn.
const RuleColor = "#475569"

func (r *rulePrimitive) Color() string        { return RuleColor }
func (r *rulePrimitive) Techniques() []string { return r.rule.Techniques }

func (r *rulePrimitive) requests(a *risk.Analysis) []rbac.Request {
	perm := r.rule.Permission
	names := perm.ResourceNames
	if len(names) == 0 {
		names = []string{""}
	}
	var nss []string
	switch {
	case perm.Scope == "cluster":
		nss = []string{""}
	case len(perm.Namespaces) > 0:
		nss = perm.Namespaces
	default:
		nss = a.Namespaces()
	}
	var out []rbac.Request
	for _, ns := range nss {
		for _, name := range names {
			for _, v := range perm.Verbs {
				out = append(out, rbac.Request{Verb: v, APIGroup: perm.APIGroup, Resource: perm.Resource, Subresource: perm.Subresource, Namespace: ns, Name: name})
			}
		}
	}
	return out
}

// requestsFor is requests, in every namespace only for a principal some of
// whose rules could allow the permission somewhere: most principals cannot,
// and asking for each of them in every namespace grows as principals ×
// namespaces.
func (r *rulePrimitive) requestsFor(a *risk.Analysis, p *risk.Principal) []rbac.Request {
	perm := r.rule.Permission
	if perm.Scope == "cluster" || len(perm.Namespaces) > 0 {
		return r.requests(a)
	}
	for _, v := range perm.Verbs {
		if len(p.Namespaces(v, perm.APIGroup, perm.Resource, perm.Subresource, a.Namespaces())) > 0 {
			return r.requests(a)
		}
	}
	return nil
}

func (r *rulePrimitive) Evaluate(a *risk.Analysis, p *risk.Principal) []risk.Candidate {
	var out []risk.Candidate
	done := map[string]bool{}
	for _, req := range r.requestsFor(a, p) {
		if done[req.Namespace] {
			continue
		}
		br, ok := p.First(req)
		if !ok {
			continue
		}
		done[req.Namespace] = true
		how := fmt.Sprintf("%s %s", req.Verb, describeTarget(req))
		cond := r.rule.Condition
		if cond == "" {
			cond = r.rule.Description
		}
		// The step holds only if the controller does what the pack says of it
		// (its flags and defaults are not in the input): an assumption, said
		// in the step and ranked after RBAC-only paths of equal hops.
		cond = fmt.Sprintf("%s: %s (rule pack %s; assumes the controller runs as the pack describes)", how, cond, r.pack.Metadata.Name)
		switch r.rule.Gain.Type {
		case GainAnyServiceAccount:
			sas := a.ServiceAccounts(req.Namespace)
			if len(sas) == 0 {
				continue
			}
			for _, sa := range sas {
				out = append(out, risk.Candidate{Primitive: r.rule.ID, To: a.SANode(sa.Namespace, sa.Name), Hops: 1, Holds: true, Assumed: true,
					Grants: []rbac.BoundRule{br}, Condition: cond + "; runs as ServiceAccount " + sa.Name})
			}
		case GainServiceAccount:
			ns, name, _ := strings.Cut(r.rule.Gain.ServiceAccount, "/")
			if !a.HasServiceAccount(ns, name) {
				continue
			}
			out = append(out, risk.Candidate{Primitive: r.rule.ID, To: a.SANode(ns, name), Hops: 1, Holds: true, Assumed: true,
				Grants: []rbac.BoundRule{br}, Condition: cond + "; runs as ServiceAccount " + ns + "/" + name})
		case GainIdentity:
			s, _ := rbac.ParseSubject(r.rule.Gain.Identity)
			to := a.Sink()
			switch {
			case s.Kind == "Group" && s.Name == rbac.GroupMasters:
			case s.Kind == "Group":
				to = a.GroupNode(s.Name)
			default:
				to = a.UserNode(s.Name)
			}
			out = append(out, risk.Candidate{Primitive: r.rule.ID, To: to, Hops: 1, Holds: true, Assumed: true,
				Grants: []rbac.BoundRule{br}, Condition: cond + "; becomes " + r.rule.Gain.Identity})
		}
	}
	return out
}

func describeTarget(req rbac.Request) string {
	if req.Namespace != "" {
		return req.Target() + " in " + req.Namespace
	}
	return req.Target()
}
