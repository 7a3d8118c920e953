package risk_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/auth-paths/kubectl-auth-paths/pkg/risk"
)

// TestReadSecretsEveryNamespace: a principal that reads any Secret
// cluster-wide steps once into every namespace's token Secrets when one of
// them is accepted. When none is (each is of a re-created ServiceAccount),
// it has no step, and explain still gives each Secret's reason, in every
// namespace, not only those of its own RoleBindings.
func TestReadSecretsEveryNamespace(t *testing.T) {
	sa := func(ns, uid string) string {
		return "apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: app, namespace: " + ns + ", uid: " + uid + "}"
	}
	token := func(ns, uid string) string {
		return "apiVersion: v1\nkind: Secret\ntype: kubernetes.io/service-account-token\nmetadata: {name: app-token, namespace: " + ns +
			", annotations: {kubernetes.io/service-account.name: app, kubernetes.io/service-account.uid: " + uid + "}}"
	}
	reader := clusterRoleDoc("reader", `{apiGroups: [""], resources: [secrets], verbs: [get]}`)
	crb := bindingDoc("", "reader", "reader", "{kind: User, name: rita}")
	own := bindingDoc("a", "reader", "reader", "{kind: User, name: rita}")
	adminB := bindingDoc("b", "app-admin", "cluster-admin", "{kind: ServiceAccount, name: app, namespace: b}")
	for _, tc := range []struct {
		name       string
		tokenUIDB  string // the UID token Secret b/app-token names (b/app's is u-b)
		wantEdges  []string
		wantReason bool // explain gives b/app-token's reason
	}{
		{"accepted", "u-b", []string{"read-secrets→Scope:token-secrets"}, false},
		{"rejected everywhere", "u-old", nil, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			docs := []string{adminRole, reader, crb, own, adminB, sa("a", "u-a"), token("a", "u-a-old"), sa("b", "u-b"), token("b", tc.tokenUIDB)}
			a := analyzeYAML(t, risk.Options{}, docs...)
			if got := edgesFrom(a, "User:rita"); !slices.Equal(got, tc.wantEdges) {
				t.Errorf("steps %q, want %q", got, tc.wantEdges)
			}
			a = analyzeYAML(t, risk.Options{KeepCandidates: true}, docs...)
			reason := false
			for _, c := range a.Candidates("User:rita") {
				if c.Primitive == "read-secrets" && !c.Holds && strings.Contains(c.Why, "Secret b/app-token") {
					reason = true
				}
			}
			if reason != tc.wantReason {
				t.Errorf("explain gives b/app-token's reason: %v, want %v", reason, tc.wantReason)
			}
		})
	}
}
