package cmd

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"sigs.k8s.io/yaml"

	"github.com/auth-paths/kubectl-auth-paths/pkg/review"
)

// fileAPIServer is a fake kube-apiserver serving the list endpoints from the
// objects of a testdata file: each document goes to the list of its group and
// plural resource (kind lowercased + "s", true of every kind in the review
// fixtures); Secrets are served as metadata only, filtered by the type of the
// field selector, as the real apiserver does. Every other list is empty.
func fileAPIServer(t *testing.T, file string) *httptest.Server {
	t.Helper()
	raw, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	lists := map[string][]map[string]any{}
	secretTypes := map[string]string{}
	for i, doc := range bytes.Split(raw, []byte("\n---")) {
		var obj map[string]any
		if err := yaml.Unmarshal(doc, &obj); err != nil {
			t.Fatalf("%s: document %d: %v", file, i+1, err)
		}
		if obj == nil {
			continue
		}
		apiVersion, _ := obj["apiVersion"].(string)
		kind, _ := obj["kind"].(string)
		prefix := "/apis/" + apiVersion
		if !strings.Contains(apiVersion, "/") {
			prefix = "/api/" + apiVersion
		}
		path := prefix + "/" + strings.ToLower(kind) + "s"
		if kind == "Secret" {
			meta := obj["metadata"].(map[string]any)
			secretTypes[meta["namespace"].(string)+"/"+meta["name"].(string)], _ = obj["type"].(string)
			obj = map[string]any{"kind": "PartialObjectMetadata", "apiVersion": "meta.k8s.io/v1", "metadata": meta}
		}
		lists[path] = append(lists[path], obj)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if r.URL.Path == "/version" {
			fmt.Fprint(w, `{"gitVersion":"v1.37.2"}`)
			return
		}
		items := lists[r.URL.Path]
		kind := "List"
		if r.URL.Path == "/api/v1/secrets" {
			kind = "PartialObjectMetadataList"
			want := strings.TrimPrefix(r.URL.Query().Get("fieldSelector"), "type=")
			var kept []map[string]any
			for _, it := range items {
				m := it["metadata"].(map[string]any)
				if secretTypes[m["namespace"].(string)+"/"+m["name"].(string)] == want {
					kept = append(kept, it)
				}
			}
			items = kept
		}
		if strings.HasSuffix(r.URL.Path, "/customresourcedefinitions") || strings.HasSuffix(r.URL.Path, "/configmaps") {
			// The objects rule packs activate on are read as metadata only.
			kind = "PartialObjectMetadataList"
		}
		if items == nil {
			items = []map[string]any{}
		}
		apiVersion := "v1"
		if kind == "PartialObjectMetadataList" {
			apiVersion = "meta.k8s.io/v1"
		}
		_ = json.NewEncoder(w).Encode(map[string]any{"kind": kind, "apiVersion": apiVersion, "metadata": map[string]any{}, "items": items})
	}))
	t.Cleanup(srv.Close)
	return srv
}

// forbiddenAPIServer answers 403 to every list: the credentials work but may
// read nothing.
func forbiddenAPIServer(t *testing.T) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if r.URL.Path == "/version" {
			fmt.Fprint(w, `{"gitVersion":"v1.37.2"}`)
			return
		}
		w.WriteHeader(http.StatusForbidden)
		fmt.Fprintf(w, `{"kind":"Status","apiVersion":"v1","status":"Failure","reason":"Forbidden","code":403,"message":"%s is forbidden"}`, r.URL.Path)
	}))
	t.Cleanup(srv.Close)
	return srv
}

// fleetKubeconfig writes a kubeconfig with one context per server (current
// context: the first name) and points KUBECONFIG at it.
func fleetKubeconfig(t *testing.T, servers map[string]string) string {
	t.Helper()
	names := make([]string, 0, len(servers))
	for n := range servers {
		names = append(names, n)
	}
	sort.Strings(names)
	var b strings.Builder
	b.WriteString("apiVersion: v1\nkind: Config\ncurrent-context: " + names[0] + "\nclusters:\n")
	for _, n := range names {
		fmt.Fprintf(&b, "- name: %s\n  cluster: {server: %q}\n", n, servers[n])
	}
	b.WriteString("users:\n- name: u\n  user: {token: fake}\ncontexts:\n")
	for _, n := range names {
		fmt.Fprintf(&b, "- name: %s\n  context: {cluster: %s, user: u}\n", n, n)
	}
	file := filepath.Join(t.TempDir(), "kubeconfig")
	if err := os.WriteFile(file, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("KUBECONFIG", file)
	return file
}

// fleetResult is the part of a fleet `scan -o json` the tests read.
type fleetResult struct {
	Summary struct {
		Identities int `json:"identities"`
	} `json:"summary"`
	Paths []struct {
		Cluster string `json:"cluster"`
		ID      string `json:"id"`
		Subject struct {
			Name string `json:"name"`
		} `json:"subject"`
		Status string `json:"status"`
	} `json:"paths"`
	Accepted []struct {
		Cluster string `json:"cluster"`
		ID      string `json:"id"`
	} `json:"accepted"`
	Gone []struct {
		Cluster string `json:"cluster"`
		ID      string `json:"id"`
	} `json:"gone"`
	Findings []struct {
		Cluster string `json:"cluster"`
	} `json:"findings"`
	Clusters   []review.Cluster        `json:"clusters"`
	Incomplete []review.ClusterMissing `json:"incomplete"`
	Baseline   *review.BaselineStats   `json:"baseline"`
}

func parseFleet(t *testing.T, out string) fleetResult {
	t.Helper()
	var r fleetResult
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, out)
	}
	return r
}

func clusterStates(r fleetResult) string {
	var s []string
	for _, c := range r.Clusters {
		s = append(s, c.Name+"="+c.Status)
	}
	return strings.Join(s, ",")
}

// TestFleetKubeconfig reads a kubeconfig of four contexts: two fake
// apiservers serving the review fixtures, one that is unreachable and one
// that forbids every list. The two good ones are reported; the others make
// the result partial and say why.
func TestFleetKubeconfig(t *testing.T) {
	prod := fileAPIServer(t, rv("cluster.yaml"))
	staging := fileAPIServer(t, rv("cluster-old.yaml"))
	locked := forbiddenAPIServer(t)
	down := httptest.NewServer(http.NotFoundHandler())
	downURL := down.URL
	down.Close()
	servers := map[string]string{"prod": prod.URL, "staging": staging.URL, "locked": locked.URL, "down": downURL}

	cases := []struct {
		name       string
		args       []string
		code       int
		states     string
		paths      map[string]int // paths per cluster
		wantStderr []string
		stdout     []string
	}{
		{name: "repeated --context", args: []string{"scan", "--context", "prod", "--context", "staging", "-o", "json"}, code: ExitOK,
			states: "prod=ok,staging=ok", paths: map[string]int{"prod": 8, "staging": 8}},
		{name: "comma list, order and duplicates do not matter", args: []string{"scan", "--context", "staging,prod,staging", "-o", "json"}, code: ExitOK,
			states: "prod=ok,staging=ok", paths: map[string]int{"prod": 8, "staging": 8}},
		{name: "all contexts: unreachable and forbidden ones are partial", args: []string{"--all-contexts", "-o", "json"}, code: ExitPartial,
			states: "down=failed,locked=partial,prod=ok,staging=ok", paths: map[string]int{"prod": 8, "staging": 8},
			wantStderr: []string{"warning: cluster down could not be read:", "cannot reach the cluster", "cluster locked: warning: could not read clusterroles.rbac.authorization.k8s.io (forbidden)"}},
		{name: "table has a CLUSTER column and the clusters' states", args: []string{"scan", "--context", "prod,down"}, code: ExitPartial,
			stdout: []string{"CLUSTER  STATUS  SOURCE", "down     failed", "prod     ok      " + prod.URL, "prod     ServiceAccount:monitoring:prometheus", "in 2 cluster(s)"}},
		{name: "one distinct context is not a fleet", args: []string{"scan", "--context", "down", "--context", "down,down"}, code: ExitOK},
		{name: "unknown context", args: []string{"scan", "--context", "prod,nope"}, code: ExitError,
			wantStderr: []string{`--context: no context nope in the kubeconfig (contexts: down, locked, prod, staging)`}},
		{name: "--server would make every context the same cluster", args: []string{"scan", "--context", "prod,staging", "--server", prod.URL}, code: ExitError,
			wantStderr: []string{"--server would send every context to the same server"}},
		{name: "chokepoints per cluster", args: []string{"chokepoints", "--context", "prod,staging,down", "-o", "json"}, code: ExitPartial,
			stdout: []string{`"name": "prod"`, `"ClusterRoleBinding/prometheus-secrets"`, `"name": "down"`, `"status": "failed"`}},
		{name: "report per cluster", args: []string{"report", "--context", "prod,staging", "-o", "md"}, code: ExitOK,
			stdout: []string{"# RBAC review: paths to cluster-admin in 2 clusters", "| [prod](#cluster-prod) | ok |", "## Cluster staging", "### Choke points"}},
		{name: "explain refuses a fleet", args: []string{"explain", "User:alice", "--context", "prod,staging"}, code: ExitError,
			wantStderr: []string{"explain works on one cluster: give one --context"}},
		{name: "verify refuses a fleet", args: []string{"verify", "User:alice", "--context", "prod", "--context", "staging"}, code: ExitError,
			wantStderr: []string{"verify works on one cluster"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			fleetKubeconfig(t, servers)
			out, errOut, code := runReview(t, c.args...)
			if c.name == "one distinct context is not a fleet" {
				// --context down given twice is one context: the single-cluster
				// path, whose unreachable cluster is an error.
				if code != ExitError || !strings.Contains(errOut, "cannot reach the cluster") || strings.Contains(out, "CLUSTER") {
					t.Errorf("exit %d\n%s\n%s", code, out, errOut)
				}
				return
			}
			if code != c.code {
				t.Fatalf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", code, c.code, out, errOut)
			}
			for _, w := range c.wantStderr {
				if !strings.Contains(errOut, w) {
					t.Errorf("stderr lacks %q:\n%s", w, errOut)
				}
			}
			for _, w := range c.stdout {
				if !strings.Contains(out, w) {
					t.Errorf("stdout lacks %q:\n%s", w, out)
				}
			}
			if c.states == "" {
				return
			}
			r := parseFleet(t, out)
			if got := clusterStates(r); got != c.states {
				t.Errorf("clusters %s, want %s", got, c.states)
			}
			got := map[string]int{}
			for _, p := range r.Paths {
				got[p.Cluster]++
				if !strings.HasPrefix(p.ID, p.Cluster+"/") || len(review.LocalID(p.ID)) != 12 {
					t.Errorf("path ID %q of cluster %q", p.ID, p.Cluster)
				}
			}
			if fmt.Sprint(got) != fmt.Sprint(c.paths) {
				t.Errorf("paths per cluster %v, want %v", got, c.paths)
			}
			for _, cl := range r.Clusters {
				switch cl.Status {
				case review.ClusterFailed:
					if cl.Error == "" || cl.Summary != nil {
						t.Errorf("failed %s: error %q, summary %v", cl.Name, cl.Error, cl.Summary)
					}
				case review.ClusterPartial:
					if len(cl.Incomplete) == 0 {
						t.Errorf("partial %s without the kinds missing", cl.Name)
					}
				case review.ClusterOK:
					if cl.Server == "" || cl.Summary == nil || cl.Summary.Identities == 0 {
						t.Errorf("ok %s: %+v", cl.Name, cl)
					}
				}
			}
		})
	}
}

// TestFleetSingleContextUnchanged: one --context keeps kubectl's meaning and
// the single-cluster output (no cluster field, bare path IDs).
func TestFleetSingleContextUnchanged(t *testing.T) {
	prod := fileAPIServer(t, rv("cluster.yaml"))
	staging := fileAPIServer(t, rv("cluster-old.yaml"))
	fleetKubeconfig(t, map[string]string{"prod": prod.URL, "staging": staging.URL})
	out, errOut, code := runReview(t, "scan", "--context", "staging", "-o", "json")
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if strings.Contains(out, `"cluster"`) || strings.Contains(out, `"clusters"`) {
		t.Errorf("single context output has cluster fields:\n%s", out)
	}
	// staging is cluster-old.yaml: eve's path is there, prometheus's not.
	if !strings.Contains(out, `"id": "7ff714121edd"`) || strings.Contains(out, "prometheus") {
		t.Errorf("--context staging did not read staging:\n%s", out)
	}
	// The current context (prod) is read without --context.
	out, _, _ = runReview(t, "scan", "-o", "json")
	if !strings.Contains(out, "prometheus") {
		t.Error("no --context: the current context (prod) should be read")
	}
}

// TestFleetFiles runs fleets from files (--cluster-file NAME=PATH): baseline
// diff and acceptances per cluster, a failing member, and the flag checks.
func TestFleetFiles(t *testing.T) {
	prod, staging := "prod="+rv("cluster.yaml"), "staging="+rv("cluster-old.yaml")
	broken := "broken=" + rv("fleet/broken.yaml")
	fleetArgs := func(extra ...string) []string {
		return append([]string{"scan", "--cluster-file", prod, "--cluster-file", staging}, extra...)
	}
	cases := []struct {
		name   string
		args   []string
		code   int
		check  func(t *testing.T, r fleetResult)
		stdout []string
		stderr []string
	}{
		{name: "baseline: new and gone per cluster", args: fleetArgs("--baseline", rv("fleet/baseline.json"), "-o", "json"), code: ExitOK,
			check: func(t *testing.T, r fleetResult) {
				if b := r.Baseline; b == nil || b.New != 2 || b.Gone != 2 || b.Unchanged != 14 {
					t.Errorf("baseline %+v, want 2 new, 14 unchanged, 2 gone", r.Baseline)
				}
				for _, g := range r.Gone {
					if g.Cluster != "prod" {
						t.Errorf("gone %s in %s: staging did not change", g.ID, g.Cluster)
					}
				}
				for _, p := range r.Paths {
					if p.Cluster == "staging" && p.Status != review.StatusUnchanged {
						t.Errorf("staging path %s is %s", p.ID, p.Status)
					}
				}
			}},
		{name: "a member that fails is not compared and not gone", args: []string{"scan", "--cluster-file", prod, "--cluster-file", "staging=" + rv("fleet/broken.yaml"),
			"--baseline", rv("fleet/baseline.json"), "-o", "json"}, code: ExitPartial,
			check: func(t *testing.T, r fleetResult) {
				if b := r.Baseline; b == nil || b.Gone != 2 || strings.Join(b.NotScanned, ",") != "staging" {
					t.Errorf("baseline %+v: staging's paths must be not compared, not gone", r.Baseline)
				}
			}, stderr: []string{"warning: cluster staging could not be read:", "broken.yaml: document 1 (line 1): invalid YAML"}},
		{name: "acceptances per cluster", args: fleetArgs("--accept", rv("fleet/accept.yaml"), "-o", "json"), code: ExitOK,
			check: func(t *testing.T, r fleetResult) {
				var acc []string
				for _, a := range r.Accepted {
					acc = append(acc, a.ID)
				}
				sort.Strings(acc)
				want := "prod/0724195e7490,prod/56923cfb8408,prod/95c13d83658a,staging/56923cfb8408,staging/7ff714121edd"
				if strings.Join(acc, ",") != want {
					t.Errorf("accepted %v, want %s", acc, want)
				}
				for _, p := range r.Paths {
					if p.ID == "staging/95c13d83658a" {
						return // ops is accepted in prod only
					}
				}
				t.Error("staging's User:ops should stay a finding")
			}},
		{name: "table: cluster columns, unused entry, findings", args: fleetArgs("--accept", rv("fleet/accept.yaml")), code: ExitOK,
			stdout: []string{"CLUSTER  SUBJECT", "ENTRY", "staging  User:ops", "note: accept entry 5 (User:alice in cluster dev) matches no current path",
				"[staging] legacy-token-without-enforce-mountable-secrets", "in 2 cluster(s)"}},
		{name: "gate per cluster", args: fleetArgs("--baseline", rv("fleet/baseline.json"), "--fail-on", "new"), code: ExitGate,
			stderr: []string{"gate --fail-on new failed: 2 new path(s) not accepted", "[prod/0724195e7490]", "[prod/27ec34f27599]"}},
		{name: "failing member: partial, the others printed", args: fleetArgs("--cluster-file", broken, "-o", "json"), code: ExitPartial,
			check: func(t *testing.T, r fleetResult) {
				if clusterStates(r) != "broken=failed,prod=ok,staging=ok" || len(r.Paths) != 16 {
					t.Errorf("clusters %s, %d paths", clusterStates(r), len(r.Paths))
				}
			}},
		{name: "every member failing is an error", args: []string{"scan", "--cluster-file", broken}, code: ExitError,
			stderr: []string{"no cluster could be read: broken:"}},
		{name: "findings tagged", args: fleetArgs("-o", "yaml"), code: ExitOK, stdout: []string{"id: prod/0724195e7490", "findings:\n- cluster: prod\n  id: legacy-token", "- cluster: staging\n  id: legacy-token"}},
		{name: "a cluster's files given twice are one cluster", args: []string{"scan", "--cluster-file", prod, "--cluster-file", "prod=" + rv("fleet/prod-extra.yaml"), "-o", "json"}, code: ExitOK,
			check: func(t *testing.T, r fleetResult) {
				if clusterStates(r) != "prod=ok" || len(r.Clusters[0].Files) != 2 {
					t.Errorf("clusters %+v", r.Clusters)
				}
				for _, p := range r.Paths {
					if p.Subject.Name == "frank" && p.Cluster == "prod" {
						return
					}
				}
				t.Error("frank's path (from the second file of prod) is missing")
			}},
		{name: "single-cluster baseline refused in a fleet", args: fleetArgs("--baseline", rv("baseline-old.json")), code: ExitError,
			stderr: []string{"baseline-old.json is a single-cluster scan"}},
		{name: "fleet baseline refused for one cluster", args: []string{"scan", "-f", rv("cluster.yaml"), "--baseline", rv("fleet/baseline.json")}, code: ExitError,
			stderr: []string{"fleet/baseline.json is a fleet scan"}},
		{name: "-f with --cluster-file", args: fleetArgs("-f", rv("cluster.yaml")), code: ExitError, stderr: []string{"give the files there, not with -f"}},
		{name: "malformed --cluster-file", args: []string{"scan", "--cluster-file", rv("cluster.yaml")}, code: ExitError, stderr: []string{"want NAME=PATH"}},
		{name: "--simulate-remove names one cluster's bindings", args: fleetArgs("--simulate-remove", "ClusterRoleBinding/prometheus-secrets"), code: ExitError,
			stderr: []string{"--simulate-remove names bindings of one cluster"}},
		{name: "--cluster-file is not a flag of from", args: []string{"from", "User:alice", "--cluster-file", prod}, code: ExitError,
			stderr: []string{"unknown flag: --cluster-file"}},
		{name: "report gate", args: []string{"report", "--cluster-file", prod, "--cluster-file", staging, "--baseline", rv("fleet/baseline.json"), "--fail-on", "new", "--output-file", filepath.Join(t.TempDir(), "r.md")},
			code: ExitGate, stderr: []string{"gate --fail-on new failed: 2 new path(s)"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			out, errOut, code := runReview(t, c.args...)
			if code != c.code {
				t.Fatalf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", code, c.code, out, errOut)
			}
			for _, w := range c.stdout {
				if !strings.Contains(out, w) {
					t.Errorf("stdout lacks %q:\n%s", w, out)
				}
			}
			for _, w := range c.stderr {
				if !strings.Contains(errOut, w) {
					t.Errorf("stderr lacks %q:\n%s", w, errOut)
				}
			}
			if c.check != nil {
				c.check(t, parseFleet(t, out))
			}
		})
	}
}

// TestFleetReportAndSARIF: the fleet report groups by cluster with each
// cluster's figures; SARIF results carry their cluster.
func TestFleetReportAndSARIF(t *testing.T) {
	args := []string{"--cluster-file", "prod=" + rv("cluster.yaml"), "--cluster-file", "staging=" + rv("cluster-old.yaml"), "--cluster-file", "broken=" + rv("fleet/broken.yaml"),
		"--baseline", rv("fleet/baseline.json")}
	html := filepath.Join(t.TempDir(), "fleet.html")
	_, errOut, code := runReview(t, append([]string{"report", "-o", "html", "--output-file", html}, args...)...)
	if code != ExitPartial {
		t.Fatalf("report: exit %d: %s", code, errOut)
	}
	data, err := os.ReadFile(html)
	if err != nil {
		t.Fatal(err)
	}
	page := string(data)
	for _, w := range []string{
		`<h2 id="clusters">Clusters</h2>`, `<a href="#cluster-prod">prod</a>`, `class="expired">failed: `,
		`<section class="cluster" id="cluster-prod">`, `<h2>Cluster staging</h2>`, `<h3 id="cluster-prod-summary">Summary</h3>`,
		`<h3 id="cluster-staging-chokepoints">Choke points</h3>`,
	} {
		if !strings.Contains(page, w) {
			t.Errorf("html lacks %q", w)
		}
	}
	if strings.Count(page, "<svg") < 2 || strings.Contains(page, `id="cluster-broken"`) {
		t.Error("one graph per cluster read; no section for the failed one")
	}
	if strings.Count(page, "<!DOCTYPE html>") != 1 || !strings.HasSuffix(page, "</html>\n") {
		t.Error("one document")
	}

	out, errOut, code := runReview(t, append([]string{"scan", "-o", "sarif"}, args...)...)
	if code != ExitPartial {
		t.Fatalf("sarif: exit %d: %s", code, errOut)
	}
	var doc struct {
		Runs []struct {
			Results []struct {
				BaselineState string `json:"baselineState"`
				Locations     []struct {
					Logical []struct {
						FQN string `json:"fullyQualifiedName"`
					} `json:"logicalLocations"`
				} `json:"locations"`
				Properties struct {
					Cluster string `json:"cluster"`
					PathID  string `json:"pathId"`
				} `json:"properties"`
			} `json:"results"`
		} `json:"runs"`
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatal(err)
	}
	absent := 0
	for _, r := range doc.Runs[0].Results {
		p := r.Properties
		if p.Cluster == "" || !strings.HasPrefix(p.PathID, p.Cluster+"/") {
			t.Errorf("result %s without its cluster (%q)", p.PathID, p.Cluster)
		}
		for _, l := range r.Locations {
			if !strings.HasPrefix(l.Logical[0].FQN, p.Cluster+"/") {
				t.Errorf("logical location %q not qualified by cluster %s", l.Logical[0].FQN, p.Cluster)
			}
		}
		if r.BaselineState == "absent" {
			absent++
		}
	}
	if absent != 2 {
		t.Errorf("%d absent results, want prod's 2 gone paths", absent)
	}
}
