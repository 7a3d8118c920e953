package risk

import (
	"slices"
	"strconv"
	"strings"

	rbacv1 "k8s.io/api/rbac/v1"

	"github.com/auth-paths/kubectl-auth-paths/graph"
	"github.com/auth-paths/kubectl-auth-paths/pkg/model"
	"github.com/auth-paths/kubectl-auth-paths/pkg/rbac"
)

// A step of an identity whose grants come from its groups, or from its own
// ClusterRoleBindings, is a group's step when one group of the identity
// holds, where each grant is used (the namespace of its binding, or of its
// request for a rule bound cluster-wide), rules allowing what that grant
// allows: the group then takes the same step (the primitives find steps
// from what the rules allow, not from who holds them), and the identity
// reaches it through its membership edge at the same length. Its own edge
// would only repeat the group's once per member: with view for
// system:serviceaccounts and edit for system:authenticated in every
// namespace, a ServiceAccount's pod exec takes `get pods` from one and
// `create pods/exec` from the other, yet edit alone allows both; an
// operator reading Secrets everywhere would take, in every namespace,
// `create secrets` from edit and the read back from its own binding.
//
// Steps that rest on a binding naming the principal (Personal) stay its
// own; a step that rests on a binding naming a group (Candidate.BoundBy) is
// the other group's only when the binding names it too, or a group all of
// its members are in.

// onHeld, set by tests, is told of every step heldBy gives a group (from
// every goroutine evaluating).
var onHeld func(from *graph.Node, group string, c Candidate)

// heldBy returns the group the principal is in that takes the candidate's
// step alone, or "". It takes the analysis' lock itself: call it without
// a.mu.
func (a *Analysis) heldBy(p *Principal, c Candidate) string {
	// A scope is no member of any group: its grants may come from the
	// groups of an impersonated identity.
	if len(c.Grants) == 0 || c.Personal || p.Node.Kind == graph.KindScope {
		return ""
	}
	var holders []string // the groups the grants are bound to, in order
	for i := range c.Grants {
		g := c.Grants[i].Grant
		if g.Binding == nil {
			return ""
		}
		s := g.Subject()
		if s.Kind != rbacv1.GroupKind {
			// The identity's own grant: a group may hold what it allows
			// where it is used, if it is bound cluster-wide (a RoleBinding
			// of the identity's own makes its steps in that namespace its
			// own, as a group's scope of every namespace is another node).
			if c.Grants[i].Namespace != "" {
				return ""
			}
			continue
		}
		if p.Node.Kind == graph.KindGroup && p.Node.Name == s.Name {
			return "" // the principal's own grant
		}
		if !slices.Contains(holders, s.Name) {
			holders = append(holders, s.Name)
		}
	}
	for _, g := range holders {
		if a.takesAlone(g, c) {
			return g
		}
	}
	for _, g := range p.Groups {
		if !slices.Contains(holders, g) && a.takesAlone(g, c) {
			return g
		}
	}
	return ""
}

// takesAlone reports whether group, which has a node, holds what every
// grant of c allows where it is bound, and is named by the binding c rests
// on (if any) or in a group it names.
func (a *Analysis) takesAlone(group string, c Candidate) bool {
	n := a.node(groupKey(group))
	if n == nil || (c.BoundBy != nil && !bindsGroup(c.BoundBy, append(a.impliedGroups(n), group))) {
		return false
	}
	for i := range c.Grants {
		br := &c.Grants[i]
		if s := br.Grant.Subject(); s.Kind == rbacv1.GroupKind && s.Name == group {
			continue
		}
		if !a.groupCovers(group, br.Grant.Rule, usedIn(br)) {
			return false
		}
	}
	return true
}

// usedIn returns where a grant is used: the namespace of its binding, or,
// for a rule bound cluster-wide, that of the request it was found to allow
// ("" for a request of no namespace or of every namespace). A group whose
// rules that apply there cover the rule allows that request: a rule bound
// cluster-wide that a step uses to read one namespace's Secrets is covered
// by a group's edit in that namespace.
func usedIn(br *rbac.BoundRule) string {
	if br.Namespace == "" && br.Request != nil {
		return br.Request.Namespace
	}
	return br.Namespace
}

// bindsGroup reports whether a binding names one of the groups.
func bindsGroup(b *model.Binding, groups []string) bool {
	for _, s := range b.Subjects {
		if s.Kind == rbacv1.GroupKind && slices.Contains(groups, s.Name) {
			return true
		}
	}
	return false
}

// coverKey names a group, a rule and where the rule is bound.
type coverKey struct {
	group     string
	rule      *rbacv1.PolicyRule
	namespace string
}

// groupCovers reports whether the rules the group's members all hold that
// apply in ns (groupRulesIn) allow everything rule allows,
// by the apiserver's comparison of rules. A rule bound cluster-wide (ns
// empty) applies everywhere: only the group's rules bound cluster-wide may
// cover it.
func (a *Analysis) groupCovers(group string, rule *rbacv1.PolicyRule, ns string) bool {
	if rule == nil {
		return false
	}
	return memo(&a.mu, &a.covers, coverKey{group, rule, ns}, func() bool {
		ok, _ := rbac.Covers(a.groupRulesIn(group, ns), []rbacv1.PolicyRule{*rule})
		return ok
	})
}

// groupRulesIn returns the rules every member of the group holds that
// apply in ns: the group's and those of the groups all its members are in
// (system:serviceaccounts' members are all in system:authenticated), bound
// cluster-wide or, for a namespace, in it. The group is evaluated with them
// all.
func (a *Analysis) groupRulesIn(group, ns string) []rbacv1.PolicyRule {
	var out []rbacv1.PolicyRule
	for _, g := range append([]string{group}, a.impliedGroups(&graph.Node{Kind: graph.KindGroup, Name: group})...) {
		part := a.groupPart(g)
		out = append(out, rulesOfPart(&part, ns)...)
	}
	return out
}

// rulesOfPart returns the part's rules bound cluster-wide and, for a
// namespace, those bound in it (eachIn visits no namespaced rule for "").
func rulesOfPart(part *rulePart, ns string) []rbacv1.PolicyRule {
	var out []rbacv1.PolicyRule
	eachIn(part.rules, part.index(), ns, func(br *rbacBound) bool {
		out = append(out, *br.Rule)
		return true
	})
	return out
}

// dominance says, for a set of groups each bound in many namespaces, in
// which namespaces one of them holds what all of them hold there.
type dominance struct {
	// open are the namespaces of the groups' rules where no group's rules
	// cover every group's rules that apply there.
	open []string
	// dominators are the groups that cover the others' in some namespace,
	// sorted; none when no namespace is dominated.
	dominators []string
	// none: no namespace is dominated (a rule bound cluster-wide may
	// escalate a role, or no group's cluster-wide rules cover the others').
	none bool
}

// dominanceOf returns the dominance of the parts' groups (memoised by
// their names: a group's rules are the same for every member).
func (a *Analysis) dominanceOf(parts []*rulePart) *dominance {
	names := make([]string, len(parts))
	for i, part := range parts {
		names[i] = part.group
	}
	return memo(&a.mu, &a.dominances, strings.Join(names, "\x00"), func() *dominance { return dominate(parts) })
}

// escalateRoleProbes: a step through a binding naming a group (escalate,
// dangling-role) needs one of them; where none may be allowed, no step
// rests on which group a binding names.
var escalateRoleProbes = escalateProbes[:2]

// dominate computes the dominance of parts (indexed, each spread over many
// namespaces). A namespace is dominated by a group whose cluster-wide rules
// cover every group's cluster-wide rules and whose rules that apply there
// cover every group's rules bound there; and only where none of the rules
// that apply there may escalate a role (a step through a binding naming
// one of the groups would then be that group's only).
func dominate(parts []*rulePart) *dominance {
	d := &dominance{}
	var cw [][]rbacv1.PolicyRule
	for _, part := range parts {
		if everywhere, _ := part.reach(escalateRoleProbes); everywhere {
			d.none = true
			return d
		}
		cw = append(cw, rulesOfPart(part, ""))
	}
	// The groups whose cluster-wide rules cover all the others'.
	var dominators []int
	for i := range parts {
		ok := true
		for j := range parts {
			if j != i && len(cw[j]) > 0 {
				if covered, _ := rbac.Covers(cw[i], cw[j]); !covered {
					ok = false
					break
				}
			}
		}
		if ok {
			dominators = append(dominators, i)
		}
	}
	if len(dominators) == 0 {
		d.none = true
		return d
	}
	escalating := map[string]bool{}
	seen := map[string]bool{}
	var all []string
	for _, part := range parts {
		_, nss := part.reach(escalateRoleProbes)
		for ns := range nss {
			escalating[ns] = true
		}
		for ns := range part.index().byNS {
			if !seen[ns] {
				seen[ns] = true
				all = append(all, ns)
			}
		}
	}
	slices.Sort(all)
	// Namespaces bound the same way (one ClusterRole in each) share their
	// rules: their comparison is made once.
	verdicts := map[string]int{}
	ids := map[*rbacv1.PolicyRule]int{}
	for _, ns := range all {
		if escalating[ns] {
			d.open = append(d.open, ns)
			continue
		}
		key := rulesKey(parts, ns, ids)
		v, ok := verdicts[key]
		if !ok {
			v = dominatorIn(parts, dominators, ns)
			verdicts[key] = v
		}
		if v < 0 {
			d.open = append(d.open, ns)
			continue
		}
		if !slices.Contains(d.dominators, parts[v].group) {
			d.dominators = append(d.dominators, parts[v].group)
		}
	}
	slices.Sort(d.dominators)
	return d
}

// dominatorIn returns the first of dominators whose rules that apply in ns
// cover every part's rules bound there, or -1.
func dominatorIn(parts []*rulePart, dominators []int, ns string) int {
	for _, i := range dominators {
		owner := rulesOfPart(parts[i], ns)
		ok := true
		for j, part := range parts {
			if j == i {
				continue
			}
			var here []rbacv1.PolicyRule
			for _, k := range part.index().byNS[ns] {
				here = append(here, *part.rules[k].Rule)
			}
			if covered, _ := rbac.Covers(owner, here); !covered {
				ok = false
				break
			}
		}
		if ok {
			return i
		}
	}
	return -1
}

// rulesKey names the rules of each part in ns by their identity (a role's
// rules are shared by its bindings' grants), numbered in ids.
func rulesKey(parts []*rulePart, ns string, ids map[*rbacv1.PolicyRule]int) string {
	var b strings.Builder
	for _, part := range parts {
		for _, k := range part.index().byNS[ns] {
			r := part.rules[k].Rule
			id, ok := ids[r]
			if !ok {
				id = len(ids)
				ids[r] = id
			}
			b.WriteString(strconv.Itoa(id))
			b.WriteByte(',')
		}
		b.WriteByte(';')
	}
	return b.String()
}
