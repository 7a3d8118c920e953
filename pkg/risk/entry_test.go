package risk_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/auth-paths/kubectl-auth-paths/pkg/risk"
	"github.com/auth-paths/kubectl-auth-paths/pkg/source"
)

// analyzeYAML analyses a multi-document YAML written inline.
func analyzeYAML(t *testing.T, opts risk.Options, docs ...string) *risk.Analysis {
	t.Helper()
	path := filepath.Join(t.TempDir(), "in.yaml")
	if err := os.WriteFile(path, []byte(strings.Join(docs, "\n---\n")), 0o600); err != nil {
		t.Fatal(err)
	}
	inv, err := source.LoadFiles(source.FileOptions{Filenames: []string{path}})
	if err != nil {
		t.Fatal(err)
	}
	return risk.Analyze(inv, opts)
}

// clusterRoleDoc is a ClusterRole with rules written as YAML flow maps.
func clusterRoleDoc(name string, rules ...string) string {
	return "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: {name: " + name + "}\nrules:\n- " + strings.Join(rules, "\n- ")
}

// bindingDoc is a ClusterRoleBinding (ns "") or a RoleBinding in ns of
// ClusterRole role to one subject, written as a YAML flow map.
func bindingDoc(ns, name, role, subject string) string {
	kind, meta := "ClusterRoleBinding", "{name: "+name+"}"
	if ns != "" {
		kind, meta = "RoleBinding", "{name: "+name+", namespace: "+ns+"}"
	}
	return "apiVersion: rbac.authorization.k8s.io/v1\nkind: " + kind + "\nmetadata: " + meta +
		"\nroleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: " + role + "}\nsubjects: [" + subject + "]"
}

const (
	adminRole = `apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: cluster-admin}
rules:
- {apiGroups: ["*"], resources: ["*"], verbs: ["*"]}
- {nonResourceURLs: ["*"], verbs: ["*"]}`
	bindAdminTo = `apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: b}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cluster-admin}
subjects: [SUBJECT]`
	saBot = `apiVersion: v1
kind: ServiceAccount
metadata: {name: bot, namespace: ns}`
	saBotEnforcing = `apiVersion: v1
kind: ServiceAccount
metadata: {name: bot, namespace: ns, annotations: {kubernetes.io/enforce-mountable-secrets: "true"}}`
	podBot = `apiVersion: v1
kind: Pod
metadata: {name: bot-1, namespace: ns}
spec: {serviceAccountName: bot, nodeName: n1, containers: [{name: c, image: example/bot:1}]}
status: {phase: Running}`
	podBotNoToken = `apiVersion: v1
kind: Pod
metadata: {name: bot-1, namespace: ns}
spec: {serviceAccountName: bot, automountServiceAccountToken: false, containers: [{name: c, image: example/bot:1}]}
status: {phase: Running}`
	tokenBot = `apiVersion: v1
kind: Secret
metadata: {name: bot-token, namespace: ns, creationTimestamp: "2020-01-01T00:00:00Z", annotations: {kubernetes.io/service-account.name: bot}}
type: kubernetes.io/service-account-token`
	tokenBotUsed = `apiVersion: v1
kind: Secret
metadata: {name: bot-token, namespace: ns, creationTimestamp: "2020-01-01T00:00:00Z", labels: {kubernetes.io/legacy-token-last-used: "2026-11-01"}, annotations: {kubernetes.io/service-account.name: bot}}
type: kubernetes.io/service-account-token`
)

func bindAdmin(subject string) string { return strings.Replace(bindAdminTo, "SUBJECT", subject, 1) }

func TestEntryPointsRankPathsByExposure(t *testing.T) {
	tests := []struct {
		name      string
		docs      []string
		subject   string
		wantEntry string
		absent    string
	}{
		{"anonymous group binding", []string{adminRole, bindAdmin(`{kind: Group, name: "system:unauthenticated", apiGroup: rbac.authorization.k8s.io}`)}, "Group:system:unauthenticated", risk.EntryAnonymous, ""},
		{"all authenticated", []string{adminRole, bindAdmin(`{kind: Group, name: "system:authenticated", apiGroup: rbac.authorization.k8s.io}`)}, "Group:system:authenticated", risk.EntryAuthenticated, ""},
		{"pod with mounted token", []string{adminRole, saBot, podBot, bindAdmin(`{kind: ServiceAccount, name: bot, namespace: ns}`)}, "ServiceAccount:ns:bot", risk.EntryPod, risk.EntryToken},
		{"pod without token is no pod entry", []string{adminRole, saBot, podBotNoToken, bindAdmin(`{kind: ServiceAccount, name: bot, namespace: ns}`)}, "ServiceAccount:ns:bot", risk.EntryServiceAccount, risk.EntryPod},
		{"legacy token", []string{adminRole, saBot, tokenBot, bindAdmin(`{kind: ServiceAccount, name: bot, namespace: ns}`)}, "ServiceAccount:ns:bot", risk.EntryToken, risk.EntryPod},
		{"human user", []string{adminRole, bindAdmin(`{kind: User, name: alice, apiGroup: rbac.authorization.k8s.io}`)}, "User:alice", risk.EntryUser, risk.EntryAnonymous},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := analyzeYAML(t, risk.Options{}, tt.docs...)
			res := a.Scan(true)
			a.AddEntries(res.Paths)
			for _, p := range res.Paths {
				if p.Subject.String() != tt.subject {
					continue
				}
				if p.Exposure != tt.wantEntry || !risk.HasEntry(p.Entries, tt.wantEntry) {
					t.Fatalf("exposure %q, entries %+v; want %s", p.Exposure, p.Entries, tt.wantEntry)
				}
				if tt.absent != "" && risk.HasEntry(p.Entries, tt.absent) {
					t.Fatalf("entries %+v must not contain %s", p.Entries, tt.absent)
				}
				return
			}
			t.Fatalf("no path for %s in %+v", tt.subject, res.Paths)
		})
	}
}

func TestMoreExposedPathsComeFirst(t *testing.T) {
	a := analyzeYAML(t, risk.Options{}, adminRole,
		bindAdmin(`{kind: User, name: alice, apiGroup: rbac.authorization.k8s.io}`),
		strings.Replace(bindAdmin(`{kind: Group, name: "system:unauthenticated", apiGroup: rbac.authorization.k8s.io}`), "name: b}", "name: anon}", 1))
	res := a.Scan(false)
	a.AddEntries(res.Paths)
	if len(res.Paths) == 0 || res.Paths[0].Exposure != risk.EntryAnonymous {
		t.Fatalf("first path should be the anonymous one: %+v", res.Paths)
	}
}

func TestHygieneFindings(t *testing.T) {
	now := time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		name    string
		docs    []string
		opts    risk.Options
		want    string
		notWant string
	}{
		{"admin SA token mounted in a running pod", []string{adminRole, saBot, podBot, bindAdmin(`{kind: ServiceAccount, name: bot, namespace: ns}`)}, risk.Options{}, risk.FindingAdminTokenMounted, ""},
		{"admin SA without mounted token", []string{adminRole, saBot, podBotNoToken, bindAdmin(`{kind: ServiceAccount, name: bot, namespace: ns}`)}, risk.Options{}, "", risk.FindingAdminTokenMounted},
		{"legacy token without enforce-mountable-secrets", []string{saBot, tokenBot}, risk.Options{}, risk.FindingMountableSecrets, ""},
		{"legacy token with enforce-mountable-secrets", []string{saBotEnforcing, tokenBotUsed}, risk.Options{}, "", risk.FindingMountableSecrets},
		{"legacy token never used for years", []string{saBot, tokenBot}, risk.Options{}, risk.FindingUnusedLegacyToken, ""},
		{"legacy token used recently", []string{saBot, tokenBotUsed}, risk.Options{}, "", risk.FindingUnusedLegacyToken},
		{"binding to a missing role", []string{bindAdmin(`{kind: User, name: alice, apiGroup: rbac.authorization.k8s.io}`)}, risk.Options{}, risk.FindingDanglingRole, ""},
		{"binding to an existing role", []string{adminRole, bindAdmin(`{kind: User, name: alice, apiGroup: rbac.authorization.k8s.io}`)}, risk.Options{}, "", risk.FindingDanglingRole},
		{"binding to a missing ServiceAccount", []string{adminRole, saBot, bindAdmin(`{kind: ServiceAccount, name: ghost, namespace: ns}`)}, risk.Options{}, risk.FindingDanglingServiceAccount, ""},
		{"binding to an existing ServiceAccount", []string{adminRole, saBot, bindAdmin(`{kind: ServiceAccount, name: bot, namespace: ns}`)}, risk.Options{}, "", risk.FindingDanglingServiceAccount},
		{"group nobody is in", []string{adminRole, bindAdmin(`{kind: Group, name: platform-admin, apiGroup: rbac.authorization.k8s.io}`)}, risk.Options{Groups: map[string][]string{"alice": {"platform-admins"}}}, risk.FindingGroupNeverSeen, ""},
		{"group someone is in", []string{adminRole, bindAdmin(`{kind: Group, name: platform-admins, apiGroup: rbac.authorization.k8s.io}`)}, risk.Options{Groups: map[string][]string{"alice": {"platform-admins"}}}, "", risk.FindingGroupNeverSeen},
		{"no groups file, no never-seen finding", []string{adminRole, bindAdmin(`{kind: Group, name: platform-admin, apiGroup: rbac.authorization.k8s.io}`)}, risk.Options{}, "", risk.FindingGroupNeverSeen},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := analyzeYAML(t, tt.opts, tt.docs...)
			got := map[string]bool{}
			for _, f := range a.Findings(now) {
				got[f.ID] = true
				if f.Message == "" || f.Reference == "" || f.Object == "" {
					t.Errorf("incomplete finding %+v", f)
				}
			}
			if tt.want != "" && !got[tt.want] {
				t.Errorf("want finding %s, got %v", tt.want, got)
			}
			if tt.notWant != "" && got[tt.notWant] {
				t.Errorf("finding %s must not be reported, got %v", tt.notWant, got)
			}
		})
	}
}
