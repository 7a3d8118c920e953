package risk

import (
	"fmt"
	"slices"
	"strings"

	rbacv1 "k8s.io/api/rbac/v1"

	"github.com/auth-paths/kubectl-auth-paths/graph"
	"github.com/auth-paths/kubectl-auth-paths/pkg/model"
	"github.com/auth-paths/kubectl-auth-paths/pkg/rbac"
)

// pickNamespace is the primitive of the any-namespace-admin scope's edges
// to each namespace's admin scope.
const pickNamespace = "pick-namespace"

// anyNamespaceAdmin is the scope "all permissions in any namespace the
// attacker picks": whoever may create RoleBindings in every namespace and
// bind a ClusterRole covering a namespace (rules bound cluster-wide) gains
// every namespace's admin scope alike. One edge per such principal into it,
// and one 0-hop pick-namespace edge per namespace out of it, replace one edge
// per principal and namespace (operators' ClusterRoles with bind made this
// principals × namespaces, the bulk of the graph on large clusters).
func (a *Analysis) anyNamespaceAdmin() *graph.Node {
	const key = "Scope:any-namespace-admin"
	n, made := a.addNode(graph.Node{Key: key, Kind: graph.KindScope, Name: "any-namespace-admin", Label: "Scope\nall permissions in any namespace"})
	if !made {
		return n
	}
	a.pickNamespaces(n, a.NamespaceAdmin)
	return n
}

// pickNamespaces adds the 0-hop pick-namespace edges of an any-namespace
// scope: one per namespace, into what a RoleBinding made there gives.
func (a *Analysis) pickNamespaces(from *graph.Node, in func(ns string) *graph.Node) {
	for _, ns := range a.namespaces {
		to := in(ns)
		a.mu.Lock()
		a.addEdgeLocked(graph.Edge{From: from, To: to, Primitive: pickNamespace, Hops: 0,
			Condition: a.intern("a RoleBinding is made in namespace " + ns + ", which exists")})
		a.mu.Unlock()
	}
}

// anyNamespaceRole is the scope "ClusterRole name bound in any namespace the
// attacker picks", for a ClusterRole that does not cover a namespace:
// whoever may create RoleBindings in every namespace and bind that role
// (rules bound cluster-wide, resourceNames or not) gains its permissions in
// each namespace alike. One edge per such principal into it, and one 0-hop
// pick-namespace edge per namespace out of it into the role's scope there,
// replace one edge per principal and namespace (a provisioning controller's
// bind of edit or view, bound to many subjects, made principals ×
// namespaces edges, and principals × namespaces × ClusterRoles lookups).
func (a *Analysis) anyNamespaceRole(name string, rules []rbacv1.PolicyRule) *graph.Node {
	key := scopeKey("ClusterRole " + name + " in any namespace")
	if n := a.node(key); n != nil {
		return n
	}
	n, made := a.addNode(graph.Node{Key: key, Kind: graph.KindScope, Name: model.KindClusterRole + "/" + name, Label: "Scope\nClusterRole " + name + " in any namespace"})
	if !made {
		return n
	}
	a.pickNamespaces(n, func(ns string) *graph.Node { return a.RoleScope(model.KindClusterRole, name, ns, rules) })
	return n
}

// reboundRoleScope is the scope "ClusterRole name where a RoleBinding
// already binds it": whoever may bind that role and update or patch any
// RoleBinding (rules bound cluster-wide), but not create one, adds itself
// to an existing RoleBinding that refers to the role and gains its
// permissions in that namespace. One edge per such principal and role into
// it, and one 0-hop pick-namespace edge per namespace where such a
// RoleBinding exists (into the namespace's admin scope when the role
// covers a namespace), replace one edge per principal, namespace and role:
// a binding rewriter bound to many subjects made principals × namespaces
// edges. It is nil when no RoleBinding refers to the role.
func (a *Analysis) reboundRoleScope(name string, rules []rbacv1.PolicyRule) *graph.Node {
	what := "ClusterRole " + name + " where a RoleBinding binds it"
	return a.sharedScope(scopeKey(what), "rebound-clusterrole", allNamespaces, what, func() []Candidate {
		covers := a.clusterRoleCoversNamespace(name, rules)
		var picks []Candidate
		for _, ns := range a.namespaces {
			refs := a.referring(ns, model.KindClusterRole, name)
			if len(refs) == 0 {
				continue
			}
			to := a.NamespaceAdmin(ns)
			if !covers {
				to = a.RoleScope(model.KindClusterRole, name, ns, rules)
			}
			picks = append(picks, Candidate{Primitive: pickNamespace, To: to, Holds: true, Objects: refs,
				Condition: fmt.Sprintf("%s refers to ClusterRole %q: a subject added to it holds the role in namespace %s", rbac.DescribeBinding(refs[0]), name, ns)})
		}
		return picks
	})
}

// anyNamespaceRoles is the scope "a Role of any namespace the attacker
// picks, bound there" (of the Roles named names, when the rule names
// them): whoever may create RoleBindings in every namespace and bind those
// Roles (rules bound cluster-wide) gains each one's permissions in its
// namespace alike. One edge per such principal and rule into it, and one
// 0-hop pick-namespace edge per Role out of it into the Role's scope (its
// namespace's admin scope when it covers the namespace), replace one edge
// per principal, namespace and Role (a namespace provisioner bound to many
// subjects made principals × namespaces edges). It is nil when there is no
// such Role.
func (a *Analysis) anyNamespaceRoles(names []string) *graph.Node {
	what := "Roles of any namespace"
	if len(names) > 0 {
		what = "Roles named " + strings.Join(names, ",") + " of any namespace"
	}
	return a.sharedScope(scopeKey(what), "any-namespace-roles", allNamespaces, what, func() []Candidate {
		var picks []Candidate
		roles := a.objIndex().rolesNS
		for _, ns := range a.namespaces {
			for _, r := range roles[ns] {
				if len(names) > 0 && !slices.Contains(names, r.Name) {
					continue
				}
				to := a.NamespaceAdmin(ns)
				if !coversNamespace(r.Rules) {
					to = a.RoleScope(model.KindRole, r.Name, ns, r.Rules)
				}
				picks = append(picks, Candidate{Primitive: pickNamespace, To: to, Holds: true,
					Condition: fmt.Sprintf("Role %q exists in namespace %s: a RoleBinding to it is made there", r.Name, ns)})
			}
		}
		return picks
	})
}
