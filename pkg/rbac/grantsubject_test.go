package rbac

import (
	"testing"

	rbacv1 "k8s.io/api/rbac/v1"

	"github.com/auth-paths/kubectl-auth-paths/pkg/model"
)

// TestGrantSubject: a grant names its subject by a pointer shared by every
// grant to that subject, so grants to one subject made apart (two calls of
// RulesFor, WhoCan, GrantsInEveryScope, WithSubject) compare equal, as they
// did when they held the subject itself, and grants to two subjects do
// not; a grant of no binding has the zero subject.
func TestGrantSubject(t *testing.T) {
	e := NewEvaluator(&model.Inventory{
		ClusterRoles: []*model.ClusterRole{clusterRole("reader", getPods)},
		RoleBindings: []*model.Binding{rb("dev", "readers", model.KindClusterRole, "reader", user("alice"), user("bob"))},
	})
	alice, bob := Subject{Kind: rbacv1.UserKind, Name: "alice"}, Subject{Kind: rbacv1.UserKind, Name: "bob"}
	first, again := e.RulesFor(alice), e.RulesFor(alice)
	if len(first) != 1 || first[0].Grant != again[0].Grant {
		t.Fatalf("RulesFor(alice) twice: %+v and %+v, want one grant, equal", first, again)
	}
	if got := first[0].Grant.Subject(); got != alice {
		t.Errorf("Subject() = %+v, want %+v", got, alice)
	}
	if b := e.RulesFor(bob); len(b) != 1 || b[0].Grant == first[0].Grant || b[0].Grant.Subject() != bob {
		t.Errorf("RulesFor(bob) = %+v: want one grant to bob, not alice's", b)
	}
	made := Grant{Binding: first[0].Grant.Binding, Rule: first[0].Grant.Rule}.WithSubject(Subject{Kind: rbacv1.UserKind, Name: "alice"})
	if made != first[0].Grant {
		t.Errorf("WithSubject(alice) = %+v, want the grant RulesFor made, %+v", made, first[0].Grant)
	}
	var who []Grant
	for _, sg := range e.WhoCan(inNS(res("get", "", "pods", "", ""), "dev")) {
		if sg.Subject == alice {
			who = sg.Grants
		}
	}
	if len(who) != 1 || who[0] != first[0].Grant {
		t.Errorf("WhoCan's grants to alice = %+v, want RulesFor's", who)
	}
	if got := (Grant{}).Subject(); got != (Subject{}) {
		t.Errorf("a grant of no binding names %+v, want the zero subject", got)
	}
	if got := (Grant{Superuser: true}).String(); got == "" {
		t.Error("the superuser grant renders empty")
	}
}
