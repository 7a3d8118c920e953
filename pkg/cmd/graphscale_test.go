package cmd

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// bigFleetOfBots is n namespaces, each with a ServiceAccount bot bound
// cluster-wide to a role minting tokens of any ServiceAccount (all start
// their paths the same way), ServiceAccount ops/admin bound to cluster-admin
// and running in a pod, and User:dev who may exec into it (a user: more
// exposed than the bots, less than a pod's token).
func bigFleetOfBots(t *testing.T, n int) string {
	t.Helper()
	var b strings.Builder
	b.WriteString(`apiVersion: v1
kind: List
items:
- {apiVersion: rbac.authorization.k8s.io/v1, kind: ClusterRole, metadata: {name: cluster-admin}, rules: [{apiGroups: ["*"], resources: ["*"], verbs: ["*"]}, {nonResourceURLs: ["*"], verbs: ["*"]}]}
- {apiVersion: rbac.authorization.k8s.io/v1, kind: ClusterRole, metadata: {name: token-minter}, rules: [{apiGroups: [""], resources: [serviceaccounts/token], verbs: [create]}]}
- {apiVersion: rbac.authorization.k8s.io/v1, kind: ClusterRoleBinding, metadata: {name: admin-bot}, roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cluster-admin}, subjects: [{kind: ServiceAccount, name: admin, namespace: ops}]}
- {apiVersion: rbac.authorization.k8s.io/v1, kind: ClusterRole, metadata: {name: exec}, rules: [{apiGroups: [""], resources: [pods/exec], verbs: [create]}]}
- {apiVersion: rbac.authorization.k8s.io/v1, kind: RoleBinding, metadata: {name: dev-exec, namespace: ops}, roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: exec}, subjects: [{apiGroup: rbac.authorization.k8s.io, kind: User, name: dev}]}
- {apiVersion: v1, kind: Namespace, metadata: {name: ops}}
- {apiVersion: v1, kind: ServiceAccount, metadata: {name: admin, namespace: ops}}
- {apiVersion: v1, kind: Pod, metadata: {name: admin-console, namespace: ops}, spec: {serviceAccountName: admin, containers: [{name: c, image: c}]}, status: {phase: Running}}
- {apiVersion: v1, kind: Node, metadata: {name: worker}}
`)
	for i := range n {
		ns := fmt.Sprintf("team-%02d", i)
		fmt.Fprintf(&b, "- {apiVersion: v1, kind: Namespace, metadata: {name: %s}}\n", ns)
		fmt.Fprintf(&b, "- {apiVersion: v1, kind: ServiceAccount, metadata: {name: bot, namespace: %s}}\n", ns)
		fmt.Fprintf(&b, "- {apiVersion: rbac.authorization.k8s.io/v1, kind: ClusterRoleBinding, metadata: {name: bot-%s}, roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: token-minter}, subjects: [{kind: ServiceAccount, name: bot, namespace: %s}]}\n", ns, ns)
	}
	file := filepath.Join(t.TempDir(), "bots.yaml")
	if err := os.WriteFile(file, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	return file
}

// TestGraphReadableAtScale: the graph collapses identities that start their
// paths the same way into one counted node (from --collapse of them on),
// --top keeps the most exposed identities' paths, and bad values are refused.
func TestGraphReadableAtScale(t *testing.T) {
	file := bigFleetOfBots(t, 24)
	runCLICases(t, []cliCase{
		{name: "collapsed by default", args: []string{"graph", "-f", file, "--allow-incomplete", "all"},
			stdout:    []string{`label="24 ServiceAccounts\nin 24 namespaces\ne.g. bot"`, `"Collapsed:ServiceAccount:token-request:Scope:any-serviceaccount"`, "User:dev"},
			notStdout: []string{`"ServiceAccount:team-07:bot"`}},
		{name: "not below the threshold", args: []string{"graph", "-f", file, "--allow-incomplete", "all", "--collapse", "25"},
			stdout: []string{`"ServiceAccount:team-07:bot"`}, notStdout: []string{"Collapsed:"}},
		{name: "never", args: []string{"graph", "-f", file, "--allow-incomplete", "all", "--collapse", "0"},
			stdout: []string{`"ServiceAccount:team-23:bot"`}, notStdout: []string{"Collapsed:"}},
		// The admin's token is in a running pod (entry pod), then the user.
		{name: "top 1 is the pod's ServiceAccount", args: []string{"graph", "-f", file, "--allow-incomplete", "all", "--top", "1"},
			stdout:    []string{"Paths of the 1 most exposed identities to cluster-admin", `"ServiceAccount:ops:admin"`},
			notStdout: []string{"team-", "Collapsed:", `"User:dev"`}},
		{name: "top 2 adds the user", args: []string{"graph", "-f", file, "--allow-incomplete", "all", "--top", "2"},
			stdout:    []string{`"User:dev" -> "Scope:running-pods:ops"`, `"ServiceAccount:ops:admin"`},
			notStdout: []string{"team-", "Collapsed:"}},
		{name: "top with --all", args: []string{"graph", "-f", file, "--allow-incomplete", "all", "--top", "3", "--all"}, code: ExitError,
			stderr: []string{"--top limits the paths view"}},
		{name: "negative", args: []string{"graph", "-f", file, "--collapse", "-1"}, code: ExitError,
			stderr: []string{"--top and --collapse take a number of 0 or more"}},
	})
	// Deterministic: the same picture twice.
	a, _, _ := runCLIProcess(t, "", "graph", "-f", file, "--allow-incomplete", "all")
	b, _, _ := runCLIProcess(t, "", "graph", "-f", file, "--allow-incomplete", "all")
	if a != b {
		t.Error("graph output differs between two runs")
	}
}
