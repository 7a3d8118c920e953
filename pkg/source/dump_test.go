package source

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"sigs.k8s.io/yaml"

	"github.com/auth-paths/kubectl-auth-paths/pkg/model"
	"github.com/auth-paths/kubectl-auth-paths/pkg/rbac"
)

// dumpFixture has every kept kind, with the fields the decoder keeps and some
// it drops (env values, Secret data), written as people write manifests.
const dumpFixture = `apiVersion: v1
kind: Namespace
metadata: {name: prod, labels: {pod-security.kubernetes.io/enforce: privileged}}
status: {phase: Active}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: monitoring, labels: {team: obs}}
aggregationRule:
  clusterRoleSelectors:
  - matchLabels: {rbac.example.com/aggregate-to-monitoring: "true"}
rules: []
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: metrics-reader, labels: {rbac.example.com/aggregate-to-monitoring: "true"}}
rules:
- nonResourceURLs: [/metrics, /metrics/*]
  verbs: [get]
- apiGroups: [""]
  resources: [pods, pods/log]
  verbs: [get, list, watch]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: node-proxy}
rules:
- apiGroups: [""]
  resources: [nodes/proxy]
  resourceNames: [node-1]
  verbs: ["*"]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: monitoring}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: monitoring}
subjects:
- {kind: Group, name: sre, apiGroup: rbac.authorization.k8s.io}
- {kind: ServiceAccount, name: prometheus, namespace: prod}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: deployer, namespace: prod}
rules:
- apiGroups: [apps]
  resources: [deployments, deployments/scale]
  verbs: [get, update, patch]
- apiGroups: [""]
  resources: [secrets]
  resourceNames: [registry]
  verbs: [get]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: deployer, namespace: prod, annotations: {owner: ci}}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: deployer}
subjects:
- {kind: User, name: ci-bot, apiGroup: rbac.authorization.k8s.io}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: node-proxy, namespace: prod}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: node-proxy}
subjects:
- {kind: ServiceAccount, name: default}
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: prometheus, namespace: prod}
automountServiceAccountToken: false
secrets: [{name: prometheus-token}]
---
apiVersion: v1
kind: Secret
metadata:
  name: prometheus-token
  namespace: prod
  annotations: {kubernetes.io/service-account.name: prometheus}
type: kubernetes.io/service-account-token
data: {token: c3VwZXItc2VjcmV0}
---
apiVersion: v1
kind: Secret
metadata: {name: opaque, namespace: prod}
stringData: {password: hunter2}
---
apiVersion: v1
kind: Pod
metadata:
  name: web-1
  namespace: prod
  ownerReferences: [{apiVersion: apps/v1, kind: ReplicaSet, name: web-abc, controller: true}]
spec:
  serviceAccountName: prometheus
  nodeName: node-1
  hostPID: true
  initContainers:
  - {name: init, image: busybox, stdin: true, securityContext: {capabilities: {add: [NET_ADMIN]}}}
  - {name: sidecar, image: busybox, stdin: true, restartPolicy: Always}
  containers:
  - name: app
    image: nginx:1.27
    env: [{name: PASSWORD, value: hunter2}]
    securityContext: {privileged: true, allowPrivilegeEscalation: true, capabilities: {add: [SYS_ADMIN, NET_ADMIN]}}
  - {name: side, image: envoy}
  - {name: debug, image: busybox, stdin: true, tty: true}
  volumes:
  - {name: root, hostPath: {path: /}}
  - {name: docker, hostPath: {path: /var/run/docker.sock}}
  - name: token
    projected: {sources: [{serviceAccountToken: {path: token, expirationSeconds: 3600}}]}
status: {phase: Running}
---
apiVersion: v1
kind: Pod
metadata: {name: bare, namespace: prod}
spec: {containers: [{name: c}]}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: prod}
spec:
  template:
    spec: {serviceAccount: legacy, hostNetwork: true, containers: [{name: a, image: web}]}
---
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: agent, namespace: prod}
spec: {}
---
apiVersion: batch/v1
kind: CronJob
metadata: {name: backup, namespace: prod}
spec:
  jobTemplate:
    spec:
      template:
        spec: {automountServiceAccountToken: true, containers: [{name: b, image: backup}]}
---
apiVersion: v1
kind: ReplicationController
metadata: {name: old, namespace: prod}
spec: {template: {spec: {hostIPC: true}}}
---
apiVersion: v1
kind: Node
metadata: {name: node-1, labels: {kubernetes.io/hostname: node-1}}
spec:
  unschedulable: true
  taints: [{key: node-role.kubernetes.io/control-plane, effect: NoSchedule}]
---
apiVersion: v1
kind: PersistentVolume
metadata: {name: pv-host}
spec: {hostPath: {path: /data}}
---
apiVersion: v1
kind: PersistentVolume
metadata: {name: pv-remote}
spec: {nfs: {server: nfs, path: /}}
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: data, namespace: prod}
spec: {volumeName: pv-host}
---
apiVersion: admissionregistration.k8s.io/v1
kind: MutatingWebhookConfiguration
metadata: {name: inject}
webhooks: [{name: inject.example.com, clientConfig: {url: "https://x"}}]
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicy
metadata: {name: no-privileged}
spec: {failurePolicy: Fail}
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicyBinding
metadata: {name: no-privileged}
---
apiVersion: certificates.k8s.io/v1
kind: CertificateSigningRequest
metadata: {name: csr-1}
spec: {signerName: kubernetes.io/kube-apiserver-client, username: alice, groups: [system:authenticated], usages: [client auth], request: AAAA}
status: {conditions: [{type: Approved, status: "True"}]}
---
apiVersion: v1
kind: ResourceQuota
metadata: {name: objects, namespace: prod}
spec: {hard: {pods: "50", count/configmaps: "100", requests.cpu: "8"}}
status: {hard: {pods: "50"}, used: {pods: "3"}}
---
apiVersion: v1
kind: ResourceQuota
metadata: {name: high-priority, namespace: prod}
spec:
  hard: {pods: "10"}
  scopeSelector:
    matchExpressions: [{scopeName: PriorityClass, operator: In, values: [high]}]
---
apiVersion: example.com/v1
kind: Widget
metadata: {name: w, namespace: prod}
`

// dumpRequests are asked of both inventories.
var dumpRequests = []rbac.Request{
	{Verb: "get", Resource: "pods", Namespace: "prod"},
	{Verb: "get", Resource: "secrets", Name: "registry", Namespace: "prod"},
	{Verb: "patch", APIGroup: "apps", Resource: "deployments", Subresource: "scale", Namespace: "prod"},
	{Verb: "get", Path: "/metrics/cadvisor"},
	{Verb: "create", Resource: "nodes", Subresource: "proxy", Name: "node-1"},
	{Verb: "list", Resource: "pods", Subresource: "log", Namespace: "kube-system"},
}

func whoCanAnswers(t *testing.T, inv *model.Inventory) string {
	t.Helper()
	ev := rbac.NewEvaluator(inv)
	var b strings.Builder
	for _, r := range dumpRequests {
		data, err := json.Marshal(ev.WhoCan(r))
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&b, "%s: %s\n", r, data)
	}
	return b.String()
}

func writeFixture(t *testing.T, dir, name, content string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestDumpRoundTrip(t *testing.T) {
	dir := t.TempDir()
	docs := strings.Split(dumpFixture, "---\n")
	half := len(docs) / 2
	a := writeFixture(t, dir, "a.yaml", strings.Join(docs[:half], "---\n"))
	b := writeFixture(t, dir, "b.yaml", strings.Join(docs[half:], "---\n"))
	orig, err := LoadFiles(FileOptions{Filenames: []string{a, b}})
	if err != nil {
		t.Fatal(err)
	}
	if orig.Count() < 20 {
		t.Fatalf("fixture read as %d objects", orig.Count())
	}
	js, err := MarshalDump(orig)
	if err != nil {
		t.Fatal(err)
	}
	ys, err := yaml.JSONToYAML(js)
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name, file string
		data       []byte
	}{
		{"json", "dump.json", js},
		{"yaml", "dump.yaml", ys},
	} {
		t.Run(tt.name, func(t *testing.T) {
			for _, leak := range []string{"c3VwZXItc2VjcmV0", "hunter2", "AAAA", "expirationSeconds", "nfs"} {
				if strings.Contains(string(tt.data), leak) {
					t.Errorf("dump contains %q", leak)
				}
			}
			p := writeFixture(t, t.TempDir(), tt.file, string(tt.data))
			back, err := LoadFiles(FileOptions{Filenames: []string{p}})
			if err != nil {
				t.Fatal(err)
			}
			if got, want := contents(t, back), contents(t, orig); got != want {
				t.Errorf("inventory after the round trip differs:\n got %s\nwant %s", got, want)
			}
			if got, want := whoCanAnswers(t, back), whoCanAnswers(t, orig); got != want {
				t.Errorf("who-can after the round trip differs:\n got %s\nwant %s", got, want)
			}
			// A dump of the dump is the same dump.
			again, err := MarshalDump(back)
			if err != nil {
				t.Fatal(err)
			}
			if string(again) != string(js) {
				t.Error("dump is not stable across a round trip")
			}
		})
	}
}

// TestDumpShapes: every item is a readable object of its kind.
func TestDumpShapes(t *testing.T) {
	p := writeFixture(t, t.TempDir(), "f.yaml", dumpFixture)
	inv, err := LoadFiles(FileOptions{Filenames: []string{p}})
	if err != nil {
		t.Fatal(err)
	}
	js, err := MarshalDump(inv)
	if err != nil {
		t.Fatal(err)
	}
	var list struct {
		APIVersion string           `json:"apiVersion"`
		Kind       string           `json:"kind"`
		Items      []map[string]any `json:"items"`
	}
	if err := json.Unmarshal(js, &list); err != nil {
		t.Fatal(err)
	}
	if list.APIVersion != "v1" || list.Kind != "List" {
		t.Fatalf("%s %s", list.APIVersion, list.Kind)
	}
	byKind := map[string]map[string]any{}
	for _, it := range list.Items {
		md, _ := it["metadata"].(map[string]any)
		if it["apiVersion"] == "" || it["kind"] == "" || md["name"] == "" {
			t.Errorf("item without apiVersion, kind or name: %v", it)
		}
		byKind[it["kind"].(string)] = it
	}
	tests := []struct {
		kind   string
		fields []string
		absent []string
	}{
		{"ClusterRole", []string{"rules"}, nil},
		{"RoleBinding", []string{"roleRef", "subjects"}, nil},
		{"Secret", []string{"type"}, []string{"data", "stringData"}},
		{"Pod", []string{"spec", "status"}, nil},
		{"CronJob", []string{"spec"}, nil},
		{"ResourceQuota", []string{"spec"}, []string{"status"}},
		{"Widget", []string{"metadata"}, []string{"spec"}},
	}
	for _, tt := range tests {
		it, ok := byKind[tt.kind]
		if !ok {
			t.Errorf("no %s in the dump", tt.kind)
			continue
		}
		for _, f := range tt.fields {
			if _, ok := it[f]; !ok {
				t.Errorf("%s without %s", tt.kind, f)
			}
		}
		for _, f := range tt.absent {
			if _, ok := it[f]; ok {
				t.Errorf("%s with %s", tt.kind, f)
			}
		}
	}
	if ns := byKind["RoleBinding"]["metadata"].(map[string]any)["namespace"]; ns != "prod" {
		t.Errorf("RoleBinding namespace %v", ns)
	}
}
