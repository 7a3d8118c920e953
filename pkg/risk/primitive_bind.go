package risk

import (
	"fmt"
	"slices"
	"strings"

	rbacv1 "k8s.io/api/rbac/v1"

	"github.com/auth-paths/kubectl-auth-paths/pkg/model"
	"github.com/auth-paths/kubectl-auth-paths/pkg/rbac"
)

// bind: the `bind` verb on a role lets a principal create a binding to it
// without holding its permissions. Binding a ClusterRole that covers
// everything with a ClusterRoleBinding gives cluster-admin; with a RoleBinding,
// that role's permissions inside the namespace only. resourceNames limit
// which roles; an existing binding can be updated instead of created.
type bind struct{}

func init() { register(bind{}) }

func (bind) ID() string { return "bind" }
func (bind) Summary() string {
	return "bind + create/update bindings → bind a powerful role to oneself (cluster-wide or inside a namespace)"
}
func (bind) Color() string        { return "#e11d48" }
func (bind) Techniques() []string { return []string{"T1098.006"} }

func (bind) Evaluate(a *Analysis, p *Principal) []Candidate {
	var out []Candidate
	// Cluster-wide: a ClusterRoleBinding to a ClusterRole.
	for _, cr := range a.rolesByPowerIf(p.mayAllow(res("bind", rbacGroup, "clusterroles", "", "", ""))) {
		bindGrant, ok := p.First(res("bind", rbacGroup, "clusterroles", "", "", cr.Name))
		if !ok {
			continue
		}
		rules, _ := a.Eval.ClusterRoleRules(cr.Name)
		write, how, objects, ok := a.bindingWrite(p, "", model.KindClusterRole, cr.Name)
		if !ok {
			if rbac.CoversClusterAdmin(rules) {
				out = append(out, Candidate{Primitive: "bind", Hops: 1, Grants: grants(bindGrant), To: a.Sink(),
					Why: fmt.Sprintf("can bind ClusterRole %q, but can neither create a ClusterRoleBinding nor update one that references it", cr.Name)})
			}
			continue
		}
		c := Candidate{Primitive: "bind", Hops: 1, Holds: true, Grants: grants(bindGrant, write), Objects: objects}
		if rbac.CoversClusterAdmin(rules) {
			c.To = a.Sink()
			c.Condition = fmt.Sprintf("%s binding ClusterRole %q (its rules cover everything) to itself cluster-wide", how, cr.Name)
			out = append(out, c)
			break // nothing more to gain cluster-wide
		}
		c.To = a.RoleScope(model.KindClusterRole, cr.Name, "", rules)
		c.Condition = fmt.Sprintf("%s binding ClusterRole %q to itself cluster-wide", how, cr.Name)
		out = append(out, c)
	}
	// In every namespace (rules bound cluster-wide): a RoleBinding of a
	// ClusterRole covering a namespace, created in any namespace; one step
	// into the scope of every namespace's permissions.
	// A ClusterRole that does not cover a namespace, bound so in every
	// namespace: one step into the scope of that role in any namespace
	// (anyNamespaceRole), for each such role up to the first that covers a
	// namespace, where bindInNamespace would stop.
	everywhere, anyNS := false, map[string]bool{}
	if write, ok := p.First(res("create", rbacGroup, "rolebindings", "", allNamespaces, "")); ok && len(a.namespaces) > 0 {
		for _, cr := range a.rolesByPowerIf(p.mayAllow(res("bind", rbacGroup, "clusterroles", "", allNamespaces, ""))) {
			bindGrant, ok := p.First(res("bind", rbacGroup, "clusterroles", "", allNamespaces, cr.Name))
			if !ok {
				continue
			}
			rules, _ := a.Eval.ClusterRoleRules(cr.Name)
			if !a.clusterRoleCoversNamespace(cr.Name, rules) {
				out = append(out, Candidate{Primitive: "bind", To: a.anyNamespaceRole(cr.Name, rules), Hops: 1, Holds: true, Grants: grants(bindGrant, write),
					Condition: fmt.Sprintf("create a RoleBinding binding ClusterRole %q to itself in any namespace", cr.Name)})
				anyNS[cr.Name] = true
				continue
			}
			out = append(out, Candidate{Primitive: "bind", To: a.anyNamespaceAdmin(), Hops: 1, Holds: true, Grants: grants(bindGrant, write),
				Condition: fmt.Sprintf("create a RoleBinding binding ClusterRole %q (every resource) to itself in any namespace", cr.Name)})
			everywhere = true
			break
		}
	}
	// The Roles of every namespace (rules bound cluster-wide that may bind
	// Roles, RoleBindings created in any namespace): one step per such rule
	// into the scope of the Roles it may bind, in whichever namespace they
	// are (anyNamespaceRoles), not one per namespace and Role.
	rolesFolded := map[*rbacv1.PolicyRule]bool{}
	foldedRoles := false
	if write, ok := p.First(res("create", rbacGroup, "rolebindings", "", allNamespaces, "")); ok && !everywhere && len(a.namespaces) > 0 {
		foldedRoles = true
		p.eachApplicable(allNamespaces, func(br *rbacBound) bool {
			names := scopeNames(br.Rule.ResourceNames)
			req := res("bind", rbacGroup, "roles", "", allNamespaces, "")
			if len(names) > 0 {
				req.Name = names[0] // a rule allows each of its names alike
			}
			if br.Namespace != "" || (len(names) == 0 && len(br.Rule.ResourceNames) > 0) || !ruleAllows(*br, req) {
				return true
			}
			rolesFolded[br.Rule] = true
			if scope := a.anyNamespaceRoles(names); scope != nil {
				bindGrant := *br
				bindGrant.Request = &req
				what := "any Role"
				if len(names) > 0 {
					what = "the Roles named " + strings.Join(names, ", ")
				}
				out = append(out, Candidate{Primitive: "bind", To: scope, Hops: 1, Holds: true, Grants: grants(bindGrant, write),
					Condition: fmt.Sprintf("create a RoleBinding binding %s of any namespace to itself there", what)})
			}
			return true
		})
	}
	// Every namespace whose RoleBindings refer to a ClusterRole (rules
	// bound cluster-wide that may bind it and update or patch any
	// RoleBinding, but not create one): one step per ClusterRole into the
	// scope of the namespaces where one does (reboundRoleScope), not one per
	// namespace and ClusterRole.
	rebound := map[string]bool{}
	if write, ok := anyRoleBindingUpdate(p); ok && !everywhere && len(anyNS) == 0 && len(a.namespaces) > 0 {
		if _, create := p.First(res("create", rbacGroup, "rolebindings", "", allNamespaces, "")); !create {
			for _, cr := range a.rolesByPowerIf(p.mayAllow(res("bind", rbacGroup, "clusterroles", "", allNamespaces, ""))) {
				bindGrant, ok := p.First(res("bind", rbacGroup, "clusterroles", "", allNamespaces, cr.Name))
				if !ok {
					continue
				}
				rebound[cr.Name] = true
				rules, _ := a.Eval.ClusterRoleRules(cr.Name)
				if scope := a.reboundRoleScope(cr.Name, rules); scope != nil {
					out = append(out, Candidate{Primitive: "bind", To: scope, Hops: 1, Holds: true, Grants: grants(bindGrant, write),
						Condition: fmt.Sprintf("update a RoleBinding that refers to ClusterRole %q, adding itself, in any namespace where one does", cr.Name)})
				}
			}
		}
	}
	// Inside namespaces: RoleBindings to ClusterRoles or Roles, created or
	// (an existing one) updated.
	namespaces := a.namespacesFor(p, writeRoleBindingProbes...)
	clusterRolesDone := len(anyNS) > 0 || len(rebound) > 0 || !reachClusterWide(p, bindInNamespaceProbes[0])
	rolesDone := foldedRoles || !reachClusterWide(p, bindInNamespaceProbes[1])
	if everywhere || (clusterRolesDone && rolesDone) {
		// Where only its cluster-wide rules apply, bindInNamespace finds
		// the ClusterRoles and Roles above, with nothing to add: it stops
		// at a ClusterRole covering the namespace, the others are in the
		// scope of each role in any namespace, or no rule bound
		// cluster-wide may bind them.
		namespaces = a.ownNamespaces(p, bindInNamespaceProbes...)
	}
	for _, ns := range namespaces {
		out = append(out, a.bindInNamespace(p, ns, everywhere, anyNS, rebound, rolesFolded)...)
	}
	return dedupeCandidates(out)
}

// anyRoleBindingUpdate returns a rule bound cluster-wide that allows
// updating or patching any RoleBinding of any namespace.
func anyRoleBindingUpdate(p *Principal) (rbacBound, bool) {
	for _, v := range modifyVerbs {
		if br, ok := p.FirstAnyName(res(v, rbacGroup, "rolebindings", "", allNamespaces, "")); ok {
			return br, true
		}
	}
	return rbacBound{}, false
}

// bindInNamespaceProbes are the requests bindInNamespace asks in a
// namespace: binding a role and writing a RoleBinding.
var bindInNamespaceProbes = append([]reqShape{
	{verbs: []string{"bind"}, group: rbacGroup, resource: "clusterroles"},
	{verbs: []string{"bind"}, group: rbacGroup, resource: "roles"},
}, writeRoleBindingProbes...)

// bindInNamespace finds the bindings the principal can make in ns.
// everywhere: it already steps into every namespace's admin scope, so a
// namespace admin gained by rules bound cluster-wide is not repeated here;
// nor, for the ClusterRoles of anyNS, their scope in the namespace; nor the
// Roles that a rule of rolesFolded binds into anyNamespaceRoles; nor, for
// the ClusterRoles of rebound, the RoleBindings of ns that refer to them.
func (a *Analysis) bindInNamespace(p *Principal, ns string, everywhere bool, anyNS, rebound map[string]bool, rolesFolded map[*rbacv1.PolicyRule]bool) []Candidate {
	var out []Candidate
	crs := a.rolesByPowerIf(p.mayAllow(res("bind", rbacGroup, "clusterroles", "", ns, "")))
	if len(crs) > 0 {
		if _, create := p.First(res("create", rbacGroup, "rolebindings", "", ns, "")); !create {
			// Without create, a ClusterRole is bound in ns only by updating
			// a RoleBinding of ns that refers to it (bindingWrite): asking
			// about every ClusterRole in every namespace made holders of such
			// rules cost namespaces × ClusterRoles each.
			crs = a.referredByPower(ns)
		}
	}
	for _, cr := range crs {
		bindGrant, ok := p.First(res("bind", rbacGroup, "clusterroles", "", ns, cr.Name))
		if !ok {
			continue
		}
		write, how, objects, ok := a.bindingWrite(p, ns, model.KindClusterRole, cr.Name)
		if !ok {
			continue
		}
		rules, _ := a.Eval.ClusterRoleRules(cr.Name)
		covers := a.clusterRoleCoversNamespace(cr.Name, rules)
		if covers && everywhere && bindGrant.Namespace == "" && write.Namespace == "" {
			return out
		}
		if anyNS[cr.Name] && bindGrant.Namespace == "" && write.Namespace == "" {
			continue // the step into the role's scope in any namespace
		}
		if rebound[cr.Name] && bindGrant.Namespace == "" && write.Namespace == "" {
			// The step into the scope of the namespaces where a RoleBinding
			// refers to the role; one covering the namespace ends the search
			// here, as its own step would.
			if covers {
				return out
			}
			continue
		}
		c := Candidate{Primitive: "bind", Hops: 1, Holds: true, Grants: grants(bindGrant, write), Objects: objects}
		if covers {
			c.To = a.NamespaceAdmin(ns)
			c.Condition = fmt.Sprintf("%s binding ClusterRole %q (every resource) to itself in namespace %s", how, cr.Name, ns)
			return append(out, c)
		}
		c.To = a.RoleScope(model.KindClusterRole, cr.Name, ns, rules)
		c.Condition = fmt.Sprintf("%s binding ClusterRole %q to itself in namespace %s", how, cr.Name, ns)
		out = append(out, c)
	}
	var roles []*model.Role
	if p.mayAllow(res("bind", rbacGroup, "roles", "", ns, "")) {
		roles = a.objIndex().rolesNS[ns]
	}
	for _, r := range roles {
		bindGrant, ok := p.First(res("bind", rbacGroup, "roles", "", ns, r.Name))
		if !ok {
			continue
		}
		write, how, objects, ok := a.bindingWrite(p, ns, model.KindRole, r.Name)
		if !ok {
			continue
		}
		if rolesFolded[bindGrant.Rule] && bindGrant.Namespace == "" && write.Namespace == "" {
			continue // the step into the Roles' scope in any namespace
		}
		c := Candidate{Primitive: "bind", Hops: 1, Holds: true, Grants: grants(bindGrant, write), Objects: objects}
		if coversNamespace(r.Rules) {
			c.To = a.NamespaceAdmin(ns)
		} else {
			c.To = a.RoleScope(model.KindRole, r.Name, ns, r.Rules)
		}
		c.Condition = fmt.Sprintf("%s binding Role %q to itself in namespace %s", how, r.Name, ns)
		out = append(out, c)
	}
	return out
}

// bindingWrite finds how the principal can write a binding to role
// roleKind/roleName: create one, or update/patch an existing binding with that
// roleRef (roleRef is immutable, and the update is checked like a create:
// bind on the role, pkg/registry/rbac/rolebinding/policybased). A Role and a
// ClusterRole may share a name, so the kind must match too.
// Updating, it returns the bindings it may update (the first is the one the
// condition names): the step needs one of them.
func (a *Analysis) bindingWrite(p *Principal, ns, roleKind, roleName string) (write rbacBound, how string, objects []*model.Binding, ok bool) {
	resource := "clusterrolebindings"
	if ns != "" {
		resource = "rolebindings"
	}
	if br, ok := p.First(res("create", rbacGroup, resource, "", ns, "")); ok {
		return br, "create a " + map[bool]string{true: "RoleBinding", false: "ClusterRoleBinding"}[ns != ""], nil, true
	}
	for _, b := range a.referring(ns, roleKind, roleName) {
		br, ok := p.FirstAny(modifyVerbs, res("", rbacGroup, resource, "", ns, b.Name))
		if !ok {
			continue
		}
		if objects == nil {
			write, how = br, fmt.Sprintf("add itself to %s,", rbac.DescribeBinding(b))
		}
		objects = append(objects, b)
	}
	return write, how, objects, objects != nil
}

// rolesByPowerIf returns, when ok, the ClusterRoles with rules, those
// covering everything first (computed once); else none.
func (a *Analysis) rolesByPowerIf(ok bool) []*model.ClusterRole {
	if !ok {
		return nil
	}
	return lazySlice(&a.mu, &a.byPower, func() []*model.ClusterRole {
		var admin, rest []*model.ClusterRole
		for _, r := range a.Inv.ClusterRoles {
			if r.Review != nil {
				continue // stands for rules of unknown roles: there is no such role to bind
			}
			rules, _ := a.Eval.ClusterRoleRules(r.Name)
			if rbac.CoversClusterAdmin(rules) {
				admin = append(admin, r)
			} else if len(rules) > 0 {
				rest = append(rest, r)
			}
		}
		return append(append([]*model.ClusterRole{}, admin...), rest...)
	})
}

// referredByPower returns the ClusterRoles of rolesByPower that a
// RoleBinding of ns refers to, in rolesByPower's order.
func (a *Analysis) referredByPower(ns string) []*model.ClusterRole {
	byPower := a.rolesByPowerIf(true)
	a.powerOrder.Do(func() {
		a.powerAt = make(map[string]int, len(byPower))
		for i, r := range byPower {
			a.powerAt[r.Name] = i
		}
	})
	var at []int
	for _, name := range a.referred(ns, model.KindClusterRole) {
		if i, ok := a.powerAt[name]; ok {
			at = append(at, i)
		}
	}
	slices.Sort(at)
	out := make([]*model.ClusterRole, len(at))
	for j, i := range at {
		out[j] = byPower[i]
	}
	return out
}

// coversNamespace: every verb on every resource (what a namespace grant can reach).
// clusterRoleCoversNamespace is coversNamespace of a ClusterRole's rules,
// memoised by name: bind asks it per namespace for every principal that may
// bind ClusterRoles there.
func (a *Analysis) clusterRoleCoversNamespace(name string, rules []rbacPolicyRule) bool {
	return memo(&a.mu, &a.coversNS, name, func() bool { return coversNamespace(rules) })
}

func coversNamespace(rules []rbacPolicyRule) bool {
	ok, _ := rbac.Covers(rules, []rbacPolicyRule{allInNamespace})
	return ok
}
