package risk_test

import (
	"testing"

	"github.com/auth-paths/kubectl-auth-paths/pkg/risk"
)

func TestWebhookConfigTargets(t *testing.T) {
	cases := []struct {
		scenario, to string
		want         bool
	}{
		{"webhook-config-create-mutating", "cluster-admin", true},
		{"webhook-config-patch-existing", "cluster-admin", true},
		// resourceNames name a configuration that does not exist, and there is no create.
		{"webhook-config-patch-missing", "cluster-admin", false},
		// A validating webhook reads Secrets, it cannot rewrite pods.
		{"webhook-config-validating-token-secret", "cluster-admin", false},
		{"webhook-config-validating-token-secret", "ServiceAccount:kube-system:legacy-admin", true},
	}
	for _, c := range cases {
		a := scenarioAnalysis(t, c.scenario, risk.Options{})
		if got := hasEdge(a, "User:leo", "webhook-config", c.to); got != c.want {
			t.Errorf("%s: webhook-config → %s = %v, want %v (edges %v)", c.scenario, c.to, got, c.want, edgesFrom(a, "User:leo"))
		}
	}
	a := scenarioAnalysis(t, "webhook-config-validating-no-token-secret", risk.Options{})
	if e := edgesFrom(a, "User:leo"); len(e) != 0 {
		t.Errorf("no token Secret, no step: %v", e)
	}
}
