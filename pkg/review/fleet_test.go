package review_test

import (
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/auth-paths/kubectl-auth-paths/pkg/review"
	"github.com/auth-paths/kubectl-auth-paths/pkg/risk"
)

func TestFleetIDs(t *testing.T) {
	cases := []struct{ cluster, id, full string }{
		{"prod", "c80613954a2f", "prod/c80613954a2f"},
		// EKS context names are ARNs with a slash: the local ID is still the last part.
		{"arn:aws:eks:eu-west-1:1:cluster/prod", "c80613954a2f", "arn:aws:eks:eu-west-1:1:cluster/prod/c80613954a2f"},
	}
	for _, c := range cases {
		if got := review.FleetID(c.cluster, c.id); got != c.full {
			t.Errorf("FleetID(%q) = %q", c.cluster, got)
		}
		if got := review.LocalID(c.full); got != c.id {
			t.Errorf("LocalID(%q) = %q", c.full, got)
		}
	}
	if review.LocalID("c80613954a2f") != "c80613954a2f" {
		t.Error("a single-cluster ID is its own local ID")
	}
}

// fleetScans are the review fixtures as a fleet: prod is cluster.yaml,
// staging cluster-old.yaml, broken failed.
func fleetScans(t *testing.T) []review.ClusterScan {
	t.Helper()
	prod, prodInv := scan(t, "cluster.yaml", risk.Options{})
	staging, stagingInv := scan(t, "cluster-old.yaml", risk.Options{})
	return []review.ClusterScan{
		{Cluster: review.Cluster{Name: "broken", Status: review.ClusterFailed, Error: "unreachable"}},
		{Cluster: review.Cluster{Name: "prod", Status: review.ClusterOK}, Scan: prod, Inventory: prodInv},
		{Cluster: review.Cluster{Name: "staging", Status: review.ClusterOK}, Scan: staging, Inventory: stagingInv},
	}
}

func TestApplyFleet(t *testing.T) {
	base, err := review.LoadBaseline(fixture("fleet/baseline.json"))
	if err != nil {
		t.Fatal(err)
	}
	accept, err := review.LoadAcceptances(fixture("fleet/accept.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name       string
		scans      func([]review.ClusterScan) []review.ClusterScan
		opts       review.Options
		findings   int
		accepted   []string
		gone       []string
		notScanned string
		unused     []int
	}{
		{name: "plain: every path a finding, tagged", scans: keep, findings: 16},
		{name: "baseline: gone in prod only", scans: keep, opts: review.Options{Baseline: base}, findings: 16,
			gone: []string{"prod/7ff714121edd", "prod/b9156ae76e37"}},
		{name: "baseline: a cluster not read is not compared", opts: review.Options{Baseline: base}, findings: 8,
			scans: func(s []review.ClusterScan) []review.ClusterScan {
				s[2].Cluster.Status, s[2].Inventory = review.ClusterFailed, nil
				return s
			},
			gone: []string{"prod/7ff714121edd", "prod/b9156ae76e37"}, notScanned: "staging"},
		{name: "acceptances per cluster", scans: keep, opts: review.Options{Acceptances: accept}, findings: 11,
			accepted: []string{"prod/0724195e7490", "prod/56923cfb8408", "prod/95c13d83658a", "staging/56923cfb8408", "staging/7ff714121edd"}, unused: []int{5}},
		{name: "an entry is unused only when no cluster uses it", opts: review.Options{Acceptances: accept}, findings: 5,
			scans: func(s []review.ClusterScan) []review.ClusterScan { return s[:2] },
			// staging is gone: entry 3 (a staging path) is unused, entry 1 still used in prod.
			accepted: []string{"prod/0724195e7490", "prod/56923cfb8408", "prod/95c13d83658a"}, unused: []int{3, 5}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			c.opts.Now = now
			rv := review.ApplyFleet(c.scans(fleetScans(t)), c.opts)
			if len(rv.Paths) != c.findings {
				t.Errorf("%d findings, want %d", len(rv.Paths), c.findings)
			}
			for _, f := range append(append([]review.ReviewedPath(nil), rv.Paths...), rv.Gone...) {
				if f.Cluster == "" || !strings.HasPrefix(f.ID, f.Cluster+"/") {
					t.Errorf("path %s not tagged (%q)", f.ID, f.Cluster)
				}
			}
			ids := func(fs []review.ReviewedPath) string {
				var out []string
				for _, f := range fs {
					out = append(out, f.ID)
				}
				sort.Strings(out)
				return strings.Join(out, ",")
			}
			if got := ids(rv.Accepted); got != strings.Join(c.accepted, ",") {
				t.Errorf("accepted %s, want %v", got, c.accepted)
			}
			if got := ids(rv.Gone); got != strings.Join(c.gone, ",") {
				t.Errorf("gone %s, want %v", got, c.gone)
			}
			if rv.Baseline != nil && strings.Join(rv.Baseline.NotScanned, ",") != c.notScanned {
				t.Errorf("not scanned %v, want %q", rv.Baseline.NotScanned, c.notScanned)
			}
			var unused []int
			for _, a := range rv.UnusedAcceptances {
				unused = append(unused, a.Entry)
			}
			if fmt.Sprint(unused) != fmt.Sprint(c.unused) {
				t.Errorf("unused entries %v, want %v", unused, c.unused)
			}
			if rv.Clusters[0].Status != review.ClusterFailed || rv.Clusters[0].Summary != nil {
				t.Errorf("failed member %+v", rv.Clusters[0])
			}
			// Per-cluster figures add up to the fleet's.
			total := 0
			for _, cl := range rv.Clusters {
				total += cl.Paths
				if cl.Summary != nil {
					part := rv.ForCluster(cl)
					if len(part.Paths) != cl.Paths {
						t.Errorf("%s: ForCluster has %d paths, figures %d", cl.Name, len(part.Paths), cl.Paths)
					}
				}
			}
			if total != len(rv.Paths) {
				t.Errorf("clusters' findings add up to %d, fleet has %d", total, len(rv.Paths))
			}
		})
	}
}

func keep(s []review.ClusterScan) []review.ClusterScan { return s }

func TestCheckBaselineMode(t *testing.T) {
	single, err := review.LoadBaseline(fixture("baseline-old.json"))
	if err != nil {
		t.Fatal(err)
	}
	fleet, err := review.LoadBaseline(fixture("fleet/baseline.json"))
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		b       *review.Baseline
		fleet   bool
		wantErr string
	}{
		{single, false, ""},
		{fleet, true, ""},
		{single, true, "is a single-cluster scan"},
		{fleet, false, "is a fleet scan"},
		{&review.Baseline{File: "empty.json"}, true, ""},
		{nil, true, ""},
	}
	for i, c := range cases {
		err := review.CheckBaselineMode(c.b, c.fleet)
		if (err == nil) != (c.wantErr == "") || err != nil && !strings.Contains(err.Error(), c.wantErr) {
			t.Errorf("case %d: %v, want %q", i, err, c.wantErr)
		}
	}
	if _, err := review.ParseBaseline("mixed.json", []byte(`{"paths":[{"id":"a/1","cluster":"a"},{"id":"2"}]}`)); err == nil || !strings.Contains(err.Error(), `some paths have a "cluster" and some not`) {
		t.Errorf("mixed baseline: %v", err)
	}
}
