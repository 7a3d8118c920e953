package risk_test

import (
	"testing"

	"github.com/auth-paths/kubectl-auth-paths/pkg/risk"
)

func TestImpersonateNeedsAUserForGroups(t *testing.T) {
	cases := []struct {
		scenario, from string
		toSink         bool
	}{
		{"impersonate-group-without-user", "User:heidi", false},
		{"impersonate-user-and-masters", "User:heidi", true},
		{"impersonate-serviceaccount-carries-masters", "User:ivan", true},
	}
	for _, c := range cases {
		a := scenarioAnalysis(t, c.scenario, risk.Options{})
		if got := hasEdge(a, c.from, "impersonate", "cluster-admin"); got != c.toSink {
			t.Errorf("%s: impersonate → cluster-admin = %v, want %v (edges %v)", c.scenario, got, c.toSink, edgesFrom(a, c.from))
		}
	}
}

// Impersonating a kubelet's user name without group system:nodes is not the
// node, and never the node's disk.
func TestImpersonateKubeletUserIsNotTheNode(t *testing.T) {
	a := scenarioAnalysis(t, "impersonate-node-user-without-group", risk.Options{})
	if hasEdge(a, "User:judy", "impersonate", "Node:cp-1") {
		t.Errorf("impersonating user system:node:cp-1 must not give Node:cp-1: %v", edgesFrom(a, "User:judy"))
	}
}
