package risk

import (
	"runtime"
	"sync"
	"sync/atomic"

	"github.com/auth-paths/kubectl-auth-paths/graph"
)

// Principals are evaluated on every core. What their evaluations share is
// behind Analysis.mu: the graph while it is built (nodes are made on the
// way: scopes, ServiceAccounts of pods), the principals made on the way,
// and the memo maps of the primitives. The lock is held for map and graph
// operations only, never while a primitive computes, so it is never taken
// twice by one goroutine.
//
// The result does not depend on the order of the evaluations: the graph
// sorts its nodes and edges when frozen and keeps, of two edges that differ
// only in their condition, the one that sorts first; each principal's edges
// are added by the goroutine that evaluates it; every memo holds a pure
// function of its key; and what a step reaches is taken from the identity
// snapshot made before any evaluation (anyidentity.go), never from what
// other evaluations have made so far. TestParallelIsSequential compares
// every edge, subject and warning with a sequential evaluation.

// minParallel is the batch below which principals are evaluated in turn:
// goroutines cost more than they save on small inputs and scenarios.
var minParallel = 64

// workers is the number of principals evaluated at once.
func (a *Analysis) workers() int {
	if a.Opts.Workers > 0 {
		return a.Opts.Workers
	}
	return runtime.GOMAXPROCS(0)
}

// evaluateAll evaluates the principals of one batch, on every core when the
// batch is large enough. Principals made meanwhile wait for the next batch,
// as they do when the batch is evaluated in turn.
func (a *Analysis) evaluateAll(batch []*Principal) {
	w := min(a.workers(), len(batch))
	if w <= 1 || len(batch) < minParallel {
		for _, p := range batch {
			a.evaluatePrincipal(p)
		}
		return
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	for range w {
		wg.Go(func() {
			for {
				i := int(next.Add(1)) - 1
				if i >= len(batch) {
					return
				}
				a.evaluatePrincipal(batch[i])
			}
		})
	}
	wg.Wait()
}

// node returns the graph's node of key, or nil.
func (a *Analysis) node(key string) *graph.Node {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.Graph.Node(key)
}

// addNode returns the node of n's key, making it from n when there is none
// yet (made reports that): whoever makes a scope adds its edges and
// principal, once.
func (a *Analysis) addNode(n graph.Node) (node *graph.Node, made bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if existing := a.Graph.Node(n.Key); existing != nil {
		return existing, false
	}
	return a.Graph.AddNode(n), true
}

// memo returns m[k], computed by f on first use. The lock is not held while
// f runs (f may make nodes), so two evaluations may both compute it: f must
// be a pure function of k, and the first value stored is the one kept.
func memo[K comparable, V any](mu *sync.Mutex, m *map[K]V, k K, f func() V) V {
	mu.Lock()
	v, ok := (*m)[k]
	mu.Unlock()
	if ok {
		return v
	}
	v = f()
	mu.Lock()
	defer mu.Unlock()
	if old, ok := (*m)[k]; ok {
		return old
	}
	if *m == nil {
		*m = map[K]V{}
	}
	(*m)[k] = v
	return v
}

// lazySlice returns *s, computed by f on first use (nil means not yet
// computed; an empty result is kept as an empty, non-nil slice).
func lazySlice[T any](mu *sync.Mutex, s *[]T, f func() []T) []T {
	mu.Lock()
	v := *s
	mu.Unlock()
	if v != nil {
		return v
	}
	v = f()
	if v == nil {
		v = []T{}
	}
	mu.Lock()
	defer mu.Unlock()
	if *s == nil {
		*s = v
	}
	return *s
}
