package risk

import (
	"slices"
	"strings"
	"testing"

	rbacv1 "k8s.io/api/rbac/v1"

	"github.com/auth-paths/kubectl-auth-paths/pkg/model"
)

func crb(name, roleKind, role string, subjects ...rbacv1.Subject) *model.Binding {
	return &model.Binding{Meta: model.Meta{Name: name}, Kind: model.KindClusterRoleBinding,
		RoleRef: rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: roleKind, Name: role}, Subjects: subjects}
}

func rb(ns, name, roleKind, role string, subjects ...rbacv1.Subject) *model.Binding {
	b := crb(name, roleKind, role, subjects...)
	b.Kind, b.Namespace = model.KindRoleBinding, ns
	return b
}

func saSubject(ns, name string) rbacv1.Subject {
	return rbacv1.Subject{Kind: rbacv1.ServiceAccountKind, Namespace: ns, Name: name}
}

var (
	userU        = rbacv1.Subject{APIGroup: rbacv1.GroupName, Kind: rbacv1.UserKind, Name: "u"}
	adminRules   = []rbacv1.PolicyRule{{APIGroups: []string{"*"}, Resources: []string{"*"}, Verbs: []string{"*"}}, {NonResourceURLs: []string{"*"}, Verbs: []string{"*"}}}
	clusterAdmin = &model.ClusterRole{Meta: model.Meta{Name: "cluster-admin"}, Rules: adminRules}
)

func core(verbs []string, resources ...string) rbacv1.PolicyRule {
	return rbacv1.PolicyRule{APIGroups: []string{""}, Resources: resources, Verbs: verbs}
}

func rbacRule(verbs []string, names []string, resources ...string) rbacv1.PolicyRule {
	return rbacv1.PolicyRule{APIGroups: []string{rbacGroup}, Resources: resources, Verbs: verbs, ResourceNames: names}
}

// candidatesOf returns "→target" of the user's held candidates of prim, and
// the Why of the failed ones.
func candidatesOf(a *Analysis, key, prim string) (holds, fails []string) {
	for _, c := range a.Candidates(key) {
		if c.Primitive != prim {
			continue
		}
		if c.Holds {
			holds = append(holds, c.To.Key)
		} else {
			fails = append(fails, c.Why)
		}
	}
	return holds, fails
}

func TestDanglingServiceAccount(t *testing.T) {
	create := []string{"create"}
	objects := func(bindings ...*model.Binding) *model.Inventory {
		return &model.Inventory{
			ClusterRoles:        []*model.ClusterRole{clusterAdmin},
			ServiceAccounts:     []*model.ServiceAccount{{Meta: model.Meta{Namespace: "apps", Name: "web"}}, {Meta: model.Meta{Namespace: "ci", Name: "default"}}},
			ClusterRoleBindings: bindings,
		}
	}
	missing := crb("deployer-admin", model.KindClusterRole, "cluster-admin", saSubject("apps", "deployer"))
	for _, tc := range []struct {
		name  string
		rules []rbacv1.PolicyRule
		inv   *model.Inventory
		holds string // target key of the held step, "" for none
		why   string // part of the failed step's Why, "" for no failed step
	}{
		{name: "token request", rules: []rbacv1.PolicyRule{core(create, "serviceaccounts", "serviceaccounts/token")}, inv: objects(missing),
			holds: "ServiceAccount:apps:deployer"},
		{name: "token Secret", rules: []rbacv1.PolicyRule{core(create, "serviceaccounts", "secrets"), core([]string{"get"}, "secrets")}, inv: objects(missing),
			holds: "ServiceAccount:apps:deployer"},
		{name: "deployment", rules: []rbacv1.PolicyRule{core(create, "serviceaccounts"), {APIGroups: []string{"apps"}, Resources: []string{"deployments"}, Verbs: create}}, inv: objects(missing),
			holds: "ServiceAccount:apps:deployer"},
		{name: "user name subject", rules: []rbacv1.PolicyRule{core(create, "serviceaccounts", "serviceaccounts/token")},
			inv:   objects(crb("deployer-admin", model.KindClusterRole, "cluster-admin", rbacv1.Subject{APIGroup: rbacv1.GroupName, Kind: rbacv1.UserKind, Name: "system:serviceaccount:apps:deployer"})),
			holds: "ServiceAccount:apps:deployer"},
		{name: "no token way", rules: []rbacv1.PolicyRule{core(create, "serviceaccounts")}, inv: objects(missing),
			why: "cannot get a token for it"},
		{name: "token for another name", rules: []rbacv1.PolicyRule{core(create, "serviceaccounts"), {APIGroups: []string{""}, Resources: []string{"serviceaccounts/token"}, Verbs: create, ResourceNames: []string{"web"}}},
			inv: objects(missing), why: "cannot get a token for it"},
		{name: "create only by name", rules: []rbacv1.PolicyRule{{APIGroups: []string{""}, Resources: []string{"serviceaccounts"}, Verbs: create, ResourceNames: []string{"deployer"}}, core(create, "serviceaccounts/token")},
			inv: objects(missing)},
		{name: "invalid name", rules: []rbacv1.PolicyRule{core(create, "serviceaccounts", "serviceaccounts/token")},
			inv: objects(crb("b", model.KindClusterRole, "cluster-admin", saSubject("apps", "Deployer_1"))), why: "not a valid ServiceAccount name"},
		{name: "namespace without ServiceAccounts in the input", rules: []rbacv1.PolicyRule{core(create, "serviceaccounts", "serviceaccounts/token")},
			inv: objects(crb("b", model.KindClusterRole, "cluster-admin", saSubject("other", "deployer")))},
		{name: "existing ServiceAccount", rules: []rbacv1.PolicyRule{core(create, "serviceaccounts", "serviceaccounts/token")},
			inv: objects(crb("b", model.KindClusterRole, "cluster-admin", saSubject("apps", "web")))},
		{name: "ServiceAccounts not listed", rules: []rbacv1.PolicyRule{core(create, "serviceaccounts", "serviceaccounts/token")},
			inv: func() *model.Inventory {
				inv := objects(missing)
				inv.Missing = []model.MissingKind{{Resource: "serviceaccounts", Reason: "forbidden"}}
				return inv
			}()},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := Analyze(userWith(tc.rules, tc.inv), Options{KeepCandidates: true})
			holds, fails := candidatesOf(a, userKey("u"), "dangling-serviceaccount")
			if tc.holds == "" && len(holds) > 0 || tc.holds != "" && !slices.Contains(holds, tc.holds) {
				t.Errorf("held steps %v, want %q", holds, tc.holds)
			}
			if tc.why == "" && len(fails) > 0 || tc.why != "" && (len(fails) != 1 || !strings.Contains(fails[0], tc.why)) {
				t.Errorf("failed steps %q, want one containing %q", fails, tc.why)
			}
		})
	}
}

// A RoleBinding's ServiceAccount subject with another namespace is that
// namespace's ServiceAccount: creating the name in the binding's namespace
// makes a different one.
func TestDanglingServiceAccountSubjectNamespace(t *testing.T) {
	inv := &model.Inventory{
		ClusterRoles:    []*model.ClusterRole{clusterAdmin},
		ServiceAccounts: []*model.ServiceAccount{{Meta: model.Meta{Namespace: "prod", Name: "ops"}}, {Meta: model.Meta{Namespace: "ci", Name: "default"}}},
		RoleBindings:    []*model.Binding{rb("prod", "ci-deploys", model.KindClusterRole, "cluster-admin", saSubject("ci", "deployer"))},
	}
	for ns, want := range map[string]string{"ci": "ServiceAccount:ci:deployer", "prod": ""} {
		in := *inv
		in.Roles = []*model.Role{{Meta: model.Meta{Namespace: ns, Name: "sa"}, Rules: []rbacv1.PolicyRule{core([]string{"create"}, "serviceaccounts"), {APIGroups: []string{""}, Resources: []string{"serviceaccounts/token"}, Verbs: []string{"create"}, ResourceNames: []string{"deployer"}}}}}
		in.RoleBindings = append(slices.Clone(inv.RoleBindings), rb(ns, "u-sa", model.KindRole, "sa", userU))
		a := Analyze(&in, Options{KeepCandidates: true})
		holds, fails := candidatesOf(a, userKey("u"), "dangling-serviceaccount")
		if want != "" && !slices.Equal(holds, []string{want}) {
			t.Errorf("creating in %s: held %v, want %s", ns, holds, want)
		}
		if want == "" && (len(holds) > 0 || len(fails) != 1 || !strings.Contains(fails[0], "the subject is in namespace ci")) {
			t.Errorf("creating in %s: held %v, failed %q", ns, holds, fails)
		}
	}
}

func TestDanglingRole(t *testing.T) {
	createEsc := rbacRule([]string{"create", "escalate"}, nil, "clusterroles", "roles")
	for _, tc := range []struct {
		name    string
		rules   []rbacv1.PolicyRule
		binding *model.Binding
		groups  map[string][]string
		missing []model.MissingKind
		holds   string
		why     string
	}{
		{name: "ClusterRoleBinding", rules: []rbacv1.PolicyRule{createEsc}, binding: crb("extra", model.KindClusterRole, "extra", userU), holds: "cluster-admin"},
		{name: "through a group", rules: []rbacv1.PolicyRule{createEsc}, groups: map[string][]string{"u": {"ops"}},
			binding: crb("extra", model.KindClusterRole, "extra", rbacv1.Subject{APIGroup: rbacv1.GroupName, Kind: rbacv1.GroupKind, Name: "ops"}), holds: "cluster-admin"},
		{name: "RoleBinding to a ClusterRole", rules: []rbacv1.PolicyRule{createEsc}, binding: rb("apps", "extra", model.KindClusterRole, "extra", userU), holds: nsAdminScope("apps")},
		{name: "RoleBinding to a Role", rules: []rbacv1.PolicyRule{createEsc}, binding: rb("apps", "extra", model.KindRole, "extra", userU), holds: nsAdminScope("apps")},
		{name: "not bound", rules: []rbacv1.PolicyRule{createEsc}, binding: crb("extra", model.KindClusterRole, "extra", saSubject("apps", "web"))},
		{name: "without escalate", rules: []rbacv1.PolicyRule{rbacRule([]string{"create"}, nil, "clusterroles")}, binding: crb("extra", model.KindClusterRole, "extra", userU),
			why: "only rules it already holds"},
		{name: "escalate by name", rules: []rbacv1.PolicyRule{rbacRule([]string{"create"}, nil, "clusterroles"), rbacRule([]string{"escalate"}, []string{"extra"}, "clusterroles")},
			binding: crb("extra", model.KindClusterRole, "extra", userU), why: "a create has no name"},
		{name: "Role needs roles, not clusterroles", rules: []rbacv1.PolicyRule{rbacRule([]string{"create", "escalate"}, nil, "clusterroles")},
			binding: rb("apps", "extra", model.KindRole, "extra", userU)},
		{name: "invalid name", rules: []rbacv1.PolicyRule{createEsc}, binding: crb("extra", model.KindClusterRole, "a/b", userU), why: "not a valid role name"},
		{name: "role list not read", rules: []rbacv1.PolicyRule{createEsc}, binding: crb("extra", model.KindClusterRole, "extra", userU),
			missing: []model.MissingKind{{Resource: "clusterroles.rbac.authorization.k8s.io", Reason: "forbidden"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			inv := &model.Inventory{ClusterRoles: []*model.ClusterRole{clusterAdmin}, Missing: tc.missing}
			if tc.binding.Kind == model.KindRoleBinding {
				inv.RoleBindings = []*model.Binding{tc.binding}
			} else {
				inv.ClusterRoleBindings = []*model.Binding{tc.binding}
			}
			a := Analyze(userWith(tc.rules, inv), Options{KeepCandidates: true, Groups: tc.groups})
			holds, fails := candidatesOf(a, userKey("u"), "dangling-role")
			if tc.holds == "" && len(holds) > 0 || tc.holds != "" && !slices.Equal(holds, []string{tc.holds}) {
				t.Errorf("held steps %v, want %q", holds, tc.holds)
			}
			if tc.why == "" && len(fails) > 0 || tc.why != "" && (len(fails) != 1 || !strings.Contains(fails[0], tc.why)) {
				t.Errorf("failed steps %q, want one containing %q", fails, tc.why)
			}
		})
	}
}

// A binding without rules that names an identity whose rules all come from
// one group is still that identity's step: the group is not bound by it.
func TestDanglingRoleRulesFromOneGroup(t *testing.T) {
	ops := rbacv1.Subject{APIGroup: rbacv1.GroupName, Kind: rbacv1.GroupKind, Name: "ops"}
	inv := &model.Inventory{
		ClusterRoles:        []*model.ClusterRole{clusterAdmin, {Meta: model.Meta{Name: "writer"}, Rules: []rbacv1.PolicyRule{rbacRule([]string{"create", "escalate"}, nil, "clusterroles")}}},
		ClusterRoleBindings: []*model.Binding{crb("ops-writer", model.KindClusterRole, "writer", ops), crb("extra", model.KindClusterRole, "extra", userU)},
	}
	a := Analyze(inv, Options{Groups: map[string][]string{"u": {"ops"}}})
	n := a.Graph.Node(userKey("u"))
	var got []string
	for _, e := range a.Graph.From(n) {
		got = append(got, e.Primitive+"→"+e.To.Key)
	}
	if !slices.Contains(got, "dangling-role→cluster-admin") {
		t.Errorf("steps of u: %v, want dangling-role→cluster-admin", got)
	}
	for _, e := range a.Graph.From(a.Graph.Node(groupKey("ops"))) {
		if e.Primitive == "dangling-role" {
			t.Errorf("group ops is not bound by ClusterRoleBinding extra: %v", e)
		}
	}
}
