package e2e

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// cimpFixture: user cimp-ops-lead is cluster-admin. carol may impersonate
// it in mode user-info, only to create ClusterRoleBindings. alice holds the
// same impersonation but with the verb impersonate-on:user-info:*, which
// matches no request's verb.
const cimpFixture = `apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: cimp-ops-lead-admin}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cluster-admin}
subjects: [{kind: User, name: cimp-ops-lead, apiGroup: rbac.authorization.k8s.io}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: cimp-create-crb-as-ops-lead}
rules:
- {apiGroups: [authentication.k8s.io], resources: [users], resourceNames: [cimp-ops-lead], verbs: ["impersonate:user-info"]}
- {apiGroups: [rbac.authorization.k8s.io], resources: [clusterrolebindings], verbs: ["impersonate-on:user-info:create"]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: cimp-carol}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cimp-create-crb-as-ops-lead}
subjects: [{kind: User, name: carol, apiGroup: rbac.authorization.k8s.io}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: cimp-star-verb}
rules:
- {apiGroups: [authentication.k8s.io], resources: [users], resourceNames: [cimp-ops-lead], verbs: ["impersonate:user-info"]}
- {apiGroups: [rbac.authorization.k8s.io], resources: [clusterrolebindings], verbs: ["impersonate-on:user-info:*"]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: cimp-alice}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cimp-star-verb}
subjects: [{kind: User, name: alice, apiGroup: rbac.authorization.k8s.io}]
---
apiVersion: v1
kind: Namespace
metadata: {name: cimp}
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: deployer, namespace: cimp}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: cimp-deployer-admin}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cluster-admin}
subjects: [{kind: ServiceAccount, name: deployer, namespace: cimp}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: cimp-impersonate-deployer, namespace: cimp}
rules:
- {apiGroups: [authentication.k8s.io], resources: [serviceaccounts], resourceNames: [deployer], verbs: ["impersonate:serviceaccount"]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: cimp-carol-deployer, namespace: cimp}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: cimp-impersonate-deployer}
subjects: [{kind: User, name: carol, apiGroup: rbac.authorization.k8s.io}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: cimp-get-namespaces-as-sa}
rules:
- {apiGroups: [""], resources: [namespaces], verbs: ["impersonate-on:serviceaccount:get"]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: cimp-carol-get-namespaces}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cimp-get-namespaces-as-sa}
subjects: [{kind: User, name: carol, apiGroup: rbac.authorization.k8s.io}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: cimp-get-node-as-node}
rules:
- {apiGroups: [authentication.k8s.io], resources: [nodes], resourceNames: [cimp-worker], verbs: ["impersonate:arbitrary-node"]}
- {apiGroups: [""], resources: [nodes], verbs: ["impersonate-on:arbitrary-node:get"]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: cimp-carol-node}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cimp-get-node-as-node}
subjects: [{kind: User, name: carol, apiGroup: rbac.authorization.k8s.io}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: cimp-get-nodes}
rules:
- {apiGroups: [""], resources: [nodes], verbs: [get]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: cimp-nodes-get-nodes}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cimp-get-nodes}
subjects: [{kind: Group, name: system:nodes, apiGroup: rbac.authorization.k8s.io}]
---
apiVersion: v1
kind: Node
metadata: {name: cimp-worker}
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: agent, namespace: cimp}
---
apiVersion: v1
kind: Pod
metadata: {name: agent, namespace: cimp}
spec:
  nodeName: cimp-worker
  serviceAccountName: agent
  containers: [{name: agent, image: registry.k8s.io/pause:3.10}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: cimp-agent}
rules:
- {apiGroups: [authentication.k8s.io], resources: [nodes], verbs: ["impersonate:associated-node"]}
- {apiGroups: [""], resources: [nodes], verbs: ["impersonate-on:associated-node:get"]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: cimp-agent}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cimp-agent}
subjects: [{kind: ServiceAccount, name: agent, namespace: cimp}]
`

// cimpEdges returns the constrained-impersonate steps explain gives for a
// subject: "holds: CONDITION" or "fails: WHY".
func cimpEdges(t *testing.T, r result) []string {
	t.Helper()
	var ex explainJSON
	if err := json.Unmarshal([]byte(r.stdout), &ex); err != nil {
		t.Fatalf("%v\n%s\nstderr: %s", err, r.stdout, r.stderr)
	}
	var out []string
	for _, e := range ex.Edges {
		if e.Primitive != "constrained-impersonate" {
			continue
		}
		if e.Holds {
			out = append(out, "holds: "+e.To+": "+e.Condition)
		} else {
			out = append(out, "fails: "+e.Why)
		}
	}
	return out
}

// TestLiveConstrainedImpersonation: on the v1.37 apiserver, carol really
// creates a ClusterRoleBinding as cimp-ops-lead (binding cluster-admin to
// herself: ops-lead's own bind permission decides), and every other request
// as cimp-ops-lead is refused, as is system:masters and alice's
// impersonate-on:user-info:*; as ServiceAccount cimp/deployer (mode
// serviceaccount, granted by a RoleBinding in cimp) she gets namespaces only,
// and as node cimp-worker (mode arbitrary-node, group system:nodes) nodes;
// ServiceAccount cimp/agent, with a token bound to its pod on cimp-worker,
// gets nodes as cimp-worker (mode associated-node) and as no other node. The analysis, live and offline from a dump,
// gives carol the step and a path, and alice the step's failure.
func TestLiveConstrainedImpersonation(t *testing.T) {
	e := liveEnv(t)
	if _, err := e.c.KubectlStdin(strings.NewReader(cimpFixture), "apply", "-f", "-"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		// No kubelet confirms the pod's end: delete it at once.
		if _, err := e.c.Kubectl("delete", "pod", "agent", "-n", "cimp", "--grace-period=0", "--force", "--ignore-not-found"); err != nil {
			t.Errorf("cleanup: %v", err)
		}
		if _, err := e.c.KubectlStdin(strings.NewReader(cimpFixture), "delete", "--wait=false", "--ignore-not-found", "-f", "-"); err != nil {
			t.Errorf("cleanup: %v", err)
		}
		if _, err := e.c.Kubectl("delete", "clusterrolebinding", "cimp-carol-admin", "--ignore-not-found"); err != nil {
			t.Errorf("cleanup: %v", err)
		}
	})

	// The analysis first, while carol is not yet cluster-admin.
	d := e.run(t, "dump")
	if d.code != 0 && d.code != 3 {
		t.Fatalf("dump: exit %d: %s", d.code, d.stderr)
	}
	dump := filepath.Join(t.TempDir(), "dump.json")
	if err := os.WriteFile(dump, []byte(d.stdout), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, mode := range []struct {
		name string
		args []string
	}{{"live", nil}, {"offline", []string{"-f", dump}}} {
		carol := cimpEdges(t, e.run(t, append([]string{"explain", "User:carol", "-o", "json"}, mode.args...)...))
		want := []string{
			"holds: Scope:Node cimp-worker impersonated (arbitrary-node) for get nodes",
			"holds: Scope:ServiceAccount cimp/deployer impersonated (serviceaccount) for get namespaces",
			"holds: Scope:User cimp-ops-lead impersonated (user-info) for create clusterrolebindings.rbac.authorization.k8s.io",
		}
		if len(carol) != len(want) || !strings.HasPrefix(carol[0], want[0]) || !strings.HasPrefix(carol[1], want[1]) || !strings.HasPrefix(carol[2], want[2]) {
			t.Errorf("%s: carol's constrained-impersonate steps %q, want %q", mode.name, carol, want)
		}
		agent := cimpEdges(t, e.run(t, append([]string{"explain", "ServiceAccount:cimp:agent", "-o", "json"}, mode.args...)...))
		if len(agent) != 1 || !strings.HasPrefix(agent[0], "holds: Scope:Node cimp-worker impersonated (associated-node) for get nodes") {
			t.Errorf("%s: cimp/agent's constrained-impersonate steps %q, want one into the scope of its pod's node", mode.name, agent)
		}
		alice := cimpEdges(t, e.run(t, append([]string{"explain", "User:alice", "-o", "json"}, mode.args...)...))
		if len(alice) != 1 || !strings.Contains(alice[0], "holds no impersonate-on:user-info:<verb> rule") || !strings.Contains(alice[0], "impersonate-on:user-info:*") {
			t.Errorf("%s: alice's constrained-impersonate steps %q, want one failing on impersonate-on:user-info:*", mode.name, alice)
		}
		from := e.run(t, append([]string{"from", "User:carol", "-o", "json"}, mode.args...)...)
		if !strings.Contains(from.stdout, `"primitive": "constrained-impersonate"`) || !strings.Contains(from.stdout, `"primitive": "bind"`) {
			t.Errorf("%s: from User:carol: want a path through constrained-impersonate and bind, got exit %d:\n%s\n%s", mode.name, from.code, from.stdout, from.stderr)
		}
	}

	// verify asks the apiserver (SubjectAccessReview) for the step's two
	// checks as carol: impersonate:user-info and impersonate-on:user-info:create.
	r := e.run(t, "verify", "User:carol", "--max-paths", "1", "-o", "json")
	var v verifyJSON
	if err := json.Unmarshal([]byte(r.stdout), &v); err != nil {
		t.Fatalf("verify: %v\n%s\n%s", err, r.stdout, r.stderr)
	}
	if len(v.Paths) != 1 || len(v.Paths[0].Steps) == 0 {
		t.Fatalf("verify User:carol: want one path, got %s", r.stdout)
	}
	first := v.Paths[0].Steps[0]
	if first.Primitive != "constrained-impersonate" || first.Status != "verified" || len(first.Checks) != 2 || !first.Checks[0].Allowed || !first.Checks[1].Allowed {
		t.Errorf("verify User:carol: the first step must be constrained-impersonate, verified by two allowed checks: %+v", first)
	}

	carolKC, err := e.c.KubeconfigFor("carol")
	if err != nil {
		t.Fatal(err)
	}
	aliceKC, err := e.c.KubeconfigFor("alice")
	if err != nil {
		t.Fatal(err)
	}
	as := func(kc string, args ...string) (string, error) {
		return e.c.Kubectl(append([]string{"--kubeconfig=" + kc}, args...)...)
	}
	forbidden := func(what string, out string, err error, verb string) {
		t.Helper()
		if err == nil || !strings.Contains(err.Error(), "Forbidden") && !strings.Contains(err.Error(), "forbidden") {
			t.Errorf("%s: want forbidden, got %v: %s", what, err, out)
			return
		}
		if verb != "" && !strings.Contains(err.Error(), verb) {
			t.Errorf("%s: the refusal should name %q: %v", what, verb, err)
		}
	}

	// Without impersonation carol cannot write bindings.
	out, err := as(carolKC, "create", "clusterrolebinding", "cimp-carol-admin", "--clusterrole=cluster-admin", "--user=carol")
	forbidden("carol creating a ClusterRoleBinding as herself", out, err, "")
	// Other verbs as cimp-ops-lead are refused, naming the impersonate-on verb.
	out, err = as(carolKC, "--as=cimp-ops-lead", "get", "secrets", "-A")
	forbidden("carol listing secrets as cimp-ops-lead", out, err, "impersonate-on:user-info:list")
	out, err = as(carolKC, "--as=cimp-ops-lead", "delete", "clusterrolebinding", "cimp-alice", "--dry-run=server")
	forbidden("carol deleting a ClusterRoleBinding as cimp-ops-lead", out, err, "impersonate-on:user-info:delete")
	// system:masters is never impersonated in a constrained mode.
	out, err = as(carolKC, "--as=cimp-ops-lead", "--as-group=system:masters", "create", "clusterrolebinding", "cimp-carol-admin", "--clusterrole=cluster-admin", "--user=carol", "--dry-run=server")
	forbidden("carol adding group system:masters", out, err, "")
	// impersonate-on:user-info:* is no verb wildcard.
	out, err = as(aliceKC, "--as=cimp-ops-lead", "create", "clusterrolebinding", "cimp-alice-admin", "--clusterrole=cluster-admin", "--user=alice", "--dry-run=server")
	forbidden("alice creating a ClusterRoleBinding with impersonate-on:user-info:*", out, err, "impersonate-on:user-info:create")

	// Mode serviceaccount: asked on serviceaccounts in the ServiceAccount's
	// namespace (carol's RoleBinding in cimp), group authentication.k8s.io.
	if out, err := as(carolKC, "--as=system:serviceaccount:cimp:deployer", "get", "namespace", "cimp", "-o", "name"); err != nil || strings.TrimSpace(out) != "namespace/cimp" {
		t.Errorf("carol getting a namespace as cimp/deployer: %q, %v; want namespace/cimp", out, err)
	}
	out, err = as(carolKC, "--as=system:serviceaccount:cimp:deployer", "get", "pods", "-n", "cimp")
	forbidden("carol listing pods as cimp/deployer", out, err, "impersonate-on:serviceaccount:list")
	// A ServiceAccount name is never impersonated in mode user-info.
	out, err = as(carolKC, "--as=system:serviceaccount:cimp:deployer", "create", "clusterrolebinding", "cimp-carol-admin", "--clusterrole=cluster-admin", "--user=carol", "--dry-run=server")
	forbidden("carol creating a ClusterRoleBinding as cimp/deployer", out, err, "")

	// Mode arbitrary-node: asked on nodes NAME; the node is in group
	// system:nodes (only that group's binding lets it get nodes, so NotFound,
	// not Forbidden, shows the request was authorized as the node).
	if out, err := as(carolKC, "--as=system:node:cimp-worker", "get", "node", "cimp-worker", "-o", "name"); err != nil || strings.TrimSpace(out) != "node/cimp-worker" {
		t.Errorf("carol getting node cimp-worker as system:node:cimp-worker: %q, %v; want node/cimp-worker (authorized as a member of system:nodes)", out, err)
	}
	out, err = as(carolKC, "--as=system:node:other-worker", "get", "node", "cimp-worker")
	forbidden("carol getting a node as another node", out, err, "impersonate:arbitrary-node")

	// Mode associated-node: a token bound to the agent's pod names the pod's
	// node; with it, the ServiceAccount impersonates that node and no other.
	token, err := e.c.Kubectl("create", "token", "agent", "-n", "cimp", "--bound-object-kind=Pod", "--bound-object-name=agent")
	if err != nil {
		t.Fatal(err)
	}
	withToken := func(args ...string) (string, error) {
		return e.c.Kubectl(append([]string{"--token=" + strings.TrimSpace(token)}, args...)...)
	}
	if out, err := withToken("--as=system:node:cimp-worker", "get", "node", "cimp-worker", "-o", "name"); err != nil || strings.TrimSpace(out) != "node/cimp-worker" {
		t.Errorf("cimp/agent getting node cimp-worker as its pod's node: %q, %v; want node/cimp-worker", out, err)
	}
	out, err = withToken("--as=system:node:other-worker", "get", "node", "cimp-worker")
	forbidden("cimp/agent getting a node as a node its pod is not on", out, err, "")

	// The step itself: as cimp-ops-lead, carol binds cluster-admin to herself
	// (RBAC's bind check is cimp-ops-lead's own), and is then cluster-admin.
	if out, err := as(carolKC, "--as=cimp-ops-lead", "create", "clusterrolebinding", "cimp-carol-admin", "--clusterrole=cluster-admin", "--user=carol"); err != nil {
		t.Fatalf("carol creating a ClusterRoleBinding as cimp-ops-lead: %v: %s", err, out)
	}
	if out, err := as(carolKC, "auth", "can-i", "*", "*"); err != nil || strings.TrimSpace(out) != "yes" {
		t.Errorf("carol after binding cluster-admin: can-i * * = %q, %v; want yes", out, err)
	}
}
