package risk_test

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"

	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/auth-paths/kubectl-auth-paths/graph"
	"github.com/auth-paths/kubectl-auth-paths/pkg/model"
	"github.com/auth-paths/kubectl-auth-paths/pkg/risk"
)

// edgesFrom lists "primitive→to" for the edges leaving a node.
func edgesFrom(a *risk.Analysis, key string) []string {
	n := a.Graph.Node(key)
	if n == nil {
		return nil
	}
	var out []string
	for _, e := range a.Graph.From(n) {
		out = append(out, e.Primitive+"→"+e.To.Key)
	}
	return out
}

// hasEdge reports a step by prim from one node to another; a step to a
// shared scope counts as a step to each identity, node or scope it picks (0-hop
// steps out of it, followed through nested scopes).
func hasEdge(a *risk.Analysis, from, prim, to string) bool {
	for _, e := range a.Graph.From(a.Graph.Node(from)) {
		if e.Primitive == prim && (e.To.Key == to || picks(a, e.To, to, 0)) {
			return true
		}
	}
	return false
}

// picks reports whether the scope reaches to by 0-hop steps.
func picks(a *risk.Analysis, scope *graph.Node, to string, depth int) bool {
	if scope.Kind != graph.KindScope || depth > 3 {
		return false
	}
	for _, e := range a.Graph.From(scope) {
		if e.Hops == 0 && (e.To.Key == to || picks(a, e.To, to, depth+1)) {
			return true
		}
	}
	return false
}

// */*/* without non-resource URLs is not cluster-admin by its rules, but the
// role may escalate and update itself: one escalate step.
func TestEscalateOwnAlmostAdminRole(t *testing.T) {
	a := scenarioAnalysis(t, "admin-rules-no-nonresource-urls", risk.Options{})
	sa := "ServiceAccount:tools:helper"
	if hasEdge(a, sa, "admin-rules", "cluster-admin") {
		t.Error("* on every resource without non-resource URLs must not be admin-rules")
	}
	if !hasEdge(a, sa, "escalate", "cluster-admin") {
		t.Errorf("want an escalate step to cluster-admin, got %v", edgesFrom(a, sa))
	}
}

// The two ways around an aggregated ClusterRole, and the two ways they fail.
func TestEscalateAggregatedRole(t *testing.T) {
	for name, want := range map[string]string{
		"escalate-aggregated-create":       "create a ClusterRole with * labelled",
		"escalate-aggregated-update":       "without its aggregationRule",
		"escalate-aggregated-no-create":    "",
		"escalate-aggregated-named-create": "",
	} {
		a := scenarioAnalysis(t, name, risk.Options{})
		var got string
		for _, e := range a.Graph.From(a.Graph.Node("User:dave")) {
			if e.Primitive == "escalate" {
				got = e.Condition
			}
		}
		if want == "" {
			if got != "" {
				t.Errorf("%s: unexpected escalate step: %s", name, got)
			}
			failed := false
			for _, c := range a.Candidates("User:dave") {
				failed = failed || (c.Primitive == "escalate" && !c.Holds && c.Why != "")
			}
			if !failed {
				t.Errorf("%s: want a failed escalate candidate explaining why", name)
			}
			continue
		}
		if !strings.Contains(got, want) {
			t.Errorf("%s: escalate step %q, want it to mention %q", name, got, want)
		}
	}
}

// A RoleBinding's role escalated gives the namespace, not cluster-admin.
func TestEscalateRoleBindingGivesNamespace(t *testing.T) {
	a := scenarioAnalysis(t, "escalate-rolebinding-namespace-only", risk.Options{})
	if !hasEdge(a, "User:bob", "escalate", "Scope:namespace-admin:team-a") {
		t.Errorf("want escalate to namespace-admin of team-a, got %v", edgesFrom(a, "User:bob"))
	}
	if hasEdge(a, "User:bob", "escalate", "cluster-admin") {
		t.Error("escalating a Role bound by a RoleBinding must not give cluster-admin")
	}
}

// TestEscalateThroughAnotherClusterRole: escalate and update (or patch) on an
// existing ClusterRole other than the aggregated one bound to the principal
// carry * into it through the aggregation controller — only when both verbs
// hold on that one role's name, and whatever the role was.
func TestEscalateThroughAnotherClusterRole(t *testing.T) {
	const rbacGroup = "rbac.authorization.k8s.io"
	tests := []struct {
		name   string
		change func(inv *model.Inventory)
		want   string // a part of the step's condition; "" for no step
		why    string // a part of the failed candidate's reason, when no step
	}{
		{"escalate and update on dashboards", func(*model.Inventory) {}, `update ClusterRole "dashboards" with * and labels {rbac.example.com/aggregate-to-monitoring=true}`, ""},
		{"patch instead of update", func(inv *model.Inventory) {
			clusterRole(inv, "monitoring-base").Rules[1].Verbs = []string{"escalate", "patch"}
		}, `update ClusterRole "dashboards"`, ""},
		{"the other role is aggregated itself", func(inv *model.Inventory) {
			clusterRole(inv, "dashboards").AggregationRule = &rbacv1.AggregationRule{ClusterRoleSelectors: []metav1.LabelSelector{{MatchLabels: map[string]string{"x": "y"}}}}
		}, `update aggregated ClusterRole "dashboards" without its aggregationRule`, ""},
		{"escalate and update on different roles", func(inv *model.Inventory) {
			r := clusterRole(inv, "monitoring-base")
			r.Rules[1].Verbs = []string{"escalate"}
			r.Rules = append(r.Rules, rbacv1.PolicyRule{APIGroups: []string{rbacGroup}, Resources: []string{"clusterroles"}, ResourceNames: []string{"other"}, Verbs: []string{"update"}})
			inv.ClusterRoles = append(inv.ClusterRoles, &model.ClusterRole{Meta: model.Meta{Name: "other"}})
		}, "", "no existing ClusterRole other than \"monitoring\" allows both by its name"},
		{"the named role does not exist", func(inv *model.Inventory) {
			inv.ClusterRoles = slices.DeleteFunc(inv.ClusterRoles, func(r *model.ClusterRole) bool { return r.Name == "dashboards" })
		}, "", "no existing ClusterRole other than"},
		{"escalate only", func(inv *model.Inventory) {
			clusterRole(inv, "monitoring-base").Rules[1].Verbs = []string{"escalate", "get"}
		}, "", "neither update nor patch"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			inv := loadScenarioFile(t, filepath.Join("../../testdata/scenarios", "escalate-aggregated-update-other", "input.yaml"))
			tt.change(inv)
			a := risk.Analyze(inv, risk.Options{KeepCandidates: true})
			var got string
			for _, e := range a.Graph.From(a.Graph.Node("User:dave")) {
				if e.Primitive == "escalate" && e.To.Key == "cluster-admin" {
					got = e.Condition
				}
			}
			if tt.want == "" {
				if got != "" {
					t.Fatalf("unexpected step: %s", got)
				}
				var whys []string
				for _, c := range a.Candidates("User:dave") {
					if c.Primitive == "escalate" && !c.Holds {
						whys = append(whys, c.Why)
					}
				}
				if !slices.ContainsFunc(whys, func(w string) bool { return strings.Contains(w, tt.why) }) {
					t.Errorf("failed escalate candidates %q, want one saying %q", whys, tt.why)
				}
				return
			}
			if !strings.Contains(got, tt.want) {
				t.Errorf("step %q, want %q", got, tt.want)
			}
		})
	}
}

func clusterRole(inv *model.Inventory, name string) *model.ClusterRole {
	for _, r := range inv.ClusterRoles {
		if r.Name == name {
			return r
		}
	}
	panic("no ClusterRole " + name)
}

// TestEscalateRoleBoundToAnotherGroup: escalate and update on a ClusterRole
// (by name) held by one group, on a role bound to another group. A member
// of both writes * into it and is cluster-admin, although every grant of
// the step is the first group's: that group takes no such step itself (the
// role is not bound to it), so the step is the member's. A member of the
// first group alone, or of the group the role is bound to alone, has none;
// nor has anyone when the role is bound to the first group itself (then
// the group's own step covers its members). The same holds for creating a
// missing role (dangling-role).
func TestEscalateRoleBoundToAnotherGroup(t *testing.T) {
	group := func(name string) string {
		return `{kind: Group, name: ` + name + `, apiGroup: rbac.authorization.k8s.io}`
	}
	editor := clusterRoleDoc("ops-editor", `{apiGroups: [rbac.authorization.k8s.io], resources: [clusterroles], resourceNames: [ops], verbs: [get, update, escalate]}`)
	creator := clusterRoleDoc("ops-creator", `{apiGroups: [rbac.authorization.k8s.io], resources: [clusterroles], verbs: [create, escalate]}`)
	ops := clusterRoleDoc("ops", `{apiGroups: [""], resources: [configmaps], verbs: [get]}`)
	members := risk.Options{Groups: map[string][]string{"alice": {"g1", "g2"}, "bob": {"g1"}, "carol": {"g2"}}}
	tests := []struct {
		name      string
		prim      string
		docs      []string
		admins    []string
		notAdmins []string
	}{
		{"escalate, role bound to the other group", "escalate", []string{adminRole, editor, ops, bindingDoc("", "g1-editor", "ops-editor", group("g1")), bindingDoc("", "g2-ops", "ops", group("g2"))},
			[]string{"User:alice"}, []string{"User:bob", "User:carol", "Group:g1", "Group:g2"}},
		{"escalate, role bound to the other group, which holds the grants too", "escalate", []string{adminRole, editor, ops, bindingDoc("", "g1-editor", "ops-editor", group("g1")), bindingDoc("", "g2-editor", "ops-editor", group("g2")), bindingDoc("", "g2-ops", "ops", group("g2"))},
			[]string{"Group:g2"}, []string{"User:alice", "User:bob", "User:carol", "Group:g1"}},
		{"escalate, role bound to a group whose members are all in the group holding the grants", "escalate", []string{adminRole, editor, ops, "apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: app, namespace: team}",
			bindingDoc("", "authenticated-editor", "ops-editor", group("system:authenticated")), bindingDoc("", "sas-ops", "ops", group("system:serviceaccounts"))},
			[]string{"Group:system:serviceaccounts"}, []string{"ServiceAccount:team:app", "Group:system:authenticated"}},
		{"escalate, role bound to the group holding the grants", "escalate", []string{adminRole, editor, ops, bindingDoc("", "g1-editor", "ops-editor", group("g1")), bindingDoc("", "g1-ops", "ops", group("g1"))},
			[]string{"Group:g1"}, []string{"User:alice", "User:bob", "User:carol", "Group:g2"}},
		{"dangling-role, missing role bound to the other group", "dangling-role", []string{adminRole, creator, ops, bindingDoc("", "g1-creator", "ops-creator", group("g1")), bindingDoc("", "g2-missing", "missing", group("g2")), bindingDoc("", "g2-ops", "ops", group("g2"))},
			[]string{"User:alice"}, []string{"User:bob", "User:carol", "Group:g2"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := analyzeYAML(t, members, tt.docs...)
			for _, who := range tt.admins {
				if a.Graph.Node(who) == nil || !hasEdge(a, who, tt.prim, "cluster-admin") {
					t.Errorf("%s: want a %s step to cluster-admin, got %v", who, tt.prim, edgesFrom(a, who))
				}
			}
			for _, who := range tt.notAdmins {
				if a.Graph.Node(who) != nil && hasEdge(a, who, tt.prim, "cluster-admin") {
					t.Errorf("%s: want no %s step of its own, got %v", who, tt.prim, edgesFrom(a, who))
				}
			}
		})
	}
}
