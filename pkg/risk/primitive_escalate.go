package risk

import (
	"fmt"
	"sort"
	"strings"

	"github.com/auth-paths/kubectl-auth-paths/graph"

	"github.com/auth-paths/kubectl-auth-paths/pkg/model"
	"github.com/auth-paths/kubectl-auth-paths/pkg/rbac"
)

const rbacGroup = "rbac.authorization.k8s.io"

// escalate: the `escalate` verb lifts RBAC's rule that nobody may write
// permissions into a role that they do not hold. With it, and update or patch
// on a role bound to the principal, the principal writes `*` into its own
// role: a ClusterRole bound cluster-wide gives cluster-admin; a role bound by
// a RoleBinding gives everything inside that namespace only.
//
// An aggregated ClusterRole is rewritten by its controller. Three ways remain:
// update it (escalate lets the update drop or change its aggregationRule too),
// create a new ClusterRole carrying `*` and the labels its selector picks, or
// update some other existing ClusterRole the principal may escalate and
// update to carry them: the controller copies its rules in either way.
type escalate struct{}

// escalateProbes: some rule allowing one of them, whatever the names, is
// needed for any step of escalate, held or not.
var escalateProbes = []reqShape{
	{verbs: []string{"escalate"}, group: rbacGroup, resource: "roles"},
	{verbs: []string{"escalate"}, group: rbacGroup, resource: "clusterroles"},
	{verbs: modifyVerbs, group: rbacGroup, resource: "clusterroles"},
}

func init() { register(escalate{}) }

func (escalate) ID() string { return "escalate" }
func (escalate) Summary() string {
	return "escalate + update a role bound to oneself → cluster-admin (ClusterRoleBinding) or everything in a namespace (RoleBinding)"
}
func (escalate) Color() string        { return "#dc2626" }
func (escalate) Techniques() []string { return []string{"T1098.006"} }

// boundBindings returns the distinct bindings that bind the principal (itself
// or its groups): those its rules come from, then those of existing roles
// without any rule (an aggregated ClusterRole nothing is aggregated into yet),
// which give no rule to find them by but can still be escalated. Rules a
// SelfSubjectRulesReview returned are left out: the review does not name the
// role they come from (escalateReviewed reaches it where no name is needed).
func (a *Analysis) boundBindings(p *Principal) []*model.Binding {
	seen := map[*model.Binding]bool{}
	var out []*model.Binding
	p.eachRule(func(r *rbacBound) bool {
		if b := r.Grant.Binding; b != nil && b.Review == nil && !seen[b] {
			seen[b] = true
			out = append(out, b)
		}
		return true
	})
	empty := a.emptyRoleBindings()
	for _, i := range a.dangling.emptyBy.naming(a, empty, p) {
		b := empty[i]
		if seen[b] {
			continue
		}
		seen[b] = true
		out = append(out, b)
	}
	return out
}

// emptyRoleBindings returns, computed once, the bindings (ClusterRoleBindings
// first, then RoleBindings, in inventory order) whose role exists without any
// rule: rare, so each principal checks only these instead of every binding.
func (a *Analysis) emptyRoleBindings() []*model.Binding {
	return a.bindingsWhere(&a.emptyBindings, a.roleExistsEmpty)
}

// roleExistsEmpty reports whether the role a binding references exists and has no rules.
func (a *Analysis) roleExistsEmpty(b *model.Binding) bool {
	switch b.RoleRef.Kind {
	case model.KindClusterRole:
		rules, ok := a.Eval.ClusterRoleRules(b.RoleRef.Name)
		return ok && len(rules) == 0
	case model.KindRole:
		if r := a.roleNamed(b.Namespace, b.RoleRef.Name); r != nil {
			return len(r.Rules) == 0
		}
	}
	return false
}

func (escalate) Evaluate(a *Analysis, p *Principal) []Candidate {
	if p.Acting != nil {
		// The roles bound to an impersonated identity are not the
		// requester's: writing * into them widens the identity, and the
		// requester still reaches it only through its impersonate-on rules.
		return nil
	}
	if mayEscalate, nss := reach(p, escalateProbes...); !mayEscalate && len(nss) == 0 {
		// Every step below needs escalate on some role, or (through
		// another ClusterRole aggregated into a bound one) update or
		// patch on ClusterRoles: without either, the bindings of a
		// group bound in every namespace need not be visited one by one.
		return nil
	}
	var out []Candidate
	for _, b := range a.boundBindings(p) {
		roleNS := "" // where the role object lives
		resource := "clusterroles"
		if b.RoleRef.Kind == model.KindRole {
			roleNS, resource = b.Namespace, "roles"
		}
		// The registry asks the authorizer for `escalate` with the request's
		// name (pkg/registry/rbac/escalation_check.go RoleEscalationAuthorized).
		esc, ok := p.First(res("escalate", rbacGroup, resource, "", roleNS, b.RoleRef.Name))
		agg := a.aggregatedRole(b)
		if !ok && agg == nil {
			continue
		}
		// Grants held through a group do not make this the group's step
		// when the binding names the principal itself.
		_, self := a.bindsHow(p, b)
		target := a.Sink()
		gain := "cluster-admin"
		if b.Kind == model.KindRoleBinding {
			target = a.NamespaceAdmin(b.Namespace)
			gain = nsAdminLabel(b.Namespace)
		}
		if !ok {
			// No escalate on the bound role itself: only another ClusterRole
			// the controller aggregates into it remains.
			out = append(out, a.escalateThroughOtherRole(p, b, agg, target, gain, self)...)
			continue
		}
		how := fmt.Sprintf("write * into %s %q, bound to it by %s → %s", b.RoleRef.Kind, b.RoleRef.Name, rbac.DescribeBinding(b), gain)
		upd, canUpdate := p.FirstAny(modifyVerbs, res("", rbacGroup, resource, "", roleNS, b.RoleRef.Name))
		if agg != nil {
			if canUpdate {
				// With escalate authorized, the ClusterRole storage skips every
				// check, including the one on changing the aggregationRule
				// (pkg/registry/rbac/clusterrole/policybased): the update removes
				// it, and the aggregation controller leaves the role alone.
				out = append(out, Candidate{Primitive: "escalate", To: target, Hops: 1, Holds: true, Personal: self, BoundBy: b, Grants: grants(esc, upd),
					Condition: fmt.Sprintf("update aggregated ClusterRole %q without its aggregationRule and with *, bound to it by %s → %s", b.RoleRef.Name, rbac.DescribeBinding(b), gain)})
				continue
			}
			if _, labelled := selectedLabels(agg.AggregationRule); !labelled {
				out = append(out, Candidate{Primitive: "escalate", Hops: 1, Grants: grants(esc), To: target,
					Why: fmt.Sprintf("can escalate ClusterRole %q, but it is aggregated (the controller rewrites it), it cannot update it, and no label set satisfies its aggregationRule: no ClusterRole it writes would be aggregated", b.RoleRef.Name)})
				continue
			}
			create, ok := p.First(res("create", rbacGroup, "clusterroles", "", "", ""))
			if !ok {
				if other := a.escalateThroughOtherRole(p, b, agg, target, gain, self); len(other) > 0 && other[0].Holds {
					out = append(out, other...)
					continue
				}
				out = append(out, Candidate{Primitive: "escalate", Hops: 1, Grants: grants(esc), To: target,
					Why: fmt.Sprintf("can escalate ClusterRole %q, but it is aggregated (the controller rewrites it), it cannot update it, and creating a ClusterRole for its selector is not allowed", b.RoleRef.Name)})
				continue
			}
			// A create request carries no name, so the escalate check of the
			// new ClusterRole needs a rule without resourceNames.
			escNew, ok := p.First(res("escalate", rbacGroup, "clusterroles", "", "", ""))
			if !ok {
				if other := a.escalateThroughOtherRole(p, b, agg, target, gain, self); len(other) > 0 && other[0].Holds {
					out = append(out, other...)
					continue
				}
				out = append(out, Candidate{Primitive: "escalate", Hops: 1, Grants: grants(esc, create), To: target,
					Why: fmt.Sprintf("can escalate aggregated ClusterRole %q only by name: creating a ClusterRole with * for its selector needs escalate without resourceNames (a create request has no name)", b.RoleRef.Name)})
				continue
			}
			out = append(out, Candidate{Primitive: "escalate", To: target, Hops: 1, Holds: true, Personal: self, BoundBy: b, Grants: grants(escNew, create),
				Condition: fmt.Sprintf("create a ClusterRole with * labelled for the aggregationRule of ClusterRole %q, bound to it by %s → %s", b.RoleRef.Name, rbac.DescribeBinding(b), gain)})
			continue
		}
		if !canUpdate {
			out = append(out, Candidate{Primitive: "escalate", Hops: 1, Grants: grants(esc), To: target,
				Why: fmt.Sprintf("has escalate on %s %q but cannot update or patch it", b.RoleRef.Kind, b.RoleRef.Name)})
			continue
		}
		out = append(out, Candidate{Primitive: "escalate", To: target, Hops: 1, Holds: true, Personal: self, BoundBy: b, Grants: grants(esc, upd), Condition: how})
	}
	out = append(out, a.escalateReviewed(p)...)
	return dedupeCandidates(out)
}

// escalateReviewed: a SelfSubjectRulesReview of cluster-wide rules that lists
// a rule proves that a ClusterRoleBinding applies to the principal (or a
// group of it) and that its ClusterRole exists (the resolver lists no rule of
// a missing role), but names neither. Escalate and update (or patch) on every
// ClusterRole, without resourceNames, reach that role whatever its name:
// writing * into it gives cluster-admin. With names only, or on Roles, the
// role behind a reviewed rule is out of reach: it is unknown.
func (a *Analysis) escalateReviewed(p *Principal) []Candidate {
	var standIn *model.Binding
	p.eachRuleWhere("reviewed ClusterRoleBinding", reviewedClusterWide, func(r *rbacBound) bool {
		standIn = r.Grant.Binding
		return false
	})
	if standIn == nil {
		return nil
	}
	esc, ok := p.First(res("escalate", rbacGroup, "clusterroles", "", "", ""))
	if !ok {
		return nil
	}
	_, self := a.bindsHow(p, standIn)
	upd, ok := p.FirstAny(modifyVerbs, res("", rbacGroup, "clusterroles", "", "", ""))
	if !ok {
		return []Candidate{{Primitive: "escalate", Hops: 1, Grants: grants(esc), To: a.Sink(),
			Why: "can escalate every ClusterRole, among them the one behind its cluster-wide rules, but can neither update nor patch one"}}
	}
	return []Candidate{{Primitive: "escalate", To: a.Sink(), Hops: 1, Holds: true, Personal: self, BoundBy: standIn, Grants: grants(esc, upd),
		Condition: "write * into the ClusterRole that a ClusterRoleBinding binds to it → cluster-admin (its review of cluster-wide rules lists rules, so that binding and role exist; no review names them, but escalate and update on every ClusterRole reach it)"}}
}

// reviewedClusterWide: the rule comes from a review of cluster-wide rules.
func reviewedClusterWide(r *rbacBound) bool {
	b := r.Grant.Binding
	return b != nil && b.Review != nil && b.Kind == model.KindClusterRoleBinding
}

// aggregatedRole returns the ClusterRole a binding references if it is aggregated.
func (a *Analysis) aggregatedRole(b *model.Binding) *model.ClusterRole {
	if b.RoleRef.Kind != model.KindClusterRole {
		return nil
	}
	a.aggregated.once.Do(func() {
		// Every principal asks for each binding it is bound by: reading
		// every ClusterRole each time made that ClusterRoles × bindings.
		a.aggregated.m = map[string]*model.ClusterRole{}
		for _, r := range a.of.ClusterRoles {
			if r.AggregationRule != nil && a.aggregated.m[r.Name] == nil {
				a.aggregated.m[r.Name] = r // the first, as a scan of the list finds
			}
		}
	})
	return a.aggregated.m[b.RoleRef.Name]
}

// escalateThroughOtherRole: the principal may escalate and update (or patch)
// an existing ClusterRole other than agg, the aggregated role b binds it to.
// It writes * into that role with labels agg's aggregationRule selects (and
// without an aggregationRule of its own, which escalate lets the update
// drop); the aggregation controller then copies * into agg. escalate and the
// write are authorized by the written role's name (the RBAC registry's
// escalation check uses the request's name), so resourceNames decide which
// role serves. It returns the holding candidate, a failed one saying what
// is missing when the principal may do half of it, or none.
func (a *Analysis) escalateThroughOtherRole(p *Principal, b *model.Binding, agg *model.ClusterRole, target *graph.Node, gain string, self bool) []Candidate {
	escAny, canEscalate := firstIgnoringNames(p, "escalate", rbacGroup, "clusterroles", "")
	var updAny rbacBound
	canWrite := false
	for _, v := range modifyVerbs {
		if updAny, canWrite = firstIgnoringNames(p, v, rbacGroup, "clusterroles", ""); canWrite {
			break
		}
	}
	if !canEscalate && !canWrite {
		return nil
	}
	labels, labelled := selectedLabels(agg.AggregationRule)
	for _, x := range a.Inv.ClusterRoles {
		if !labelled || !canEscalate || !canWrite {
			break
		}
		if x.Name == agg.Name {
			continue // updating agg itself is the first way, checked by the caller
		}
		esc, ok := p.First(res("escalate", rbacGroup, "clusterroles", "", "", x.Name))
		if !ok {
			continue
		}
		upd, ok := p.FirstAny(modifyVerbs, res("", rbacGroup, "clusterroles", "", "", x.Name))
		if !ok {
			continue
		}
		what := fmt.Sprintf("ClusterRole %q", x.Name)
		if x.AggregationRule != nil {
			// Else the controller would rewrite x too; escalate lets the
			// update drop its aggregationRule, as for the bound role.
			what = fmt.Sprintf("aggregated ClusterRole %q without its aggregationRule", x.Name)
		}
		return []Candidate{{Primitive: "escalate", To: target, Hops: 1, Holds: true, Personal: self, BoundBy: b, Grants: grants(esc, upd),
			Condition: fmt.Sprintf("update %s with * and labels %s, which the aggregationRule of ClusterRole %q selects: the aggregation controller copies * into %q, bound to it by %s → %s",
				what, renderLabels(labels), agg.Name, agg.Name, rbac.DescribeBinding(b), gain)}}
	}
	var why string
	var gs []rbacBound
	switch {
	case !labelled:
		why, gs = fmt.Sprintf("may write ClusterRoles, but no label set satisfies the aggregationRule of ClusterRole %q (bound to it by %s): nothing it writes is aggregated", agg.Name, rbac.DescribeBinding(b)), grantsOf(escAny, canEscalate, updAny, canWrite)
	case !canEscalate:
		why, gs = fmt.Sprintf("may update or patch ClusterRoles, but not escalate them: RBAC refuses writing * into one for the aggregationRule of ClusterRole %q", agg.Name), grants(updAny)
	case !canWrite:
		why, gs = fmt.Sprintf("may escalate ClusterRoles, but neither update nor patch one to carry * and the labels the aggregationRule of ClusterRole %q selects", agg.Name), grants(escAny)
	default:
		why, gs = fmt.Sprintf("may escalate and write ClusterRoles, but no existing ClusterRole other than %q allows both by its name (resourceNames), so none can carry * into its aggregation", agg.Name), grants(escAny, updAny)
	}
	return []Candidate{{Primitive: "escalate", Hops: 1, Grants: gs, To: target, Why: why}}
}

// grantsOf returns the grants that are held.
func grantsOf(esc rbacBound, hasEsc bool, upd rbacBound, hasUpd bool) []rbacBound {
	var out []rbacBound
	if hasEsc {
		out = append(out, esc)
	}
	if hasUpd {
		out = append(out, upd)
	}
	return out
}

// renderLabels renders labels sorted by key: {a: "1", b: "2"}.
func renderLabels(l map[string]string) string {
	keys := make([]string, 0, len(l))
	for k := range l {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("%s=%s", k, l[k])
	}
	return "{" + strings.Join(parts, ", ") + "}"
}
