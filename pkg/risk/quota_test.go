package risk_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/auth-paths/kubectl-auth-paths/pkg/model"
	"github.com/auth-paths/kubectl-auth-paths/pkg/risk"
)

const podMaker = `apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: pod-maker}
rules:
- {apiGroups: [""], resources: [pods], verbs: [create]}`

func quotaFindings(a *risk.Analysis) map[string]string {
	out := map[string]string{}
	for _, f := range a.Findings(entryCaseNow) {
		if f.ID == risk.FindingObjectCreationWithoutQuota {
			out[f.Object] = f.Message
		}
	}
	return out
}

// TestObjectCreationFindingScale: one finding per namespace, naming the
// cluster-wide and the namespace's own creators merged and sorted, capped at
// five with a count; terminating namespaces and unknown quotas report nothing.
func TestObjectCreationFindingScale(t *testing.T) {
	docs := []string{podMaker,
		`apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: ci}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: pod-maker}
subjects: [{kind: ServiceAccount, name: builder, namespace: ci}, {kind: User, name: zed, apiGroup: rbac.authorization.k8s.io}]`,
		"apiVersion: v1\nkind: Namespace\nmetadata: {name: old}\nstatus: {phase: Terminating}",
	}
	var subjects []string
	for i := range 6 {
		subjects = append(subjects, fmt.Sprintf("{kind: User, name: user-%d, apiGroup: rbac.authorization.k8s.io}", i))
	}
	for _, ns := range []string{"a", "b", "old"} {
		docs = append(docs, fmt.Sprintf(`apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: makers, namespace: %s}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: pod-maker}
subjects: [%s]`, ns, strings.Join(subjects, ", ")))
		subjects = subjects[:1] // b and old: one own creator
	}
	a := analyzeYAML(t, risk.Options{}, docs...)
	got := quotaFindings(a)
	want := map[string]string{
		"Namespace a": "8 identities that are not cluster-admin can create pods here, and it has no ResourceQuota: ServiceAccount:ci:builder, User:user-0, User:user-1, User:user-2, User:user-3 (+3 more)",
		"Namespace b": "3 identities that are not cluster-admin can create pods here, and it has no ResourceQuota: ServiceAccount:ci:builder, User:user-0, User:zed.",
	}
	if len(got) != len(want) {
		t.Errorf("findings for %v, want %d (not for the terminating namespace)", got, len(want))
	}
	for obj, prefix := range want {
		if !strings.HasPrefix(got[obj], prefix) {
			t.Errorf("%s:\n got %q\nwant %q…", obj, got[obj], prefix)
		}
	}
	// Forbidden ResourceQuotas: absence proves nothing, so nothing is reported.
	a.Inv.Missing = []model.MissingKind{{Resource: "resourcequotas", Reason: "forbidden"}}
	if got := quotaFindings(a); len(got) != 0 {
		t.Errorf("findings without readable quotas: %v", got)
	}
}
