package risk_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/auth-paths/kubectl-auth-paths/graph"
	"github.com/auth-paths/kubectl-auth-paths/pkg/risk"
)

// sharedScopeCluster is n namespaces, each with two ServiceAccounts and a
// running pod, ServiceAccount ns-1/app bound to cluster-admin, User:ops
// holding ClusterRole operator cluster-wide and User:team holding it through
// a RoleBinding in ns-0.
func sharedScopeCluster(t *testing.T, n int) *risk.Analysis {
	t.Helper()
	var b strings.Builder
	b.WriteString(`apiVersion: v1
kind: List
items:
- {apiVersion: rbac.authorization.k8s.io/v1, kind: ClusterRole, metadata: {name: admin-all}, rules: [{apiGroups: ["*"], resources: ["*"], verbs: ["*"]}]}
- apiVersion: rbac.authorization.k8s.io/v1
  kind: ClusterRole
  metadata: {name: operator}
  rules:
  - {apiGroups: [""], resources: [pods, pods/exec, serviceaccounts/token], verbs: [create, patch]}
  - {apiGroups: [""], resources: [serviceaccounts], verbs: [impersonate]}
  - {apiGroups: [apps], resources: [deployments], verbs: [patch]}
  - {apiGroups: [rbac.authorization.k8s.io], resources: [rolebindings], verbs: [create]}
  - {apiGroups: [rbac.authorization.k8s.io], resources: [clusterroles], verbs: [bind], resourceNames: [admin-all]}
- {apiVersion: rbac.authorization.k8s.io/v1, kind: ClusterRoleBinding, metadata: {name: ops}, roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: operator}, subjects: [{apiGroup: rbac.authorization.k8s.io, kind: User, name: ops}]}
- {apiVersion: rbac.authorization.k8s.io/v1, kind: RoleBinding, metadata: {name: team, namespace: ns-0}, roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: operator}, subjects: [{apiGroup: rbac.authorization.k8s.io, kind: User, name: team}]}
- {apiVersion: rbac.authorization.k8s.io/v1, kind: ClusterRole, metadata: {name: cluster-admin}, rules: [{apiGroups: ["*"], resources: ["*"], verbs: ["*"]}, {nonResourceURLs: ["*"], verbs: ["*"]}]}
- {apiVersion: rbac.authorization.k8s.io/v1, kind: ClusterRoleBinding, metadata: {name: app-admin}, roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cluster-admin}, subjects: [{kind: ServiceAccount, name: app, namespace: ns-1}]}
- {apiVersion: v1, kind: Node, metadata: {name: worker}}
`)
	for i := range n {
		ns := fmt.Sprintf("ns-%d", i)
		fmt.Fprintf(&b, "- {apiVersion: v1, kind: Namespace, metadata: {name: %s}}\n", ns)
		for _, sa := range []string{"default", "app"} {
			fmt.Fprintf(&b, "- {apiVersion: v1, kind: ServiceAccount, metadata: {name: %s, namespace: %s}}\n", sa, ns)
		}
		fmt.Fprintf(&b, "- {apiVersion: v1, kind: Pod, metadata: {name: app, namespace: %s}, spec: {serviceAccountName: app, nodeName: worker, containers: [{name: app, image: app}]}, status: {phase: Running}}\n", ns)
		fmt.Fprintf(&b, "- {apiVersion: v1, kind: Pod, metadata: {name: agent, namespace: %s}, spec: {nodeName: node-%d, automountServiceAccountToken: false, containers: [{name: agent, image: agent, securityContext: {privileged: true}}]}, status: {phase: Running}}\n", ns, i)
		fmt.Fprintf(&b, "- {apiVersion: apps/v1, kind: Deployment, metadata: {name: web, namespace: %s}, spec: {template: {spec: {containers: [{name: web, image: web}]}}}}\n", ns)
	}
	file := filepath.Join(t.TempDir(), "cluster.yaml")
	if err := os.WriteFile(file, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	return risk.Analyze(loadScenarioFile(t, file), risk.Options{KeepCandidates: true})
}

// TestSharedScopesKeepEdgesPerPrincipalConstant: an identity that may create
// pods, exec, patch pods and Deployments, mint tokens, impersonate
// ServiceAccounts and bind a namespace admin role in every namespace has the
// same few steps whatever the number of namespaces (a privileged pod on its
// own node in each namespace included); the scopes' picks grow with the
// ServiceAccounts, pods and Deployments, once for every principal. A RoleBinding in one namespace gives steps into
// that namespace's scopes only.
func TestSharedScopesKeepEdgesPerPrincipalConstant(t *testing.T) {
	small, large := sharedScopeCluster(t, 3), sharedScopeCluster(t, 30)
	for _, who := range []string{"User:ops", "User:team"} {
		s, l := edgesFrom(small, who), edgesFrom(large, who)
		if len(s) != len(l) || len(s) == 0 {
			t.Errorf("%s: %d steps on 3 namespaces, %d on 30:\n%v\n%v", who, len(s), len(l), s, l)
		}
	}
	want := []string{
		"create-workload→Scope:any-serviceaccount",
		"token-request→Scope:any-serviceaccount",
		"impersonate→Scope:any-serviceaccount",
		"exec-pod→Scope:running-pods",
		"modify-workload→Scope:running-pods",
		"modify-workload→Scope:workload-templates:Deployment",
		"bind→Scope:any-namespace-admin",
	}
	got := strings.Join(edgesFrom(large, "User:ops"), "\n")
	for _, w := range want {
		if !strings.Contains(got+"\n", w+"\n") {
			t.Errorf("User:ops has no step %s:\n%s", w, got)
		}
	}
	team := strings.Join(edgesFrom(large, "User:team"), "\n")
	for _, w := range []string{"create-workload→Scope:any-serviceaccount:ns-0", "exec-pod→Scope:running-pods:ns-0", "bind→Scope:namespace-admin:ns-0"} {
		if !strings.Contains(team+"\n", w+"\n") {
			t.Errorf("User:team has no step %s:\n%s", w, team)
		}
	}
	// Deployment templates: one pick per namespace, and one escape to any node
	// (unlabelled namespaces admit privileged pods by default).
	for scope, n := range map[string]int{"Scope:any-serviceaccount": 60, "Scope:running-pods": 60, "Scope:workload-templates:Deployment": 31, "Scope:any-namespace-admin": 30, "Scope:any-serviceaccount:ns-7": 2} {
		if picks := edgesFrom(large, scope); len(picks) != n {
			t.Errorf("%s picks %d, want %d: %v", scope, len(picks), n, picks)
		}
	}
	// The path is one step through the scope and its pick.
	ops := large.Graph.Node("User:ops")
	path := large.Graph.ShortestTo(large.Sink()).Path(ops)
	var steps []string
	for _, e := range path {
		steps = append(steps, e.Primitive+"→"+e.To.Key)
	}
	if graph.Hops(path) != 1 || len(path) != 3 || path[1].Primitive != "pick-serviceaccount" || path[1].To.Key != "ServiceAccount:ns-1:app" {
		t.Errorf("User:ops: want one hop through a scope to ServiceAccount ns-1/app, got %v", steps)
	}
}
