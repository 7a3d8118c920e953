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
	// For an identity or group (groupRules) they are its own only: while it
	// is evaluated, its groups' rules follow as parts (the primitives see
	// them all through eachRule and eachApplicable); outside it, a group
	// keeps its own and an identity none (Own counts them).
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
	// parts are, for an identity being evaluated, its groups' rules, which
	// follow Rules in its effective rules, each shared with the group and
	// with the memo of the group's scans (groupscans.go); nil otherwise.
	// Their rules are read only.
	parts []rulePart
	// groupRules: the groups' rules are added as parts while the principal
	// is evaluated (Analysis.groupParts).
	groupRules bool
}

// ruleIndex lists, in order, the rules of a run of a principal's Rules bound
// cluster-wide and those of each namespace. The primitives ask First for
// every object of every namespace a principal reaches; a principal of a group
// bound in hundreds of namespaces would otherwise compare every one of its
// rules per object.
//
// It also marks each rule with the API groups it names (groupBits): a rule
// allows a resource request only if it names the request's group or "*",
// and First and the scans of where some rule could allow a probe (reach,
// namespacedReach, Principal.Namespaces) skip the others without matching
// them. A ClusterRole that operators' roles aggregate into (rules for
// hundreds of custom resources) is bound in most namespaces, and each of
// these went through all of its rules for every namespace and object.
type ruleIndex struct {
	n           int // the run's length when built
	clusterWide []int32
	byNS        map[string][]int32
	// groupBits holds, per rule, the bit of each API group it names (all
	// bits for "*"; groupBit). A rule lacking a request's bit does not
	// name its group; one having it may (groups share bits).
	groupBits []uint32
}

// indexFrom is the number of rules from which a run of rules is indexed by
// namespace; below it a scan is as cheap. A variable: tests lower it.
var indexFrom = 16

// indexRules indexes rules by namespace (nil when they are few).
func indexRules(rules []rbacBound) *ruleIndex {
	if len(rules) < indexFrom {
		return nil
	}
	x := &ruleIndex{n: len(rules), byNS: map[string][]int32{}, groupBits: make([]uint32, len(rules))}
	for i := range rules {
		if rules[i].Namespace == "" {
			x.clusterWide = append(x.clusterWide, int32(i))
		} else {
			x.byNS[rules[i].Namespace] = append(x.byNS[rules[i].Namespace], int32(i))
		}
		for _, g := range rules[i].Rule.APIGroups {
			if g == rbac.Wildcard {
				x.groupBits[i] = ^uint32(0)
				break
			}
			x.groupBits[i] |= groupBit(g)
		}
	}
	return x
}

// groupBit is an API group's bit in ruleIndex.groupBits: one of 32, by an
// FNV-1a hash of its name.
func groupBit(g string) uint32 {
	h := uint32(2166136261)
	for i := 0; i < len(g); i++ {
		h = (h ^ uint32(g[i])) * 16777619
	}
	return 1 << (h % 32)
}

// index returns the principal's Rules indexed (nil when they are few).
func (p *Principal) index() *ruleIndex {
	if p.idx == nil || p.idx.n != len(p.Rules) {
		p.idx = indexRules(p.Rules)
	}
	return p.idx
}

// eachApplicableTo is eachApplicable(req.Namespace) that may skip rules
// naming neither req's API group nor "*": they allow no resource request
// of that group.
func (p *Principal) eachApplicableTo(req rbac.Request, f func(br *rbac.BoundRule) bool) {
	if !req.IsResourceRequest() {
		p.eachApplicable(req.Namespace, f)
		return
	}
	bit := groupBit(req.APIGroup)
	if !eachInBits(p.Rules, p.index(), req.Namespace, bit, f) {
		return
	}
	for i := range p.parts {
		part := &p.parts[i]
		if !eachInBits(part.rules, part.index(), req.Namespace, bit, f) {
			return
		}
	}
}

// probeBits is the union of the bits of the probes' API groups for rules
// with an index (0, which skips nothing, without one): a rule whose
// groupBits have none of them allows none of the probes.
func probeBits(x *ruleIndex, probes []reqShape) uint32 {
	var bits uint32
	if x != nil {
		for _, pr := range probes {
			bits |= groupBit(pr.group)
		}
	}
	return bits
}

// eachApplicable calls f with every rule that applies to a request in ns (its
// namespace matches, or it is bound cluster-wide), in Rules order, until f
// returns false. An identity being evaluated has its own rules indexed here
// and each group's part by the group's memo (groupscans.go): the index of a
// group bound in every namespace is made once, not once per member.
func (p *Principal) eachApplicable(ns string, f func(br *rbac.BoundRule) bool) {
	if !eachIn(p.Rules, p.index(), ns, f) {
		return
	}
	for i := range p.parts {
		part := &p.parts[i]
		if !eachIn(part.rules, part.index(), ns, f) {
			return
		}
	}
}

// eachRule calls f with every effective rule, in order, until f returns
// false. f must not change the rule: a group's rules are shared.
func (p *Principal) eachRule(f func(br *rbac.BoundRule) bool) {
	for i := range p.Rules {
		if !f(&p.Rules[i]) {
			return
		}
	}
	for _, part := range p.parts {
		for i := range part.rules {
			if !f(&part.rules[i]) {
				return
			}
		}
	}
}

// eachRuleWhere is eachRule over the rules for which pred holds. pred must
// depend on the bound rule alone: key names it, and a group's answers are
// memoised under it (groupscans.go), so that a scan for the few rules some
// primitive looks for does not visit, for each member, every rule of a
// group bound in every namespace.
func (p *Principal) eachRuleWhere(key string, pred, f func(br *rbac.BoundRule) bool) {
	for i := range p.Rules {
		if br := &p.Rules[i]; pred(br) && !f(br) {
			return
		}
	}
	for i := range p.parts {
		if !p.parts[i].eachWhere(key, pred, f) {
			return
		}
	}
}

// eachIn is eachApplicable over one run of rules and its index (nil: scan
// them all). It reports whether f asked for more.
func eachIn(rules []rbacBound, x *ruleIndex, ns string, f func(br *rbac.BoundRule) bool) bool {
	return eachInBits(rules, x, ns, 0, f)
}

// eachInBits is eachIn skipping, when bit is not 0 and the rules are
// indexed, those whose groupBits lack it.
func eachInBits(rules []rbacBound, x *ruleIndex, ns string, bit uint32, f func(br *rbac.BoundRule) bool) bool {
	if x == nil {
		for i := range rules {
			br := &rules[i]
			if br.Namespace != "" && br.Namespace != ns {
				continue
			}
			if !f(br) {
				return false
			}
		}
		return true
	}
	cw, in := x.clusterWide, []int32(nil)
	if ns != "" {
		in = x.byNS[ns]
	}
	// Merge the two ascending lists: the authorizer's order is Rules order.
	for len(cw) > 0 || len(in) > 0 {
		var i int32
		if len(in) == 0 || (len(cw) > 0 && cw[0] < in[0]) {
			i, cw = cw[0], cw[1:]
		} else {
			i, in = in[0], in[1:]
		}
		if bit != 0 && x.groupBits[i]&bit == 0 {
			continue
		}
		if !f(&rules[i]) {
			return false
		}
	}
	return true
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
	p.eachApplicableTo(req, func(br *rbac.BoundRule) bool {
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
	p.eachApplicableTo(req, func(br *rbac.BoundRule) bool {
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
	p.eachApplicableTo(req, func(br *rbac.BoundRule) bool {
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
		everywhere, seen := namespacesIn(p.Rules, p.index(), req)
		if everywhere {
			return all
		}
		return inOrder(seen, all)
	}
	// An identity being evaluated: its groups' parts once per group
	// (groupscans.go).
	everywhere, seen := namespacesIn(p.Rules, p.index(), req)
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
func namespacesIn(rules []rbac.BoundRule, x *ruleIndex, req rbac.Request) (bool, map[string]bool) {
	var seen map[string]bool
	var bit uint32
	if x != nil && req.IsResourceRequest() { // a non-resource rule names no API group
		bit = groupBit(req.APIGroup)
	}
	for i := range rules {
		if bit != 0 && x.groupBits[i]&bit == 0 {
			continue
		}
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
