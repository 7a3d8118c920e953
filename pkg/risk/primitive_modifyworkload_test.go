package risk

import (
	"slices"
	"strings"
	"testing"

	rbacv1 "k8s.io/api/rbac/v1"

	"github.com/auth-paths/kubectl-auth-paths/graph"
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

// TestModifyWorkloadEveryNamespace: rules bound cluster-wide without
// resourceNames step once into the shared scope of the kinds' templates (one
// step per rule), whose picks are each namespace's first controller of those
// kinds; a rule with resourceNames, into the scope of the controllers of
// those names (the StatefulSet db is not a Deployment); namespaces where a
// rule of their own applies keep their per-namespace steps.
func TestModifyWorkloadEveryNamespace(t *testing.T) {
	patch := func(resources ...string) rbacv1.PolicyRule {
		return rbacv1.PolicyRule{APIGroups: []string{"apps"}, Resources: resources, Verbs: []string{"patch"}}
	}
	for _, tc := range []struct {
		name  string
		rules []rbacv1.PolicyRule
		// local adds a Role patching statefulsets in b, bound to the user.
		local bool
		steps []string // targets of the modify-workload steps that hold
		picks map[string][]string
	}{
		{name: "one rule, two kinds", rules: []rbacv1.PolicyRule{patch("deployments", "statefulsets")},
			steps: []string{"Scope:workload-templates:Deployment,StatefulSet"},
			picks: map[string][]string{"Scope:workload-templates:Deployment,StatefulSet": {"Scope:any-serviceaccount:a", "Scope:any-serviceaccount:b", "Scope:any-serviceaccount:c"}}},
		{name: "one step per rule", rules: []rbacv1.PolicyRule{patch("deployments"), {APIGroups: []string{"apps"}, Resources: []string{"statefulsets"}, Verbs: []string{"update"}}},
			steps: []string{"Scope:workload-templates:Deployment", "Scope:workload-templates:StatefulSet"},
			picks: map[string][]string{
				"Scope:workload-templates:Deployment":  {"Scope:any-serviceaccount:a", "Scope:any-serviceaccount:c"},
				"Scope:workload-templates:StatefulSet": {"Scope:any-serviceaccount:b"},
			}},
		{name: "resourceNames: the scope of those names", rules: []rbacv1.PolicyRule{{APIGroups: []string{"apps"}, Resources: []string{"deployments"}, Verbs: []string{"patch"}, ResourceNames: []string{"web", "db"}}},
			steps: []string{"Scope:named-workload-templates:Deployment:db, web"},
			picks: map[string][]string{"Scope:named-workload-templates:Deployment:db, web": {"Scope:any-serviceaccount:a"}}},
		{name: "a namespace's own rule still steps there", rules: []rbacv1.PolicyRule{patch("deployments")}, local: true,
			steps: []string{"Scope:any-serviceaccount:b", "Scope:workload-templates:Deployment"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			inv := &model.Inventory{}
			for _, ns := range []string{"a", "b", "c"} {
				inv.Namespaces = append(inv.Namespaces, &model.Namespace{Meta: model.Meta{Name: ns, Labels: map[string]string{LabelEnforce: LevelRestricted}}})
				inv.ServiceAccounts = append(inv.ServiceAccounts, &model.ServiceAccount{Meta: model.Meta{Namespace: ns, Name: "admin"}})
			}
			inv.Workloads = []*model.Workload{
				{Meta: model.Meta{Namespace: "a", Name: "web"}, Kind: "Deployment", Group: "apps"},
				{Meta: model.Meta{Namespace: "b", Name: "db"}, Kind: "StatefulSet", Group: "apps"},
				{Meta: model.Meta{Namespace: "c", Name: "api"}, Kind: "Deployment", Group: "apps"},
			}
			if tc.local {
				inv.Roles = append(inv.Roles, &model.Role{Meta: model.Meta{Namespace: "b", Name: "sts"}, Rules: []rbacv1.PolicyRule{{APIGroups: []string{"apps"}, Resources: []string{"statefulsets"}, Verbs: []string{"patch"}}}})
				inv.RoleBindings = append(inv.RoleBindings, &model.Binding{Meta: model.Meta{Namespace: "b", Name: "sts"}, Kind: model.KindRoleBinding,
					RoleRef:  rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "Role", Name: "sts"},
					Subjects: []rbacv1.Subject{{APIGroup: rbacv1.GroupName, Kind: rbacv1.UserKind, Name: "u"}}})
			}
			a := Analyze(userWith(tc.rules, inv), Options{})
			var steps []string
			for _, e := range a.Graph.From(a.Graph.Node(userKey("u"))) {
				if e.Primitive == "modify-workload" {
					steps = append(steps, e.To.Key)
				}
			}
			if !slices.Equal(steps, tc.steps) {
				t.Errorf("steps %q, want %q", steps, tc.steps)
			}
			for scope, want := range tc.picks {
				var got []string
				for _, e := range a.Graph.From(a.Graph.Node(scope)) {
					if e.Primitive == pickWorkload && e.Hops == 0 {
						got = append(got, e.To.Key)
					}
				}
				if !slices.Equal(got, want) {
					t.Errorf("%s picks %q, want %q", scope, got, want)
				}
			}
		})
	}
}

// TestRunningPodsScopeNodePicks: whoever may exec into, or replace the image
// of, every pod reaches the node of a running pod that shares its host
// through the running pods' scope (pick-node), and not that of a pod that
// is not running or not bound to a node.
func TestRunningPodsScopeNodePicks(t *testing.T) {
	for _, tc := range []struct {
		name  string
		rule  rbacv1.PolicyRule
		phase string
		node  string
		want  []string
	}{
		{"exec, running", rbacv1.PolicyRule{APIGroups: []string{""}, Resources: []string{"pods/exec"}, Verbs: []string{"create"}}, "Running", "n1", []string{"Node:n1"}},
		{"image, running", rbacv1.PolicyRule{APIGroups: []string{""}, Resources: []string{"pods"}, Verbs: []string{"patch"}}, "Running", "n1", []string{"Node:n1"}},
		{"phase unknown", rbacv1.PolicyRule{APIGroups: []string{""}, Resources: []string{"pods"}, Verbs: []string{"patch"}}, "", "n1", []string{"Node:n1"}},
		{"succeeded", rbacv1.PolicyRule{APIGroups: []string{""}, Resources: []string{"pods/exec"}, Verbs: []string{"create"}}, "Succeeded", "n1", nil},
		{"not scheduled", rbacv1.PolicyRule{APIGroups: []string{""}, Resources: []string{"pods/exec"}, Verbs: []string{"create"}}, "Pending", "", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			no := false
			inv := &model.Inventory{
				Namespaces:      []*model.Namespace{{Meta: model.Meta{Name: "ns"}}},
				ServiceAccounts: []*model.ServiceAccount{{Meta: model.Meta{Namespace: "ns", Name: "default"}}},
				Pods: []*model.Pod{
					{Meta: model.Meta{Namespace: "ns", Name: "web"}, Phase: "Running", Spec: model.PodSpec{ServiceAccountName: "default", NodeName: "n2"}},
					{Meta: model.Meta{Namespace: "ns", Name: "agent"}, Phase: tc.phase, Spec: model.PodSpec{ServiceAccountName: "default", NodeName: tc.node, Privileged: true, AutomountServiceAccountToken: &no}},
				},
			}
			a := Analyze(userWith([]rbacv1.PolicyRule{tc.rule}, inv), Options{KubernetesVersion: "v1.35.0"})
			scope := a.Graph.Node("Scope:running-pods")
			if scope == nil {
				t.Fatal("no running pods' scope")
			}
			var got []string
			for _, e := range a.Graph.From(scope) {
				if e.Primitive == pickNode {
					got = append(got, e.To.Key)
				}
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("node picks %q, want %q", got, tc.want)
			}
			for _, e := range a.Graph.From(a.Graph.Node(userKey("u"))) {
				if e.To.Kind == graph.KindNode {
					t.Errorf("a step per pod to %s beside the scope", e.To.Key)
				}
			}
		})
	}
}
