package risk

import (
	"fmt"
	"testing"

	"github.com/auth-paths/kubectl-auth-paths/pkg/model"
)

func TestLaterConditions(t *testing.T) {
	pod := func(phase string) *model.Pod {
		p := &model.Pod{Meta: model.Meta{Namespace: "team-a", Name: "web-0"}, Phase: phase}
		p.Spec.ServiceAccountName, p.Spec.NodeName = "deployer", "worker-3"
		return p
	}
	sa := &model.ServiceAccount{Meta: model.Meta{Namespace: "team-a", Name: "deployer"}}
	for _, tc := range []struct {
		name string
		cond fmt.Stringer
		want string
	}{
		{"pod bound to a node", boundToNode{pod("Running")},
			"pod team-a/web-0 runs on worker-3 as ServiceAccount deployer: the Node authorizer lets the kubelet request its tokens"},
		{"running pod's token", tokenMountedIn{pod("Running")},
			"pod team-a/web-0 runs with the token of ServiceAccount deployer mounted"},
		{"pod whose phase the input lacks", tokenMountedIn{pod("")},
			"pod team-a/web-0 runs with the token of ServiceAccount deployer mounted (phase not in the input: assumed running)"},
		{"privileged ephemeral container", &privilegedEphemeral{pod(""), "namespace team-a admits it"},
			"a privileged ephemeral container added to pod team-a/web-0 runs on node worker-3 (phase not in the input: assumed running); namespace team-a admits it"},
		{"ServiceAccount of a namespace", saExists(sa, false),
			"ServiceAccount team-a/deployer exists (the step may name any ServiceAccount of its namespace)"},
		{"ServiceAccount of any namespace", saExists(sa, true),
			"ServiceAccount team-a/deployer exists (the step may name any ServiceAccount of any namespace)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.cond.String(); got != tc.want {
				t.Errorf("got  %q\nwant %q", got, tc.want)
			}
		})
	}
	// Each is one pointer: made into an interface without an allocation.
	p := pod("Running")
	if n := testing.AllocsPerRun(10, func() {
		keep = []fmt.Stringer{boundToNode{p}, tokenMountedIn{p}, saExists(sa, false), saExists(sa, true)}
	}); n > 1 { // the slice
		t.Errorf("keeping the conditions allocates %v times", n)
	}
}

var keep []fmt.Stringer
