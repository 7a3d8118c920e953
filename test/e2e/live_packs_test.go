package e2e

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// packsFixture has what the shipped rule packs activate on, as a real
// apiserver serves it: two CRDs with the projects' group, version and kind
// (argoproj.io/v1alpha1 Workflow, tekton.dev/v1 TaskRun), EKS's aws-auth
// ConfigMap, a ServiceAccount that is cluster-admin, and three users whose
// only grants are the packs' permissions. No controller RBAC: live, the
// Argo and Tekton packs can activate only through the CRD list.
const packsFixture = `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: workflows.argoproj.io}
spec:
  group: argoproj.io
  scope: Namespaced
  names: {kind: Workflow, plural: workflows, singular: workflow, listKind: WorkflowList}
  versions:
  - name: v1alpha1
    served: true
    storage: true
    schema: {openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}}
---
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: taskruns.tekton.dev}
spec:
  group: tekton.dev
  scope: Namespaced
  names: {kind: TaskRun, plural: taskruns, singular: taskrun, listKind: TaskRunList}
  versions:
  - name: v1
    served: true
    storage: true
    schema: {openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}}
---
apiVersion: v1
kind: Namespace
metadata: {name: packs-e2e}
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: runner, namespace: packs-e2e}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: packs-e2e-runner}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cluster-admin}
subjects: [{kind: ServiceAccount, name: runner, namespace: packs-e2e}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: submit, namespace: packs-e2e}
rules:
- {apiGroups: [argoproj.io], resources: [workflows], verbs: [create]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: wf-user-submit, namespace: packs-e2e}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: submit}
subjects: [{apiGroup: rbac.authorization.k8s.io, kind: User, name: packs-wf-user}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: taskrun, namespace: packs-e2e}
rules:
- {apiGroups: [tekton.dev], resources: [taskruns], verbs: [create]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: tr-user-taskrun, namespace: packs-e2e}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: taskrun}
subjects: [{apiGroup: rbac.authorization.k8s.io, kind: User, name: packs-tr-user}]
---
apiVersion: v1
kind: ConfigMap
metadata: {name: aws-auth, namespace: kube-system}
data:
  mapRoles: |
    - rolearn: arn:aws:iam::111122223333:role/eks-node
      username: system:node:{{EC2PrivateDNSName}}
      groups: [system:bootstrappers, system:nodes]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: packs-aws-auth-editor, namespace: kube-system}
rules:
- {apiGroups: [""], resources: [configmaps], verbs: [get, patch], resourceNames: [aws-auth]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: packs-aws-auth-editor, namespace: kube-system}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: packs-aws-auth-editor}
subjects: [{apiGroup: rbac.authorization.k8s.io, kind: User, name: packs-cm-user}]
`

// packPathsOf returns "primitive hops" of the first pack step of each
// subject's path, for the fixture's users.
func packPathsOf(t *testing.T, r result) map[string]string {
	t.Helper()
	var out struct {
		Paths []struct {
			Subject struct{ Kind, Name string }
			Hops    int
			Steps   []struct{ Primitive, To string }
		}
	}
	if err := json.Unmarshal([]byte(r.stdout), &out); err != nil {
		t.Fatalf("scan JSON: %v\n%s", err, r.stderr)
	}
	got := map[string]string{}
	for _, p := range out.Paths {
		if !strings.HasPrefix(p.Subject.Name, "packs-") || len(p.Steps) == 0 {
			continue
		}
		got[p.Subject.Name] = p.Steps[0].Primitive + " → " + p.Steps[0].To + " in " + string(rune('0'+p.Hops))
	}
	return got
}

// TestLiveRulePacks: the shipped packs activate live exactly as offline —
// Argo Workflows and Tekton through the CRD list, EKS aws-auth through the
// ConfigMap read by name — and live == dump == the applied manifests.
func TestLiveRulePacks(t *testing.T) {
	e := liveEnv(t)
	if _, err := e.c.KubectlStdin(strings.NewReader(packsFixture), "apply", "-f", "-"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		// --wait=false: the harness runs no namespace controller, so a
		// namespace is never finalized.
		_, _ = e.c.KubectlStdin(strings.NewReader(packsFixture), "delete", "--ignore-not-found", "--wait=false", "-f", "-")
	})
	dir := t.TempDir()
	manifest := filepath.Join(dir, "packs.yaml")
	if err := os.WriteFile(manifest, []byte(packsFixture), 0o600); err != nil {
		t.Fatal(err)
	}
	dump := filepath.Join(dir, "dump.json")
	if r := e.run(t, "dump", "-o", "json", "--output-file", dump); r.code != 0 {
		t.Fatalf("dump exit %d: %s", r.code, r.stderr)
	}
	data, err := os.ReadFile(dump)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(data), "rolearn") {
		t.Errorf("the dump holds the aws-auth ConfigMap's data")
	}
	for _, want := range []string{`"name": "workflows.argoproj.io"`, `"name": "aws-auth"`} {
		if !strings.Contains(string(data), want) {
			t.Errorf("the dump lacks %s", want)
		}
	}

	live := packPathsOf(t, e.run(t, "scan", "-o", "json", "--expand-groups"))
	want := map[string]string{
		"packs-wf-user": "argo-workflows-submit → ServiceAccount:packs-e2e:runner in 1",
		"packs-tr-user": "tekton-taskrun → ServiceAccount:packs-e2e:runner in 1",
		"packs-cm-user": "eks-aws-auth → cluster-admin in 1",
	}
	for k, v := range want {
		if live[k] != v {
			t.Errorf("live %s: %q, want %q", k, live[k], v)
		}
	}
	// A reader holding only the documented permissions (CRD list, aws-auth
	// by resourceNames) gets the same pack paths; only pods and Secrets are
	// missing for it.
	limited := e.run(t, "--kubeconfig="+e.limitedKC, "scan", "-o", "json", "--expand-groups")
	if limited.code != 3 || strings.Contains(limited.stderr, "customresourcedefinitions") || strings.Contains(limited.stderr, "aws-auth") {
		t.Errorf("limited reader: exit %d, stderr:\n%s", limited.code, limited.stderr)
	}
	if l, o := string(mustJSON(t, live)), string(mustJSON(t, packPathsOf(t, limited))); l != o {
		t.Errorf("limited reader's pack paths differ\nadmin:   %s\nlimited: %s", l, o)
	}
	// The manifests' cluster-admin is the cluster's bootstrap role.
	roles := filepath.Join(dir, "cluster-admin.yaml")
	if err := os.WriteFile(roles, []byte(`apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: cluster-admin}
rules:
- {apiGroups: ["*"], resources: ["*"], verbs: ["*"]}
- {nonResourceURLs: ["*"], verbs: ["*"]}
`), 0o600); err != nil {
		t.Fatal(err)
	}
	for name, args := range map[string][]string{
		"dump":      {"-f", dump},
		"manifests": {"-f", manifest, "-f", roles},
	} {
		off := packPathsOf(t, e.run(t, append([]string{"scan", "-o", "json", "--expand-groups"}, args...)...))
		if l, o := string(mustJSON(t, live)), string(mustJSON(t, off)); l != o {
			t.Errorf("live and offline (%s) pack paths differ\nlive:    %s\noffline: %s", name, l, o)
		}
	}
}
