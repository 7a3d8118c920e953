package risk

import (
	"slices"
	"strings"
	"testing"

	rbacv1 "k8s.io/api/rbac/v1"

	"github.com/auth-paths/kubectl-auth-paths/pkg/model"
)

func TestAttachPodNeedsStdin(t *testing.T) {
	no := false
	attach := func(verb string) []rbacv1.PolicyRule {
		return []rbacv1.PolicyRule{core([]string{verb}, "pods/attach")}
	}
	// A rule naming the pod: a step to the pod itself, not to the scope.
	attachNamed := func(verb string) []rbacv1.PolicyRule {
		r := core([]string{verb}, "pods/attach")
		r.ResourceNames = []string{"p"}
		return []rbacv1.PolicyRule{r}
	}
	pod := func(spec model.PodSpec, phase string) *model.Inventory {
		spec.ServiceAccountName = "bot"
		return &model.Inventory{
			ServiceAccounts: []*model.ServiceAccount{{Meta: model.Meta{Namespace: "ns", Name: "bot"}}},
			Nodes:           []*model.Node{{Meta: model.Meta{Name: "n1"}}},
			Pods:            []*model.Pod{{Meta: model.Meta{Namespace: "ns", Name: "p"}, Spec: spec, Phase: phase}},
		}
	}
	for _, tc := range []struct {
		name    string
		rules   []rbacv1.PolicyRule
		inv     *model.Inventory
		version string
		holds   []string
		why     string
	}{
		{name: "stdin", rules: attach("create"), inv: pod(model.PodSpec{Stdin: []string{"shell"}}, "Running"), holds: []string{"ServiceAccount:ns:bot"}},
		{name: "no stdin", rules: attach("create"), inv: pod(model.PodSpec{}, "Running"), why: "no container of it keeps stdin open"},
		{name: "not running", rules: attach("create"), inv: pod(model.PodSpec{Stdin: []string{"shell"}}, "Succeeded"), why: "the pod is Succeeded"},
		{name: "no token", rules: attach("create"), inv: pod(model.PodSpec{Stdin: []string{"shell"}, AutomountServiceAccountToken: &no}, "Running"),
			why: "no ServiceAccount token is mounted"},
		{name: "get before v1.35", rules: attach("get"), version: "v1.34.2", inv: pod(model.PodSpec{Stdin: []string{"shell"}}, "Running"),
			holds: []string{"ServiceAccount:ns:bot"}},
		{name: "get from v1.35", rules: attach("get"), version: "v1.35.0", inv: pod(model.PodSpec{Stdin: []string{"shell"}}, "Running"),
			why: "needs create on pods/attach"},
		{name: "privileged host pod", rules: attach("create"), inv: pod(model.PodSpec{Stdin: []string{"shell"}, Privileged: true, HostPID: true, NodeName: "n1"}, "Running"),
			holds: []string{"ServiceAccount:ns:bot", "Node:n1"}},
		{name: "named pod", rules: attachNamed("create"), inv: pod(model.PodSpec{Stdin: []string{"shell"}}, "Running"), holds: []string{"ServiceAccount:ns:bot"}},
		{name: "named privileged host pod", rules: attachNamed("create"), inv: pod(model.PodSpec{Stdin: []string{"shell"}, Privileged: true, HostPID: true, NodeName: "n1"}, "Running"),
			holds: []string{"ServiceAccount:ns:bot", "Node:n1"}},
		{name: "named: no stdin", rules: attachNamed("create"), inv: pod(model.PodSpec{}, "Running"), why: "no container of it keeps stdin open"},
		{name: "named: not running", rules: attachNamed("create"), inv: pod(model.PodSpec{Stdin: []string{"shell"}}, "Succeeded"), why: "the pod is Succeeded"},
		{name: "exec rules are not attach", rules: []rbacv1.PolicyRule{core([]string{"create"}, "pods/exec")}, inv: pod(model.PodSpec{Stdin: []string{"shell"}}, "Running")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := Analyze(userWith(tc.rules, tc.inv), Options{KeepCandidates: true, KubernetesVersion: tc.version})
			holds, fails := candidatesOf(a, userKey("u"), "attach-pod")
			// A rule for every pod of the namespace steps into the scope
			// of its pods with stdin open, whose picks are what a step to
			// each pod would be; each step and pick to a ServiceAccount or
			// a node assumes the main process reads commands.
			var reached []string
			for _, to := range holds {
				if !strings.HasPrefix(to, "Scope:") {
					reached = append(reached, to)
					for _, e := range a.Graph.From(a.Graph.Node(userKey("u"))) {
						if e.Primitive == "attach-pod" && e.To.Key == to && !e.Assumed {
							t.Errorf("the step to %s does not say it assumes the main process reads commands", to)
						}
					}
					continue
				}
				if want := "Scope:attachable-pods"; to != want { // the rules are bound cluster-wide
					t.Errorf("step into %s, want %s", to, want)
				}
				for _, e := range a.Graph.From(a.Graph.Node(to)) {
					reached = append(reached, e.To.Key)
					if !e.Assumed {
						t.Errorf("the pick of %s does not say it assumes the main process reads commands", e.To.Key)
					}
				}
			}
			slices.Sort(reached)
			if want := slices.Sorted(slices.Values(tc.holds)); !slices.Equal(reached, want) {
				t.Errorf("held steps reach %v, want %v", reached, want)
			}
			if tc.why == "" && len(fails) > 0 || tc.why != "" && (len(fails) != 1 || !strings.Contains(fails[0], tc.why)) {
				t.Errorf("failed steps %q, want one containing %q", fails, tc.why)
			}
		})
	}
}
