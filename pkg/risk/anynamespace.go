package risk

import (
	"github.com/auth-paths/kubectl-auth-paths/graph"
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
	for _, ns := range a.namespaces {
		to := a.NamespaceAdmin(ns)
		a.mu.Lock()
		a.addEdgeLocked(graph.Edge{From: n, To: to, Primitive: pickNamespace, Hops: 0,
			Condition: a.intern("a RoleBinding is made in namespace " + ns + ", which exists")})
		a.mu.Unlock()
	}
	return n
}
