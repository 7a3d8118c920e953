// Package replay applies every scenario of testdata to a real control plane
// and requires `kubectl auth-paths scan` live (through kubectl's plugin
// discovery) to give the same result as the offline run of the same files.
package replay

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"k8s.io/client-go/tools/clientcmd"

	"github.com/auth-paths/kubectl-auth-paths/test/e2e/cluster"
)

// admissionOff are kube-apiserver's default admission plugins, all turned off
// so that the cluster stores a scenario's objects as written: ServiceAccount
// would refuse pods of missing ServiceAccounts and add token volumes,
// NamespaceLifecycle refuses objects in namespaces a scenario does not
// declare, PodSecurity refuses privileged pods, TaintNodesByCondition and
// DefaultTolerationSeconds add taints and tolerations, webhook and policy
// plugins would apply a scenario's admission configurations to the next
// scenarios' requests, ResourceQuota and the certificate plugins refuse
// requests the analysis reasons about. Validation and defaulting stay.
var admissionOff = []string{
	"NamespaceLifecycle", "LimitRanger", "ServiceAccount", "DefaultStorageClass",
	"PersistentVolumeClaimResize", "DefaultTolerationSeconds", "MutatingAdmissionWebhook",
	"ValidatingAdmissionWebhook", "ResourceQuota", "StorageObjectInUseProtection",
	"PodGroupProtection", "Priority", "TaintNodesByCondition", "RuntimeClass",
	"CertificateApproval", "CertificateSigning", "ClusterTrustBundleAttest",
	"CertificateSubjectRestriction", "DefaultIngressClass", "PodSecurity", "PodTopologyLabels",
	"MutatingAdmissionPolicy", "ValidatingAdmissionPolicy", "NodeDeclaredFeatureValidator",
	"PodResizeValidator",
}

// replayControllers: only ClusterRole aggregation, whose effect the analysis
// computes itself (it takes the union of the selected roles' rules whatever
// an aggregated role's written rules say). The ServiceAccount controllers
// would add "default" ServiceAccounts and token Secrets the files lack.
var replayControllers = []string{"clusterrole-aggregation-controller"}

// notReplayable are scenarios whose live result cannot equal the offline one,
// with the reason. They still run: one whose live result equals the offline
// one fails, so that the list only holds what is true.
// Rule packs' scenarios replay too: live mode reads the CRDs and the
// aws-auth ConfigMap they activate on (as metadata only).
var notReplayable = map[string]string{}

// scenario is one input file to replay.
type scenario struct {
	name  string // scenarios/NAME or plugins/NAME
	input string
}

func scenarios(t *testing.T) []scenario {
	t.Helper()
	root, err := cluster.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	var out []scenario
	for _, set := range []string{"scenarios", "plugins"} {
		files, err := filepath.Glob(filepath.Join(root, "testdata", set, "*", "input.yaml"))
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range files {
			out = append(out, scenario{name: set + "/" + filepath.Base(filepath.Dir(f)), input: f})
		}
	}
	if len(out) < 100 {
		t.Fatalf("found %d scenarios under %s/testdata: the replay expects every scenario", len(out), root)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].name < out[j].name })
	return out
}

// run is one run of the plugin.
type run struct {
	stdout, stderr string
	code           int
}

func (r run) String() string {
	return fmt.Sprintf("exit %d\nstderr:\n%s", r.code, r.stderr)
}

func execRun(cmd *exec.Cmd) (run, error) {
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	r := run{stdout: out.String(), stderr: errb.String()}
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		r.code = ee.ExitCode()
		err = nil
	}
	return r, err
}

// replay holds the dedicated control plane.
type replay struct {
	c        *cluster.Cluster
	plugin   string
	baseline string // dump of the fresh cluster
}

// live runs `kubectl auth-paths ARGS` against the cluster, the plugin found on PATH.
func (rp *replay) live(args ...string) (run, error) {
	// kubectl takes no flags before a plugin's name: the kubeconfig comes from
	// the environment.
	cmd := exec.Command(rp.c.Bin.Kubectl, append([]string{"auth-paths"}, args...)...)
	cmd.Env = append(os.Environ(),
		"KUBECONFIG="+rp.c.Kubeconfig,
		"PATH="+filepath.Dir(rp.plugin)+string(os.PathListSeparator)+os.Getenv("PATH"))
	return execRun(cmd)
}

// offline runs the plugin on files, with no cluster.
func (rp *replay) offline(args ...string) (run, error) {
	cmd := exec.Command(rp.plugin, args...)
	cmd.Env = append(os.Environ(), "KUBECONFIG=/nonexistent")
	return execRun(cmd)
}

func (rp *replay) offlineScan(files ...string) (run, error) {
	args := []string{"scan", "-o", "json"}
	for _, f := range files {
		args = append(args, "-f", f)
	}
	return rp.offline(args...)
}

// createdRE matches the creation time the output gives of a legacy token
// Secret. The apiserver sets creationTimestamp itself (a file's value is
// ignored, a file without one gets one): the comparison leaves it out.
var createdRE = regexp.MustCompile(`, created \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ`)

// same reports how the live run differs from the offline one ("" when equal).
func same(offline, live run) string {
	var o, l any
	if err := json.Unmarshal(createdRE.ReplaceAll([]byte(offline.stdout), nil), &o); err != nil {
		return fmt.Sprintf("offline output is not JSON (%v): %s\n%s", err, offline, offline.stdout)
	}
	if err := json.Unmarshal(createdRE.ReplaceAll([]byte(live.stdout), nil), &l); err != nil {
		return fmt.Sprintf("live output is not JSON (%v): %s\n%s", err, live, live.stdout)
	}
	var b strings.Builder
	if offline.code != live.code {
		fmt.Fprintf(&b, "exit status: offline %d, live %d\n", offline.code, live.code)
	}
	if d := cmp.Diff(o, l); d != "" {
		fmt.Fprintf(&b, "scan -o json (-offline +live):\n%s", d)
	}
	if b.Len() > 0 {
		fmt.Fprintf(&b, "offline stderr:\n%slive stderr:\n%s", offline.stderr, live.stderr)
	}
	return b.String()
}

// serverSet are metadata fields the apiserver sets whatever a file says.
var serverSet = []string{"uid", "resourceVersion", "creationTimestamp", "generation"}

// inventoryDiff compares what the offline and live runs read, as dumps, with
// the fields the apiserver sets removed: it explains a difference of results.
func (rp *replay) inventoryDiff(input string) string {
	o, oerr := rp.offline("dump", "-o", "json", "-f", rp.baseline, "-f", input)
	l, lerr := rp.live("dump", "-o", "json")
	if oerr != nil || lerr != nil || o.code != 0 || l.code != 0 {
		return fmt.Sprintf("dumps failed: %v %v\n%s\n%s", oerr, lerr, o, l)
	}
	var od, ld struct {
		Items []map[string]any `json:"items"`
	}
	if err := json.Unmarshal([]byte(o.stdout), &od); err != nil {
		return err.Error()
	}
	if err := json.Unmarshal([]byte(l.stdout), &ld); err != nil {
		return err.Error()
	}
	for _, items := range [][]map[string]any{od.Items, ld.Items} {
		for _, it := range items {
			if m, ok := it["metadata"].(map[string]any); ok {
				for _, f := range serverSet {
					delete(m, f)
				}
			}
		}
	}
	return cmp.Diff(od.Items, ld.Items)
}

// TestReplayScenarios applies each scenario of testdata/scenarios and
// testdata/plugins in turn to a dedicated control plane, runs `kubectl
// auth-paths scan -o json` live through plugin discovery, and compares it with
// `kubectl-auth_paths scan -o json -f baseline.yaml -f input.yaml`, where
// baseline.yaml is a dump of the fresh cluster (its bootstrap roles and
// bindings): both sides see the same objects. Between scenarios etcd is reset
// to the fresh cluster's content.
func TestReplayScenarios(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: no control plane")
	}
	start := time.Now()
	all := scenarios(t)
	dir := t.TempDir()
	c, err := cluster.New(cluster.Options{
		Dir:  dir,
		Logf: t.Logf,
		APIServerArgs: []string{
			"--disable-admission-plugins=" + strings.Join(admissionOff, ","),
			// Scenarios hold privileged pods (kube-proxy, node agents).
			"--allow-privileged=true",
		},
		Controllers: replayControllers,
	})
	if err != nil {
		t.Fatalf("starting the control plane: %v", err)
	}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("control plane logs (dir %s):\n%s", c.Dir, c.LogTails(40))
		}
		c.Stop()
	})
	rp := &replay{c: c}
	if rp.plugin, err = cluster.BuildPlugin(dir); err != nil {
		t.Fatal(err)
	}
	ctx := t.Context()
	snap, err := c.SnapshotEtcd(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer snap.Close() //nolint:errcheck // test teardown
	rp.baseline = filepath.Join(dir, "baseline.yaml")
	if r, err := rp.live("dump", "-o", "yaml", "--output-file", rp.baseline); err != nil || r.code != 0 {
		t.Fatalf("dump of the fresh cluster: %v %s", err, r)
	}
	cfg, err := clientcmd.BuildConfigFromFlags("", c.Kubeconfig)
	if err != nil {
		t.Fatal(err)
	}
	cfg.QPS, cfg.Burst = 200, 400
	ap, err := newApplier(cfg)
	if err != nil {
		t.Fatal(err)
	}
	setup := time.Since(start)

	// The offline runs need no cluster: they run beside the live loop.
	type offlineResult struct {
		r   run
		err error
	}
	offline := make([]chan offlineResult, len(all))
	jobs := make(chan int)
	for i := range offline {
		offline[i] = make(chan offlineResult, 1)
	}
	go func() {
		defer close(jobs)
		for i := range all {
			select {
			case jobs <- i:
			case <-ctx.Done():
				return
			}
		}
	}()
	for w := 0; w < 2; w++ {
		go func() {
			for i := range jobs {
				r, err := rp.offlineScan(rp.baseline, all[i].input)
				offline[i] <- offlineResult{r, err}
			}
		}()
	}

	checkBaseline := func(t *testing.T) {
		o, err := rp.offlineScan(rp.baseline)
		if err != nil {
			t.Fatal(err)
		}
		l, err := rp.live("scan", "-o", "json")
		if err != nil {
			t.Fatal(err)
		}
		if d := same(o, l); d != "" {
			t.Fatalf("the fresh cluster, live and from its dump:\n%s", d)
		}
	}
	t.Run("baseline", checkBaseline)

	var applyTime, liveTime, resetTime time.Duration
	objects, replayed, skipped := 0, 0, 0
	for i, sc := range all {
		t.Run(sc.name, func(t *testing.T) {
			why, listed := notReplayable[sc.name]
			skip := ""
			t0 := time.Now()
			n, err := ap.applyScenario(ctx, sc.input)
			objects += n
			t1 := time.Now()
			applyTime += t1.Sub(t0)
			var l run
			if err == nil {
				l, err = rp.live("scan", "-o", "json")
			}
			liveTime += time.Since(t1)
			o := <-offline[i]
			if err == nil && o.err == nil {
				replayed++
				d := same(o.r, l)
				switch {
				case listed && d == "":
					t.Errorf("listed as not replayable (%s), but live equals offline: remove it from notReplayable", why)
				case listed:
					skipped++
					skip = "not replayable: " + why
				case d != "":
					t.Errorf("%s: live differs from offline:\n%s\nwhat was read (-offline +live):\n%s", sc.input, d, rp.inventoryDiff(sc.input))
				}
			}
			t2 := time.Now()
			deleted, restored, rerr := snap.Reset(ctx)
			resetTime += time.Since(t2)
			if err != nil {
				t.Fatal(err)
			}
			if o.err != nil {
				t.Fatal(o.err)
			}
			if rerr != nil {
				t.Fatalf("resetting etcd: %v", rerr)
			}
			if n > 0 && deleted+restored == 0 {
				t.Errorf("reset after %d objects changed nothing in etcd", n)
			}
			if skip != "" {
				t.Skip(skip)
			}
		})
	}
	// The resets left the fresh cluster.
	t.Run("baseline after the replay", checkBaseline)
	t.Logf("replay: %d scenarios replayed (%d objects), %d of them known to differ (skipped); setup %s, apply %s, live scans %s, etcd resets %s, total %s",
		replayed, objects, skipped, setup.Round(time.Millisecond), applyTime.Round(time.Millisecond),
		liveTime.Round(time.Millisecond), resetTime.Round(time.Millisecond), time.Since(start).Round(time.Millisecond))
}
