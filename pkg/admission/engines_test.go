package admission

import (
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

func hostPIDPod(ns string) *corev1.Pod {
	p := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "probe", Namespace: ns}, Spec: corev1.PodSpec{HostPID: true,
		Containers: []corev1.Container{{Name: "c", Image: "busybox"}}}}
	DefaultPod(p, true)
	return p
}

func plainPod(ns string) *corev1.Pod {
	p := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "probe", Namespace: ns}, Spec: corev1.PodSpec{
		Containers: []corev1.Container{{Name: "c", Image: "busybox"}}}}
	DefaultPod(p, true)
	return p
}

const kyvernoBaseline = `
apiVersion: kyverno.io/v1
kind: ClusterPolicy
metadata: {name: psa}
spec:
  validationFailureAction: Enforce
  rules:
  - name: baseline
    match:
      any:
      - resources: {kinds: [Pod]}
    validate:
      podSecurity: {level: baseline, version: latest}
`

const kyvernoPattern = `
apiVersion: kyverno.io/v1
kind: ClusterPolicy
metadata: {name: host}
spec:
  validationFailureAction: Enforce
  rules:
  - name: privileged
    match:
      resources: {kinds: [Pod]}
    validate:
      message: no privileged
      pattern:
        spec:
          containers:
          - =(securityContext):
              =(privileged): "false"
  - name: hostpath
    match:
      resources: {kinds: [Pod]}
    validate:
      message: no hostPath
      pattern:
        spec:
          =(volumes):
          - X(hostPath): "null"
`

func TestEngines(t *testing.T) {
	cases := []policyCase{
		{name: "kyverno baseline denies privileged", docs: kyvernoBaseline, req: podReq(privilegedPod("app"), "alice"), denied: "Privileged Containers"},
		{name: "kyverno baseline denies hostPath", docs: kyvernoBaseline, req: podReq(hostPathPod("app"), "alice"), denied: "HostPath Volumes"},
		{name: "kyverno baseline denies hostPID", docs: kyvernoBaseline, req: podReq(hostPIDPod("app"), "alice"), denied: "Host Namespaces"},
		{name: "kyverno baseline admits a plain pod", docs: kyvernoBaseline, req: podReq(plainPod("app"), "alice")},
		{name: "kyverno audit warns", docs: strings.Replace(kyvernoBaseline, "Enforce", "Audit", 1), req: podReq(privilegedPod("app"), "alice"), warned: true},
		{name: "kyverno default action is audit", docs: strings.Replace(kyvernoBaseline, "  validationFailureAction: Enforce\n", "", 1), req: podReq(privilegedPod("app"), "alice"), warned: true},
		{name: "kyverno rule failureAction overrides", docs: strings.Replace(kyvernoBaseline, "    validate:\n", "    validate:\n      failureAction: Audit\n", 1), req: podReq(privilegedPod("app"), "alice"), warned: true},
		{name: "kyverno override by namespace", docs: strings.Replace(kyvernoBaseline, "  rules:", "  validationFailureActionOverrides:\n  - {action: Audit, namespaces: [ap*]}\n  rules:", 1),
			req: podReq(privilegedPod("app"), "alice"), warned: true},
		{name: "kyverno exclude control", docs: strings.Replace(kyvernoBaseline, "version: latest}", "version: latest, exclude: [{controlName: Privileged Containers, images: ['*']}]}", 1), req: podReq(privilegedPod("app"), "alice")},
		{name: "kyverno kube-system filtered", docs: kyvernoBaseline, req: podReq(privilegedPod("kube-system"), "alice"), notEval: true},
		{name: "kyverno exclude namespace", docs: strings.Replace(kyvernoBaseline, "    validate:\n", "    exclude:\n      any:\n      - resources: {namespaces: [app]}\n    validate:\n", 1), req: podReq(privilegedPod("app"), "alice")},
		{name: "kyverno exclude subject", docs: strings.Replace(kyvernoBaseline, "    validate:\n", "    exclude:\n      any:\n      - subjects: [{kind: User, name: alice}]\n    validate:\n", 1), req: podReq(privilegedPod("app"), "alice")},
		{name: "kyverno Policy in another namespace", docs: strings.Replace(strings.Replace(kyvernoBaseline, "ClusterPolicy", "Policy", 1), "{name: psa}", "{name: psa, namespace: other}", 1), req: podReq(privilegedPod("app"), "alice")},
		{name: "kyverno roles match not evaluated", docs: strings.Replace(kyvernoBaseline, "      - resources: {kinds: [Pod]}", "      - resources: {kinds: [Pod]}\n        clusterRoles: [edit]", 1), req: podReq(privilegedPod("app"), "alice"), notEval: true},
		{name: "kyverno pattern privileged", docs: kyvernoPattern, req: podReq(privilegedPod("app"), "alice"), denied: "no privileged"},
		{name: "kyverno pattern hostPath", docs: kyvernoPattern, req: podReq(hostPathPod("app"), "alice"), denied: "hostPath must not be set"},
		{name: "kyverno pattern plain pod", docs: kyvernoPattern, req: podReq(plainPod("app"), "alice")},
		{name: "kyverno deny rule not evaluated", docs: strings.Replace(kyvernoBaseline, "      podSecurity: {level: baseline, version: latest}", "      deny: {conditions: {any: [{key: a, operator: Equals, value: a}]}}", 1), req: podReq(privilegedPod("app"), "alice"), notEval: true},
	}
	gk := func(kind, action, extra string) string {
		return `
apiVersion: constraints.gatekeeper.sh/v1beta1
kind: ` + kind + `
metadata: {name: c}
spec:
  enforcementAction: ` + action + `
  match:
    kinds: [{apiGroups: [""], kinds: [Pod]}]
    excludedNamespaces: ["kube-*"]
` + extra
	}
	cases = append(cases,
		policyCase{name: "gatekeeper privileged", docs: gk("K8sPSPPrivilegedContainer", "deny", ""), req: podReq(privilegedPod("app"), "alice"), denied: "privileged container is not allowed"},
		policyCase{name: "gatekeeper privileged exempt image", docs: gk("K8sPSPPrivilegedContainer", "deny", "  parameters: {exemptImages: ['busy*']}\n"), req: podReq(privilegedPod("app"), "alice")},
		policyCase{name: "gatekeeper excluded namespace", docs: gk("K8sPSPPrivilegedContainer", "deny", ""), req: podReq(privilegedPod("kube-system"), "alice")},
		policyCase{name: "gatekeeper dryrun", docs: gk("K8sPSPPrivilegedContainer", "dryrun", ""), req: podReq(privilegedPod("app"), "alice"), warned: true},
		policyCase{name: "gatekeeper hostPath not allowed", docs: gk("K8sPSPHostFilesystem", "deny", "  parameters: {allowedHostPaths: [{pathPrefix: /var/log, readOnly: true}]}\n"), req: podReq(hostPathPod("app"), "alice"), denied: "HostPath volume h"},
		policyCase{name: "gatekeeper hostPath / allowed read-only", docs: gk("K8sPSPHostFilesystem", "deny", "  parameters: {allowedHostPaths: [{pathPrefix: /, readOnly: true}]}\n"), req: podReq(hostPathPod("app"), "alice")},
		policyCase{name: "gatekeeper host namespace", docs: gk("K8sPSPHostNamespace", "deny", ""), req: podReq(hostPIDPod("app"), "alice"), denied: "host namespace"},
		policyCase{name: "gatekeeper unknown kind", docs: gk("K8sRequiredLabels", "deny", ""), req: podReq(privilegedPod("app"), "alice"), notEval: true},
	)
	for _, c := range cases {
		t.Run(c.name, c.run)
	}
}

func TestPatternScalars(t *testing.T) {
	cases := []struct {
		pattern any
		value   any
		want    bool
	}{
		{"false", false, true}, {"false", true, false}, {false, false, true}, {"!true", false, true},
		{"*", "x", true}, {"*", nil, false}, {"?*", "", false}, {"a*|b", "b", true}, {">1 & <5", int64(3), true},
		{">1 & <5", int64(7), false}, {"registry.io/*", "registry.io/a/b:1", true},
	}
	for _, c := range cases {
		got, un := scalarMatches(c.pattern, c.value)
		if un != "" || got != c.want {
			t.Errorf("scalarMatches(%v, %v) = %v %q, want %v", c.pattern, c.value, got, un, c.want)
		}
	}
	if _, _, un := matchPattern(map[string]any{"(name)": "x"}, map[string]any{"name": "x"}, ""); un == "" {
		t.Error("a conditional anchor must be reported as not evaluated")
	}
}
