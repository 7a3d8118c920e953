package risk

import (
	"slices"
	"strings"
	"testing"

	"github.com/auth-paths/kubectl-auth-paths/pkg/model"
	"github.com/auth-paths/kubectl-auth-paths/pkg/rbac"
)

// TestSelectPodsByName: selectPods lists, in inventory order, the pods of
// the namespaces asked for but those skip reports, and only those a rule of
// the principal names where its rules there name pods: the same pods as a
// scan of each, with the inventory's pods sorted by name in each namespace
// (as the decoder leaves them) or not (an inventory built in memory).
func TestSelectPodsByName(t *testing.T) {
	pods := func(names ...string) []*model.Pod {
		var out []*model.Pod
		for _, n := range names {
			ns, name, _ := strings.Cut(n, "/")
			out = append(out, &model.Pod{Meta: model.Meta{Namespace: ns, Name: name}})
		}
		return out
	}
	sorted := pods("a/p1", "a/p2", "a/p3", "b/p1", "b/p2", "c/p1", "c/p2", "c/p3")
	unsorted := pods("a/p3", "b/p2", "a/p1", "c/p2", "a/p2", "b/p1", "c/p3", "c/p1")
	exec := func(ns string, names ...string) rbac.BoundRule {
		r := core([]string{"create"}, "pods/exec")
		r.ResourceNames = names
		return rbac.BoundRule{Rule: &r, Namespace: ns}
	}
	other := func(ns string) rbac.BoundRule {
		r := core([]string{"create"}, "pods/attach")
		return rbac.BoundRule{Rule: &r, Namespace: ns}
	}
	for _, tc := range []struct {
		name  string
		rules []rbac.BoundRule
		all   bool
		nss   []string
		skip  string
		want  []string
	}{
		{name: "any name", rules: []rbac.BoundRule{exec("a")}, nss: []string{"a"}, want: []string{"a/p1", "a/p2", "a/p3"}},
		{name: "by name", rules: []rbac.BoundRule{exec("a", "p3", "p1", "gone")}, nss: []string{"a"}, want: []string{"a/p1", "a/p3"}},
		{name: "names of two rules", rules: []rbac.BoundRule{exec("a", "p3"), exec("a", "p2")}, nss: []string{"a"}, want: []string{"a/p2", "a/p3"}},
		{name: "a rule of any name wins", rules: []rbac.BoundRule{exec("a", "p3"), exec("a")}, nss: []string{"a"}, want: []string{"a/p1", "a/p2", "a/p3"}},
		{name: "names of another namespace", rules: []rbac.BoundRule{exec("a", "p1"), exec("b", "p2")}, nss: []string{"a", "b"}, want: []string{"a/p1", "b/p2"}},
		{name: "cluster-wide names", rules: []rbac.BoundRule{exec("", "p2")}, all: true, want: []string{"a/p2", "b/p2", "c/p2"}},
		{name: "cluster-wide names and any name in one namespace", rules: []rbac.BoundRule{exec("", "p2"), exec("c")}, all: true, want: []string{"a/p2", "b/p2", "c/p1", "c/p2", "c/p3"}},
		{name: "rules of other requests name nothing", rules: []rbac.BoundRule{exec("a", "p1"), other("a")}, nss: []string{"a"}, want: []string{"a/p1"}},
		{name: "skipped", rules: []rbac.BoundRule{exec(""), exec("b", "p1")}, all: true, skip: "b", want: []string{"a/p1", "a/p2", "a/p3", "c/p1", "c/p2", "c/p3"}},
	} {
		for _, order := range []struct {
			name string
			pods []*model.Pod
		}{{"sorted", sorted}, {"unsorted", unsorted}} {
			t.Run(tc.name+", "+order.name, func(t *testing.T) {
				a := &Analysis{Inv: &model.Inventory{Pods: order.pods}, objects: &objects{}}
				p := &Principal{Rules: tc.rules}
				nss := map[string]bool{}
				for _, ns := range tc.nss {
					nss[ns] = true
				}
				var skip func(string) bool
				if tc.skip != "" {
					skip = func(ns string) bool { return ns == tc.skip }
				}
				var got, want []string
				for _, pod := range a.selectPods(p, tc.all, nss, skip, execProbes) {
					got = append(got, pod.Namespace+"/"+pod.Name)
				}
				for _, pod := range order.pods { // the wanted pods, in inventory order
					if slices.Contains(tc.want, pod.Namespace+"/"+pod.Name) {
						want = append(want, pod.Namespace+"/"+pod.Name)
					}
				}
				if !slices.Equal(got, want) {
					t.Errorf("got %v, want %v", got, want)
				}
			})
		}
	}
}
