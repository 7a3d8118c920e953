package admission

import (
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/auth-paths/kubectl-auth-paths/pkg/model"
	"github.com/auth-paths/kubectl-auth-paths/pkg/source"
)

// inventory decodes YAML documents as the offline mode does.
func inventory(t *testing.T, docs string) *model.Inventory {
	t.Helper()
	inv, err := source.LoadFiles(source.FileOptions{Filenames: []string{"-"}, Stdin: strings.NewReader(docs)})
	if err != nil {
		t.Fatalf("decoding: %v", err)
	}
	return inv
}

func privilegedPod(ns string) *corev1.Pod {
	t := true
	p := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "probe", Namespace: ns}, Spec: corev1.PodSpec{
		Containers: []corev1.Container{{Name: "c", Image: "busybox", SecurityContext: &corev1.SecurityContext{Privileged: &t}}}}}
	DefaultPod(p, true)
	return p
}

func hostPathPod(ns string) *corev1.Pod {
	p := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "probe", Namespace: ns}, Spec: corev1.PodSpec{
		Containers: []corev1.Container{{Name: "c", Image: "busybox", VolumeMounts: []corev1.VolumeMount{{Name: "h", MountPath: "/h", ReadOnly: true}}}},
		Volumes:    []corev1.Volume{{Name: "h", VolumeSource: corev1.VolumeSource{HostPath: &corev1.HostPathVolumeSource{Path: "/"}}}}}}
	DefaultPod(p, true)
	return p
}

func podReq(p *corev1.Pod, user string, groups ...string) Request {
	return Request{Object: p, Kind: PodKind, Resource: PodGVR, Namespace: p.Namespace, Name: p.Name, User: User{Name: user, Groups: groups}}
}

const vapNoPrivileged = `
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicy
metadata: {name: no-privileged}
spec:
  failurePolicy: Fail
  matchConstraints:
    resourceRules:
    - apiGroups: [""]
      apiVersions: ["v1"]
      operations: ["CREATE", "UPDATE"]
      resources: ["pods"]
  variables:
  - name: containers
    expression: "object.spec.containers + (has(object.spec.initContainers) ? object.spec.initContainers : [])"
  validations:
  - expression: "variables.containers.all(c, !has(c.securityContext) || !has(c.securityContext.privileged) || !c.securityContext.privileged)"
    messageExpression: "'privileged containers are not allowed in ' + namespaceObject.metadata.name"
`

func binding(name, policy, actions, extra string) string {
	return `
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicyBinding
metadata: {name: ` + name + `}
spec:
  policyName: ` + policy + `
  validationActions: ` + actions + extra + "\n"
}

// policyCase is one request asked of the policies of docs.
type policyCase struct {
	name   string
	docs   string
	req    Request
	denied string // a substring of the denial, "" when admitted
	// warned: a policy fails but does not enforce; notEval: one is not evaluated.
	warned  bool
	notEval bool
}

func (c policyCase) run(t *testing.T) {
	t.Helper()
	v := New(inventory(t, c.docs)).Admit(c.req)
	if c.denied == "" && !v.Allowed() {
		t.Fatalf("denied: %s", v.Reason())
	}
	if c.denied != "" && (v.Allowed() || !strings.Contains(v.Reason(), c.denied)) {
		t.Fatalf("want denied with %q, got %+v", c.denied, v)
	}
	if c.warned != (len(v.Warned) > 0) {
		t.Fatalf("warned = %+v, want %v", v.Warned, c.warned)
	}
	if c.notEval != (len(v.NotEvaluated) > 0) {
		t.Fatalf("not evaluated = %+v, want %v", v.NotEvaluated, c.notEval)
	}
}

func TestVAP(t *testing.T) {
	nsProd := `
---
apiVersion: v1
kind: Namespace
metadata: {name: prod, labels: {env: prod}}
`
	cases := []policyCase{
		{name: "deny", docs: vapNoPrivileged + binding("b", "no-privileged", "[Deny]", ""),
			req: podReq(privilegedPod("app"), "alice"), denied: "privileged containers are not allowed in app"},
		{name: "compliant pod admitted", docs: vapNoPrivileged + binding("b", "no-privileged", "[Deny]", ""),
			req: podReq(hostPathPod("app"), "alice")},
		{name: "warn only", docs: vapNoPrivileged + binding("b", "no-privileged", "[Warn, Audit]", ""),
			req: podReq(privilegedPod("app"), "alice"), warned: true},
		{name: "no binding: not enforced", docs: vapNoPrivileged, req: podReq(privilegedPod("app"), "alice")},
		{name: "namespaceSelector matches", docs: vapNoPrivileged + nsProd + binding("b", "no-privileged", "[Deny]", `
  matchResources:
    namespaceSelector: {matchLabels: {env: prod}}`), req: podReq(privilegedPod("prod"), "alice"), denied: "not allowed"},
		{name: "namespaceSelector other namespace", docs: vapNoPrivileged + nsProd + binding("b", "no-privileged", "[Deny]", `
  matchResources:
    namespaceSelector: {matchLabels: {env: prod}}`), req: podReq(privilegedPod("dev"), "alice")},
		{name: "kubernetes.io/metadata.name label", docs: vapNoPrivileged + binding("b", "no-privileged", "[Deny]", `
  matchResources:
    namespaceSelector: {matchExpressions: [{key: kubernetes.io/metadata.name, operator: In, values: [team-a]}]}`),
			req: podReq(privilegedPod("team-a"), "alice"), denied: "not allowed"},
		{name: "excludeResourceRules", docs: vapNoPrivileged + binding("b", "no-privileged", "[Deny]", `
  matchResources:
    excludeResourceRules:
    - {apiGroups: [""], apiVersions: ["*"], operations: ["*"], resources: ["pods"]}`), req: podReq(privilegedPod("app"), "alice")},
		{name: "objectSelector", docs: vapNoPrivileged + binding("b", "no-privileged", "[Deny]", `
  matchResources:
    objectSelector: {matchLabels: {policed: "yes"}}`), req: podReq(privilegedPod("app"), "alice")},
	}
	// matchConditions: exempt the controllers' ServiceAccounts of kube-system.
	mc := strings.Replace(vapNoPrivileged, "  variables:", `  matchConditions:
  - name: not-kube-system-sa
    expression: "!request.userInfo.username.startsWith('system:serviceaccount:kube-system:')"
  variables:`, 1) + binding("b", "no-privileged", "[Deny]", "")
	cases = append(cases,
		policyCase{name: "matchConditions exempts controller", docs: mc, req: podReq(privilegedPod("app"), "system:serviceaccount:kube-system:replicaset-controller")},
		policyCase{name: "matchConditions applies", docs: mc, req: podReq(privilegedPod("app"), "alice"), denied: "not allowed"},
	)
	// An expression error: Fail blocks, Ignore does not.
	broken := func(fp string) string {
		return `
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicy
metadata: {name: broken}
spec:
  failurePolicy: ` + fp + `
  matchConstraints:
    resourceRules: [{apiGroups: [""], apiVersions: ["v1"], operations: ["CREATE"], resources: ["pods"]}]
  validations:
  - expression: "object.spec.nosuchfield == 'x'"
` + binding("b", "broken", "[Deny]", "")
	}
	cases = append(cases,
		policyCase{name: "error with Fail", docs: broken("Fail"), req: podReq(privilegedPod("app"), "alice"), denied: "no such key"},
		policyCase{name: "error with Ignore", docs: broken("Ignore"), req: podReq(privilegedPod("app"), "alice")},
	)
	// Params: a ConfigMap lists the namespaces where hostPath is allowed.
	params := `
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicy
metadata: {name: hostpath}
spec:
  paramKind: {apiVersion: v1, kind: ConfigMap}
  matchConstraints:
    resourceRules: [{apiGroups: [""], apiVersions: ["v1"], operations: ["CREATE"], resources: ["pods"]}]
  validations:
  - expression: "params.data.allowHostPath == 'true' || !object.spec.volumes.exists(v, has(v.hostPath))"
    message: hostPath is not allowed
`
	cm := `
---
apiVersion: v1
kind: ConfigMap
metadata: {name: hp, namespace: policy}
data: {allowHostPath: "false"}
`
	ref := func(name, action string) string {
		return `
  paramRef: {name: ` + name + `, namespace: policy, parameterNotFoundAction: ` + action + `}`
	}
	cases = append(cases,
		policyCase{name: "params deny", docs: params + cm + binding("b", "hostpath", "[Deny]", ref("hp", "Deny")), req: podReq(hostPathPod("app"), "alice"), denied: "hostPath is not allowed"},
		policyCase{name: "params missing, Deny", docs: params + cm + binding("b", "hostpath", "[Deny]", ref("other", "Deny")), req: podReq(hostPathPod("app"), "alice"), denied: "no params found"},
		policyCase{name: "params missing, Allow", docs: params + cm + binding("b", "hostpath", "[Deny]", ref("other", "Allow")), req: podReq(hostPathPod("app"), "alice")},
		policyCase{name: "authorizer not evaluated", docs: strings.Replace(vapNoPrivileged, "!has(c.securityContext) ||", "authorizer.group('').resource('pods').check('create').allowed() || !has(c.securityContext) ||", 1) + binding("b", "no-privileged", "[Deny]", ""),
			req: podReq(privilegedPod("app"), "alice"), notEval: true},
		policyCase{name: "param kind not in input", docs: params + binding("b", "hostpath", "[Deny]", ref("hp", "Deny")), req: podReq(hostPathPod("app"), "alice"), notEval: true},
	)
	for _, c := range cases {
		t.Run(c.name, c.run)
	}
}

func TestVAPDenialNamesExpression(t *testing.T) {
	e := New(inventory(t, vapNoPrivileged+binding("b", "no-privileged", "[Deny]", "")))
	v := e.Admit(podReq(privilegedPod("app"), "alice"))
	if len(v.Denied) != 1 {
		t.Fatalf("denied = %+v", v.Denied)
	}
	f := v.Denied[0]
	if f.Policy != "ValidatingAdmissionPolicy/no-privileged (binding b)" || !strings.HasPrefix(f.Expression, "variables.containers.all(") {
		t.Fatalf("finding = %+v", f)
	}
}
