package risk_test

import (
	"strings"
	"testing"

	"github.com/auth-paths/kubectl-auth-paths/pkg/risk"
)

// TestAdmissionAnswersPerRequester: the admission answers are shared by
// every requester only when no policy reads who asks. A policy admitting
// pods from alice alone lets alice, not bob, step into the namespace's
// ServiceAccounts, whichever of them is evaluated first; a policy that does
// not read the requester refuses both.
func TestAdmissionAnswersPerRequester(t *testing.T) {
	user := func(name string) string {
		return `{kind: User, name: ` + name + `, apiGroup: rbac.authorization.k8s.io}`
	}
	policy := func(expr string) string {
		return `apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicy
metadata: {name: only}
spec:
  failurePolicy: Fail
  matchConstraints:
    resourceRules: [{apiGroups: [""], apiVersions: [v1], operations: [CREATE], resources: [pods]}]
  validations: [{expression: "` + expr + `"}]
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicyBinding
metadata: {name: only}
spec: {policyName: only, validationActions: [Deny]}`
	}
	creator := clusterRoleDoc("pod-creator", `{apiGroups: [""], resources: [pods], verbs: [create]}`)
	base := []string{adminRole, creator, "apiVersion: v1\nkind: Namespace\nmetadata: {name: team}",
		"apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: app, namespace: team}",
		bindingDoc("team", "alice", "pod-creator", user("alice")), bindingDoc("team", "bob", "pod-creator", user("bob"))}
	tests := []struct {
		name  string
		expr  string
		steps []string
	}{
		{"alice only", "request.userInfo.username == 'alice'", []string{"User:alice"}},
		{"bob only", "request.userInfo.username == 'bob'", []string{"User:bob"}},
		{"nobody, whoever asks", "object.metadata.name == 'never'", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := analyzeYAML(t, risk.Options{}, append(base, policy(tt.expr))...)
			var got []string
			for _, who := range []string{"User:alice", "User:bob"} {
				for _, e := range a.Graph.From(a.Graph.Node(who)) {
					if e.Primitive == "create-workload" && strings.Contains(e.To.Key, "team") {
						got = append(got, who)
						break
					}
				}
			}
			if strings.Join(got, ",") != strings.Join(tt.steps, ",") {
				t.Errorf("create-workload steps into team from %v, want %v", got, tt.steps)
			}
		})
	}
}
