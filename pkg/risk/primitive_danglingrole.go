package risk

import (
	"fmt"
	"slices"
	"strings"

	rbacv1 "k8s.io/api/rbac/v1"
	"k8s.io/apimachinery/pkg/api/validate/content"

	"github.com/auth-paths/kubectl-auth-paths/pkg/model"
	"github.com/auth-paths/kubectl-auth-paths/pkg/rbac"
)

// danglingRole: the RBAC authorizer resolves a binding's roleRef by name at
// each request. A binding whose Role or ClusterRole does not exist grants its
// subjects whatever rules that role will have once someone creates it. A
// subject of the binding that may create the role with rules of its choice
// (create plus `escalate`: RBAC's escalation check otherwise lets a role
// carry only rules its creator already holds, which gains it nothing) writes
// `*` into it: a ClusterRoleBinding then gives cluster-admin, a RoleBinding
// everything inside its namespace.
//
// Exactness: a create request has no name, so both the create and the
// escalate check (pkg/registry/rbac/escalation_check.go, which asks with the
// request's name) need rules without resourceNames; a ClusterRole is
// cluster-scoped, so only rules bound cluster-wide count for it, while a Role
// lives in the binding's namespace. Absence proves something only when the
// role list was read (as for the binding-to-missing-role finding).
type danglingRole struct{}

func init() { register(danglingRole{}) }

func (danglingRole) Color() string        { return "#f43f5e" }
func (danglingRole) Techniques() []string { return []string{"T1098.006"} }
func (danglingRole) ID() string           { return "dangling-role" }
func (danglingRole) Summary() string {
	return "create the missing role a binding to oneself references, with * (create + escalate) → cluster-admin or everything in the binding's namespace"
}

// danglingRoleBindings returns, computed once, the bindings (ClusterRoleBindings
// first, then RoleBindings, in inventory order) whose role does not exist.
func (a *Analysis) danglingRoleBindings() []*model.Binding {
	return a.bindingsWhere(&a.dangling.roles, a.roleMissing)
}

// roleMissing reports whether the role a binding references is known not to exist.
func (a *Analysis) roleMissing(b *model.Binding) bool {
	switch b.RoleRef.Kind {
	case model.KindClusterRole:
		if _, ok := a.Eval.ClusterRoleRules(b.RoleRef.Name); ok {
			return false
		}
		return a.listed(roleResource[model.KindClusterRole], "")
	case model.KindRole:
		return a.roleNamed(b.Namespace, b.RoleRef.Name) == nil && a.listed(roleResource[model.KindRole], b.Namespace)
	}
	return false
}

var createRoleProbes = []reqShape{
	{verbs: []string{"create"}, group: rbacGroup, resource: "roles"},
	{verbs: []string{"create"}, group: rbacGroup, resource: "clusterroles"},
}

func (danglingRole) Evaluate(a *Analysis, p *Principal) []Candidate {
	list := a.danglingRoleBindings()
	if len(list) == 0 {
		return nil
	}
	if everywhere, nss := reach(p, createRoleProbes...); !everywhere && len(nss) == 0 {
		return nil
	}
	var out []Candidate
	for _, i := range a.dangling.rolesBy.naming(a, list, p) {
		b := list[i]
		bound, self := a.bindsHow(p, b)
		if !bound {
			continue
		}
		roleNS, resource := "", "clusterroles"
		if b.RoleRef.Kind == model.KindRole {
			roleNS, resource = b.Namespace, "roles"
		}
		target, gain := a.Sink(), "cluster-admin"
		if b.Kind == model.KindRoleBinding {
			target, gain = a.NamespaceAdmin(b.Namespace), nsAdminLabel(b.Namespace)
		}
		what := fmt.Sprintf("%s %q", b.RoleRef.Kind, b.RoleRef.Name)
		if roleNS != "" {
			what = fmt.Sprintf("Role %s/%s", roleNS, b.RoleRef.Name)
		}
		create, ok := p.First(res("create", rbacGroup, resource, "", roleNS, ""))
		if !ok {
			continue
		}
		if errs := content.IsPathSegmentName(b.RoleRef.Name); len(errs) > 0 {
			out = append(out, Candidate{Primitive: "dangling-role", Hops: 1, Grants: grants(create), To: target,
				Why: fmt.Sprintf("%s references %s, which does not exist, but that is not a valid role name (%s): the apiserver refuses to create it", rbac.DescribeBinding(b), what, strings.Join(errs, "; "))})
			continue
		}
		esc, ok := p.First(res("escalate", rbacGroup, resource, "", roleNS, ""))
		if !ok {
			out = append(out, Candidate{Primitive: "dangling-role", Hops: 1, Grants: grants(create), To: target,
				Why: fmt.Sprintf("can create %s, which %s references but which does not exist, but without escalate (on %s, without resourceNames: a create has no name) RBAC lets the role carry only rules it already holds, which gives it nothing new", what, rbac.DescribeBinding(b), resource)})
			continue
		}
		out = append(out, Candidate{Primitive: "dangling-role", To: target, Hops: 1, Holds: true, Grants: grants(create, esc), Personal: self, BoundBy: b,
			Condition: fmt.Sprintf("%s binds it to %s, which does not exist: create that role with * (escalate lifts RBAC's escalation check) → %s", rbac.DescribeBinding(b), what, gain)})
	}
	return dedupeCandidates(out)
}

// bindsHow reports whether a binding names the principal (itself, or a
// group its identities are in), and whether it names the principal itself.
func (a *Analysis) bindsHow(p *Principal, b *model.Binding) (bound, self bool) {
	me, ok := a.subjectOf(p.Node)
	if !ok {
		return false, false
	}
	for _, s := range b.Subjects {
		cs := rbac.CanonicalSubject(s, b.Namespace)
		if cs == me {
			return true, true
		}
		if cs.Kind == rbacv1.GroupKind && slices.Contains(p.Groups, cs.Name) {
			bound = true
		}
	}
	return bound, false
}

// boundWithoutRules reports whether a binding that supplies no rule (its role
// is missing or has no rules) names the principal: steps through such a
// binding (dangling-role, escalate) are the principal's own even when all
// its rules come from one group.
func (a *Analysis) boundWithoutRules(p *Principal) bool {
	return a.dangling.rolesBy.namesAny(a, a.danglingRoleBindings(), p) ||
		a.dangling.emptyBy.namesAny(a, a.emptyRoleBindings(), p)
}
