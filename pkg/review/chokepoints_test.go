package review_test

import (
	"bytes"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/auth-paths/kubectl-auth-paths/graph"
	"github.com/auth-paths/kubectl-auth-paths/hack/gen/cluster"
	"github.com/auth-paths/kubectl-auth-paths/pkg/model"
	"github.com/auth-paths/kubectl-auth-paths/pkg/review"
	"github.com/auth-paths/kubectl-auth-paths/pkg/risk"
	"github.com/auth-paths/kubectl-auth-paths/pkg/source"
)

func TestChokepoints(t *testing.T) {
	groups, err := review.LoadGroups(fixture("groups.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name     string
		remove   []string
		opts     risk.Options
		chokes   map[string][]string // identity → choke points (nil: identity must be absent)
		cover    []string
		cut      int
		universe int
	}{
		{
			name: "cluster.yaml",
			chokes: map[string][]string{
				"ServiceAccount:ci:deployer":           {"ClusterRoleBinding/deployer-admin"},
				"User:ops":                             {"ClusterRoleBinding/ops-admin"},
				"User:alice":                           {"ClusterRoleBinding/deployer-admin", "RoleBinding/ci/alice-reads-secrets"},
				"Group:platform-oncall":                {"ClusterRoleBinding/deployer-admin", "RoleBinding/ci/oncall-secrets"},
				"ServiceAccount:monitoring:prometheus": {"ClusterRoleBinding/prometheus-secrets"},
				// Two bindings grant dave the same rule: removing either leaves the other
				// (the graph records only the first; re-analysis refutes it).
				"User:dave": {"ClusterRoleBinding/deployer-admin"},
				// Two independent paths (ci and build): no single choke point.
				"User:carol": {},
			},
			cover:    []string{"ClusterRoleBinding/prometheus-secrets", "RoleBinding/ci/alice-reads-secrets", "RoleBinding/ci/oncall-secrets", "RoleBinding/build/carol-build", "RoleBinding/ci/carol-ci", "RoleBinding/ci/dave-1", "RoleBinding/ci/dave-2"},
			cut:      5,
			universe: 5,
		},
		{
			name: "with --groups: bob's only path goes through his group's binding",
			opts: risk.Options{Groups: groups},
			chokes: map[string][]string{
				"User:bob":   {"ClusterRoleBinding/deployer-admin", "RoleBinding/ci/oncall-secrets"},
				"User:alice": {"ClusterRoleBinding/deployer-admin", "RoleBinding/ci/alice-reads-secrets"},
			},
			cut:      6,
			universe: 6,
		},
		{
			name:   "--simulate-remove the prometheus binding and one of carol's",
			remove: []string{"ClusterRoleBinding/prometheus-secrets", "RoleBinding/build/carol-build"},
			chokes: map[string][]string{
				"ServiceAccount:monitoring:prometheus": nil,
				"User:carol":                           {"ClusterRoleBinding/deployer-admin", "RoleBinding/ci/carol-ci"},
			},
			cover:    []string{"RoleBinding/ci/alice-reads-secrets", "RoleBinding/ci/carol-ci", "RoleBinding/ci/oncall-secrets", "RoleBinding/ci/dave-1", "RoleBinding/ci/dave-2"},
			cut:      4,
			universe: 4,
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			inv, err := review.WithoutBindings(load(t, "cluster.yaml"), c.remove)
			if err != nil {
				t.Fatal(err)
			}
			res := review.Chokepoints(inv, c.opts)
			got := map[string][]string{}
			for _, ic := range res.Identities {
				got[ic.Subject.String()] = ic.ChokePoints
				if len(ic.ChokePoints) == 0 && ic.Note == "" {
					t.Errorf("%s: no choke point and no note", ic.Subject)
				}
				if ic.AlreadyAdmin != (ic.Hops == 0) {
					t.Errorf("%s: alreadyAdmin %v with %d hops", ic.Subject, ic.AlreadyAdmin, ic.Hops)
				}
			}
			for id, want := range c.chokes {
				cps, ok := got[id]
				if want == nil {
					if ok {
						t.Errorf("%s should have no path any more", id)
					}
					continue
				}
				if !ok || !slices.Equal(cps, want) {
					t.Errorf("%s: choke points %v (present %v), want %v", id, cps, ok, want)
				}
			}
			if c.cover != nil && !slices.Equal(res.Cover.Bindings, c.cover) {
				t.Errorf("cover %v, want %v", res.Cover.Bindings, c.cover)
			}
			if len(res.Cover.Cut) != c.cut || res.Cover.Identities != c.universe || len(res.Cover.Remaining) != 0 || !res.Cover.Verified {
				t.Errorf("cover cuts %d of %d (remaining %v, verified %v), want %d of %d", len(res.Cover.Cut), res.Cover.Identities, res.Cover.Remaining, res.Cover.Verified, c.cut, c.universe)
			}
			for _, b := range res.Cover.Bindings {
				if strings.HasSuffix(b, "-admin") {
					t.Errorf("cover proposes the admin binding %s", b)
				}
			}
			// The cover really cuts every escalation: re-scan without it.
			after, err := review.WithoutBindings(inv, res.Cover.Bindings)
			if err != nil {
				t.Fatal(err)
			}
			for _, p := range risk.Analyze(after, c.opts).Scan(true).Paths {
				if p.Hops > 0 {
					t.Errorf("after removing the cover, %s still has a path", p.Subject)
				}
			}
		})
	}
}

func TestChokepointFixes(t *testing.T) {
	res := review.Chokepoints(load(t, "cluster.yaml"), risk.Options{})
	want := map[string][]string{
		"ClusterRoleBinding/prometheus-secrets": {"grants get,list,watch secrets cluster-wide to ServiceAccount monitoring/prometheus", "1 pod runs as it, in namespace monitoring", "a RoleBinding of ClusterRole secret-lister in namespace monitoring would keep what the SA's pods use"},
		"RoleBinding/ci/alice-reads-secrets":    {"lets User alice get secrets in namespace ci", "ci/deployer-token", "TokenRequest"},
		"ClusterRoleBinding/deployer-admin":     {"cluster-admin outright", "--accept"},
	}
	found := 0
	for _, cp := range res.ChokePoints {
		if cp.Fix == "" {
			t.Errorf("%s: no fix", cp.Binding)
		}
		if cp.Source == nil || !strings.HasSuffix(cp.Source.File, "cluster.yaml") || cp.Source.Line <= 1 {
			t.Errorf("%s: source %+v", cp.Binding, cp.Source)
		}
		ws, ok := want[cp.Binding]
		if !ok {
			continue
		}
		found++
		for _, w := range ws {
			if !strings.Contains(cp.Fix, w) {
				t.Errorf("%s: fix %q lacks %q", cp.Binding, cp.Fix, w)
			}
		}
		if cp.GrantsAdmin != strings.HasSuffix(cp.Binding, "-admin") {
			t.Errorf("%s: grantsAdmin %v", cp.Binding, cp.GrantsAdmin)
		}
	}
	if found != len(want) {
		t.Errorf("found %d of %d expected choke points", found, len(want))
	}
}

// TestChokepointFixesDemo: on the demo dump, fixes follow the primitive: a
// cluster-scoped rule (nodes/proxy) or impersonation is never "move it to a
// RoleBinding", which could not grant it.
func TestChokepointFixesDemo(t *testing.T) {
	inv := load(t, "../demo/cluster.yaml")
	res := review.Chokepoints(inv, risk.Options{})
	checked := 0
	for _, cp := range res.ChokePoints {
		for _, s := range cp.Steps {
			switch {
			case strings.Contains(s, "─node-proxy→"):
				checked++
				if strings.Contains(cp.Fix, "a RoleBinding of") || !strings.Contains(cp.Fix, "Drop nodes/proxy") {
					t.Errorf("%s: node-proxy fix %q", cp.Binding, cp.Fix)
				}
			case strings.Contains(s, "─impersonate→"):
				checked++
				if strings.Contains(cp.Fix, "a RoleBinding of") || !strings.Contains(cp.Fix, "resourceNames") {
					t.Errorf("%s: impersonate fix %q", cp.Binding, cp.Fix)
				}
			}
		}
	}
	if checked == 0 {
		t.Skip("the demo dump has no node-proxy or impersonate choke point any more")
	}
}

// generated loads a cluster of hack/gen's shape, namespaces and seed, read
// from a file as the commands read it.
func generated(t *testing.T, shape string, namespaces int, seed uint64) *model.Inventory {
	t.Helper()
	path := filepath.Join(t.TempDir(), shape+".json")
	var buf bytes.Buffer
	if err := cluster.WriteShape(&buf, namespaces, seed, "json", shape); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	inv, err := source.LoadFiles(source.FileOptions{Filenames: []string{path}})
	if err != nil {
		t.Fatal(err)
	}
	return inv
}

// TestChokepointsCoverHostile checks the cover on a generated cluster of the
// hostile shape, where groups reach cluster-admin through RoleBindings in
// many namespaces (no binding is on all their paths): removing the cover
// leaves exactly the identities it says remain, and each of them keeps a
// path that no removable binding grants.
func TestChokepointsCoverHostile(t *testing.T) {
	inv := generated(t, cluster.ShapeHostile, 24, 3)
	a := risk.Analyze(inv, risk.Options{})
	res := review.ChokepointsOf(a)
	c := res.Cover
	if !c.Verified || len(c.Cut)+len(c.Remaining) != c.Identities || len(c.Cut) == 0 {
		t.Fatalf("cover: %d cut, %d remaining of %d, verified %v", len(c.Cut), len(c.Remaining), c.Identities, c.Verified)
	}
	phase2 := 0
	for _, ic := range res.Identities {
		if ic.Hops > 0 && len(ic.ChokePoints) == 0 {
			phase2++
		}
	}
	if phase2 == 0 {
		t.Fatal("no identity without a single-binding choke point: the input does not exercise the cover's second phase")
	}
	// Bindings that make someone cluster-admin outright are never proposed.
	protected := map[string]bool{}
	for _, e := range a.Graph.To(a.Sink()) {
		if e.Hops == 0 {
			for _, b := range e.Bindings() {
				protected[b] = true
			}
		}
	}
	for _, b := range c.Bindings {
		if protected[b] {
			t.Errorf("cover proposes %s, which makes a subject cluster-admin outright", b)
		}
	}
	after, err := review.WithoutBindings(inv, c.Bindings)
	if err != nil {
		t.Fatal(err)
	}
	b := risk.Analyze(after, risk.Options{})
	tree := b.Graph.ShortestTo(b.Sink())
	var still []string
	for _, n := range b.Graph.Nodes() {
		if !risk.IsIdentity(n) || tree.Hops(n) == 0 || tree.Hops(n) == graph.Unreachable {
			continue
		}
		if a.Graph.Node(n.Key) == nil || a.Graph.ShortestTo(a.Sink()).Hops(a.Graph.Node(n.Key)) == 0 {
			continue // cluster-admin outright before: not in the cover's universe
		}
		still = append(still, risk.NodeName(n))
		for _, e := range tree.Path(n) {
			for _, id := range e.Bindings() {
				if !protected[id] {
					t.Errorf("%s keeps a path through %s, which the cover could remove", risk.NodeName(n), id)
				}
			}
		}
	}
	sort.Strings(still)
	if !slices.Equal(still, c.Remaining) {
		t.Errorf("after removing the cover, %d identities keep a path: %v; the cover says %v", len(still), still, c.Remaining)
	}
	if again := review.ChokepointsOf(risk.Analyze(inv, risk.Options{})); !reflect.DeepEqual(again.Cover, c) {
		t.Error("the cover differs between two runs")
	}
}
