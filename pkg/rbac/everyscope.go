package rbac

import (
	"iter"
	"maps"
	"slices"
)

// GrantsInEveryScope yields every grant that allows the request in its
// binding's scope, in the authorizer's order: ClusterRoleBinding grants first
// (they hold in every namespace), then RoleBinding grants namespace by
// namespace (each holds for requests in its own namespace). req.Namespace is
// ignored. It answers WhoCan for every namespace at once in one pass over the
// bindings, where asking WhoCan namespace by namespace would visit the
// ClusterRoleBindings once per namespace. The superuser group system:masters,
// which no binding names, is not included. The grants are yielded, not
// collected: on a large cluster "who may create pods somewhere" is a grant
// per edit-like RoleBinding and subject, which a slice would hold at once.
func (e *Evaluator) GrantsInEveryScope(req Request) iter.Seq[Grant] {
	return func(yield func(Grant) bool) {
		collect := func(br *boundRules, r Request) bool {
			for i := range br.rules {
				if !RuleAllows(r, &br.rules[i]) {
					continue
				}
				for _, s := range br.grantees {
					if !yield(Grant{Binding: br.binding, RuleIndex: int32(i), Rule: &br.rules[i], subject: s}) {
						return false
					}
				}
			}
			return true
		}
		r := req
		r.Namespace = ""
		for i := range e.clusterBindings {
			if !collect(&e.clusterBindings[i], r) {
				return
			}
		}
		if !req.IsResourceRequest() {
			return
		}
		for _, ns := range slices.Sorted(maps.Keys(e.nsBindings)) {
			r.Namespace = ns
			for i := range e.nsBindings[ns] {
				if !collect(&e.nsBindings[ns][i], r) {
					return
				}
			}
		}
	}
}
