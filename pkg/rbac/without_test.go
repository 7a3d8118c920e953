package rbac

import (
	"strings"
	"testing"

	"github.com/auth-paths/kubectl-auth-paths/pkg/model"
)

// TestWithout: a view without some bindings answers as an evaluator of the
// input without them, and leaves the evaluator it comes from as it was.
func TestWithout(t *testing.T) {
	readers := crb("readers", "secret-reader", user("alice"), group("ops"))
	podsDev := rb("dev", "pods", model.KindClusterRole, "pod-reader", user("alice"))
	podsDev2 := rb("dev", "pods-again", model.KindClusterRole, "pod-reader", user("alice"))
	ghost := crb("ghost", "missing", user("carol"))
	full := &model.Inventory{
		ClusterRoles:        []*model.ClusterRole{clusterRole("secret-reader", getSecrets), clusterRole("pod-reader", getPods)},
		ClusterRoleBindings: []*model.Binding{readers, ghost},
		RoleBindings:        []*model.Binding{podsDev, podsDev2},
	}
	base := NewEvaluator(full)
	base.RulesFor(Subject{Kind: "User", Name: "alice"}) // build the shared index first
	tests := []struct {
		name    string
		dropped []*model.Binding
	}{
		{"none", nil},
		{"a ClusterRoleBinding whose subjects no other binding names", []*model.Binding{readers}},
		{"one of two RoleBindings that grant the same", []*model.Binding{podsDev}},
		{"both", []*model.Binding{podsDev, podsDev2}},
		{"a binding to a missing role: its warning goes", []*model.Binding{ghost}},
		{"all", []*model.Binding{readers, ghost, podsDev, podsDev2}},
	}
	requests := []Request{
		inNS(res("get", "", "secrets", "", ""), "dev"),
		inNS(res("get", "", "pods", "", ""), "dev"),
		inNS(res("get", "", "pods", "", ""), "prod"),
	}
	ids := []Identity{alice(), IdentityOf(Subject{Kind: "Group", Name: "ops"}), IdentityOf(Subject{Kind: "User", Name: "carol"})}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			drop := map[*model.Binding]bool{}
			for _, b := range tc.dropped {
				drop[b] = true
			}
			in := *full
			in.ClusterRoleBindings, in.RoleBindings = nil, nil
			for _, b := range full.ClusterRoleBindings {
				if !drop[b] {
					in.ClusterRoleBindings = append(in.ClusterRoleBindings, b)
				}
			}
			for _, b := range full.RoleBindings {
				if !drop[b] {
					in.RoleBindings = append(in.RoleBindings, b)
				}
			}
			want, got := NewEvaluator(&in), base.Without(&in, tc.dropped)
			if g, w := fmtSubjects(got.Subjects()), fmtSubjects(want.Subjects()); g != w {
				t.Errorf("Subjects() = %s, want %s", g, w)
			}
			if g, w := strings.Join(got.Warnings(), "\n"), strings.Join(want.Warnings(), "\n"); g != w {
				t.Errorf("Warnings() = %q, want %q", g, w)
			}
			for _, req := range requests {
				if g, w := strings.Join(whoCanNames(got, req), ","), strings.Join(whoCanNames(want, req), ","); g != w {
					t.Errorf("WhoCan(%s) = %s, want %s", req, g, w)
				}
				for _, id := range ids {
					ga, gr := got.Allows(id, req)
					wa, wr := want.Allows(id, req)
					if ga != wa || gr != wr {
						t.Errorf("Allows(%s, %s) = %v %q, want %v %q", id.User, req, ga, gr, wa, wr)
					}
				}
			}
			for _, s := range want.Subjects() {
				if g, w := len(got.RulesFor(s)), len(want.RulesFor(s)); g != w {
					t.Errorf("RulesFor(%s): %d rules, want %d", s, g, w)
				}
			}
			if got.Inventory() != &in {
				t.Error("the view's inventory is not the one given")
			}
		})
	}
	if got := fmtSubjects(base.Subjects()); got != "Group:ops,User:alice" {
		t.Errorf("the base evaluator changed: Subjects() = %s", got)
	}
	if len(base.Warnings()) != 1 {
		t.Errorf("the base evaluator changed: %d warnings", len(base.Warnings()))
	}
}

func fmtSubjects(ss []Subject) string {
	var out []string
	for _, s := range ss {
		out = append(out, s.String())
	}
	return strings.Join(out, ",")
}
