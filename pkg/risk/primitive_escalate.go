package risk

import (
	"fmt"

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
// An aggregated ClusterRole is rewritten by its controller. Two ways remain:
// update it (escalate lets the update drop or change its aggregationRule too),
// or create a new ClusterRole carrying `*` and the labels its selector picks.
type escalate struct{}

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
// which give no rule to find them by but can still be escalated.
func (a *Analysis) boundBindings(p *Principal) []*model.Binding {
	seen := map[*model.Binding]bool{}
	var out []*model.Binding
	for _, r := range p.Rules {
		if b := r.Grant.Binding; b != nil && !seen[b] {
			seen[b] = true
			out = append(out, b)
		}
	}
	for _, b := range a.emptyRoleBindings() {
		if seen[b] || !a.binds(p, b) {
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
	if a.emptyBindings == nil {
		a.emptyBindings = []*model.Binding{}
		for _, list := range [][]*model.Binding{a.Inv.ClusterRoleBindings, a.Inv.RoleBindings} {
			for _, b := range list {
				if a.roleExistsEmpty(b) {
					a.emptyBindings = append(a.emptyBindings, b)
				}
			}
		}
	}
	return a.emptyBindings
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
		if !ok {
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
		how := fmt.Sprintf("write * into %s %q, bound to it by %s → %s", b.RoleRef.Kind, b.RoleRef.Name, rbac.DescribeBinding(b), gain)
		upd, canUpdate := p.FirstAny(modifyVerbs, res("", rbacGroup, resource, "", roleNS, b.RoleRef.Name))
		if agg := a.aggregatedRole(b); agg != nil {
			if canUpdate {
				// With escalate authorized, the ClusterRole storage skips every
				// check, including the one on changing the aggregationRule
				// (pkg/registry/rbac/clusterrole/policybased): the update removes
				// it, and the aggregation controller leaves the role alone.
				out = append(out, Candidate{Primitive: "escalate", To: target, Hops: 1, Holds: true, Personal: self, Grants: grants(esc, upd),
					Condition: fmt.Sprintf("update aggregated ClusterRole %q without its aggregationRule and with *, bound to it by %s → %s", b.RoleRef.Name, rbac.DescribeBinding(b), gain)})
				continue
			}
			create, ok := p.First(res("create", rbacGroup, "clusterroles", "", "", ""))
			if !ok {
				out = append(out, Candidate{Primitive: "escalate", Hops: 1, Grants: grants(esc), To: target,
					Why: fmt.Sprintf("can escalate ClusterRole %q, but it is aggregated (the controller rewrites it), it cannot update it, and creating a ClusterRole for its selector is not allowed", b.RoleRef.Name)})
				continue
			}
			// A create request carries no name, so the escalate check of the
			// new ClusterRole needs a rule without resourceNames.
			escNew, ok := p.First(res("escalate", rbacGroup, "clusterroles", "", "", ""))
			if !ok {
				out = append(out, Candidate{Primitive: "escalate", Hops: 1, Grants: grants(esc, create), To: target,
					Why: fmt.Sprintf("can escalate aggregated ClusterRole %q only by name: creating a ClusterRole with * for its selector needs escalate without resourceNames (a create request has no name)", b.RoleRef.Name)})
				continue
			}
			out = append(out, Candidate{Primitive: "escalate", To: target, Hops: 1, Holds: true, Personal: self, Grants: grants(escNew, create),
				Condition: fmt.Sprintf("create a ClusterRole with * labelled for the aggregationRule of ClusterRole %q, bound to it by %s → %s", b.RoleRef.Name, rbac.DescribeBinding(b), gain)})
			continue
		}
		if !canUpdate {
			out = append(out, Candidate{Primitive: "escalate", Hops: 1, Grants: grants(esc), To: target,
				Why: fmt.Sprintf("has escalate on %s %q but cannot update or patch it", b.RoleRef.Kind, b.RoleRef.Name)})
			continue
		}
		out = append(out, Candidate{Primitive: "escalate", To: target, Hops: 1, Holds: true, Personal: self, Grants: grants(esc, upd), Condition: how})
	}
	return dedupeCandidates(out)
}

// aggregatedRole returns the ClusterRole a binding references if it is aggregated.
func (a *Analysis) aggregatedRole(b *model.Binding) *model.ClusterRole {
	if b.RoleRef.Kind != model.KindClusterRole {
		return nil
	}
	for _, r := range a.Inv.ClusterRoles {
		if r.Name == b.RoleRef.Name && r.AggregationRule != nil {
			return r
		}
	}
	return nil
}
