// Package e2e holds the live-mode tests of kubectl auth-paths against a real
// kube-apiserver: partial results for a limited user, --context/--as/-n,
// secrets read as metadata only (proved by the apiserver's audit log), live →
// dump → offline round trips, and a 1,000-namespace load figure.
package e2e

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/auth-paths/kubectl-auth-paths/test/e2e/cluster"
)

// limitedUser can list every kind the tool reads except Secrets and Pods.
const limitedUser = "limited-user"

// nsUser holds docs/rbac/auth-paths-reader.yaml through a RoleBinding in
// team-a only: it may list namespaced kinds in team-a and nothing else.
const nsUser = "ns-user"

// toolUserAgent prefixes the User-Agent of every request the tool makes.
const toolUserAgent = "kubectl-auth_paths/"

// auditPolicy logs Secrets requests with their responses, everything else as metadata.
const auditPolicy = `apiVersion: audit.k8s.io/v1
kind: Policy
omitStages: ["RequestReceived"]
rules:
- level: RequestResponse
  resources:
  - group: ""
    resources: ["secrets"]
- level: Metadata
`

// fixture is created once: two team namespaces with grants, token and opaque
// Secrets, a pod and a deployment, and the limited user's read-most role.
const fixture = `apiVersion: v1
kind: Namespace
metadata: {name: team-a}
---
apiVersion: v1
kind: Namespace
metadata: {name: team-b}
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: deployer, namespace: team-a}
---
apiVersion: v1
kind: Secret
metadata:
  name: deployer-token
  namespace: team-a
  annotations: {kubernetes.io/service-account.name: deployer}
type: kubernetes.io/service-account-token
---
apiVersion: v1
kind: Secret
metadata: {name: app-password, namespace: team-a}
type: Opaque
stringData: {password: e2e-hunter2-value}
---
apiVersion: v1
kind: Secret
metadata: {name: bootstrap-token-abcdef, namespace: kube-system}
type: bootstrap.kubernetes.io/token
stringData: {token-id: abcdef, token-secret: e2e0123456789abc, usage-bootstrap-authentication: "true"}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: config-editor, namespace: team-a}
rules:
- apiGroups: [""]
  resources: [configmaps]
  verbs: [get, list, update]
- apiGroups: [""]
  resources: [secrets]
  resourceNames: [app-password]
  verbs: [get]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: config-editor, namespace: team-a}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: config-editor}
subjects:
- {kind: User, name: alice, apiGroup: rbac.authorization.k8s.io}
- {kind: ServiceAccount, name: deployer, namespace: team-a}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: view, namespace: team-b}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: view}
subjects:
- {kind: Group, name: developers, apiGroup: rbac.authorization.k8s.io}
---
apiVersion: v1
kind: Pod
metadata: {name: web, namespace: team-a}
spec:
  serviceAccountName: deployer
  containers: [{name: web, image: nginx, env: [{name: PASSWORD, value: e2e-env-value}]}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: api, namespace: team-b}
spec:
  selector: {matchLabels: {app: api}}
  template:
    metadata: {labels: {app: api}}
    spec: {hostNetwork: true, containers: [{name: api, image: api}]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: auth-paths-e2e-limited}
rules:
- apiGroups: [rbac.authorization.k8s.io]
  resources: [clusterroles, clusterrolebindings, roles, rolebindings]
  verbs: [get, list]
- apiGroups: [""]
  resources: [namespaces, serviceaccounts, nodes, persistentvolumes, persistentvolumeclaims, replicationcontrollers, resourcequotas]
  verbs: [get, list]
- apiGroups: [apps]
  resources: [deployments, replicasets, statefulsets, daemonsets]
  verbs: [get, list]
- apiGroups: [batch]
  resources: [jobs, cronjobs]
  verbs: [get, list]
- apiGroups: [admissionregistration.k8s.io]
  resources: [mutatingwebhookconfigurations, validatingwebhookconfigurations, validatingadmissionpolicies, validatingadmissionpolicybindings]
  verbs: [get, list]
- apiGroups: [certificates.k8s.io]
  resources: [certificatesigningrequests]
  verbs: [get, list]
- apiGroups: [apiextensions.k8s.io]
  resources: [customresourcedefinitions]
  verbs: [list]
---
# As docs/rbac/auth-paths-reader.yaml: aws-auth alone, by resourceNames (the tool
# lists it with a metadata.name field selector, which RBAC authorizes by name).
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: auth-paths-e2e-limited, namespace: kube-system}
rules:
- apiGroups: [""]
  resources: [configmaps]
  resourceNames: [aws-auth]
  verbs: [list]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: auth-paths-e2e-limited, namespace: kube-system}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: auth-paths-e2e-limited}
subjects:
- {kind: User, name: limited-user, apiGroup: rbac.authorization.k8s.io}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: auth-paths-e2e-limited}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: auth-paths-e2e-limited}
subjects:
- {kind: User, name: limited-user, apiGroup: rbac.authorization.k8s.io}
`

// secretValues must never appear in anything the tool writes.
var secretValues = []string{"e2e-hunter2-value", "ZTJlLWh1bnRlcjItdmFsdWU=", "e2e0123456789abc", "ZTJlMDEyMzQ1Njc4OWFiYw==", "e2e-env-value"}

// env is the control plane and the built plugin shared by the live tests.
type env struct {
	c         *cluster.Cluster
	plugin    string
	auditLog  string
	dir       string
	limitedKC string
	// multiKC has contexts "admin", "limited" (current) and "ns-user" (namespace team-a).
	multiKC string
}

var (
	setupOnce sync.Once
	shared    *env
	setupErr  error
)

func TestMain(m *testing.M) {
	code := m.Run()
	if shared != nil {
		if code != 0 {
			fmt.Fprintf(os.Stderr, "control plane logs:\n%s\n", shared.c.LogTails(40))
		}
		shared.c.Stop()
		_ = os.RemoveAll(shared.dir)
	}
	os.Exit(code)
}

// liveEnv starts (once) a control plane with an audit log, builds the plugin
// and creates the fixture.
// applyReaderRole applies docs/rbac/auth-paths-reader.yaml, the documented
// least-privilege reader, to the shared cluster.
func (e *env) applyReaderRole(t *testing.T) {
	t.Helper()
	root, err := cluster.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.c.Kubectl("apply", "-f", filepath.Join(root, "docs", "rbac", "auth-paths-reader.yaml")); err != nil {
		t.Fatal(err)
	}
}

func liveEnv(t *testing.T) *env {
	t.Helper()
	setupOnce.Do(func() { shared, setupErr = setup() })
	if setupErr != nil {
		t.Fatalf("live e2e setup: %v", setupErr)
	}
	return shared
}

func setup() (*env, error) {
	dir, err := os.MkdirTemp("", "auth-paths-live-e2e-")
	if err != nil {
		return nil, err
	}
	e := &env{dir: dir, auditLog: filepath.Join(dir, "audit.log")}
	policy := filepath.Join(dir, "audit-policy.yaml")
	if err := os.WriteFile(policy, []byte(auditPolicy), 0o600); err != nil {
		return nil, err
	}
	logf := func(f string, a ...any) { fmt.Fprintf(os.Stderr, "cluster: "+f+"\n", a...) }
	users := append([]cluster.StaticUser{{Name: limitedUser}, {Name: nsUser}}, cluster.DefaultExtraUsers...)
	e.c, err = cluster.New(cluster.Options{Dir: dir, Logf: logf, ExtraUsers: users, APIServerArgs: []string{
		"--audit-policy-file=" + policy,
		"--audit-log-path=" + e.auditLog,
		"--audit-log-mode=blocking",
		"--audit-log-maxsize=0",
		// As every real cluster (kubeadm, managed): privileged pods are
		// admitted by the apiserver itself, so that admission policies and
		// Pod Security decide (TestLiveAdmissionPolicy).
		"--allow-privileged=true",
	}})
	if err != nil {
		return nil, err
	}
	shared = e // stopped by TestMain even if the rest fails
	if e.plugin, err = cluster.BuildPlugin(dir); err != nil {
		return nil, err
	}
	if _, err := e.c.KubectlStdin(strings.NewReader(fixture), "apply", "-f", "-"); err != nil {
		return nil, err
	}
	if e.limitedKC, err = e.c.KubeconfigFor(limitedUser); err != nil {
		return nil, err
	}
	e.multiKC = filepath.Join(dir, "multi.kubeconfig")
	multi := fmt.Sprintf(`apiVersion: v1
kind: Config
clusters:
- name: e2e
  cluster: {server: %q, certificate-authority: %q}
users:
- name: admin
  user: {token: %q}
- name: limited
  user: {token: %q}
- name: ns-user
  user: {token: %q}
contexts:
- name: admin
  context: {cluster: e2e, user: admin, namespace: team-b}
- name: limited
  context: {cluster: e2e, user: limited, namespace: team-a}
- name: ns-user
  context: {cluster: e2e, user: ns-user, namespace: team-a}
current-context: limited
`, e.c.Server, e.c.CAFile, e.c.AdminToken, e.c.Users[limitedUser].Token, e.c.Users[nsUser].Token)
	if err := os.WriteFile(e.multiKC, []byte(multi), 0o600); err != nil {
		return nil, err
	}
	// The token controller fills the token Secret; wait so that it has data to hide.
	deadline := time.Now().Add(time.Minute)
	for {
		out, err := e.c.Kubectl("get", "secret", "deployer-token", "-n", "team-a", "-o", "jsonpath={.data.token}")
		if err == nil && out != "" {
			break
		}
		if time.Now().After(deadline) {
			return nil, fmt.Errorf("token Secret not filled by the token controller: %v", err)
		}
		time.Sleep(250 * time.Millisecond)
	}
	return e, nil
}

// result is one run of the plugin.
type result struct {
	stdout, stderr string
	code           int
	elapsed        time.Duration
}

// run runs the plugin with the admin kubeconfig unless args give another.
func (e *env) run(t *testing.T, args ...string) result {
	t.Helper()
	shown := args
	hasKC := false
	for _, a := range args {
		if strings.HasPrefix(a, "--kubeconfig") {
			hasKC = true
		}
	}
	if !hasKC {
		args = append([]string{"--kubeconfig=" + e.c.Kubeconfig}, args...)
	}
	cmd := exec.Command(e.plugin, args...)
	cmd.Env = append(os.Environ(), "KUBECONFIG=")
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	start := time.Now()
	err := cmd.Run()
	r := result{stdout: out.String(), stderr: errb.String(), elapsed: time.Since(start)}
	var ee *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &ee):
		r.code = ee.ExitCode()
	default:
		t.Fatalf("running %v: %v", args, err)
	}
	if tr := os.Getenv("AUTH_PATHS_E2E_TRANSCRIPT"); tr != "" {
		// A transcript of every run, for the examples in the docs.
		if f, err := os.OpenFile(tr, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644); err == nil {
			fmt.Fprintf(f, "$ kubectl auth-paths %s\n%s%s[exit %d, %s]\n\n", strings.Join(shown, " "), r.stdout, r.stderr, r.code, r.elapsed.Round(time.Millisecond))
			_ = f.Close()
		}
	}
	for _, v := range secretValues {
		if strings.Contains(r.stdout, v) || strings.Contains(r.stderr, v) {
			t.Errorf("%v printed the secret value %q", args, v)
		}
	}
	return r
}

// whoCanJSON is the -o json shape of who-can.
type whoCanJSON struct {
	Request    map[string]any   `json:"request"`
	Subjects   []map[string]any `json:"subjects"`
	Incomplete []struct {
		Resource string `json:"resource"`
		Reason   string `json:"reason"`
		Impact   string `json:"impact"`
	} `json:"incomplete"`
}

func parseWhoCan(t *testing.T, r result) whoCanJSON {
	t.Helper()
	var w whoCanJSON
	if err := json.Unmarshal([]byte(r.stdout), &w); err != nil {
		t.Fatalf("who-can output is not JSON (%v):\n%s\nstderr: %s", err, r.stdout, r.stderr)
	}
	return w
}

// auditEvent is the part of an audit.k8s.io/v1 Event the tests read.
type auditEvent struct {
	Stage      string `json:"stage"`
	RequestURI string `json:"requestURI"`
	Verb       string `json:"verb"`
	UserAgent  string `json:"userAgent"`
	User       struct {
		Username string `json:"username"`
	} `json:"user"`
	ImpersonatedUser *struct {
		Username string `json:"username"`
	} `json:"impersonatedUser"`
	ObjectRef *struct {
		Resource string `json:"resource"`
	} `json:"objectRef"`
	ResponseStatus *struct {
		Code int `json:"code"`
	} `json:"responseStatus"`
	ResponseObject json.RawMessage `json:"responseObject"`
}

// toolEvents returns the audit events of requests made by the plugin (from line skip on).
func (e *env) toolEvents(t *testing.T, skip int) ([]auditEvent, int) {
	t.Helper()
	f, err := os.Open(e.auditLog)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close() //nolint:errcheck // read-only file
	var out []auditEvent
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 256<<20)
	n := 0
	for sc.Scan() {
		n++
		if n <= skip || !bytes.Contains(sc.Bytes(), []byte(toolUserAgent)) {
			continue
		}
		var ev auditEvent
		if err := json.Unmarshal(sc.Bytes(), &ev); err != nil {
			t.Fatalf("audit log line %d: %v", n, err)
		}
		if ev.Stage == "ResponseComplete" && strings.HasPrefix(ev.UserAgent, toolUserAgent) {
			out = append(out, ev)
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out, n
}

// auditLines is the current number of lines in the audit log.
func (e *env) auditLines(t *testing.T) int {
	t.Helper()
	_, n := e.toolEvents(t, 1<<62)
	return n
}
