package e2e

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"
)

// TestLiveScale loads a cluster with 1,000 generated namespaces (a
// ServiceAccount, a token Secret, a Role and a RoleBinding each, created
// through the apiserver) and reports how long the live load takes and how
// many requests it makes, counted in the audit log. Nothing is asserted on
// time; the figures go to docs/live.md.
// AUTH_PATHS_E2E_SCALE_NAMESPACES changes the count; -short skips the test.
func TestLiveScale(t *testing.T) {
	if testing.Short() {
		t.Skip("-short")
	}
	e := liveEnv(t)
	n := 1000
	if s := os.Getenv("AUTH_PATHS_E2E_SCALE_NAMESPACES"); s != "" {
		v, err := strconv.Atoi(s)
		if err != nil {
			t.Fatal(err)
		}
		n = v
	}
	cfg, err := clientcmd.BuildConfigFromFlags("", e.c.Kubeconfig)
	if err != nil {
		t.Fatal(err)
	}
	cfg.QPS, cfg.Burst = 1000, 1000
	client, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	createNamespaces(t, client, n)
	t.Logf("created %d namespaces with 4 objects each in %s", n, time.Since(start).Round(time.Millisecond))

	dir := t.TempDir()
	type row struct {
		what     string
		elapsed  time.Duration
		requests int
		lists    map[string]int
	}
	var rows []row
	measure := func(what string, args ...string) result {
		before := e.auditLines(t)
		r := e.run(t, args...)
		if r.code != 0 {
			t.Fatalf("%v: exit %d: %s", args, r.code, r.stderr)
		}
		var events []auditEvent
		// The last events land as the requests complete.
		for i := 0; i < 20; i++ {
			events, _ = e.toolEvents(t, before)
			time.Sleep(100 * time.Millisecond)
			if again, _ := e.toolEvents(t, before); len(again) == len(events) {
				break
			}
		}
		lists := map[string]int{}
		for _, ev := range events {
			if ev.ObjectRef != nil {
				lists[ev.ObjectRef.Resource]++
			} else {
				lists[ev.RequestURI]++
			}
		}
		rows = append(rows, row{what: what, elapsed: r.elapsed, requests: len(events), lists: lists})
		return r
	}
	q := []string{"who-can", "get", "secrets", "-n", "gen-0007", "-o", "json"}
	live := measure("who-can, live, --chunk-size 500 (default)", q...)
	measure("who-can, live, --chunk-size 100", append([]string{"--chunk-size=100"}, q...)...)
	dump := filepath.Join(dir, "scale.yaml")
	measure("dump -o yaml --output-file", "dump", "--output-file", dump)
	off := e.run(t, append(q, "-f", dump)...)
	if off.code != 0 {
		t.Fatalf("offline: exit %d: %s", off.code, off.stderr)
	}
	if lw, ow := string(mustJSON(t, parseWhoCan(t, live).Subjects)), string(mustJSON(t, parseWhoCan(t, off).Subjects)); lw != ow {
		t.Errorf("live and dump answers differ at scale:\n%s\n%s", lw, ow)
	}
	fi, err := os.Stat(dump)
	if err != nil {
		t.Fatal(err)
	}

	var b strings.Builder
	fmt.Fprintf(&b, "\nscale figures: %d generated namespaces; dump %d bytes; offline who-can on the dump: %s\n", n, fi.Size(), off.elapsed.Round(time.Millisecond))
	fmt.Fprintf(&b, "| run | wall time | requests | requests per resource |\n|---|---|---|---|\n")
	for _, r := range rows {
		keys := make([]string, 0, len(r.lists))
		for k := range r.lists {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		var parts []string
		for _, k := range keys {
			if r.lists[k] > 1 {
				parts = append(parts, fmt.Sprintf("%s %d", k, r.lists[k]))
			}
		}
		fmt.Fprintf(&b, "| %s | %s | %d | %s (others 1) |\n", r.what, r.elapsed.Round(time.Millisecond), r.requests, strings.Join(parts, ", "))
	}
	t.Log(b.String())
	if out := os.Getenv("AUTH_PATHS_E2E_FIGURES"); out != "" {
		if err := os.WriteFile(out, []byte(b.String()), 0o644); err != nil {
			t.Error(err)
		}
	}
}

// createNamespaces creates gen-0000 … with a ServiceAccount, a token Secret,
// a Role and a RoleBinding each, 16 namespaces at a time.
func createNamespaces(t *testing.T, client kubernetes.Interface, n int) {
	t.Helper()
	ctx := context.Background()
	jobs := make(chan int)
	var wg sync.WaitGroup
	var mu sync.Mutex
	var firstErr error
	for w := 0; w < 16; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				if err := createNamespace(ctx, client, fmt.Sprintf("gen-%04d", i)); err != nil {
					mu.Lock()
					if firstErr == nil {
						firstErr = err
					}
					mu.Unlock()
				}
			}
		}()
	}
	for i := 0; i < n; i++ {
		jobs <- i
	}
	close(jobs)
	wg.Wait()
	if firstErr != nil {
		t.Fatal(firstErr)
	}
}

func createNamespace(ctx context.Context, client kubernetes.Interface, ns string) error {
	opts := metav1.CreateOptions{}
	if _, err := client.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns, Labels: map[string]string{"generated": "true"}}}, opts); err != nil {
		return err
	}
	if _, err := client.CoreV1().ServiceAccounts(ns).Create(ctx, &corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Name: "app"}}, opts); err != nil {
		return err
	}
	if _, err := client.CoreV1().Secrets(ns).Create(ctx, &corev1.Secret{
		ObjectMeta: metav1.ObjectMeta{Name: "app-token", Annotations: map[string]string{corev1.ServiceAccountNameKey: "app"}},
		Type:       corev1.SecretTypeServiceAccountToken,
	}, opts); err != nil {
		return err
	}
	if _, err := client.RbacV1().Roles(ns).Create(ctx, &rbacv1.Role{
		ObjectMeta: metav1.ObjectMeta{Name: "app"},
		Rules:      []rbacv1.PolicyRule{{APIGroups: []string{""}, Resources: []string{"secrets", "configmaps"}, Verbs: []string{"get", "list"}}},
	}, opts); err != nil {
		return err
	}
	_, err := client.RbacV1().RoleBindings(ns).Create(ctx, &rbacv1.RoleBinding{
		ObjectMeta: metav1.ObjectMeta{Name: "app"},
		RoleRef:    rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "Role", Name: "app"},
		Subjects:   []rbacv1.Subject{{Kind: rbacv1.ServiceAccountKind, Name: "app", Namespace: ns}},
	}, opts)
	return err
}
