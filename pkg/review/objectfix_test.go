package review_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/auth-paths/kubectl-auth-paths/hack/gen/cluster"
	"github.com/auth-paths/kubectl-auth-paths/pkg/review"
	"github.com/auth-paths/kubectl-auth-paths/pkg/risk"
)

// binding is a binding document: kind RoleBinding (in ci) or
// ClusterRoleBinding, of role (Kind/name) to subjects ("User:x", "Group:y").
func binding(kind, name, role string, subjects ...string) string {
	var b strings.Builder
	b.WriteString("---\napiVersion: rbac.authorization.k8s.io/v1\nkind: " + kind + "\nmetadata: {name: " + name)
	if kind == "RoleBinding" {
		b.WriteString(", namespace: ci")
	}
	roleKind, roleName, _ := strings.Cut(role, "/")
	b.WriteString("}\nroleRef: {apiGroup: rbac.authorization.k8s.io, kind: " + roleKind + ", name: " + roleName + "}\nsubjects:\n")
	for _, s := range subjects {
		k, n, _ := strings.Cut(s, ":")
		b.WriteString("- {apiGroup: rbac.authorization.k8s.io, kind: " + k + ", name: " + n + "}\n")
	}
	return b.String()
}

// TestObjectChokePoints: a binding that a step acts on rather than holds —
// the RoleBinding someone adds itself to, the binding of the role someone
// escalates, the binding of a missing role someone creates — is a choke
// point of that step's holder when no other binding serves, even when every
// grant of the step comes from two bindings (so that none of them is).
func TestObjectChokePoints(t *testing.T) {
	rewriters := binding("RoleBinding", "rw-1", "ClusterRole/rewriter", "User:rita") + binding("RoleBinding", "rw-2", "ClusterRole/rewriter", "User:rita")
	editors := binding("RoleBinding", "ed-1", "Role/role-editor", "User:eve") + binding("RoleBinding", "ed-2", "Role/role-editor", "User:eve")
	creators := binding("RoleBinding", "cr-1", "Role/role-creator", "User:eve") + binding("RoleBinding", "cr-2", "Role/role-creator", "User:eve")
	cases := []struct {
		name     string
		bindings string
		chokes   map[string][]string // identity → choke points (besides deployer's, on every path)
		fix      map[string]string   // binding → what its fix says
	}{
		{
			name:     "a RoleBinding someone may add itself to",
			bindings: rewriters + binding("RoleBinding", "team-admins", "ClusterRole/ns-admin", "Group:team"),
			chokes: map[string][]string{
				"User:rita":  {"RoleBinding/ci/team-admins"},
				"Group:team": {"RoleBinding/ci/team-admins"},
			},
			fix: map[string]string{"RoleBinding/ci/team-admins": "RoleBinding ci/team-admins, which binds ClusterRole ns-admin, is what User:rita may add themselves to"},
		},
		{
			name:     "two RoleBindings someone may add itself to: neither alone",
			bindings: rewriters + binding("RoleBinding", "team-admins", "ClusterRole/ns-admin", "Group:team") + binding("RoleBinding", "ops-admins", "ClusterRole/ns-admin", "Group:ops"),
			chokes: map[string][]string{
				"User:rita":  {},
				"Group:team": {"RoleBinding/ci/team-admins"},
			},
		},
		{
			// Bound cluster-wide: one step into the scope of the namespaces
			// where a RoleBinding refers to the role, one pick per namespace.
			name: "a RoleBinding someone bound cluster-wide may add itself to",
			bindings: binding("ClusterRoleBinding", "rw-1", "ClusterRole/rewriter", "User:rita") + binding("ClusterRoleBinding", "rw-2", "ClusterRole/rewriter", "User:rita") +
				binding("RoleBinding", "team-admins", "ClusterRole/ns-admin", "Group:team"),
			chokes: map[string][]string{"User:rita": {"RoleBinding/ci/team-admins"}},
			fix:    map[string]string{"RoleBinding/ci/team-admins": "is what User:rita may add themselves to"},
		},
		{
			name:     "the binding of a role someone may escalate",
			bindings: editors + binding("RoleBinding", "eve-small", "Role/small", "User:eve"),
			chokes:   map[string][]string{"User:eve": {"RoleBinding/ci/eve-small"}},
			fix:      map[string]string{"RoleBinding/ci/eve-small": "RoleBinding ci/eve-small binds Role small to User:eve, who may escalate that role"},
		},
		{
			name:     "the binding of a missing role someone may create",
			bindings: creators + binding("RoleBinding", "eve-missing", "Role/missing", "User:eve"),
			chokes:   map[string][]string{"User:eve": {"RoleBinding/ci/eve-missing"}},
			fix:      map[string]string{"RoleBinding/ci/eve-missing": "RoleBinding ci/eve-missing binds Role missing, which does not exist, to User:eve"},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			inv := withTokenInCI(t, tc.bindings)
			res := review.ChokepointsOf(risk.Analyze(inv, risk.Options{}))
			got := map[string][]string{}
			for _, ic := range res.Identities {
				got[ic.Subject.String()] = ic.ChokePoints
			}
			for id, want := range tc.chokes {
				want = append([]string{"ClusterRoleBinding/deployer-admin"}, want...)
				cps, ok := got[id]
				if !ok || !slices.Equal(cps, want) {
					t.Errorf("%s: choke points %v (has a path: %v), want %v", id, cps, ok, want)
				}
				// Deleting each really cuts every path of the identity.
				for _, b := range want[1:] {
					after, err := review.WithoutBindings(inv, []string{b})
					if err != nil {
						t.Fatal(err)
					}
					for _, p := range risk.Analyze(after, risk.Options{}).Scan(true).Paths {
						if p.Subject.String() == id {
							t.Errorf("%s keeps a path without %s", id, b)
						}
					}
				}
			}
			for b, want := range tc.fix {
				i := slices.IndexFunc(res.ChokePoints, func(cp review.ChokePoint) bool { return cp.Binding == b })
				if i < 0 || !strings.Contains(res.ChokePoints[i].Fix, want) {
					var fix string
					if i >= 0 {
						fix = res.ChokePoints[i].Fix
					}
					t.Errorf("fix for %s: %q, want it to say %q", b, fix, want)
				}
			}
			if len(res.Cover.Remaining) != 0 || !res.Cover.Verified {
				t.Errorf("cover %v leaves %v", res.Cover.Bindings, res.Cover.Remaining)
			}
		})
	}
}

// TestObjectChokePointsGenerated: on the generated rebinders shape, every
// release bot with a path has the RoleBinding it may add itself to among
// its choke points (it holds its own Role through two bindings, so none of
// those is one).
func TestObjectChokePointsGenerated(t *testing.T) {
	res := review.ChokepointsOf(risk.Analyze(generated(t, cluster.ShapeRebinders, 30, 1), risk.Options{}))
	bots := 0
	for _, ic := range res.Identities {
		if ic.Subject.Name != "release-bot" || ic.AlreadyAdmin {
			continue
		}
		bots++
		if want := "RoleBinding/" + ic.Subject.Namespace + "/release-admins"; !slices.Contains(ic.ChokePoints, want) {
			t.Errorf("%s: choke points %v, want %s among them (note: %s)", ic.Subject, ic.ChokePoints, want, ic.Note)
		}
	}
	if bots == 0 {
		t.Fatal("no release bot has a path: the shape does not exercise choke points of steps that act on a binding")
	}
}
