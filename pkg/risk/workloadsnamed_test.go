package risk

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	rbacv1 "k8s.io/api/rbac/v1"

	"github.com/auth-paths/kubectl-auth-paths/pkg/model"
	"github.com/auth-paths/kubectl-auth-paths/pkg/rbac"
)

// TestEachWorkloadInByName: where a principal's rules in a namespace name
// controllers, eachWorkloadIn visits only those, in inventory order (the
// decoder sorts controllers by kind, then name); every controller FirstAny
// allows is among them. Namespaces of a few controllers (scanned) and of
// many (indexed by name) alike, over random rules.
func TestEachWorkloadInByName(t *testing.T) {
	kinds := []string{"Deployment", "StatefulSet", "DaemonSet", "CronJob", "Job", "ReplicaSet"}
	rng := rand.New(rand.NewPCG(3, 3))
	for _, size := range []int{2, manyPerNamespace / 2} { // per kind: 12 and 192 per namespace
		var workloads []*model.Workload
		for _, ns := range []string{"a", "b"} {
			for _, kind := range kinds {
				for i := range size {
					w, _ := resourceForKind(kind)
					workloads = append(workloads, &model.Workload{Meta: model.Meta{Namespace: ns, Name: fmt.Sprintf("app-%03d", (i*7)%(size+3))}, Kind: kind, Group: w.group})
				}
			}
		}
		name := func() string { return fmt.Sprintf("app-%03d", rng.IntN(size+5)) }
		for c := range 200 {
			var rules []rbac.BoundRule
			for range 1 + rng.IntN(3) {
				w := podMakers[rng.IntN(len(podMakers))]
				r := rbacv1.PolicyRule{Verbs: []string{[]string{"patch", "update", "get"}[rng.IntN(3)]}, APIGroups: []string{w.group}, Resources: []string{w.resource}}
				if rng.IntN(4) > 0 {
					r.ResourceNames = []string{name(), name()}
				}
				rules = append(rules, rbac.BoundRule{Rule: &r, Namespace: []string{"", "a", "b"}[rng.IntN(3)]})
			}
			a := &Analysis{Inv: &model.Inventory{Workloads: workloads}, objects: &objects{}}
			p := &Principal{Rules: rules}
			allows := func(w *model.Workload) bool {
				wr, _ := resourceForKind(w.Kind)
				_, ok := p.FirstAny(modifyVerbs, res("", wr.group, wr.resource, "", w.Namespace, w.Name))
				return ok
			}
			var visited, want []*model.Workload
			a.eachWorkloadIn(true, nil, p, modifyWorkloadProbes, func(w *model.Workload) bool {
				visited = append(visited, w)
				return true
			})
			for _, w := range workloads {
				if allows(w) {
					want = append(want, w)
				}
			}
			got := slices.DeleteFunc(slices.Clone(visited), func(w *model.Workload) bool { return !allows(w) })
			if !slices.Equal(got, want) {
				t.Fatalf("size %d, case %d: rules %v: visited %d controllers, %d allowed; want %d", size, c, rules, len(visited), len(got), len(want))
			}
			// In inventory order, each once.
			if !slices.IsSortedFunc(visited, func(x, y *model.Workload) int {
				return slices.Index(workloads, x) - slices.Index(workloads, y)
			}) || len(slices.Compact(slices.Clone(visited))) != len(visited) {
				t.Fatalf("size %d, case %d: visited out of inventory order", size, c)
			}
			// Where every rule names controllers, only those named.
			if !slices.ContainsFunc(rules, func(r rbac.BoundRule) bool { return len(r.Rule.ResourceNames) == 0 }) {
				for _, w := range visited {
					named := slices.ContainsFunc(rules, func(r rbac.BoundRule) bool { return slices.Contains(r.Rule.ResourceNames, w.Name) })
					if !named {
						t.Fatalf("size %d, case %d: visited %s/%s, which no rule names", size, c, w.Namespace, w.Name)
					}
				}
			}
		}
	}
}
