package e2e

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// whoamiFixture: ServiceAccount probe holds, through a ClusterRoleBinding,
// impersonation of one user and of group system:masters (a path to
// cluster-admin), and may read pods in its own namespace; decoy is given the
// same ClusterRole by a RoleBinding in kube-system, which grants nothing
// cluster-scoped (users and groups are), though decoy's review of kube-system
// lists those rules. escalator may escalate and update every ClusterRole
// (no get: it cannot read the one bound to it either). None may read RBAC.
const whoamiFixture = `apiVersion: v1
kind: Namespace
metadata: {name: whoami}
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: probe, namespace: whoami}
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: decoy, namespace: whoami}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: whoami-impersonate}
rules:
- apiGroups: [""]
  resources: [users]
  resourceNames: [ops-lead]
  verbs: [impersonate]
- apiGroups: [""]
  resources: [groups]
  resourceNames: [system:masters]
  verbs: [impersonate]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: whoami-probe}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: whoami-impersonate}
subjects: [{kind: ServiceAccount, name: probe, namespace: whoami}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: pod-reader, namespace: whoami}
rules:
- apiGroups: [""]
  resources: [pods]
  verbs: [get, list]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: probe-pod-reader, namespace: whoami}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: pod-reader}
subjects: [{kind: ServiceAccount, name: probe, namespace: whoami}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: whoami-decoy, namespace: kube-system}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: whoami-impersonate}
subjects: [{kind: ServiceAccount, name: decoy, namespace: whoami}]
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: escalator, namespace: whoami}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: whoami-escalate}
rules:
- apiGroups: [rbac.authorization.k8s.io]
  resources: [clusterroles]
  verbs: [escalate, update]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: whoami-escalator}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: whoami-escalate}
subjects: [{kind: ServiceAccount, name: escalator, namespace: whoami}]
`

// whoamiJSON is the -o json shape of whoami the test reads.
type whoamiJSON struct {
	Identity struct {
		Username string   `json:"username"`
		Groups   []string `json:"groups"`
	} `json:"identity"`
	Subject string `json:"subject"`
	Rules   string `json:"rules"`
	Reviews *struct {
		ClusterWide *struct {
			ResourceRules []map[string]any `json:"resourceRules"`
		} `json:"clusterWide"`
		Namespaces []struct {
			Namespace     string           `json:"namespace"`
			ResourceRules []map[string]any `json:"resourceRules"`
		} `json:"namespaces"`
	} `json:"reviews"`
	Paths []struct {
		Target string `json:"target"`
		Steps  []struct {
			Primitive string   `json:"primitive"`
			To        string   `json:"to"`
			GrantedBy []string `json:"grantedBy"`
			Bindings  []string `json:"bindings"`
		} `json:"steps"`
	} `json:"paths"`
	Incomplete []struct {
		Resource string `json:"resource"`
		Reason   string `json:"reason"`
		Impact   string `json:"impact"`
	} `json:"incomplete"`
}

// saKubeconfig writes a kubeconfig holding a fresh TokenRequest token of a
// ServiceAccount, as a pod's projected token would be.
func (e *env) saKubeconfig(t *testing.T, ns, name string) string {
	t.Helper()
	token, err := e.c.Kubectl("create", "token", name, "-n", ns, "--duration=1h")
	if err != nil {
		t.Fatal(err)
	}
	kc := filepath.Join(e.dir, "whoami-"+ns+"-"+name+".kubeconfig")
	cfg := fmt.Sprintf(`apiVersion: v1
kind: Config
clusters:
- name: e2e
  cluster: {server: %q, certificate-authority: %q}
users:
- name: sa
  user: {token: %q}
contexts:
- name: sa
  context: {cluster: e2e, user: sa}
current-context: sa
`, e.c.Server, e.c.CAFile, strings.TrimSpace(token))
	if err := os.WriteFile(kc, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	return kc
}

func parseWhoami(t *testing.T, r result) whoamiJSON {
	t.Helper()
	var w whoamiJSON
	if err := json.Unmarshal([]byte(r.stdout), &w); err != nil {
		t.Fatalf("%v\nstdout: %s\nstderr: %s", err, r.stdout, r.stderr)
	}
	return w
}

func (w whoamiJSON) incompleteResources() []string {
	var out []string
	for _, m := range w.Incomplete {
		out = append(out, m.Resource)
	}
	return out
}

// TestLiveWhoami: a ServiceAccount that cannot read RBAC finds its own path
// (impersonating system:masters, granted by a ClusterRoleBinding it cannot
// see) from its SelfSubjectRulesReviews, with provenance naming the review,
// the result marked incomplete and exit 3; the admin's `from` finds the same
// path through the real binding. The same rules bound by a RoleBinding,
// which the review of that namespace lists, make no path.
func TestLiveWhoami(t *testing.T) {
	e := liveEnv(t)
	if _, err := e.c.KubectlStdin(strings.NewReader(whoamiFixture), "apply", "-f", "-"); err != nil {
		t.Fatal(err)
	}
	probeKC := e.saKubeconfig(t, "whoami", "probe")
	decoyKC := e.saKubeconfig(t, "whoami", "decoy")

	t.Run("probe finds its path from its reviews", func(t *testing.T) {
		r := e.run(t, "--kubeconfig="+probeKC, "whoami", "-o", "json")
		if r.code != 3 {
			t.Fatalf("exit %d, want 3 (incomplete)\nstderr: %s", r.code, r.stderr)
		}
		w := parseWhoami(t, r)
		if w.Subject != "ServiceAccount:whoami:probe" || w.Identity.Username != "system:serviceaccount:whoami:probe" || w.Rules != "selfsubjectrulesreviews" {
			t.Errorf("identity %+v, subject %q, rules %q", w.Identity, w.Subject, w.Rules)
		}
		if !slices.Contains(w.Identity.Groups, "system:serviceaccounts:whoami") {
			t.Errorf("groups %v: want the SelfSubjectReview's, with system:serviceaccounts:whoami", w.Identity.Groups)
		}
		if len(w.Paths) == 0 {
			t.Fatalf("no path\nstdout: %s\nstderr: %s", r.stdout, r.stderr)
		}
		p := w.Paths[0]
		if p.Target != "cluster-admin" || len(p.Steps) != 1 || p.Steps[0].Primitive != "impersonate" {
			t.Fatalf("path %+v, want one impersonate step to cluster-admin", p)
		}
		by := strings.Join(p.Steps[0].GrantedBy, "\n")
		for _, want := range []string{"SelfSubjectRulesReview of cluster-wide rules", "resourceNames=system:masters", "resourceNames=ops-lead"} {
			if !strings.Contains(by, want) {
				t.Errorf("provenance does not say %q:\n%s", want, by)
			}
		}
		if !slices.Equal(p.Steps[0].Bindings, []string{"ClusterRoleBinding/whoami:selfsubjectrulesreview"}) {
			t.Errorf("bindings %v, want the stand-in only", p.Steps[0].Bindings)
		}
		// Pods of its own namespace were read there, though not cluster-wide.
		got := w.incompleteResources()
		for _, want := range []string{"clusterrolebindings.rbac.authorization.k8s.io", "rolebindings (namespaces not reviewed)"} {
			if !slices.Contains(got, want) {
				t.Errorf("incomplete %q lacks %q", got, want)
			}
		}
		if !strings.Contains(r.stderr, "warning: could not read clusterrolebindings.rbac.authorization.k8s.io (forbidden): the credentials' own rules come from SelfSubjectRulesReviews") {
			t.Errorf("stderr does not say where the rules come from:\n%s", r.stderr)
		}
		reviewed := []string{}
		for _, n := range w.Reviews.Namespaces {
			reviewed = append(reviewed, n.Namespace)
		}
		if !slices.Equal(reviewed, []string{"default", "kube-system", "whoami"}) {
			t.Errorf("reviewed %v, want default, kube-system and its own namespace", reviewed)
		}
		if w.Reviews.ClusterWide == nil {
			t.Fatalf("no cluster-wide review:\n%s", r.stdout)
		}
	})

	t.Run("the admin's from finds the same path through the real binding", func(t *testing.T) {
		r := e.run(t, "from", "ServiceAccount:whoami:probe", "-o", "json")
		if r.code != 0 {
			t.Fatalf("exit %d\nstderr: %s", r.code, r.stderr)
		}
		var f struct {
			Paths []struct {
				Steps []struct {
					Primitive string   `json:"primitive"`
					To        string   `json:"to"`
					Bindings  []string `json:"bindings"`
				} `json:"steps"`
			} `json:"paths"`
		}
		if err := json.Unmarshal([]byte(r.stdout), &f); err != nil {
			t.Fatal(err)
		}
		if len(f.Paths) == 0 || len(f.Paths[0].Steps) != 1 || f.Paths[0].Steps[0].Primitive != "impersonate" ||
			!slices.Equal(f.Paths[0].Steps[0].Bindings, []string{"ClusterRoleBinding/whoami-probe"}) {
			t.Errorf("admin's from: %s", r.stdout)
		}
	})

	t.Run("decoy: rules of a RoleBinding are reviewed but grant nothing cluster-scoped", func(t *testing.T) {
		r := e.run(t, "--kubeconfig="+decoyKC, "whoami", "-o", "json")
		if r.code != 3 {
			t.Fatalf("exit %d, want 3\nstderr: %s", r.code, r.stderr)
		}
		w := parseWhoami(t, r)
		if len(w.Paths) != 0 {
			t.Errorf("paths %+v, want none", w.Paths)
		}
		hasImpersonate := func(rules []map[string]any) bool {
			for _, rule := range rules {
				if fmt.Sprint(rule["verbs"]) == "[impersonate]" {
					return true
				}
			}
			return false
		}
		if w.Reviews == nil || w.Reviews.ClusterWide == nil || hasImpersonate(w.Reviews.ClusterWide.ResourceRules) {
			t.Errorf("the cluster-wide review must exist and list no impersonate rule:\n%s", r.stdout)
		}
		for _, n := range w.Reviews.Namespaces {
			if got, want := hasImpersonate(n.ResourceRules), n.Namespace == "kube-system"; got != want {
				t.Errorf("review of %s lists impersonate: %v, want %v", n.Namespace, got, want)
			}
		}
	})

	t.Run("escalator reaches the unnamed ClusterRole behind its rules", func(t *testing.T) {
		r := e.run(t, "--kubeconfig="+e.saKubeconfig(t, "whoami", "escalator"), "whoami", "-o", "json")
		if r.code != 3 {
			t.Fatalf("exit %d, want 3\nstderr: %s", r.code, r.stderr)
		}
		w := parseWhoami(t, r)
		if len(w.Paths) == 0 || len(w.Paths[0].Steps) != 1 || w.Paths[0].Steps[0].Primitive != "escalate" || w.Paths[0].Target != "cluster-admin" {
			t.Fatalf("paths %+v, want one escalate step to cluster-admin\nstderr: %s", w.Paths, r.stderr)
		}
		// The admin sees the same step through the real binding.
		admin := e.run(t, "from", "ServiceAccount:whoami:escalator", "-o", "json")
		if admin.code != 0 || !strings.Contains(admin.stdout, `"primitive": "escalate"`) || !strings.Contains(admin.stdout, "ClusterRoleBinding/whoami-escalator") {
			t.Errorf("admin's from: exit %d\n%s", admin.code, admin.stdout)
		}
	})

	t.Run("table output", func(t *testing.T) {
		r := e.run(t, "--kubeconfig="+probeKC, "whoami")
		for _, want := range []string{"Identity: ServiceAccount:whoami:probe", "Rules:    SelfSubjectRulesReviews (RBAC is not readable): cluster-wide and namespaces default, kube-system, whoami", "─impersonate→ cluster-admin"} {
			if !strings.Contains(r.stdout, want) {
				t.Errorf("stdout lacks %q:\n%s", want, r.stdout)
			}
		}
		if r.code != 3 {
			t.Errorf("exit %d, want 3", r.code)
		}
	})

	t.Run("readable RBAC is used as is", func(t *testing.T) {
		r := e.run(t, "--kubeconfig="+e.limitedKC, "whoami", "-o", "json")
		if r.code != 3 { // pods and Secrets are not readable
			t.Fatalf("exit %d, want 3\nstderr: %s", r.code, r.stderr)
		}
		w := parseWhoami(t, r)
		if w.Subject != "User:"+limitedUser || w.Rules != "rbac" || w.Reviews != nil {
			t.Errorf("subject %q, rules %q, reviews %v", w.Subject, w.Rules, w.Reviews)
		}
	})
}
