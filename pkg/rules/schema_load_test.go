package rules

import (
	"strings"
	"testing"
)

// TestParseChecksTheSchema: the load-time schema check (after Lint in
// Parse) rejects what the schema forbids, naming the schema, and passes
// valid packs and every shipped one.
func TestParseChecksTheSchema(t *testing.T) {
	pack := `apiVersion: auth-paths.io/v1alpha2
kind: RulePack
metadata: {name: p}
activation: {objects: [{kind: ClusterRole, namePrefix: "ab"}]}
expected:
- id: e1
  platform: ACME
  reason: r
  reference: https://example.com/doc
  binding: {kind: ClusterRoleBinding, name: x}
  roleRef: {kind: ClusterRole, name: cluster-admin}
  subjects: [{kind: User, name: acme:agent}]
`
	if err := validateSchema([]byte(pack)); err == nil || !strings.Contains(err.Error(), "rule-pack schema") {
		t.Fatalf("validateSchema = %v, want a schema error", err)
	}
	if _, err := Builtin(); err != nil {
		t.Fatalf("shipped packs: %v", err)
	}
	if _, err := Parse([]byte(strings.Replace(pack, `"ab"`, `"acme:"`, 1)), "ok.yaml"); err != nil {
		t.Fatalf("valid pack: %v", err)
	}
}
