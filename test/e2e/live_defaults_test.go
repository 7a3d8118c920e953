package e2e

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"

	rbacv1 "k8s.io/api/rbac/v1"
	"k8s.io/kubernetes/plugin/pkg/auth/authorizer/rbac/bootstrappolicy"
	"sigs.k8s.io/yaml"

	"github.com/auth-paths/kubectl-auth-paths/test/e2e/cluster"
)

// defaultsPack is what this test reads of plugins/packs/kubernetes-defaults.yaml.
type defaultsPack struct {
	Expected []struct {
		ID      string `json:"id"`
		Binding struct {
			Kind, Namespace, Name string
		} `json:"binding"`
		RoleRef struct {
			Kind, Name string
		} `json:"roleRef"`
		Subjects []struct {
			Kind, Namespace, Name string
		} `json:"subjects"`
		RoleRules []rbacv1.PolicyRule `json:"roleRules"`
	} `json:"expected"`
}

func readDefaultsPack(t *testing.T) defaultsPack {
	t.Helper()
	root, err := cluster.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(filepath.Join(root, "plugins", "packs", "kubernetes-defaults.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var p defaultsPack
	if err := yaml.Unmarshal(raw, &p); err != nil {
		t.Fatal(err)
	}
	if len(p.Expected) == 0 {
		t.Fatal("kubernetes-defaults.yaml declares nothing")
	}
	return p
}

// TestKubernetesDefaultsPackIsTheRelease: every declaration of the
// kubernetes-defaults pack is a bootstrap ClusterRoleBinding of this module's
// Kubernetes release (the bootstrappolicy package the apiserver runs), with
// the same roleRef and subjects, and roleRules equal to the bootstrap role's
// rules — so regenerating the pack for a new release is checked here.
func TestKubernetesDefaultsPackIsTheRelease(t *testing.T) {
	bindings := map[string]rbacv1.ClusterRoleBinding{}
	for _, b := range append(bootstrappolicy.ClusterRoleBindings(), bootstrappolicy.ControllerRoleBindings()...) {
		bindings[b.Name] = b
	}
	roles := map[string]rbacv1.ClusterRole{}
	for _, r := range append(bootstrappolicy.ClusterRoles(), bootstrappolicy.ControllerRoles()...) {
		roles[r.Name] = r
	}
	for _, e := range readDefaultsPack(t).Expected {
		b, ok := bindings[e.Binding.Name]
		if e.Binding.Kind != "ClusterRoleBinding" || !ok {
			t.Errorf("%s: %s %q is not a bootstrap ClusterRoleBinding", e.ID, e.Binding.Kind, e.Binding.Name)
			continue
		}
		if b.RoleRef.Kind != e.RoleRef.Kind || b.RoleRef.Name != e.RoleRef.Name {
			t.Errorf("%s: roleRef %s %s, the release has %s %s", e.ID, e.RoleRef.Kind, e.RoleRef.Name, b.RoleRef.Kind, b.RoleRef.Name)
		}
		var want, got []string
		for _, s := range b.Subjects {
			want = append(want, s.Kind+"/"+s.Namespace+"/"+s.Name)
		}
		for _, s := range e.Subjects {
			got = append(got, s.Kind+"/"+s.Namespace+"/"+s.Name)
		}
		sort.Strings(want)
		sort.Strings(got)
		if !reflect.DeepEqual(want, got) {
			t.Errorf("%s: subjects %v, the release has %v", e.ID, got, want)
		}
		r, ok := roles[e.RoleRef.Name]
		if !ok || r.AggregationRule != nil {
			t.Errorf("%s: ClusterRole %q is not a bootstrap role with fixed rules", e.ID, e.RoleRef.Name)
			continue
		}
		if !reflect.DeepEqual(r.Rules, e.RoleRules) {
			t.Errorf("%s: roleRules differ from the release's ClusterRole %q:\npack:    %+v\nrelease: %+v", e.ID, r.Name, e.RoleRules, r.Rules)
		}
	}
}

// defaultsPaths returns, for each path of a live scan whose every step is
// granted by bootstrap bindings only, "subject: label" ("" when unlabelled).
func defaultsPaths(t *testing.T, r result, bootstrap map[string]bool) map[string]string {
	t.Helper()
	if r.code != 0 && r.code != 1 {
		t.Fatalf("scan exit %d: %s", r.code, r.stderr)
	}
	var out struct {
		Paths []struct {
			Subject  struct{ Kind, Namespace, Name string }
			Steps    []struct{ Bindings []string }
			Expected *struct{ Label string }
		}
	}
	if err := json.Unmarshal([]byte(r.stdout), &out); err != nil {
		t.Fatalf("scan JSON: %v\n%s", err, r.stderr)
	}
	got := map[string]string{}
	for _, p := range out.Paths {
		n := 0
		all := true
		for _, s := range p.Steps {
			for _, b := range s.Bindings {
				n++
				all = all && bootstrap[b]
			}
		}
		if n == 0 || !all {
			continue
		}
		label := ""
		if p.Expected != nil {
			label = p.Expected.Label
		}
		got[p.Subject.Kind+":"+p.Subject.Namespace+":"+p.Subject.Name] = label
	}
	return got
}

// TestLiveKubernetesDefaults: on a real apiserver, every path to
// cluster-admin made of the apiserver's own bootstrap bindings alone is
// labelled expected by the kubernetes-defaults pack; once the aggregation
// controller's bootstrap ClusterRole is widened by one rule, its path is
// not, and system:masters' still is.
func TestLiveKubernetesDefaults(t *testing.T) {
	e := liveEnv(t)
	// The controllers' ServiceAccounts, as kube-controller-manager
	// --use-service-account-credentials creates them (the harness runs it
	// without).
	pack := readDefaultsPack(t)
	var sas []string
	for _, d := range pack.Expected {
		for _, s := range d.Subjects {
			if s.Kind == "ServiceAccount" {
				sas = append(sas, s.Name)
			}
		}
	}
	for _, sa := range sas {
		if out, err := e.c.Kubectl("create", "serviceaccount", "-n", "kube-system", sa); err != nil && !strings.Contains(out+err.Error(), "AlreadyExists") {
			t.Fatalf("create serviceaccount %s: %v %s", sa, err, out)
		}
	}
	t.Cleanup(func() {
		for _, sa := range sas {
			_, _ = e.c.Kubectl("delete", "serviceaccount", "-n", "kube-system", "--ignore-not-found", sa)
		}
	})
	names, err := e.c.Kubectl("get", "clusterrolebindings,rolebindings", "-A", "-l", "kubernetes.io/bootstrapping=rbac-defaults",
		"-o", `jsonpath={range .items[*]}{.kind}/{.metadata.namespace}{"/"}{.metadata.name}{"\n"}{end}`)
	if err != nil {
		t.Fatal(err)
	}
	bootstrap := map[string]bool{}
	for _, l := range strings.Fields(names) {
		kind, rest, _ := strings.Cut(l, "/")
		ns, name, _ := strings.Cut(rest, "/")
		if ns == "" {
			bootstrap[kind+"/"+name] = true
		} else {
			bootstrap[kind+"/"+ns+"/"+name] = true
		}
	}
	if !bootstrap["ClusterRoleBinding/system:controller:clusterrole-aggregation-controller"] {
		t.Fatalf("the apiserver has no bootstrap binding for the aggregation controller: %v", names)
	}

	const aggregator = "ServiceAccount:kube-system:clusterrole-aggregation-controller"
	const masters = "Group::system:masters"
	got := defaultsPaths(t, e.run(t, "scan", "-o", "json"), bootstrap)
	if _, ok := got[aggregator]; !ok {
		t.Fatalf("no bootstrap-only path for %s: %v", aggregator, got)
	}
	if _, ok := got[masters]; !ok {
		t.Fatalf("no bootstrap-only path for %s: %v", masters, got)
	}
	for subj, label := range got {
		if !strings.HasPrefix(label, "expected (Kubernetes default") {
			t.Errorf("%s: a path made of bootstrap bindings only is not labelled (label %q)", subj, label)
		}
	}

	// Widen the bootstrap role; the apiserver reconciles it only at its next
	// start, so the change stays (restored at the end).
	role := "system:controller:clusterrole-aggregation-controller"
	orig, err := e.c.Kubectl("get", "clusterrole", role, "-o", "json")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_, _ = e.c.Kubectl("patch", "clusterrole", role, "--type=json", "-p", `[{"op":"remove","path":"/rules/1"}]`)
	})
	if out, err := e.c.Kubectl("patch", "clusterrole", role, "--type=json", "-p",
		`[{"op":"add","path":"/rules/-","value":{"apiGroups":[""],"resources":["secrets"],"verbs":["get"]}}]`); err != nil {
		t.Fatalf("widen %s: %v %s\n%s", role, err, out, orig)
	}
	got = defaultsPaths(t, e.run(t, "scan", "-o", "json"), bootstrap)
	if label, ok := got[aggregator]; !ok || label != "" {
		t.Errorf("%s through the widened role: present %v, label %q; want an unlabelled path", aggregator, ok, label)
	}
	if !strings.HasPrefix(got[masters], "expected (Kubernetes default") {
		t.Errorf("%s: label %q after another role was widened", masters, got[masters])
	}
}
