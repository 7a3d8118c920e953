package cmd

import (
	"testing"

	"github.com/auth-paths/kubectl-auth-paths/pkg/risk"
)

// TestPickedServiceAccountLooksThroughScopes: the dry-run pod of a step runs
// as the ServiceAccount the step reaches, directly or picked out of the
// namespace's ServiceAccount scope by the next step.
func TestPickedServiceAccountLooksThroughScopes(t *testing.T) {
	direct := []risk.Step{{Primitive: "create-workload", From: "User:dev", To: "ServiceAccount:ci:deployer"}}
	scoped := []risk.Step{
		{Primitive: "create-workload", From: "User:dev", To: "Scope:any ServiceAccount of ci"},
		{Primitive: "pick-serviceaccount", From: "Scope:any ServiceAccount of ci", To: "ServiceAccount:ci:deployer"},
		{Primitive: "admin-rules", From: "ServiceAccount:ci:deployer", To: "cluster-admin"},
	}
	nodeStep := []risk.Step{
		{Primitive: "create-workload", From: "User:dev", To: "Scope:any node"},
		{Primitive: "pick-node", From: "Scope:any node", To: "Node:n1"},
	}
	for _, tc := range []struct {
		name  string
		steps []risk.Step
		i     int
		want  string
	}{
		{"target is the ServiceAccount", direct, 0, "ServiceAccount:ci:deployer"},
		{"picked after a scope", scoped, 0, "ServiceAccount:ci:deployer"},
		{"the pick itself", scoped, 1, "ServiceAccount:ci:deployer"},
		{"last step, not a ServiceAccount", scoped, 2, ""},
		{"a node is not a ServiceAccount", nodeStep, 0, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := pickedServiceAccount(tc.steps, tc.i); got != tc.want {
				t.Errorf("pickedServiceAccount(%d) = %q, want %q", tc.i, got, tc.want)
			}
		})
	}
}
