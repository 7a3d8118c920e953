package rules

import (
	rbacv1 "k8s.io/api/rbac/v1"

	"fmt"
	"strings"

	"github.com/auth-paths/kubectl-auth-paths/pkg/model"
	"github.com/auth-paths/kubectl-auth-paths/pkg/rbac"
	"github.com/auth-paths/kubectl-auth-paths/pkg/risk"
)

// Active reports whether a pack applies to the inventory, and why.
func Active(p *Pack, inv *model.Inventory) (bool, string) {
	a := p.Activation
	if len(a.CRDs) == 0 && len(a.APIGroups) == 0 && len(a.Objects) == 0 {
		return true, "always active"
	}
	for _, o := range inv.Others {
		if o.Kind == "CustomResourceDefinition" {
			for _, c := range a.CRDs {
				if o.Name == c {
					return true, "CustomResourceDefinition " + c + " is present"
				}
			}
		}
		group := o.APIVersion
		if i := strings.LastIndexByte(group, '/'); i >= 0 {
			group = group[:i]
		} else {
			group = ""
		}
		for _, g := range a.APIGroups {
			if group == g {
				return true, fmt.Sprintf("%s %s/%s of group %s is present", o.Kind, o.Namespace, o.Name, g)
			}
		}
	}
	for _, ref := range a.Objects {
		if name, ok := findObject(inv, ref); ok {
			return true, describeObject(ref.Kind, ref.Namespace, name) + " is present"
		}
	}
	// The pack's resources, to tell apart packs that share an API group
	// (argoproj.io: Argo CD and Argo Workflows).
	resources := map[string]bool{}
	for _, r := range p.Rules {
		resources[r.Permission.APIGroup+"/"+r.Permission.Resource] = true
	}
	mentions := func(rules []rbacPolicyRule) (string, bool) {
		for _, r := range rules {
			for _, g := range r.APIGroups {
				if !contains(a.APIGroups, g) {
					continue
				}
				for _, res := range r.Resources {
					if resources[g+"/"+res] || (res == "*" && groupInPack(resources, g)) {
						return g + "/" + res, true
					}
				}
			}
		}
		return "", false
	}
	// A controller is installed when a ClusterRole naming the pack's resources
	// is bound cluster-wide to a ServiceAccount (a user's own grant proves nothing).
	controllerRoles := map[string]bool{}
	for _, b := range inv.ClusterRoleBindings {
		for _, sub := range b.Subjects {
			if sub.Kind == rbacv1.ServiceAccountKind {
				controllerRoles[b.RoleRef.Name] = true
			}
		}
	}
	for _, r := range inv.ClusterRoles {
		if !controllerRoles[r.Name] {
			continue
		}
		if g, ok := mentions(r.Rules); ok {
			return true, fmt.Sprintf("ClusterRole %q, bound to a ServiceAccount, grants on %s (its controller is installed)", r.Name, g)
		}
	}
	return false, "none of its CRDs, API groups or objects is in the input"
}

// findObject looks an activation object up: RBAC objects in their own
// lists, anything else (ConfigMaps, CRDs) among the other objects.
func findObject(inv *model.Inventory, ref ObjectRef) (string, bool) {
	match := func(kind, ns, name string) bool {
		if kind != ref.Kind || ns != ref.Namespace {
			return false
		}
		if ref.NamePrefix != "" {
			return strings.HasPrefix(name, ref.NamePrefix) && len(name) > len(ref.NamePrefix)
		}
		return name == ref.Name
	}
	for _, r := range inv.ClusterRoles {
		if match(model.KindClusterRole, "", r.Name) {
			return r.Name, true
		}
	}
	for _, r := range inv.Roles {
		if match(model.KindRole, r.Namespace, r.Name) {
			return r.Name, true
		}
	}
	for _, b := range inv.ClusterRoleBindings {
		if match(b.Kind, "", b.Name) {
			return b.Name, true
		}
	}
	for _, b := range inv.RoleBindings {
		if match(b.Kind, b.Namespace, b.Name) {
			return b.Name, true
		}
	}
	for _, o := range inv.Others {
		if match(o.Kind, o.Namespace, o.Name) {
			return o.Name, true
		}
	}
	return "", false
}

func describeObject(kind, ns, name string) string {
	if ns == "" {
		return fmt.Sprintf("%s %q", kind, name)
	}
	return fmt.Sprintf("%s %s/%s", kind, ns, name)
}

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
		cond = fmt.Sprintf("%s: %s (rule pack %s)", how, cond, r.pack.Metadata.Name)
		switch r.rule.Gain.Type {
		case GainAnyServiceAccount:
			sas := a.ServiceAccounts(req.Namespace)
			if len(sas) == 0 {
				continue
			}
			for _, sa := range sas {
				out = append(out, risk.Candidate{Primitive: r.rule.ID, To: a.SANode(sa.Namespace, sa.Name), Hops: 1, Holds: true,
					Grants: []rbac.BoundRule{br}, Condition: cond + "; runs as ServiceAccount " + sa.Name})
			}
		case GainServiceAccount:
			ns, name, _ := strings.Cut(r.rule.Gain.ServiceAccount, "/")
			if !a.HasServiceAccount(ns, name) {
				continue
			}
			out = append(out, risk.Candidate{Primitive: r.rule.ID, To: a.SANode(ns, name), Hops: 1, Holds: true,
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
			out = append(out, risk.Candidate{Primitive: r.rule.ID, To: to, Hops: 1, Holds: true,
				Grants: []rbac.BoundRule{br}, Condition: cond + "; becomes " + r.rule.Gain.Identity})
		}
	}
	return out
}

func describeTarget(req rbac.Request) string {
	s := req.Resource
	if req.APIGroup != "" {
		s += "." + req.APIGroup
	}
	if req.Subresource != "" {
		s += "/" + req.Subresource
	}
	if req.Name != "" {
		s += " " + req.Name
	}
	if req.Namespace != "" {
		s += " in " + req.Namespace
	}
	return s
}

type rbacPolicyRule = rbacv1.PolicyRule

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func groupInPack(resources map[string]bool, group string) bool {
	for k := range resources {
		if strings.HasPrefix(k, group+"/") {
			return true
		}
	}
	return false
}
