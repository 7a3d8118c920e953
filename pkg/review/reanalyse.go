package review

import (
	"runtime"
	"sync"

	"github.com/auth-paths/kubectl-auth-paths/graph"
	"github.com/auth-paths/kubectl-auth-paths/pkg/model"
	"github.com/auth-paths/kubectl-auth-paths/pkg/rbac"
	"github.com/auth-paths/kubectl-auth-paths/pkg/risk"
)

// reanalyse analyses the input without the dropped bindings, building only
// what the identities (node keys of g) reach (risk.Options.Roots, as `from`
// does): exact for them at a fraction of a whole analysis, since a removed
// binding's subjects and those who reach them are usually few. An identity
// that only a whole evaluation makes (a pod's ServiceAccount that no binding
// or ServiceAccount object names) is no root of a partial one: then the
// input is analysed whole, as before.
//
// reachOnly stops building once every identity reaches cluster-admin
// (risk.Options.StopWhenRootsReach): enough to tell who is cut, not to
// rank their paths.
func reanalyse(base *risk.Analysis, opts risk.Options, drop []*model.Binding, keys []string, reachOnly bool) *risk.Analysis {
	g := base.Graph
	roots := make([]rbac.Subject, 0, len(keys))
	for _, k := range keys {
		if s, ok := risk.SubjectOf(g.Node(k)); ok {
			roots = append(roots, s)
		}
	}
	if len(roots) == len(keys) && len(keys) > 0 {
		o := opts
		o.Roots = roots
		o.StopWhenRootsReach = reachOnly
		a := risk.Reanalyze(base, drop, o)
		whole := false
		for _, k := range keys {
			if a.Graph.Node(k) == nil && madeLazily(g, k) {
				whole = true
				break
			}
		}
		if !whole {
			return a
		}
	}
	return risk.Reanalyze(base, drop, opts)
}

// madeLazily: the identity is a ServiceAccount that may exist in a whole
// analysis without a binding or object naming it (a pod's).
func madeLazily(g *graph.Graph, key string) bool {
	n := g.Node(key)
	return n != nil && n.Kind == graph.KindServiceAccount
}

// stillReachingSet is the set of the identities (node keys) that keep a path
// to cluster-admin without the dropped bindings.
func stillReachingSet(base *risk.Analysis, opts risk.Options, drop []*model.Binding, keys []string) map[string]bool {
	a := reanalyse(base, opts, drop, keys, true)
	out := reaching(a.Graph, nil)
	for _, k := range keys {
		if a.KnownToReach(k) {
			out[k] = true // through an Options.Reaching node
		}
	}
	return out
}

// parallel runs f(0..n-1) on every core; f writes only its own results, so
// the output is the same as a loop's.
func parallel(n int, f func(i int)) {
	workers := min(runtime.GOMAXPROCS(0), n)
	if workers <= 1 {
		for i := range n {
			f(i)
		}
		return
	}
	next := make(chan int)
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				f(i)
			}
		}()
	}
	for i := range n {
		next <- i
	}
	close(next)
	wg.Wait()
}

// bindingsByID lists the input's bindings by ID (an input may hold two
// objects of one ID; both go when the ID does).
func bindingsByID(inv *model.Inventory) map[string][]*model.Binding {
	out := map[string][]*model.Binding{}
	for _, list := range [][]*model.Binding{inv.ClusterRoleBindings, inv.RoleBindings} {
		for _, b := range list {
			out[b.ID()] = append(out[b.ID()], b)
		}
	}
	return out
}

// bindingsOf returns the bindings of the IDs, in the order of their IDs.
func bindingsOf(byID map[string][]*model.Binding, ids map[string]bool) []*model.Binding {
	var out []*model.Binding
	for _, id := range sortedKeys(ids) {
		out = append(out, byID[id]...)
	}
	return out
}
