package e2e

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// admissionFixture: adm-runner creates pods in adm-policed and adm-free,
// both privileged by Pod Security. A ValidatingAdmissionPolicy forbids
// privileged containers, hostPath volumes and host namespaces; its Deny
// binding selects namespaces labelled adm-policed=yes, its Warn binding
// every namespace. A Node exists so that node-escape has a target.
const admissionFixture = `apiVersion: v1
kind: Namespace
metadata:
  name: adm-policed
  labels: {adm-policed: "yes", pod-security.kubernetes.io/enforce: privileged}
---
apiVersion: v1
kind: Namespace
metadata:
  name: adm-free
  labels: {pod-security.kubernetes.io/enforce: privileged}
---
apiVersion: v1
kind: Node
metadata: {name: adm-worker}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: adm-pod-creator}
rules: [{apiGroups: [""], resources: [pods], verbs: [create]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: adm-runner, namespace: adm-policed}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: adm-pod-creator}
subjects: [{kind: User, name: adm-runner, apiGroup: rbac.authorization.k8s.io}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: adm-runner, namespace: adm-free}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: adm-pod-creator}
subjects: [{kind: User, name: adm-runner, apiGroup: rbac.authorization.k8s.io}]
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicy
metadata: {name: adm-no-host}
spec:
  failurePolicy: Fail
  matchConstraints:
    resourceRules:
    - {apiGroups: [""], apiVersions: ["v1"], operations: ["CREATE", "UPDATE"], resources: ["pods"]}
  variables:
  - name: containers
    expression: "object.spec.containers + (has(object.spec.initContainers) ? object.spec.initContainers : [])"
  validations:
  - expression: "variables.containers.all(c, !has(c.securityContext) || !has(c.securityContext.privileged) || !c.securityContext.privileged)"
    messageExpression: "'privileged containers are not allowed in ' + namespaceObject.metadata.name"
  - expression: "!has(object.spec.volumes) || object.spec.volumes.all(v, !has(v.hostPath))"
    message: hostPath volumes are not allowed
  - expression: "!(has(object.spec.hostPID) && object.spec.hostPID) && !(has(object.spec.hostIPC) && object.spec.hostIPC)"
    message: host namespaces are not allowed
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicyBinding
metadata: {name: adm-no-host-deny}
spec:
  policyName: adm-no-host
  validationActions: [Deny]
  matchResources:
    namespaceSelector: {matchLabels: {adm-policed: "yes"}}
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicyBinding
metadata: {name: adm-no-host-warn}
spec:
  policyName: adm-no-host
  validationActions: [Warn]
`

// escapePods are the pods the analysis tries for a node escape
// (pkg/risk/admission.go): privileged, a read-only hostPath /, hostPID
// with SYS_PTRACE; each otherwise hardened.
var escapePods = map[string]string{
	"privileged": `
    securityContext:
      privileged: true
      capabilities: {drop: [ALL]}
      seccompProfile: {type: RuntimeDefault}
      readOnlyRootFilesystem: true`,
	"hostPath": `
    securityContext:
      allowPrivilegeEscalation: false
      capabilities: {drop: [ALL]}
      seccompProfile: {type: RuntimeDefault}
      readOnlyRootFilesystem: true
    volumeMounts: [{name: host, mountPath: /host, readOnly: true}]
  volumes: [{name: host, hostPath: {path: /}}]`,
	"hostPID": `
    securityContext:
      allowPrivilegeEscalation: false
      capabilities: {drop: [ALL], add: [SYS_PTRACE]}
      seccompProfile: {type: RuntimeDefault}
      readOnlyRootFilesystem: true
  hostPID: true`,
}

func escapePod(ns, variant string) string {
	return `apiVersion: v1
kind: Pod
metadata: {name: auth-paths-probe, namespace: ` + ns + `}
spec:
  nodeName: adm-worker
  containers:
  - name: probe
    image: busybox:1.36
    command: [sleep, infinity]` + escapePods[variant] + "\n"
}

type explainJSON struct {
	Edges []struct {
		Holder    string `json:"holder"`
		Primitive string `json:"primitive"`
		To        string `json:"to"`
		Holds     bool   `json:"holds"`
		Condition string `json:"condition"`
		Why       string `json:"why"`
	} `json:"edges"`
}

// escapeEdges returns, per namespace, whether adm-runner's node-escape
// holds and what explain says.
func escapeEdges(t *testing.T, r result) map[string]string {
	t.Helper()
	var ex explainJSON
	if err := json.Unmarshal([]byte(r.stdout), &ex); err != nil {
		t.Fatalf("%v\n%s\nstderr: %s", err, r.stdout, r.stderr)
	}
	out := map[string]string{}
	for _, e := range ex.Edges {
		if e.Primitive != "node-escape" {
			continue
		}
		for _, ns := range []string{"adm-policed", "adm-free"} {
			if strings.Contains(e.Condition+e.Why, "create pods in "+ns) {
				if e.Holds {
					out[ns] = "holds: " + e.Condition
				} else {
					out[ns] = "blocked: " + e.Why
				}
			}
		}
	}
	return out
}

// TestLiveAdmissionPolicy: the apiserver really rejects the attacker's
// escape pods where the Deny binding matches and admits them where only
// the Warn binding does (server-side dry-run); the analysis, live and
// offline from a dump, agrees: node-escape is blocked in adm-policed,
// naming the policy and expression, and holds in adm-free; with
// --ignore-admission-policies it holds in both.
func TestLiveAdmissionPolicy(t *testing.T) {
	e := liveEnv(t)
	if _, err := e.c.KubectlStdin(strings.NewReader(admissionFixture), "apply", "-f", "-"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if _, err := e.c.KubectlStdin(strings.NewReader(admissionFixture), "delete", "--wait=false", "--ignore-not-found", "-f", "-"); err != nil {
			t.Errorf("cleanup: %v", err)
		}
	})
	// The policy is enforced once the apiserver's policy informers have it:
	// wait for a first rejection.
	for variant := range escapePods {
		for _, ns := range []string{"adm-policed", "adm-free"} {
			var out string
			var err error
			for i := 0; i < 100; i++ {
				out, err = e.c.KubectlStdin(strings.NewReader(escapePod(ns, variant)), "create", "--dry-run=server", "--as=adm-runner", "-f", "-")
				if ns == "adm-free" || err != nil {
					break
				}
				time.Sleep(100 * time.Millisecond)
			}
			switch ns {
			case "adm-policed":
				if err == nil || !strings.Contains(err.Error()+out, "ValidatingAdmissionPolicy 'adm-no-host' with binding 'adm-no-host-deny' denied request") {
					t.Fatalf("%s pod in %s: want a denial by adm-no-host-deny, got %v: %s", variant, ns, err, out)
				}
			case "adm-free":
				if err != nil {
					t.Fatalf("%s pod in %s: want admitted (Warn only), got %v: %s", variant, ns, err, out)
				}
			}
		}
	}

	live := escapeEdges(t, e.run(t, "explain", "User:adm-runner", "-o", "json"))
	checkEscape(t, "live", live)

	// Offline, from a dump of the same cluster.
	d := e.run(t, "dump")
	if d.code != 0 && d.code != 3 {
		t.Fatalf("dump: exit %d: %s", d.code, d.stderr)
	}
	dump := filepath.Join(t.TempDir(), "dump.json")
	if err := os.WriteFile(dump, []byte(d.stdout), 0o600); err != nil {
		t.Fatal(err)
	}
	offline := escapeEdges(t, e.run(t, "explain", "User:adm-runner", "-f", dump, "-o", "json"))
	checkEscape(t, "offline", offline)

	ignored := escapeEdges(t, e.run(t, "explain", "User:adm-runner", "-o", "json", "--ignore-admission-policies"))
	for _, ns := range []string{"adm-policed", "adm-free"} {
		if !strings.HasPrefix(ignored[ns], "holds") {
			t.Errorf("--ignore-admission-policies: node-escape in %s: %q, want it to hold", ns, ignored[ns])
		}
	}
}

func checkEscape(t *testing.T, mode string, got map[string]string) {
	t.Helper()
	p := got["adm-policed"]
	if !strings.HasPrefix(p, "blocked") || !strings.Contains(p, "ValidatingAdmissionPolicy/adm-no-host (binding adm-no-host-deny)") ||
		!strings.Contains(p, "object.spec.volumes.all(v, !has(v.hostPath))") || !strings.Contains(p, "privileged containers are not allowed in adm-policed") {
		t.Errorf("%s: node-escape in adm-policed: %q, want blocked by adm-no-host-deny naming the expressions", mode, p)
	}
	f := got["adm-free"]
	if !strings.HasPrefix(f, "holds") || !strings.Contains(f, "warned by ValidatingAdmissionPolicy/adm-no-host (binding adm-no-host-warn)") {
		t.Errorf("%s: node-escape in adm-free: %q, want it to hold (warned only)", mode, f)
	}
}
