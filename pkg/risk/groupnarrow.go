package risk

import (
	"slices"

	rbacv1 "k8s.io/api/rbac/v1"

	"github.com/auth-paths/kubectl-auth-paths/graph"
	"github.com/auth-paths/kubectl-auth-paths/pkg/model"
	"github.com/auth-paths/kubectl-auth-paths/pkg/rbac"
)

// A step of an identity whose grants all come from one group is that
// group's step: heldBy drops it, and the identity reaches it through
// its membership edge. An identity is still evaluated with its groups'
// rules, for the steps that need a grant of its own (or of another group)
// too. In a namespace where nothing but one group's rules applies, every
// step found has that group's grants alone; with a group bound in every
// namespace (edit for system:authenticated), evaluating each member there
// cost members × namespaces and found nothing to keep. narrowParts keeps,
// of such a group's namespaced rules, those of the namespaces where some
// other rule of the identity applies, or a binding without rules names it:
// the steps it drops are exactly steps heldBy would drop.
//
// A rule of the identity bound cluster-wide applies in every namespace and
// may complete a step with the group's grants anywhere: a read of the
// identity's keeps the namespaces where the group's rules do not cover it
// (uncoveredIn), a rule that reads nothing a step reads in a namespace is
// inert there (inertInNamespaces), and any other rule stops narrowing. It
// narrows nothing either when the group has no node (its steps are not in
// the graph), or when explain keeps the identity's every candidate (the
// failed ones of the group's namespaces included). Two groups spread alike
// are narrowed together, by dominance (narrowDominated).

// narrowFrom is the number of namespaces, among a group's, from which
// narrowing is worth its cost; another part spread over as many namespaces
// as the group leaves little to drop.
const narrowFrom = 8

// narrowGroups is cleared by tests that compare with the analysis that
// evaluates every member in all of its groups' namespaces.
var narrowGroups = true

// narrowParts narrows the spread parts of p, unless p's every candidate is
// kept (explain shows the failed ones of the group's namespaces too): the
// other principals of explain's analysis are narrowed as a scan's are.
func (a *Analysis) narrowParts(p *Principal) {
	if a.keeps(p) || !narrowGroups {
		return
	}
	var spread []int
	narrowed := false
	for i := range p.parts {
		part := &p.parts[i]
		if part.scans == nil {
			continue // a few rules: nothing to gain
		}
		x := part.index()
		if x == nil || len(x.byNS) < narrowFrom || a.node(groupKey(part.group)) == nil {
			continue
		}
		spread = append(spread, i)
		keep, ok := a.otherNamespaces(p, i, len(x.byNS))
		if !ok {
			continue
		}
		a.narrowPart(part, keep)
		narrowed = true
	}
	if !narrowed && len(spread) > 1 {
		a.narrowDominated(p, spread)
	}
}

// narrowPart keeps, of the part's rules, those bound cluster-wide and those
// bound in the namespaces of keep.
func (a *Analysis) narrowPart(part *rulePart, keep map[string]bool) {
	x := part.index()
	at := slices.Clone(x.clusterWide)
	for ns := range keep {
		at = append(at, x.byNS[ns]...)
	}
	slices.Sort(at)
	rules := make([]rbacBound, len(at))
	for j, k := range at {
		rules[j] = part.rules[k]
	}
	*part = rulePart{rules: rules, group: part.group}
	a.narrowed.Add(1)
}

// narrowDominated narrows groups spread alike (system:serviceaccounts and
// system:authenticated, each bound in every namespace): in a namespace
// where only their rules apply and one of them holds what all of them hold
// there (groupdominance.go), every step found has grants that group
// covers, and heldBy drops it. The namespaces kept are those of the
// identity's own rules and of its other groups', and those no group
// dominates. Nothing is narrowed when a rule of the identity is bound
// cluster-wide and not inert in namespaces, or a rule of another group is
// bound cluster-wide, not inert, and may escalate a role or is not covered
// by the cluster-wide rules of every dominating group.
func (a *Analysis) narrowDominated(p *Principal, spread []int) {
	parts := make([]*rulePart, len(spread))
	for k, i := range spread {
		parts[k] = &p.parts[i]
	}
	d := a.dominanceOf(parts)
	if d.none || len(d.dominators) == 0 {
		return
	}
	keep := map[string]bool{}
	for k := range p.Rules {
		if p.Rules[k].Namespace == "" {
			if !inertInNamespaces(p.Rules[k].Rule) {
				return
			}
			continue
		}
		keep[p.Rules[k].Namespace] = true
	}
	for j := range p.parts {
		if slices.Contains(spread, j) {
			continue
		}
		other := &p.parts[j]
		if !a.coveredEverywhere(other, d) {
			return
		}
		for k := range other.rules {
			if ns := other.rules[k].Namespace; ns != "" {
				keep[ns] = true
			}
		}
	}
	// Bindings without rules naming p need no namespace kept: a step
	// through one (escalate, dangling-role) needs an escalate grant, which
	// no rule that applies in a dominated namespace holds.
	for _, ns := range d.open {
		keep[ns] = true
	}
	for _, part := range parts {
		a.narrowPart(part, keep)
	}
	a.dominated.Add(1)
}

// coveredEverywhere reports whether the part's rules bound cluster-wide
// may escalate no role and are covered by the cluster-wide rules of every
// group dominating a namespace.
func (a *Analysis) coveredEverywhere(part *rulePart, d *dominance) bool {
	var cw []rbacv1.PolicyRule
	for k := range part.rules {
		if br := &part.rules[k]; br.Namespace == "" && !inertInNamespaces(br.Rule) {
			rule := *br.Rule
			rule.ResourceNames = nil
			if rulePasses(&rule, "", escalateRoleProbes) {
				return false
			}
			cw = append(cw, *br.Rule)
		}
	}
	if len(cw) == 0 {
		return true
	}
	for _, g := range d.dominators {
		for k := range cw {
			if !a.groupCovers(g, &cw[k], "") {
				return false
			}
		}
	}
	return true
}

// otherNamespaces returns the namespaces where a rule of p outside part i
// applies (for an identity's read bound cluster-wide, where part i does not
// cover it), or a binding without rules names p (itself or a group), and
// false when another rule is bound cluster-wide and not inert in
// namespaces, or they are not fewer than limit.
func (a *Analysis) otherNamespaces(p *Principal, i, limit int) (map[string]bool, bool) {
	out := map[string]bool{}
	var cw []*rbacv1.PolicyRule
	for k := range p.Rules {
		br := &p.Rules[k]
		switch {
		case br.Namespace != "":
			out[br.Namespace] = true
		case inertInNamespaces(br.Rule):
		case p.Node.Kind != graph.KindGroup && readsOnly(br.Rule):
			// A group's own grants keep its steps its own (heldBy): only
			// an identity's reads may be covered.
			cw = append(cw, br.Rule)
		default:
			return nil, false
		}
	}
	for _, rule := range cw {
		for _, ns := range a.uncoveredIn(&p.parts[i], rule) {
			out[ns] = true
		}
	}
	for j := range p.parts {
		if j == i {
			continue
		}
		other := &p.parts[j]
		x := other.index()
		if x == nil {
			for k := range other.rules {
				if other.rules[k].Namespace == "" {
					return nil, false
				}
				out[other.rules[k].Namespace] = true
			}
			continue
		}
		// Its index says at once whether it is cluster-wide or spread.
		if len(x.clusterWide) > 0 || len(x.byNS) >= limit {
			return nil, false
		}
		for ns := range x.byNS {
			out[ns] = true
		}
	}
	if len(out) >= limit {
		return nil, false
	}
	a.boundWithoutRulesIn(p, out)
	return out, len(out) < limit
}

// boundWithoutRulesIn adds to out the namespaces of the RoleBindings
// without rules (of missing or empty roles) that name p, itself or a
// group: escalate and dangling-role step through such a binding with a
// group's grants in its namespace (Candidate.BoundBy).
func (a *Analysis) boundWithoutRulesIn(p *Principal, out map[string]bool) {
	for _, d := range []struct {
		list func() []*model.Binding
		by   *subjectIndex
	}{{a.danglingRoleBindings, a.dangling.rolesBy}, {a.emptyRoleBindings, a.dangling.emptyBy}} {
		list := d.list()
		for _, k := range d.by.naming(a, list, p) {
			if ns := list[k].Namespace; ns != "" && list[k].Kind == model.KindRoleBinding {
				out[ns] = true
			}
		}
	}
}

// A rule of an identity bound cluster-wide applies in each namespace of a
// spread group; where the group's rules cover it, a step using it there is
// the group's too (heldBy compares a grant with the group's rules where its
// request is made), and the namespace is left out like one where no rule of
// the identity applies. Only for rules that read (get, list, watch): no
// primitive combines a read of no namespace (nodes, all namespaces at once)
// or of another namespace with a request in the group's namespace, while
// writes do (create-pv: a PersistentVolume and a claim; bind: a ClusterRole
// and a RoleBinding). And a rule that may create pods cluster-wide decides
// in which namespace a primitive's one step for every namespace is taken
// (node-escape: the first where no namespaced rule applies), which leaving
// namespaces out would move.

// readsOnly reports whether a rule's verbs are all reads.
func readsOnly(rule *rbacv1.PolicyRule) bool {
	if len(rule.Verbs) == 0 {
		return false
	}
	for _, v := range rule.Verbs {
		if !slices.Contains(readVerbs, v) {
			return false
		}
	}
	return true
}

// namespacedReadProbes are the reads a built-in primitive makes in a
// namespace: a Secret read back or read for its token, and exec or attach
// by get (the other reads are of no namespace: nodes' proxy and
// subresources, CertificateSigningRequests). A rule pack's step rests on
// one grant, never on a read and a group's grant together: narrowing the
// group leaves it as it is.
var namespacedReadProbes = []reqShape{
	{verbs: readVerbs, resource: "secrets"},
	{verbs: []string{"get"}, resource: "pods", subresource: "exec"},
	{verbs: []string{"get"}, resource: "pods", subresource: "attach"},
}

// readsInNamespaces reports whether a read rule may allow (whatever the
// names) a read a primitive makes in a namespace.
func readsInNamespaces(rule *rbacv1.PolicyRule) bool {
	probe := *rule
	probe.ResourceNames = nil
	return rulePasses(&probe, "", namespacedReadProbes)
}

// inertInNamespaces reports whether a rule only reads, and nothing a
// primitive reads in a namespace: bound cluster-wide (to an identity, a
// group of it or another group), it takes part in no step with a grant of a
// namespace (namespace-lister, event-viewer, a CRD or node reader), and
// leaving a group's namespaces out cannot change what it does.
func inertInNamespaces(rule *rbacv1.PolicyRule) bool {
	return readsOnly(rule) && !readsInNamespaces(rule)
}

// uncoveredKey names a spread group and a rule bound cluster-wide.
type uncoveredKey struct {
	group string
	rule  *rbacv1.PolicyRule
}

// uncoveredIn returns the namespaces of the part's namespaced rules where
// the part's rules that apply there do not cover rule (in no order: the
// caller keeps them in a set); memoised per group and rule, and decided
// once per set of rules bound alike.
func (a *Analysis) uncoveredIn(part *rulePart, rule *rbacv1.PolicyRule) []string {
	return memo(&a.mu, &a.uncovered, uncoveredKey{part.group, rule}, func() []string {
		x := part.index()
		var out []string
		verdicts := map[string]bool{}
		ids := map[*rbacv1.PolicyRule]int{}
		for ns := range x.byNS {
			key := rulesKey([]*rulePart{part}, ns, ids)
			covered, ok := verdicts[key]
			if !ok {
				covered, _ = rbac.Covers(rulesOfPart(part, ns), []rbacv1.PolicyRule{*rule})
				verdicts[key] = covered
			}
			if !covered {
				out = append(out, ns)
			}
		}
		return out
	})
}
