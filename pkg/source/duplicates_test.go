package source

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/auth-paths/kubectl-auth-paths/hack/gen/cluster"
	"github.com/auth-paths/kubectl-auth-paths/pkg/model"
)

// TestDuplicates: an object read again replaces the one read before, with
// a warning naming both, whether the fast path or the exact decoder reads
// it, within one List, across Lists and files, and for engine policies.
func TestDuplicates(t *testing.T) {
	node := func(name, label string) string {
		return `{"kind":"Node","apiVersion":"v1","metadata":{"name":"` + name + `","labels":{"v":"` + label + `"}}}`
	}
	policy := func(label string) string {
		return `{"kind":"ClusterPolicy","apiVersion":"kyverno.io/v1","metadata":{"name":"p","labels":{"v":"` + label + `"}},"spec":{"rules":[]}}`
	}
	list := func(items ...string) string {
		return `{"kind":"List","apiVersion":"v1","items":[` + strings.Join(items, ",") + `]}`
	}
	cases := []struct {
		name  string
		files []string
		nodes map[string]string // node → the label of the copy kept
		warns int
	}{
		{"twice in one List", []string{list(node("a", "1"), node("b", "1"), node("a", "2"))}, map[string]string{"a": "2", "b": "1"}, 1},
		{"three times", []string{list(node("a", "1"), node("a", "2"), node("b", "1"), node("a", "3"))}, map[string]string{"a": "3", "b": "1"}, 2},
		{"across files", []string{list(node("a", "1"), node("b", "1")), list(node("b", "2"), node("a", "2"))}, map[string]string{"a": "2", "b": "2"}, 2},
		{"across files, again in the second", []string{list(node("a", "1")), list(node("a", "2"), node("a", "3"))}, map[string]string{"a": "3"}, 2},
		{"engine policies", []string{list(policy("1"), node("a", "1"), policy("2"))}, map[string]string{"a": "1"}, 1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			exact := newDecoder("ns")
			fast := newDecoder("ns")
			for i, f := range tc.files {
				name := "f" + string(rune('0'+i)) + ".json"
				if _, err := exact.decodeStream(name, strings.NewReader(f)); err != nil {
					t.Fatal(err)
				}
				if _, err := fast.decodeJSONListFast(name, strings.NewReader(f)); err != nil {
					t.Fatalf("the fast path refused %s: %v", name, err)
				}
			}
			want, got := exact.finish(), fast.finish()
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("fast path:\n%+v\nexact decoder:\n%+v", got, want)
			}
			kept := map[string]string{}
			for _, n := range got.Nodes {
				if _, dup := kept[n.Name]; dup {
					t.Errorf("node %s kept twice", n.Name)
				}
				kept[n.Name] = n.Labels["v"]
			}
			if !reflect.DeepEqual(kept, tc.nodes) {
				t.Errorf("kept %v, want %v", kept, tc.nodes)
			}
			if strings.Contains(tc.name, "engine") && (len(got.EnginePolicies) != 1 || got.EnginePolicies[0].Labels["v"] != "2") {
				t.Errorf("engine policies kept: %+v", got.EnginePolicies)
			}
			if n := countWarnings(got, "the later one is kept"); n != tc.warns {
				t.Errorf("%d warnings of a later copy, want %d: %q", n, tc.warns, got.Warnings)
			}
		})
	}
}

func countWarnings(inv *model.Inventory, s string) int {
	n := 0
	for _, w := range inv.Warnings {
		if strings.Contains(w, s) {
			n++
		}
	}
	return n
}

// TestDuplicatesAreLinear: an input given twice reads in about twice the
// time of one copy (each copy's drop scanned its list: the hostile
// 1,000-namespace dump given twice took 17.7 s to scan, once 3 s).
func TestDuplicatesAreLinear(t *testing.T) {
	data := cluster.Bytes(600)
	file := filepath.Join(t.TempDir(), "c.json")
	if err := os.WriteFile(file, data, 0o600); err != nil {
		t.Fatal(err)
	}
	load := func(files ...string) (*model.Inventory, time.Duration) {
		start := time.Now()
		inv, err := LoadFiles(FileOptions{Filenames: files, DefaultNamespace: "ns"})
		if err != nil {
			t.Fatal(err)
		}
		return inv, time.Since(start)
	}
	one, t1 := load(file)
	two, t2 := load(file, file)
	t.Logf("once %v, twice %v", t1, t2)
	if two.Count() != one.Count() {
		t.Fatalf("twice: %d objects, once %d", two.Count(), one.Count())
	}
	if n := countWarnings(two, "the later one is kept"); n != one.Count() {
		t.Errorf("%d warnings of a later copy, want one per object (%d)", n, one.Count())
	}
	for i := range two.Pods {
		two.Pods[i].Source, one.Pods[i].Source = model.Source{}, model.Source{}
	}
	if !reflect.DeepEqual(two.Pods, one.Pods) {
		t.Error("the pods read twice are not those read once")
	}
	// Generous, for a busy machine: the quadratic drops took over ten
	// times one copy's time at this size.
	if t2 > 3*t1+time.Second {
		t.Errorf("reading the input twice took %v, once %v", t2, t1)
	}
}
