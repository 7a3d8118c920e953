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

// fixFixture: group developers and user dave may create pods in fix-team,
// where ServiceAccount admin-bot is cluster-admin; carol may bind
// cluster-admin through ClusterRoleBindings, and may edit the RoleBindings of
// fix-team's Roles and RoleBindings without holding what the roles grant.
const fixFixture = `apiVersion: v1
kind: Namespace
metadata: {name: fix-team}
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: admin-bot, namespace: fix-team}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: fix-admin-bot}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cluster-admin}
subjects: [{kind: ServiceAccount, name: admin-bot, namespace: fix-team}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: pod-creator, namespace: fix-team}
rules: [{apiGroups: [""], resources: [pods], verbs: [create, get, list]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: team-create-pods, namespace: fix-team}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: pod-creator}
subjects:
- {kind: Group, name: developers, apiGroup: rbac.authorization.k8s.io}
- {kind: User, name: dave, apiGroup: rbac.authorization.k8s.io}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: rbac-granter}
rules:
- {apiGroups: [rbac.authorization.k8s.io], resources: [clusterrolebindings], verbs: [create]}
- {apiGroups: [rbac.authorization.k8s.io], resources: [clusterroles], verbs: [bind], resourceNames: [cluster-admin]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: carol-rbac-granter}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: rbac-granter}
subjects: [{kind: User, name: carol, apiGroup: rbac.authorization.k8s.io}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: binding-editor, namespace: fix-team}
rules: [{apiGroups: [rbac.authorization.k8s.io], resources: [roles, rolebindings], verbs: [get, update, patch]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: carol-binding-editor, namespace: fix-team}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: binding-editor}
subjects: [{kind: User, name: carol, apiGroup: rbac.authorization.k8s.io}]
`

type fixJSON struct {
	Goals []struct {
		Subject string `json:"subject"`
		Closed  bool   `json:"closed"`
	} `json:"goals"`
	Removed []struct {
		Subject string `json:"subject"`
	} `json:"removed"`
	DryRun *struct {
		Server []struct {
			Kind     string `json:"kind"`
			Name     string `json:"name"`
			Accepted bool   `json:"accepted"`
			Reason   string `json:"reason"`
		} `json:"server"`
		Unchanged bool `json:"unchanged"`
		Steps     []struct {
			From   string `json:"from"`
			Before bool   `json:"allowedBefore"`
			After  bool   `json:"allowedAfter"`
		} `json:"steps"`
	} `json:"dryRun"`
}

// livePathIDs maps each path ID of a live scan to its subject.
func livePathIDs(t *testing.T, e *env, kubeconfig string) map[string]string {
	t.Helper()
	r := e.run(t, "--kubeconfig="+kubeconfig, "scan", "-o", "json")
	if r.code != 0 {
		t.Fatalf("scan: exit %d: %s", r.code, r.stderr)
	}
	var scan struct {
		Paths []struct {
			ID      string `json:"id"`
			Subject struct {
				Kind, Name, Namespace string
			} `json:"subject"`
		} `json:"paths"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &scan); err != nil {
		t.Fatal(err)
	}
	ids := map[string]string{}
	for _, p := range scan.Paths {
		s := p.Subject.Kind + ":" + p.Subject.Name
		if p.Subject.Namespace != "" {
			s = p.Subject.Kind + ":" + p.Subject.Namespace + ":" + p.Subject.Name
		}
		ids[p.ID] = s
	}
	return ids
}

// TestLiveFixDryRunAndApply: fix --dry-run=server is accepted by the
// apiserver and changes nothing; a runner the RBAC escalation check refuses
// gets exit 4 and the apiserver's reason; the same fix applied for real
// closes the developers' path and leaves every other path as it was.
func TestLiveFixDryRunAndApply(t *testing.T) {
	e := liveEnv(t) // for the built plugin
	c := cluster.Start(t)
	if _, err := c.KubectlStdin(strings.NewReader(fixFixture), "apply", "-f", "-"); err != nil {
		t.Fatal(err)
	}
	admin := "--kubeconfig=" + c.Kubeconfig
	before := livePathIDs(t, e, c.Kubeconfig)
	for _, want := range []string{"Group:developers", "User:dave", "User:carol"} {
		if !containsValue(before, want) {
			t.Fatalf("no path of %s before the fix: %v", want, before)
		}
	}
	rvs := resourceVersions(t, c)

	r := e.run(t, admin, "fix", "--subject", "Group:developers", "--dry-run=server", "-o", "json")
	if r.code != 0 {
		t.Fatalf("fix --dry-run=server: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	var fx fixJSON
	if err := json.Unmarshal([]byte(r.stdout), &fx); err != nil || fx.DryRun == nil {
		t.Fatalf("%v\n%s", err, r.stdout)
	}
	if len(fx.DryRun.Server) != 1 || !fx.DryRun.Server[0].Accepted || !fx.DryRun.Unchanged || len(fx.Goals) != 1 || !fx.Goals[0].Closed {
		t.Errorf("server dry run: %+v", fx.DryRun)
	}
	flipped := false
	for _, s := range fx.DryRun.Steps {
		flipped = flipped || (s.From == "Group:developers" && s.Before && !s.After)
	}
	if !flipped {
		t.Errorf("no request of Group:developers turns denied on the proposed RBAC: %+v", fx.DryRun.Steps)
	}
	// The table, as the README shows it.
	r = e.run(t, admin, "fix", "--subject", "Group:developers", "--dry-run=server")
	if r.code != 0 || !strings.Contains(r.stdout, "1 of 1 change(s) accepted") || !strings.Contains(r.stdout, "every edited object kept its resourceVersion") {
		t.Errorf("fix --dry-run=server table: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	t.Logf("$ kubectl auth-paths fix --subject Group:developers --dry-run=server\n%s", r.stdout)
	if got := resourceVersions(t, c); got != rvs {
		t.Fatalf("the server dry run changed objects:\nbefore %s\nafter %s", rvs, got)
	}

	// carol may update fix-team's Roles and RoleBindings but holds neither
	// the pods permissions of pod-creator nor escalate or bind: the
	// apiserver's escalation check refuses the edit (which of the two objects
	// the plan edits, the check is the same).
	dump := filepath.Join(t.TempDir(), "dump.yaml")
	d := e.run(t, admin, "dump", "-o", "yaml")
	if d.code != 0 {
		t.Fatalf("dump: %s", d.stderr)
	}
	if err := os.WriteFile(dump, []byte(d.stdout), 0o600); err != nil {
		t.Fatal(err)
	}
	carolKC, err := c.KubeconfigFor("carol")
	if err != nil {
		t.Fatal(err)
	}
	r = e.run(t, "--kubeconfig="+carolKC, "fix", "-f", dump, "--subject", "Group:developers", "--dry-run=server")
	if r.code != 4 || !strings.Contains(r.stdout, "REJECTED update ") || !strings.Contains(r.stdout, "not currently held") {
		t.Errorf("fix --dry-run=server as carol: exit %d, want 4 and the escalation refusal\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	t.Logf("$ kubectl auth-paths fix -f dump.yaml --subject Group:developers --dry-run=server   # as carol\n%s%s", r.stdout, r.stderr)
	if got := resourceVersions(t, c); got != rvs {
		t.Fatalf("the refused dry run changed objects")
	}

	// Apply the change for real, as the README says: fix -o yaml | kubectl apply -f -.
	r = e.run(t, admin, "fix", "--subject", "Group:developers", "-o", "yaml")
	if r.code != 0 {
		t.Fatalf("fix -o yaml: exit %d %s", r.code, r.stderr)
	}
	if out, err := c.KubectlStdin(strings.NewReader(r.stdout), "apply", "-f", "-"); err != nil {
		t.Fatalf("kubectl apply of the fix: %v\n%s\n%s", err, out, r.stdout)
	}
	after := livePathIDs(t, e, c.Kubeconfig)
	if containsValue(after, "Group:developers") {
		t.Errorf("Group:developers still has a path after the fix: %v", after)
	}
	// Paths of others close only where the fix said they lose a permission
	// (the collateral it lists); nothing else changes.
	collateral := map[string]bool{"Group:developers": true}
	for _, l := range fx.Removed {
		collateral[l.Subject] = true
	}
	var lost, gained []string
	for id, s := range before {
		if collateral[s] {
			continue
		}
		if _, ok := after[id]; !ok {
			lost = append(lost, s+" "+id)
		}
	}
	for id, s := range after {
		if _, ok := before[id]; !ok {
			gained = append(gained, s+" "+id)
		}
	}
	sort.Strings(lost)
	sort.Strings(gained)
	if len(lost)+len(gained) > 0 {
		t.Errorf("the fix changed other paths: lost %v, new %v", lost, gained)
	}
	if !containsValue(after, "User:carol") {
		t.Errorf("carol's path, which the fix does not touch, is gone: %v", after)
	}
}

func containsValue(m map[string]string, v string) bool {
	for _, x := range m {
		if x == v {
			return true
		}
	}
	return false
}
