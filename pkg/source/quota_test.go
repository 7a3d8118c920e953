package source

import (
	"slices"
	"testing"
)

// TestDecodeResourceQuota: the names of spec.hard and the scopes are kept,
// sorted; amounts and status are not.
func TestDecodeResourceQuota(t *testing.T) {
	tests := []struct {
		name       string
		doc        string
		wantHard   []string
		wantScopes []string
	}{
		{"object counts and compute", `apiVersion: v1
kind: ResourceQuota
metadata: {name: q, namespace: team-a}
spec: {hard: {requests.cpu: "4", pods: "20", count/deployments.apps: "5"}}
status: {hard: {pods: "20"}, used: {pods: "2", secrets: "9"}}`, []string{"count/deployments.apps", "pods", "requests.cpu"}, nil},
		{"scopes", `apiVersion: v1
kind: ResourceQuota
metadata: {name: q, namespace: team-a}
spec: {hard: {pods: "5"}, scopes: [NotTerminating, BestEffort]}`, []string{"pods"}, []string{"BestEffort", "NotTerminating"}},
		{"scope selector", `apiVersion: v1
kind: ResourceQuota
metadata: {name: q, namespace: team-a}
spec:
  hard: {pods: "5"}
  scopeSelector: {matchExpressions: [{scopeName: PriorityClass, operator: In, values: [high]}, {scopeName: PriorityClass, operator: NotIn, values: [low]}]}`, []string{"pods"}, []string{"PriorityClass"}},
		{"empty spec", `apiVersion: v1
kind: ResourceQuota
metadata: {name: q, namespace: team-a}
spec: {}`, nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			inv, err := loadString(t, "q.yaml", tt.doc)
			if err != nil {
				t.Fatal(err)
			}
			if len(inv.ResourceQuotas) != 1 {
				t.Fatalf("%d quotas, want 1", len(inv.ResourceQuotas))
			}
			q := inv.ResourceQuotas[0]
			if q.Namespace != "team-a" || q.Name != "q" || !slices.Equal(q.Hard, tt.wantHard) || !slices.Equal(q.Scopes, tt.wantScopes) {
				t.Errorf("got %s/%s hard %v scopes %v, want hard %v scopes %v", q.Namespace, q.Name, q.Hard, q.Scopes, tt.wantHard, tt.wantScopes)
			}
		})
	}
	if _, err := loadString(t, "bad.yaml", "apiVersion: v1\nkind: ResourceQuota\nmetadata: {name: q, namespace: a}\nspec: {hard: [pods]}\n"); err == nil {
		t.Error("spec.hard as a list was accepted")
	}
}
