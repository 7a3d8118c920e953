package risk_test

import (
	"strings"
	"testing"

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

// hasEdge reports a step by prim from one node to another; a step to the
// shared any-node scope counts as a step to each Node the scope picks.
func hasEdge(a *risk.Analysis, from, prim, to string) bool {
	for _, e := range edgesFrom(a, from) {
		if e == prim+"→"+to {
			return true
		}
		if e == prim+"→Scope:any-node" && strings.HasPrefix(to, "Node:") {
			for _, pick := range edgesFrom(a, "Scope:any-node") {
				if pick == "pick-node→"+to {
					return true
				}
			}
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
