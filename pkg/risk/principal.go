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
	// For an identity or group (groupRules) they are made for its evaluation
	// (Analysis.effectiveRules) and the primitives see them all; outside it,
	// a group keeps its own and an identity none (Own counts them).
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

	idx *ruleIndex
	// parts are, for an identity being evaluated, its groups' rules within
	// Rules (from partsFrom on), each with the memo of the group's scans
	// (groupscans.go); nil otherwise.
	parts     []rulePart
	partsFrom int
	// groupRules: the groups' rules are added to Rules while the principal
	// is evaluated (Analysis.effectiveRules).
	groupRules bool
}

// ruleIndex lists, in Rules order, the rules bound cluster-wide and those of
// each namespace. The primitives ask First for every object of every
// namespace a principal reaches; a principal of a group bound in hundreds of
// namespaces would otherwise compare every one of its rules per object.
type ruleIndex struct {
	n           int // len(Rules) when built
	clusterWide []int32
	byNS        map[string][]int32
}

// indexFrom is the number of rules from which a principal's rules are indexed
// by namespace; below it a scan is as cheap.
const indexFrom = 16

// applicable returns the indexes of the rules that may apply to a request in
// ns, as two ascending lists (cluster-wide, and those bound in ns), or
// all=true when the rules are few enough to scan.
func (p *Principal) applicable(ns string) (clusterWide, inNS []int32, all bool) {
	if len(p.Rules) < indexFrom {
		return nil, nil, true
	}
	if p.idx == nil || p.idx.n != len(p.Rules) {
		x := &ruleIndex{n: len(p.Rules), byNS: map[string][]int32{}}
		for i := range p.Rules {
			if p.Rules[i].Namespace == "" {
				x.clusterWide = append(x.clusterWide, int32(i))
			} else {
				x.byNS[p.Rules[i].Namespace] = append(x.byNS[p.Rules[i].Namespace], int32(i))
			}
		}
		p.idx = x
	}
	if ns == "" {
		return p.idx.clusterWide, nil, false
	}
	return p.idx.clusterWide, p.idx.byNS[ns], false
}

// eachApplicable calls f with every rule that applies to a request in ns (its
// namespace matches, or it is bound cluster-wide), in Rules order, until f
// returns false.
func (p *Principal) eachApplicable(ns string, f func(br *rbac.BoundRule) bool) {
	cw, in, all := p.applicable(ns)
	if all {
		for i := range p.Rules {
			br := &p.Rules[i]
			if br.Namespace != "" && br.Namespace != ns {
				continue
			}
			if !f(br) {
				return
			}
		}
		return
	}
	// Merge the two ascending lists: the authorizer's order is Rules order.
	for len(cw) > 0 || len(in) > 0 {
		var i int32
		if len(in) == 0 || (len(cw) > 0 && cw[0] < in[0]) {
			i, cw = cw[0], cw[1:]
		} else {
			i, in = in[0], in[1:]
		}
		if !f(&p.Rules[i]) {
			return
		}
	}
}

// Can returns the bound rules that allow the request (nil if none), in the
// authorizer's visiting order: rules bound cluster-wide apply to every
// namespace, namespaced ones only to requests in their namespace. Each
// returned rule records the request it allows.
func (p *Principal) Can(req rbac.Request) []rbac.BoundRule { return p.match(req) }

// First returns the first grant allowing the request, if any.
func (p *Principal) First(req rbac.Request) (rbac.BoundRule, bool) { return p.first(req, false) }

// FirstAnyName returns the first grant allowing the request whatever the
// object's name: a rule without resourceNames. First with an empty name is
// not that: a rule naming "" allows requests without a name (create, list),
// and no other.
func (p *Principal) FirstAnyName(req rbac.Request) (rbac.BoundRule, bool) {
	req.Name = ""
	return p.first(req, true)
}

func (p *Principal) first(req rbac.Request, anyName bool) (rbac.BoundRule, bool) {
	// The primitives ask this for every object of every namespace a rule
	// reaches: no slice, and the request is copied only for a match.
	var found rbac.BoundRule
	ok := false
	p.eachApplicable(req.Namespace, func(br *rbac.BoundRule) bool {
		if (anyName && len(br.Rule.ResourceNames) > 0) || !rbac.RuleAllows(req, br.Rule) {
			return true
		}
		found, ok = *br, true
		r := req
		found.Request = &r
		return false
	})
	return found, ok
}

func (p *Principal) match(req rbac.Request) []rbac.BoundRule {
	var out []rbac.BoundRule
	p.eachApplicable(req.Namespace, func(br *rbac.BoundRule) bool {
		if rbac.RuleAllows(req, br.Rule) {
			b := *br
			r := req
			b.Request = &r
			out = append(out, b)
		}
		return true
	})
	return out
}

// mayAllow reports whether some rule that applies to the request's namespace
// could allow it for some object name: a cheap test before asking per object
// (per Node, per role), which would cost rules × objects for every principal.
func (p *Principal) mayAllow(req rbac.Request) bool {
	may := false
	p.eachApplicable(req.Namespace, func(br *rbac.BoundRule) bool {
		probe := *br.Rule
		probe.ResourceNames = nil
		may = rbac.RuleAllows(req, &probe)
		return !may
	})
	return may
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
	req := rbac.Request{Verb: verb, APIGroup: group, Resource: resource, Subresource: subresource}
	if p.parts == nil {
		everywhere, seen := namespacesIn(p.Rules, req)
		if everywhere {
			return all
		}
		return inOrder(seen, all)
	}
	// An identity being evaluated: its groups' parts once per group
	// (groupscans.go).
	everywhere, seen := namespacesIn(p.Rules[:p.partsFrom], req)
	shared := false
	for _, part := range p.parts {
		if everywhere {
			return all
		}
		var nss map[string]bool
		everywhere, nss = part.namespaces(req)
		seen, shared = union(seen, shared, nss)
	}
	if everywhere {
		return all
	}
	return inOrder(seen, all)
}

// namespacesIn is Namespaces over a list of rules: everywhere, or the
// namespaces of the rules that could allow req (names ignored).
func namespacesIn(rules []rbac.BoundRule, req rbac.Request) (bool, map[string]bool) {
	var seen map[string]bool
	for i := range rules {
		br := &rules[i]
		probe := *br.Rule
		probe.ResourceNames = nil // names are checked per object later
		req.Namespace = br.Namespace
		if !rbac.RuleAllows(req, &probe) {
			continue
		}
		if br.Namespace == "" {
			return true, nil
		}
		if seen == nil {
			seen = map[string]bool{}
		}
		seen[br.Namespace] = true
	}
	return false, seen
}

// inOrder returns the namespaces of seen that are in all, in all's order.
func inOrder(seen map[string]bool, all []string) []string {
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
