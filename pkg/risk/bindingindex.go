package risk

import (
	"slices"
	"sync"

	rbacv1 "k8s.io/api/rbac/v1"

	"github.com/auth-paths/kubectl-auth-paths/pkg/model"
	"github.com/auth-paths/kubectl-auth-paths/pkg/rbac"
)

// subjectIndex finds the bindings of a list that name a principal (itself,
// or a group it is in) without reading the whole list. The lists it indexes
// (bindings to missing roles, to roles without rules) grow with the cluster
// and so does the number of principals: a scan read every binding of them
// once per principal, quadratic on a cluster with many stale bindings.
type subjectIndex struct {
	once sync.Once
	// at are the positions in the list of the bindings with each canonical
	// subject, ascending.
	at map[rbac.Subject][]int32
}

// build indexes list once (the list never changes after it is made).
func (ix *subjectIndex) build(list []*model.Binding) {
	ix.once.Do(func() {
		ix.at = map[rbac.Subject][]int32{}
		for i, b := range list {
			for _, s := range b.Subjects {
				cs := rbac.CanonicalSubject(s, b.Namespace)
				if at := ix.at[cs]; len(at) == 0 || at[len(at)-1] != int32(i) {
					ix.at[cs] = append(at, int32(i))
				}
			}
		}
	})
}

// naming returns the positions, ascending and without repeats, of the
// bindings of list that name the principal: those for which bindsHow holds
// (not those a re-analysis is without).
func (ix *subjectIndex) naming(a *Analysis, list []*model.Binding, p *Principal) []int32 {
	ix.build(list)
	var out []int32
	if me, ok := a.subjectOf(p.Node); ok {
		out = append(out, ix.at[me]...)
		for _, g := range p.Groups {
			out = append(out, ix.at[rbac.Subject{Kind: rbacv1.GroupKind, Name: g}]...)
		}
	}
	if a.dropped != nil {
		out = slices.DeleteFunc(out, func(i int32) bool { return a.dropped(list[i]) })
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// namesAny reports whether some binding of list names the principal.
func (ix *subjectIndex) namesAny(a *Analysis, list []*model.Binding, p *Principal) bool {
	ix.build(list)
	me, ok := a.subjectOf(p.Node)
	if !ok {
		return false
	}
	live := func(at []int32) bool {
		if a.dropped == nil {
			return len(at) > 0
		}
		for _, i := range at {
			if !a.dropped(list[i]) {
				return true
			}
		}
		return false
	}
	if live(ix.at[me]) {
		return true
	}
	for _, g := range p.Groups {
		if live(ix.at[rbac.Subject{Kind: rbacv1.GroupKind, Name: g}]) {
			return true
		}
	}
	return false
}

// namespaceIndex finds the dangling ServiceAccounts a principal could create
// in the namespaces it may create ServiceAccounts in, without reading every
// one of them per principal.
type namespaceIndex struct {
	once sync.Once
	// at are the positions in the list of the entries whose ServiceAccount
	// or binding is in each namespace, ascending.
	at map[string][]int32
}

// in returns the positions, ascending and without repeats, of the entries of
// list whose ServiceAccount's or binding's namespace is one of nss; every
// position when everywhere.
func (ix *namespaceIndex) in(list []danglingSA, everywhere bool, nss map[string]bool) []int32 {
	var out []int32
	if everywhere {
		out = make([]int32, 0, len(list))
		for i := range list {
			out = append(out, int32(i))
		}
		return out
	}
	ix.once.Do(func() {
		ix.at = map[string][]int32{}
		for i, d := range list {
			ix.at[d.namespace] = append(ix.at[d.namespace], int32(i))
			if ns := d.binding.Namespace; ns != d.namespace {
				ix.at[ns] = append(ix.at[ns], int32(i))
			}
		}
	})
	for ns := range nss {
		out = append(out, ix.at[ns]...)
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// roleRefIndex finds the bindings of a list in one namespace that refer to
// one role, in the list's order, without reading the whole list. A
// principal that may bind roles but only update existing bindings asks it
// for every role in every namespace it may write bindings in: reading
// every binding each time made its evaluation grow as namespaces × roles ×
// bindings, cubic in the cluster's size.
type roleRefIndex struct {
	once sync.Once
	at   map[roleRefKey][]*model.Binding
	// roles are the names of the roles of each kind that the bindings of
	// each namespace refer to, each once.
	roles map[roleRefKey][]string
}

// roleRefs index the ClusterRoleBindings and the RoleBindings.
type roleRefs struct{ cluster, namespaced roleRefIndex }

// referring returns the bindings of ns (ClusterRoleBindings for "") whose
// roleRef is kind/name, not those that stand for a rules review's answer
// nor those a re-analysis is without, in the input's order.
func (a *Analysis) referring(ns, kind, name string) []*model.Binding {
	list, ix := a.Inv.ClusterRoleBindings, &a.byRoleRef.cluster
	if ns != "" {
		list, ix = a.Inv.RoleBindings, &a.byRoleRef.namespaced
	}
	refs := ix.referring(list, ns, kind, name)
	if a.dropped == nil || !slices.ContainsFunc(refs, a.dropped) {
		return refs
	}
	return slices.DeleteFunc(slices.Clone(refs), a.dropped)
}

// referred returns the names of the roles of kind that the RoleBindings of
// ns refer to (as referring finds them), each once, in no particular order.
func (a *Analysis) referred(ns, kind string) []string {
	names := a.byRoleRef.namespaced.referred(a.Inv.RoleBindings, ns, kind)
	if a.dropped == nil {
		return names
	}
	var out []string
	for _, name := range names {
		if len(a.referring(ns, kind, name)) > 0 {
			out = append(out, name)
		}
	}
	return out
}

// roleRefKey is a binding's namespace and the role it refers to.
type roleRefKey struct {
	namespace, kind, name string
}

// referring returns the bindings of list (never changed once made) in ns
// whose roleRef is kind/name, not those that stand for a rules review's
// answer, in list order.
func (ix *roleRefIndex) referring(list []*model.Binding, ns, kind, name string) []*model.Binding {
	ix.build(list)
	return ix.at[roleRefKey{ns, kind, name}]
}

// referred returns the names of the roles of kind that the bindings of
// list in ns refer to (not those that stand for a rules review's answer),
// each once, in no particular order.
func (ix *roleRefIndex) referred(list []*model.Binding, ns, kind string) []string {
	ix.build(list)
	return ix.roles[roleRefKey{namespace: ns, kind: kind}]
}

func (ix *roleRefIndex) build(list []*model.Binding) {
	ix.once.Do(func() {
		ix.at = map[roleRefKey][]*model.Binding{}
		ix.roles = map[roleRefKey][]string{}
		for _, b := range list {
			if b.Review == nil {
				k := roleRefKey{b.Namespace, b.RoleRef.Kind, b.RoleRef.Name}
				if len(ix.at[k]) == 0 {
					kind := roleRefKey{namespace: b.Namespace, kind: b.RoleRef.Kind}
					ix.roles[kind] = append(ix.roles[kind], b.RoleRef.Name)
				}
				ix.at[k] = append(ix.at[k], b)
			}
		}
	})
}
