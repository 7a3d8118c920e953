package review_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/auth-paths/kubectl-auth-paths/pkg/review"
	"github.com/auth-paths/kubectl-auth-paths/pkg/risk"
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
