package rbac

import (
	"maps"
	"slices"
)

// GrantsInEveryScope returns every grant that allows the request in its
// binding's scope, in the authorizer's order: ClusterRoleBinding grants first
// (they hold in every namespace), then RoleBinding grants namespace by
// namespace (each holds for requests in its own namespace). req.Namespace is
// ignored. It answers WhoCan for every namespace at once in one pass over the
// bindings, where asking WhoCan namespace by namespace would visit the
// ClusterRoleBindings once per namespace. The superuser group system:masters,
// which no binding names, is not included.
func (e *Evaluator) GrantsInEveryScope(req Request) []Grant {
	var out []Grant
	collect := func(br *boundRules, r Request) {
		for i := range br.rules {
			if !RuleAllows(r, &br.rules[i]) {
				continue
			}
			for _, s := range br.subjects {
				out = append(out, Grant{Binding: br.binding, RoleKind: br.binding.RoleRef.Kind, RoleName: br.binding.RoleRef.Name, RuleIndex: i, Rule: br.rules[i], Subject: s})
			}
		}
	}
	r := req
	r.Namespace = ""
	for i := range e.clusterBindings {
		collect(&e.clusterBindings[i], r)
	}
	if !req.IsResourceRequest() {
		return out
	}
	for _, ns := range slices.Sorted(maps.Keys(e.nsBindings)) {
		r.Namespace = ns
		for i := range e.nsBindings[ns] {
			collect(&e.nsBindings[ns][i], r)
		}
	}
	return out
}
