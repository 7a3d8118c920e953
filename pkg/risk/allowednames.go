package risk

import (
	"slices"
	"strings"

	"github.com/auth-paths/kubectl-auth-paths/graph"
	"github.com/auth-paths/kubectl-auth-paths/pkg/rbac"
)

// allowedNames tells for which object names the principal's rules that
// apply in the request's namespace allow the request (its Name ignored):
// every name (all, a rule without resourceNames allows it), or exactly the
// names returned, sorted and without repeats: First allows the request for
// a name if and only if it is one of them.
//
// Primitives that would ask First once per user, group or node of the
// input ask it for these names only. Asked per object, a principal's cost
// grew with the cluster: on a cluster whose users, groups and holders of
// impersonate rules with resourceNames all grow with its namespaces, the
// analysis took the square of its size.
func allowedNames(p *Principal, req rbac.Request) (names []string, all bool) {
	p.eachApplicable(req.Namespace, func(br *rbac.BoundRule) bool {
		r := req
		if len(br.Rule.ResourceNames) == 0 {
			r.Name = ""
			all = rbac.RuleAllows(r, br.Rule)
			return !all
		}
		for _, n := range br.Rule.ResourceNames {
			r.Name = n
			if n != "" && rbac.RuleAllows(r, br.Rule) {
				names = append(names, n)
			}
		}
		return true
	})
	if all {
		return nil, true
	}
	slices.Sort(names)
	return slices.Compact(names), false
}

// namedNodes returns the nodes of list, which is sorted by key, whose key
// is key(name) for one of names (sorted), in the list's order.
func namedNodes(list []*graph.Node, key func(string) string, names []string) []*graph.Node {
	var out []*graph.Node
	for _, name := range names {
		k := key(name)
		if i, ok := slices.BinarySearchFunc(list, k, func(n *graph.Node, k string) int { return strings.Compare(n.Key, k) }); ok {
			out = append(out, list[i])
		}
	}
	return out
}
