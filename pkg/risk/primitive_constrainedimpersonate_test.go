package risk

import (
	"strings"
	"testing"

	rbacv1 "k8s.io/api/rbac/v1"

	"github.com/auth-paths/kubectl-auth-paths/pkg/model"
	"github.com/auth-paths/kubectl-auth-paths/pkg/rbac"
)

func authnRule(verb, resource string, names ...string) rbacv1.PolicyRule {
	return rbacv1.PolicyRule{APIGroups: []string{authnGroup}, Resources: []string{resource}, Verbs: []string{verb}, ResourceNames: names}
}

func createCRBAs(mode string) rbacv1.PolicyRule {
	return rbacRule([]string{"impersonate-on:" + mode + ":create"}, nil, "clusterrolebindings")
}

// adminUser is an inventory where user "ops" is cluster-admin.
func adminUser() *model.Inventory {
	return &model.Inventory{
		ClusterRoles:        []*model.ClusterRole{clusterAdmin},
		ClusterRoleBindings: []*model.Binding{crb("ops-admin", "ClusterRole", "cluster-admin", rbacv1.Subject{APIGroup: rbacv1.GroupName, Kind: rbacv1.UserKind, Name: "ops"})},
	}
}

// reachesAdmin reports whether user "u" has a path to cluster-admin.
func reachesAdmin(a *Analysis) bool {
	n := a.Graph.Node(userKey("u"))
	return n != nil && len(a.From(n, 1, -1)) > 0
}

func TestConstrainedImpersonationModesAndVerbs(t *testing.T) {
	for _, tc := range []struct {
		name    string
		rules   []rbacv1.PolicyRule
		version string
		// scope is a part of the held step's target, "" for no held step.
		scope string
		admin bool
		// why is a part of a failed step's Why, "" for none.
		why string
	}{
		{"create ClusterRoleBindings as an admin user binds cluster-admin (bind is the admin's own check)",
			[]rbacv1.PolicyRule{authnRule("impersonate:user-info", "users", "ops"), createCRBAs("user-info")}, "v1.37.2",
			"impersonated:user-info:User ops", true, ""},
		{"requests that escalate nothing give a scope with no way on",
			[]rbacv1.PolicyRule{authnRule("impersonate:user-info", "users", "ops"), core([]string{"impersonate-on:user-info:list"}, "pods")}, "v1.37.2",
			"impersonated:user-info:User ops", false, ""},
		{"without impersonate-on every request is refused",
			[]rbacv1.PolicyRule{authnRule("impersonate:user-info", "users", "ops")}, "v1.37.2",
			"", false, "holds no impersonate-on:user-info:<verb> rule"},
		{"impersonate-on of another mode does not apply",
			[]rbacv1.PolicyRule{authnRule("impersonate:user-info", "users", "ops"), createCRBAs("serviceaccount")}, "v1.37.2",
			"", false, "impersonate-on:serviceaccount:create"},
		{"impersonate-on:user-info:* is no wildcard: verbs match exactly",
			[]rbacv1.PolicyRule{authnRule("impersonate:user-info", "users", "ops"), rbacRule([]string{"impersonate-on:user-info:*"}, nil, "clusterrolebindings")}, "v1.37.2",
			"", false, "impersonate-on:user-info:*"},
		{"the verb * allows impersonate-on in every mode for every verb",
			[]rbacv1.PolicyRule{authnRule("impersonate:user-info", "users", "ops"), rbacRule([]string{"*"}, nil, "clusterrolebindings")}, "v1.37.2",
			"impersonated:user-info:User ops", true, ""},
		{"impersonate:user-info in the core group is not asked",
			[]rbacv1.PolicyRule{core([]string{"impersonate:user-info"}, "users"), createCRBAs("user-info")}, "v1.37.2",
			"", false, "no check of constrained impersonation asks"},
		{"a user name of any form is not a user-info target when it names a ServiceAccount",
			[]rbacv1.PolicyRule{authnRule("impersonate:user-info", "users", "system:serviceaccount:kube-system:deployer"), createCRBAs("user-info")}, "v1.37.2",
			"", false, ""},
		{"v1.35: the feature gate is off by default",
			[]rbacv1.PolicyRule{authnRule("impersonate:user-info", "users", "ops"), createCRBAs("user-info")}, "v1.35.2",
			"", false, "alpha and off by default"},
		{"v1.34: no constrained impersonation",
			[]rbacv1.PolicyRule{authnRule("impersonate:user-info", "users", "ops"), createCRBAs("user-info")}, "1.34",
			"", false, "arrived as alpha in v1.35"},
		{"v1.36: on by default",
			[]rbacv1.PolicyRule{authnRule("impersonate:user-info", "users", "ops"), createCRBAs("user-info")}, "v1.36.0",
			"impersonated:user-info:User ops", true, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := Analyze(userWith(tc.rules, adminUser()), Options{KubernetesVersion: tc.version, KeepCandidates: true})
			holds, fails := held(a, "constrained-impersonate")
			if got := strings.Join(holds, " "); (tc.scope == "") != (got == "") || !strings.Contains(got, tc.scope) {
				t.Errorf("held steps %q, want one to %q", got, tc.scope)
			}
			if got := strings.Join(fails, " | "); (tc.why == "") != (got == "") || !strings.Contains(got, tc.why) {
				t.Errorf("failed steps %q, want one saying %q", got, tc.why)
			}
			if got := reachesAdmin(a); got != tc.admin {
				t.Errorf("path to cluster-admin = %v, want %v", got, tc.admin)
			}
		})
	}
}

func TestConstrainedImpersonationUnknownVersionIsAssumedCurrent(t *testing.T) {
	a := Analyze(userWith([]rbacv1.PolicyRule{authnRule("impersonate:user-info", "users", "ops"), createCRBAs("user-info")}, adminUser()), Options{})
	var conds []string
	for _, e := range a.Graph.Edges() {
		if e.From.Key == userKey("u") {
			conds = append(conds, e.Condition)
		}
	}
	if len(conds) != 1 || !strings.Contains(conds[0], "cluster version unknown") {
		t.Fatalf("want one step saying the version is assumed, got %q", conds)
	}
}

// The impersonated user is the name and the groups the request sends: the
// groups an identity provider gives that user are not among them.
func TestConstrainedImpersonationSendsNoProviderGroups(t *testing.T) {
	inv := &model.Inventory{
		ClusterRoles:        []*model.ClusterRole{clusterAdmin},
		ClusterRoleBindings: []*model.Binding{crb("admins", "ClusterRole", "cluster-admin", rbacv1.Subject{APIGroup: rbacv1.GroupName, Kind: rbacv1.GroupKind, Name: "admins"})},
	}
	rules := []rbacv1.PolicyRule{authnRule("impersonate:user-info", "users", "ops"), createCRBAs("user-info")}
	a := Analyze(userWith(rules, inv), Options{KubernetesVersion: "v1.37.2", Groups: map[string][]string{"ops": {"admins"}}, KeepCandidates: true})
	if reachesAdmin(a) {
		t.Errorf("impersonating ops without its group admins must not reach cluster-admin: %v", edgesOf(a))
	}
	// With the group impersonated too, it does.
	rules = append(rules, authnRule("impersonate:user-info", "groups", "admins"))
	a = Analyze(userWith(rules, inv), Options{KubernetesVersion: "v1.37.2", Groups: map[string][]string{"ops": {"admins"}}, KeepCandidates: true})
	if !reachesAdmin(a) {
		t.Errorf("impersonating ops with group admins must reach cluster-admin: %v", edgesOf(a))
	}
}

func TestConstrainedImpersonationNeverGivesSystemMasters(t *testing.T) {
	inv := &model.Inventory{
		ClusterRoles:        []*model.ClusterRole{clusterAdmin},
		ClusterRoleBindings: []*model.Binding{crb("masters", "ClusterRole", "cluster-admin", rbacv1.Subject{APIGroup: rbacv1.GroupName, Kind: rbacv1.GroupKind, Name: rbac.GroupMasters})},
	}
	rules := []rbacv1.PolicyRule{authnRule("impersonate:user-info", "users"), authnRule("impersonate:user-info", "groups", rbac.GroupMasters), createCRBAs("user-info")}
	a := Analyze(userWith(rules, inv), Options{KubernetesVersion: "v1.37.2", KeepCandidates: true})
	if reachesAdmin(a) {
		t.Errorf("constrained impersonation refuses group %s: %v", rbac.GroupMasters, edgesOf(a))
	}
}

// Four groups or more are first asked with the name "*": a rule naming "*"
// lets every group through, however few the graph needs.
func TestConstrainedImpersonationGroupWildcardName(t *testing.T) {
	inv := &model.Inventory{
		ClusterRoles:        []*model.ClusterRole{clusterAdmin},
		ClusterRoleBindings: []*model.Binding{crb("admins", "ClusterRole", "cluster-admin", rbacv1.Subject{APIGroup: rbacv1.GroupName, Kind: rbacv1.GroupKind, Name: "admins"})},
	}
	rules := []rbacv1.PolicyRule{authnRule("impersonate:user-info", "users", "nobody"), authnRule("impersonate:user-info", "groups", "*"), createCRBAs("user-info")}
	a := Analyze(userWith(rules, inv), Options{KubernetesVersion: "v1.37.2", KeepCandidates: true})
	if !reachesAdmin(a) {
		t.Errorf("groups named * must let group admins through: %v", edgesOf(a))
	}
}

func TestConstrainedImpersonationNamespaces(t *testing.T) {
	objects := func() *model.Inventory {
		return &model.Inventory{
			ClusterRoles:        []*model.ClusterRole{clusterAdmin},
			ServiceAccounts:     []*model.ServiceAccount{{Meta: model.Meta{Namespace: "kube-system", Name: "deployer"}}},
			ClusterRoleBindings: []*model.Binding{crb("deployer", "ClusterRole", "cluster-admin", saSubject("kube-system", "deployer"))},
			Roles: []*model.Role{
				{Meta: model.Meta{Namespace: "kube-system", Name: "imp"}, Rules: []rbacv1.PolicyRule{authnRule("impersonate:serviceaccount", "serviceaccounts", "deployer")}},
				{Meta: model.Meta{Namespace: "apps", Name: "imp"}, Rules: []rbacv1.PolicyRule{authnRule("impersonate:serviceaccount", "serviceaccounts", "deployer")}},
				{Meta: model.Meta{Namespace: "apps", Name: "on"}, Rules: []rbacv1.PolicyRule{rbacRule([]string{"impersonate-on:serviceaccount:create"}, nil, "rolebindings")}},
			},
		}
	}
	for _, tc := range []struct {
		name     string
		bindings []*model.Binding
		want     bool
	}{
		{"impersonate:serviceaccount is asked in the ServiceAccount's namespace; impersonate-on in the request's",
			[]*model.Binding{rb("kube-system", "imp", "Role", "imp", userU), rb("apps", "on", "Role", "on", userU)}, true},
		{"a RoleBinding in another namespace does not let it impersonate",
			[]*model.Binding{rb("apps", "imp", "Role", "imp", userU), rb("apps", "on", "Role", "on", userU)}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			inv := objects()
			inv.RoleBindings = tc.bindings
			a := Analyze(inv, Options{KubernetesVersion: "v1.37.2", KeepCandidates: true})
			// As deployer, u creates RoleBindings in apps only: everything in apps.
			got := false
			for _, e := range a.Graph.Edges() {
				got = got || (strings.HasPrefix(e.From.Key, scopeKey("impersonated:serviceaccount:")) && e.To.Key == nsAdminScope("apps"))
			}
			if got != tc.want {
				t.Errorf("impersonated deployer binds in apps = %v, want %v: %v", got, tc.want, edgesOf(a))
			}
		})
	}
}

// The roles bound to the impersonated identity are its own: escalating one
// widens it, not the requester, who still reaches it only through its
// impersonate-on rules.
func TestConstrainedImpersonationScopeDoesNotEscalateTheIdentitysRole(t *testing.T) {
	inv := &model.Inventory{
		ClusterRoles: []*model.ClusterRole{{Meta: model.Meta{Name: "self-editor"}, Rules: []rbacv1.PolicyRule{rbacRule([]string{"escalate", "update"}, nil, "clusterroles")}}},
		ClusterRoleBindings: []*model.Binding{crb("ops-self-editor", "ClusterRole", "self-editor",
			rbacv1.Subject{APIGroup: rbacv1.GroupName, Kind: rbacv1.UserKind, Name: "ops"})},
	}
	rules := []rbacv1.PolicyRule{authnRule("impersonate:user-info", "users", "ops"), rbacRule([]string{"impersonate-on:user-info:update"}, nil, "clusterroles")}
	a := Analyze(userWith(rules, inv), Options{KubernetesVersion: "v1.37.2", KeepCandidates: true})
	if reachesAdmin(a) {
		t.Errorf("escalating ops's own role must not be the requester's step: %v", edgesOf(a))
	}
	// The fixture is an escalation for ops itself.
	if n := a.Graph.Node(userKey("ops")); n == nil || len(a.From(n, 1, -1)) == 0 {
		t.Errorf("ops must escalate its own role: %v", edgesOf(a))
	}
}

func TestAssociatedNodeIsTheNodeOfTheServiceAccountsPod(t *testing.T) {
	inv := &model.Inventory{
		ClusterRoles:    []*model.ClusterRole{clusterAdmin, {Meta: model.Meta{Name: "agent"}, Rules: []rbacv1.PolicyRule{authnRule("impersonate:associated-node", "nodes"), core([]string{"impersonate-on:associated-node:create"}, "serviceaccounts/token")}}},
		Nodes:           []*model.Node{{Meta: model.Meta{Name: "w1"}}, {Meta: model.Meta{Name: "w2"}}},
		ServiceAccounts: []*model.ServiceAccount{{Meta: model.Meta{Namespace: "ns", Name: "agent"}}, {Meta: model.Meta{Namespace: "ns", Name: "admin1"}}, {Meta: model.Meta{Namespace: "ns", Name: "admin2"}}},
		Pods: []*model.Pod{
			{Meta: model.Meta{Namespace: "ns", Name: "agent"}, Spec: model.PodSpec{ServiceAccountName: "agent", NodeName: "w1"}, Phase: "Running"},
			{Meta: model.Meta{Namespace: "ns", Name: "a1"}, Spec: model.PodSpec{ServiceAccountName: "admin1", NodeName: "w1"}, Phase: "Running"},
			{Meta: model.Meta{Namespace: "ns", Name: "a2"}, Spec: model.PodSpec{ServiceAccountName: "admin2", NodeName: "w2"}, Phase: "Running"},
		},
		ClusterRoleBindings: []*model.Binding{crb("agent", "ClusterRole", "agent", saSubject("ns", "agent"))},
	}
	a := Analyze(inv, Options{KubernetesVersion: "v1.37.2", KeepCandidates: true})
	holds, _ := candidatesOf(a, saKey("ns", "agent"), "constrained-impersonate")
	if got := strings.Join(holds, " "); got != saKey("ns", "admin1") {
		t.Errorf("associated-node steps reach %q, want only %s (the token of a pod on w1, the agent's node)", got, saKey("ns", "admin1"))
	}
	// A rule naming the node does not pass: the filter asks with the name "*".
	inv.ClusterRoles[1].Rules[0] = authnRule("impersonate:associated-node", "nodes", "w1")
	a = Analyze(inv, Options{KubernetesVersion: "v1.37.2", KeepCandidates: true})
	if holds, _ := candidatesOf(a, saKey("ns", "agent"), "constrained-impersonate"); len(holds) > 0 {
		t.Errorf("impersonate:associated-node on nodes named w1 must not pass (asked as *): %v", holds)
	}
}

// edgesOf renders every step of the graph.
func edgesOf(a *Analysis) []string {
	var out []string
	for _, e := range a.Graph.Edges() {
		out = append(out, e.From.Key+" -"+e.Primitive+"-> "+e.To.Key)
	}
	return out
}

// Creating a ClusterRoleBinding as an identity that holds a role's rules
// (without bind) binds that role to the requester: RBAC's coverage check is
// the identity's.
func TestConstrainedImpersonationBindsWhatTheIdentityCovers(t *testing.T) {
	// ops may create ClusterRoleBindings itself: the request is authorized as ops.
	writeCRB := rbacRule([]string{"create"}, nil, "clusterrolebindings")
	secretReader := &model.ClusterRole{Meta: model.Meta{Name: "secret-reader"}, Rules: []rbacv1.PolicyRule{core([]string{"get", "list"}, "secrets")}}
	for _, tc := range []struct {
		name   string
		opsHas []rbacv1.PolicyRule
		want   bool
	}{
		{"the identity holds the role's rules", []rbacv1.PolicyRule{core([]string{"get", "list", "watch"}, "secrets", "configmaps"), writeCRB}, true},
		{"the identity holds less than the role", []rbacv1.PolicyRule{core([]string{"get"}, "secrets"), writeCRB}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			inv := &model.Inventory{
				ClusterRoles: []*model.ClusterRole{secretReader, {Meta: model.Meta{Name: "ops"}, Rules: tc.opsHas}},
				ClusterRoleBindings: []*model.Binding{crb("ops", "ClusterRole", "ops",
					rbacv1.Subject{APIGroup: rbacv1.GroupName, Kind: rbacv1.UserKind, Name: "ops"})},
			}
			rules := []rbacv1.PolicyRule{authnRule("impersonate:user-info", "users", "ops"), createCRBAs("user-info")}
			a := Analyze(userWith(rules, inv), Options{KubernetesVersion: "v1.37.2", KeepCandidates: true})
			got := false
			for _, e := range a.Graph.Edges() {
				got = got || (e.Primitive == "bind" && strings.HasPrefix(e.From.Key, scopeKey("impersonated:")) && strings.Contains(e.To.Key, "secret-reader"))
			}
			if got != tc.want {
				t.Errorf("binds secret-reader as ops = %v, want %v: %v", got, tc.want, edgesOf(a))
			}
		})
	}
}
