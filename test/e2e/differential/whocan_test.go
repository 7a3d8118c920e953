package differential

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	authorizationv1 "k8s.io/api/authorization/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"

	"github.com/auth-paths/kubectl-auth-paths/test/e2e/cluster"
	"github.com/auth-paths/kubectl-auth-paths/test/e2e/rbacworld"
)

// Environment knobs.
const (
	envSeed     = "AUTH_PATHS_E2E_SEED"         // world seed; random when unset
	envRequests = "AUTH_PATHS_E2E_REQUESTS"     // distinct requests; default 600
	envPlugin   = "AUTH_PATHS_E2E_PLUGIN"       // prebuilt kubectl-auth_paths; built from the repo when unset
	envSeconds  = "AUTH_PATHS_E2E_DIFF_SECONDS" // compare-phase budget in seconds; default 180, 0 = none
)

// minChecks is how many SubjectAccessReview comparisons each mode (offline,
// live) makes at least, whatever the time budget.
const minChecks = 10_000

// whoCanOutput is the -o json shape of who-can.
type whoCanOutput struct {
	Request  *whoCanRequest  `json:"request,omitempty"`
	Subjects []whoCanSubject `json:"subjects"`
}

type whoCanRequest struct {
	Verb        string `json:"verb"`
	APIGroup    string `json:"apiGroup,omitempty"`
	Resource    string `json:"resource,omitempty"`
	Subresource string `json:"subresource,omitempty"`
	Name        string `json:"name,omitempty"`
	Namespace   string `json:"namespace,omitempty"`
	Path        string `json:"path,omitempty"`
}

type whoCanSubject struct {
	Kind      string   `json:"kind"`
	Name      string   `json:"name"`
	Namespace string   `json:"namespace,omitempty"`
	GrantedBy []string `json:"grantedBy"`
}

// allows decides from who-can's subjects whether the identity is allowed.
func (o whoCanOutput) allows(id rbacworld.Identity) bool {
	for _, s := range o.Subjects {
		switch s.Kind {
		case "User":
			if s.Name == id.User {
				return true
			}
		case "Group":
			for _, g := range id.Groups {
				if g == s.Name {
					return true
				}
			}
		case "ServiceAccount":
			if id.User == "system:serviceaccount:"+s.Namespace+":"+s.Name {
				return true
			}
		}
	}
	return false
}

func (o whoCanOutput) grantsFor(id rbacworld.Identity) []string {
	var out []string
	for _, s := range o.Subjects {
		match := false
		switch s.Kind {
		case "User":
			match = s.Name == id.User
		case "Group":
			for _, g := range id.Groups {
				match = match || g == s.Name
			}
		case "ServiceAccount":
			match = id.User == "system:serviceaccount:"+s.Namespace+":"+s.Name
		}
		if match {
			out = append(out, s.GrantedBy...)
		}
	}
	return out
}

func (o whoCanOutput) summary() string {
	var parts []string
	for _, s := range o.Subjects {
		n := s.Kind + ":" + s.Name
		if s.Namespace != "" {
			n = s.Kind + ":" + s.Namespace + "/" + s.Name
		}
		parts = append(parts, n)
	}
	return "[" + strings.Join(parts, " ") + "]"
}

type sarAnswer struct {
	allowed bool
	denied  bool
	reason  string
	evalErr string
}

func (a sarAnswer) String() string {
	s := fmt.Sprintf("allowed=%v", a.allowed)
	if a.denied {
		s += " denied=true"
	}
	if a.reason != "" {
		s += fmt.Sprintf(" reason=%q", a.reason)
	}
	if a.evalErr != "" {
		s += fmt.Sprintf(" evaluationError=%q", a.evalErr)
	}
	return s
}

type disagreement struct {
	mode    string
	req     rbacworld.Request
	id      rbacworld.Identity
	sar     sarAnswer
	whoCan  whoCanOutput
	problem string
}

func (d disagreement) String() string {
	if d.problem != "" {
		return fmt.Sprintf("[%s] %s: %s", d.mode, d.req, d.problem)
	}
	return fmt.Sprintf("[%s] request: %s\n    identity: %s\n    SubjectAccessReview: %s\n    who-can: allowed=%v via %q; subjects %s",
		d.mode, d.req, d.id, d.sar, !d.sar.allowed, d.whoCan.grantsFor(d.id), d.whoCan.summary())
}

func TestWhoCanAgreesWithSubjectAccessReview(t *testing.T) {
	start := time.Now()
	c := cluster.Shared(t)
	t.Logf("control plane ready after %s", time.Since(start).Round(time.Millisecond))

	seed := time.Now().UnixNano() % 1_000_000_000
	if s := os.Getenv(envSeed); s != "" {
		v, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			t.Fatalf("%s=%q: %v", envSeed, s, err)
		}
		seed = v
	}
	nRequests := 600
	if s := os.Getenv(envRequests); s != "" {
		v, err := strconv.Atoi(s)
		if err != nil || v <= 0 {
			t.Fatalf("%s=%q: want a positive number", envRequests, s)
		}
		nRequests = v
	}
	// The compare phase is sized to its time: past the budget no new request
	// is started, once each mode has made minChecks comparisons. A slow or
	// loaded machine checks fewer requests (all of them a prefix of the
	// seed's sequence, reproducible with the count printed), never too few.
	budget := 180 * time.Second
	if s := os.Getenv(envSeconds); s != "" {
		v, err := strconv.Atoi(s)
		if err != nil || v < 0 {
			t.Fatalf("%s=%q: want a number of seconds (0: no budget)", envSeconds, s)
		}
		budget = time.Duration(v) * time.Second
	}
	t.Logf("seed %d (reproduce with %s=%d)", seed, envSeed, seed)
	fmt.Fprintf(os.Stderr, "differential: seed %d (reproduce with %s=%d)\n", seed, envSeed, seed)

	work := t.TempDir()
	plugin := buildPlugin(t, work)

	// The world.
	w := rbacworld.Generate(seed)
	t.Log(w.Describe())
	worldYAML, err := w.YAML()
	if err != nil {
		t.Fatal(err)
	}
	worldFile := filepath.Join(work, "world.yaml")
	if err := os.WriteFile(worldFile, worldYAML, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Kubectl("create", "-f", worldFile); err != nil {
		t.Fatalf("creating the world: %v", err)
	}
	client := adminClient(t, c)
	waitAggregated(t, client, 2*time.Minute)

	dump, err := c.Kubectl("get", "clusterroles,clusterrolebindings,roles,rolebindings,serviceaccounts,namespaces", "-A", "-o", "yaml")
	if err != nil {
		t.Fatalf("dumping: %v", err)
	}
	dumpFile := filepath.Join(work, "dump.yaml")
	if err := os.WriteFile(dumpFile, []byte(dump), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if t.Failed() {
			keep, err := os.MkdirTemp("", "auth-paths-e2e-failure-")
			if err == nil {
				for _, f := range []string{worldFile, dumpFile} {
					if data, err := os.ReadFile(f); err == nil {
						_ = os.WriteFile(filepath.Join(keep, filepath.Base(f)), data, 0o644)
					}
				}
				t.Logf("world and dump kept in %s", keep)
			}
		}
	})

	requests := w.Requests(nRequests)
	ids := w.Identities
	minRequests := min(len(requests), (minChecks+len(ids)-1)/len(ids))
	t.Logf("%d requests x %d identities (at least %d requests, then up to a budget of %s)", len(requests), len(ids), minRequests, budget)

	var (
		offlineChecks, liveChecks atomic.Int64
		mu                        sync.Mutex
		problems                  []disagreement
		nProblems                 int
		offlineJSON               = make([][]byte, len(requests))
		started                   = make([]bool, len(requests))
	)
	report := func(d disagreement) {
		mu.Lock()
		defer mu.Unlock()
		nProblems++
		if len(problems) < 40 {
			problems = append(problems, d)
		}
	}
	ctx := context.Background()
	phase := time.Now()
	var wg sync.WaitGroup
	next := atomic.Int64{}
	for range 3 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1) - 1)
				if i >= len(requests) {
					return
				}
				if budget > 0 && i >= minRequests && time.Since(phase) > budget {
					next.Store(int64(len(requests))) // no worker starts another
					return
				}
				started[i] = true
				q := requests[i]
				answers := make([]sarAnswer, len(ids))
				for j, id := range ids {
					a, err := subjectAccessReview(ctx, client, q, id)
					if err != nil {
						report(disagreement{mode: "sar", req: q, id: id, problem: "SubjectAccessReview failed: " + err.Error()})
						return
					}
					answers[j] = a
				}
				for _, mode := range []string{"offline", "live"} {
					args := q.WhoCanArgs()
					if mode == "offline" {
						args = append(args, "-f", dumpFile)
					} else {
						args = append(args, "--kubeconfig", c.Kubeconfig)
					}
					args = append(args, "-o", "json")
					raw, out, err := runWhoCan(plugin, args)
					if err != nil {
						report(disagreement{mode: mode, req: q, problem: err.Error()})
						continue
					}
					if mode == "offline" {
						offlineJSON[i] = raw
					}
					if p := checkShape(q, out); p != "" {
						report(disagreement{mode: mode, req: q, problem: p})
					}
					for j, id := range ids {
						if mode == "offline" {
							offlineChecks.Add(1)
						} else {
							liveChecks.Add(1)
						}
						if out.allows(id) != answers[j].allowed {
							report(disagreement{mode: mode, req: q, id: id, sar: answers[j], whoCan: out})
						}
					}
				}
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(phase)
	nDone := 0
	for nDone < len(started) && started[nDone] {
		nDone++
	}
	if nDone < len(requests) {
		t.Logf("time budget %s reached after %d of %d requests (reproduce these with %s=%d %s=%d %s=0)",
			budget, nDone, len(requests), envSeed, seed, envRequests, nDone, envSeconds)
	}

	// Plugin discovery: the same requests through `kubectl auth-paths`.
	nPlugin := 0
	pluginStart := time.Now()
	for i := 0; i < nDone && nPlugin < 25; i += max(1, nDone/25) {
		if offlineJSON[i] == nil {
			continue
		}
		args := append(append([]string{"auth-paths"}, requests[i].WhoCanArgs()...), "-f", dumpFile, "-o", "json")
		cmd := exec.Command(c.Bin.Kubectl, args...)
		cmd.Env = append(os.Environ(),
			"PATH="+filepath.Dir(plugin)+string(os.PathListSeparator)+os.Getenv("PATH"),
			"KUBECONFIG="+c.Kubeconfig)
		var stdout, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		if err := cmd.Run(); err != nil {
			report(disagreement{mode: "plugin", req: requests[i], problem: fmt.Sprintf("kubectl %s: %v: %s", strings.Join(args, " "), err, stderr.String())})
			continue
		}
		if !bytes.Equal(stdout.Bytes(), offlineJSON[i]) {
			report(disagreement{mode: "plugin", req: requests[i], problem: fmt.Sprintf("kubectl auth-paths printed other JSON than kubectl-auth_paths:\n%s\nvs\n%s", stdout.String(), offlineJSON[i])})
		}
		nPlugin++
	}

	summary := fmt.Sprintf("differential: %d SubjectAccessReview checks offline, %d live, %d disagreements (seed %d, %d of %d requests x %d identities, %d plugin invocations; compare phase %s, plugin phase %s)",
		offlineChecks.Load(), liveChecks.Load(), nProblems, seed, nDone, len(requests), len(ids), nPlugin,
		elapsed.Round(time.Millisecond), time.Since(pluginStart).Round(time.Millisecond))
	t.Log(summary)
	fmt.Fprintln(os.Stderr, summary)
	if nProblems > 0 {
		var b strings.Builder
		for _, d := range problems {
			b.WriteString(d.String())
			b.WriteString("\n")
		}
		if nProblems > len(problems) {
			fmt.Fprintf(&b, "... and %d more\n", nProblems-len(problems))
		}
		t.Errorf("who-can disagrees with the apiserver (reproduce with %s=%d):\n%s", envSeed, seed, b.String())
	}
	if nPlugin < 20 {
		t.Errorf("only %d invocations through kubectl plugin discovery, want >= 20", nPlugin)
	}
	if want := int64(minRequests * len(ids)); offlineChecks.Load() < want || liveChecks.Load() < want {
		t.Errorf("too few checks: %d offline, %d live, want >= %d each", offlineChecks.Load(), liveChecks.Load(), want)
	}
}

// checkShape verifies what every who-can answer must hold: system:masters is
// listed, ServiceAccounts carry a namespace, and (when the tool echoes it) the
// request is the one meant.
func checkShape(q rbacworld.Request, out whoCanOutput) string {
	masters := false
	for _, s := range out.Subjects {
		if s.Kind == "Group" && s.Name == "system:masters" {
			masters = true
		}
		if s.Kind == "ServiceAccount" && s.Namespace == "" {
			return fmt.Sprintf("ServiceAccount subject %q without namespace", s.Name)
		}
		if s.Kind == "User" && strings.HasPrefix(s.Name, "system:serviceaccount:") {
			return fmt.Sprintf("User subject %q should be reported as a ServiceAccount", s.Name)
		}
		if len(s.GrantedBy) == 0 {
			return fmt.Sprintf("subject %s %q has no grantedBy", s.Kind, s.Name)
		}
	}
	if !masters {
		return "Group system:masters is not listed"
	}
	if out.Request != nil {
		want := whoCanRequest{Verb: q.Verb, APIGroup: q.Group, Resource: q.Resource, Subresource: q.Subresource, Name: q.Name, Namespace: q.Namespace, Path: q.Path}
		if *out.Request != want {
			return fmt.Sprintf("who-can understood the request as %+v, want %+v", *out.Request, want)
		}
	}
	return ""
}

func runWhoCan(plugin string, args []string) ([]byte, whoCanOutput, error) {
	var out whoCanOutput
	cmd := exec.Command(plugin, args...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return nil, out, fmt.Errorf("kubectl-auth_paths %s: %v: %s", strings.Join(args, " "), err, strings.TrimSpace(stderr.String()))
	}
	if err := json.Unmarshal(stdout.Bytes(), &out); err != nil {
		return nil, out, fmt.Errorf("kubectl-auth_paths %s: bad JSON: %v: %s", strings.Join(args, " "), err, stdout.String())
	}
	return stdout.Bytes(), out, nil
}

func subjectAccessReview(ctx context.Context, client kubernetes.Interface, q rbacworld.Request, id rbacworld.Identity) (sarAnswer, error) {
	sar := &authorizationv1.SubjectAccessReview{Spec: authorizationv1.SubjectAccessReviewSpec{User: id.User, Groups: id.Groups}}
	if q.IsResource() {
		sar.Spec.ResourceAttributes = &authorizationv1.ResourceAttributes{
			Namespace: q.Namespace, Verb: q.Verb, Group: q.Group, Resource: q.Resource, Subresource: q.Subresource, Name: q.Name,
		}
	} else {
		sar.Spec.NonResourceAttributes = &authorizationv1.NonResourceAttributes{Path: q.Path, Verb: q.Verb}
	}
	var res *authorizationv1.SubjectAccessReview
	var err error
	for attempt := 0; attempt < 5; attempt++ {
		res, err = client.AuthorizationV1().SubjectAccessReviews().Create(ctx, sar, metav1.CreateOptions{})
		if err == nil {
			break
		}
		time.Sleep(time.Duration(200*(attempt+1)) * time.Millisecond)
	}
	if err != nil {
		return sarAnswer{}, err
	}
	return sarAnswer{allowed: res.Status.Allowed, denied: res.Status.Denied, reason: res.Status.Reason, evalErr: res.Status.EvaluationError}, nil
}

func adminClient(t *testing.T, c *cluster.Cluster) kubernetes.Interface {
	t.Helper()
	cfg, err := clientcmd.BuildConfigFromFlags("", c.Kubeconfig)
	if err != nil {
		t.Fatal(err)
	}
	cfg.QPS, cfg.Burst = 1000, 1000
	client, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return client
}

// buildPlugin builds kubectl-auth_paths from the repository (or takes
// $AUTH_PATHS_E2E_PLUGIN) into dir.
func buildPlugin(t *testing.T, dir string) string {
	t.Helper()
	if p := os.Getenv(envPlugin); p != "" {
		abs, err := filepath.Abs(p)
		if err != nil {
			t.Fatal(err)
		}
		bin := filepath.Join(dir, "bin", "kubectl-auth_paths")
		data, err := os.ReadFile(abs)
		if err != nil {
			t.Fatalf("%s: %v", envPlugin, err)
		}
		if err := os.MkdirAll(filepath.Dir(bin), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(bin, data, 0o755); err != nil {
			t.Fatal(err)
		}
		return bin
	}
	root, err := cluster.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(dir, "bin", "kubectl-auth_paths")
	start := time.Now()
	cmd := exec.Command("go", "build", "-o", bin, "./cmd/kubectl-auth_paths")
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "GOWORK=off", "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("building kubectl-auth_paths in %s: %v\n%s", root, err, out)
	}
	t.Logf("built %s in %s", bin, time.Since(start).Round(time.Millisecond))
	return bin
}

// waitAggregated waits until the clusterrole-aggregation controller has filled
// every aggregated ClusterRole and the rules stopped changing.
func waitAggregated(t *testing.T, client kubernetes.Interface, timeout time.Duration) {
	t.Helper()
	ctx := context.Background()
	deadline := time.Now().Add(timeout)
	var last string
	stable := 0
	start := time.Now()
	for {
		list, err := client.RbacV1().ClusterRoles().List(ctx, metav1.ListOptions{})
		if err != nil {
			t.Fatal(err)
		}
		state, pending := aggregationState(list.Items)
		if pending == "" && state == last {
			stable++
		} else {
			stable = 0
		}
		last = state
		if stable >= 4 {
			t.Logf("ClusterRole aggregation stable after %s", time.Since(start).Round(time.Millisecond))
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("ClusterRole aggregation not done after %s: %s", timeout, pending)
		}
		time.Sleep(500 * time.Millisecond)
	}
}

// aggregationState fingerprints the aggregated roles' rules and names one that
// should have rules by now but has none.
func aggregationState(roles []rbacv1.ClusterRole) (state, pending string) {
	sort.Slice(roles, func(i, j int) bool { return roles[i].Name < roles[j].Name })
	var b strings.Builder
	for _, cr := range roles {
		if cr.AggregationRule == nil {
			continue
		}
		rules, _ := json.Marshal(cr.Rules)
		fmt.Fprintf(&b, "%s=%s\n", cr.Name, rules)
		if len(cr.Rules) > 0 || pending != "" {
			continue
		}
		for _, sel := range cr.AggregationRule.ClusterRoleSelectors {
			s, err := metav1.LabelSelectorAsSelector(&sel)
			if err != nil {
				continue
			}
			for _, other := range roles {
				if other.Name != cr.Name && len(other.Rules) > 0 && s.Matches(labels.Set(other.Labels)) {
					pending = fmt.Sprintf("ClusterRole %q has no rules yet although %q matches it", cr.Name, other.Name)
				}
			}
		}
	}
	return b.String(), pending
}
