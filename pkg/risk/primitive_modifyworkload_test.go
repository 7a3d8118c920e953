package risk

import (
	"strings"
	"testing"

	rbacv1 "k8s.io/api/rbac/v1"

	"github.com/auth-paths/kubectl-auth-paths/pkg/model"
)

func TestModifyWorkloadKinds(t *testing.T) {
	for _, tc := range []struct {
		kind, group, resource string
		holds                 bool
	}{
		{"Deployment", "apps", "deployments", true},
		{"StatefulSet", "apps", "statefulsets", true},
		{"DaemonSet", "apps", "daemonsets", true},
		{"ReplicaSet", "apps", "replicasets", true},
		{"CronJob", "batch", "cronjobs", true},
		{"ReplicationController", "", "replicationcontrollers", true},
		{"Job", "batch", "jobs", false}, // spec.template is immutable
	} {
		inv := &model.Inventory{
			Namespaces:      []*model.Namespace{{Meta: model.Meta{Name: "ns", Labels: map[string]string{LabelEnforce: LevelRestricted}}}},
			ServiceAccounts: []*model.ServiceAccount{{Meta: model.Meta{Namespace: "ns", Name: "admin"}}},
			Workloads:       []*model.Workload{{Meta: model.Meta{Namespace: "ns", Name: "w"}, Kind: tc.kind, Group: tc.group, Spec: model.PodSpec{ServiceAccountName: "default"}}},
		}
		rule := rbacv1.PolicyRule{APIGroups: []string{tc.group}, Resources: []string{tc.resource}, Verbs: []string{"patch"}}
		a := Analyze(userWith([]rbacv1.PolicyRule{rule}, inv), Options{KeepCandidates: true})
		holds, fails := held(a, "modify-workload")
		if got := len(holds) > 0; got != tc.holds {
			t.Errorf("%s: holds %v (%v), want %v", tc.kind, got, holds, tc.holds)
		}
		if !tc.holds && (len(fails) == 0 || !strings.Contains(fails[0], "immutable")) {
			t.Errorf("%s: failed candidates %q, want one saying the template is immutable", tc.kind, fails)
		}
	}
}

func TestModifyWorkloadResourceNames(t *testing.T) {
	inv := &model.Inventory{
		ServiceAccounts: []*model.ServiceAccount{{Meta: model.Meta{Namespace: "ns", Name: "admin"}}},
		Workloads:       []*model.Workload{{Meta: model.Meta{Namespace: "ns", Name: "web"}, Kind: "Deployment", Group: "apps"}},
	}
	for _, tc := range []struct {
		names []string
		holds bool
	}{
		{nil, true},
		{[]string{"web"}, true},
		{[]string{"api"}, false},
	} {
		rule := rbacv1.PolicyRule{APIGroups: []string{"apps"}, Resources: []string{"deployments"}, Verbs: []string{"update"}, ResourceNames: tc.names}
		a := Analyze(userWith([]rbacv1.PolicyRule{rule}, &model.Inventory{ServiceAccounts: inv.ServiceAccounts, Workloads: inv.Workloads}), Options{KeepCandidates: true})
		holds, fails := held(a, "modify-workload")
		if got := len(holds) > 0; got != tc.holds {
			t.Errorf("resourceNames %v: holds %v, want %v", tc.names, got, tc.holds)
		}
		if !tc.holds && len(fails) == 0 {
			t.Errorf("resourceNames %v: no failed candidate to explain why", tc.names)
		}
	}
}
