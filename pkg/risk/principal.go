// Package risk turns an RBAC model into the escalation graph: every risky
// permission of the Kubernetes RBAC good-practices list becomes an edge with
// the conditions that make it real. One file per primitive.
package risk

import (
	rbacv1 "k8s.io/api/rbac/v1"

	"github.com/auth-paths/kubectl-auth-paths/graph"
	"github.com/auth-paths/kubectl-auth-paths/pkg/rbac"
)

// Principal is someone who holds permissions: an identity, a group (any of
// its members), or a scope gained by an earlier step.
type Principal struct {
	Node *graph.Node
	// Rules are the effective rules: the principal's own, then those of the
	// groups every such identity is in. Analyze drops them when it is done.
	Rules []rbac.BoundRule
	// Groups are the groups the principal's identities are in.
	Groups []string
	// Own is the number of leading Rules bound to the principal itself.
	Own int
	// Acting is set on a scope gained by impersonation: its requests reach
	// the apiserver as this identity (admission sees it). Such a scope
	// cannot impersonate in turn (the impersonation filter authorizes the
	// requester, never the impersonated user) and has no role bound to
	// itself (escalate's roles are the identity's, not the requester's).
	Acting *rbac.Identity
}

// Can returns the bound rules that allow the request (nil if none), in the
// authorizer's visiting order: rules bound cluster-wide apply to every
// namespace, namespaced ones only to requests in their namespace. Each
// returned rule records the request it allows.
func (p *Principal) Can(req rbac.Request) []rbac.BoundRule { return p.match(req) }

// First returns the first grant allowing the request, if any.
func (p *Principal) First(req rbac.Request) (rbac.BoundRule, bool) {
	// The primitives ask this for every object of every namespace a rule
	// reaches: no slice, and the request is copied only for a match.
	for i := range p.Rules {
		br := &p.Rules[i]
		if br.Namespace != "" && br.Namespace != req.Namespace {
			continue
		}
		if !rbac.RuleAllows(req, &br.Rule) {
			continue
		}
		b := *br
		r := req
		b.Request = &r
		return b, true
	}
	return rbac.BoundRule{}, false
}

func (p *Principal) match(req rbac.Request) []rbac.BoundRule {
	var out []rbac.BoundRule
	for i := range p.Rules {
		br := &p.Rules[i]
		if br.Namespace != "" && br.Namespace != req.Namespace {
			continue
		}
		if !rbac.RuleAllows(req, &br.Rule) {
			continue
		}
		b := *br
		r := req
		b.Request = &r
		out = append(out, b)
	}
	return out
}

// mayAllow reports whether some rule that applies to the request's namespace
// could allow it for some object name: a cheap test before asking per object
// (per Node, per role), which would cost rules × objects for every principal.
func (p *Principal) mayAllow(req rbac.Request) bool {
	for i := range p.Rules {
		br := &p.Rules[i]
		if br.Namespace != "" && br.Namespace != req.Namespace {
			continue
		}
		probe := br.Rule
		probe.ResourceNames = nil
		if rbac.RuleAllows(req, &probe) {
			return true
		}
	}
	return false
}

// FirstAny returns the first grant allowing any of the verbs.
func (p *Principal) FirstAny(verbs []string, req rbac.Request) (rbac.BoundRule, bool) {
	for _, v := range verbs {
		r := req
		r.Verb = v
		if br, ok := p.First(r); ok {
			return br, true
		}
	}
	return rbac.BoundRule{}, false
}

// Namespaces returns the namespaces in which some rule could allow the verb
// on group/resource (ignoring names): all namespaces when a cluster-wide rule
// matches, else the namespaces of matching RoleBinding rules.
func (p *Principal) Namespaces(verb, group, resource, subresource string, all []string) []string {
	seen := map[string]bool{}
	for i := range p.Rules {
		br := &p.Rules[i]
		probe := br.Rule
		probe.ResourceNames = nil // names are checked per object later
		req := rbac.Request{Verb: verb, APIGroup: group, Resource: resource, Subresource: subresource, Namespace: br.Namespace}
		if !rbac.RuleAllows(req, &probe) {
			continue
		}
		if br.Namespace == "" {
			return all
		}
		seen[br.Namespace] = true
	}
	if len(seen) == 0 {
		return nil
	}
	if out, ok := sortedSubset(seen, all); ok {
		return out
	}
	var out []string
	for _, ns := range all {
		if seen[ns] {
			out = append(out, ns)
		}
	}
	return out
}

// synthetic rules for scope principals.
var allInNamespace = rbacv1.PolicyRule{Verbs: []string{"*"}, APIGroups: []string{"*"}, Resources: []string{"*"}}
