package cmd

import (
	"os"
	"path/filepath"
	"testing"
)

// nsLessSubject is a RoleBinding whose ServiceAccount subject has no
// namespace (as Argo CD's installer writes them): the authorizer takes the
// binding's namespace, apps, and so must every text that names it.
const nsLessSubject = `apiVersion: v1
kind: List
items:
- apiVersion: rbac.authorization.k8s.io/v1
  kind: Role
  metadata: {name: secret-reader, namespace: apps}
  rules: [{apiGroups: [""], resources: [secrets], verbs: [get, list]}]
- apiVersion: rbac.authorization.k8s.io/v1
  kind: RoleBinding
  metadata: {name: redis-secrets, namespace: apps}
  roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: secret-reader}
  subjects: [{kind: ServiceAccount, name: redis}]
- apiVersion: rbac.authorization.k8s.io/v1
  kind: ClusterRole
  metadata: {name: cluster-admin}
  rules: [{apiGroups: ["*"], resources: ["*"], verbs: ["*"]}, {nonResourceURLs: ["*"], verbs: ["*"]}]
- apiVersion: rbac.authorization.k8s.io/v1
  kind: ClusterRoleBinding
  metadata: {name: deployer-admin}
  roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cluster-admin}
  subjects: [{kind: ServiceAccount, name: deployer, namespace: apps}]
- {apiVersion: v1, kind: ServiceAccount, metadata: {name: redis, namespace: apps}}
- {apiVersion: v1, kind: ServiceAccount, metadata: {name: deployer, namespace: apps}}
- apiVersion: v1
  kind: Secret
  metadata:
    name: deployer-token
    namespace: apps
    annotations: {kubernetes.io/service-account.name: deployer}
  type: kubernetes.io/service-account-token
`

// TestNamespaceLessSubjectTexts: every command that prints a fix text, a
// grant or a subject names a namespace-less RoleBinding subject with the
// binding's namespace (ServiceAccount apps/redis), never "ServiceAccount
// /redis".
func TestNamespaceLessSubjectTexts(t *testing.T) {
	f := filepath.Join(t.TempDir(), "cluster.yaml")
	if err := os.WriteFile(f, []byte(nsLessSubject), 0o600); err != nil {
		t.Fatal(err)
	}
	allow := []string{"--allow-incomplete", "namespaces,pods,nodes"}
	bad := []string{"ServiceAccount /redis", `ServiceAccount "/redis"`, "ServiceAccount redis ", "ServiceAccount::redis"}
	runCLICases(t, []cliCase{
		{name: "scan", args: append([]string{"scan", "-f", f}, allow...), notStdout: bad,
			stdout: []string{"ServiceAccount:apps:redis", `RoleBinding "apps/redis-secrets" of Role "secret-reader" rules[0] to ServiceAccount "apps/redis"`}},
		{name: "chokepoints fix text", args: append([]string{"chokepoints", "-f", f}, allow...), notStdout: bad,
			stdout: []string{"fix: RoleBinding apps/redis-secrets lets ServiceAccount apps/redis get,list secrets in namespace apps"}},
		{name: "fix", args: append([]string{"fix", "-f", f}, allow...), notStdout: bad,
			stdout: []string{`ServiceAccount "apps/redis" was its last subject`}},
		{name: "report", args: append([]string{"report", "-o", "md", "-f", f}, allow...), notStdout: bad,
			stdout: []string{"RoleBinding apps/redis-secrets lets ServiceAccount apps/redis"}},
		{name: "who-can", args: []string{"who-can", "get", "secrets", "-n", "apps", "-f", f}, notStdout: bad,
			stdout: []string{`RoleBinding "apps/redis-secrets" of Role "secret-reader" rules[0] to ServiceAccount "apps/redis"`}},
	})
}
