package rbac

import (
	"slices"
	"strings"
	"testing"

	rbacv1 "k8s.io/api/rbac/v1"

	"github.com/auth-paths/kubectl-auth-paths/pkg/model"
)

// Builders for hand-written inventories.

func clusterRole(name string, rules ...rbacv1.PolicyRule) *model.ClusterRole {
	return &model.ClusterRole{Meta: model.Meta{Name: name}, Rules: rules}
}

func role(ns, name string, rules ...rbacv1.PolicyRule) *model.Role {
	return &model.Role{Meta: model.Meta{Namespace: ns, Name: name}, Rules: rules}
}

func crb(name, roleName string, subjects ...rbacv1.Subject) *model.Binding {
	return &model.Binding{Meta: model.Meta{Name: name}, Kind: model.KindClusterRoleBinding,
		RoleRef: rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: model.KindClusterRole, Name: roleName}, Subjects: subjects}
}

func rb(ns, name, roleKind, roleName string, subjects ...rbacv1.Subject) *model.Binding {
	return &model.Binding{Meta: model.Meta{Namespace: ns, Name: name}, Kind: model.KindRoleBinding,
		RoleRef: rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: roleKind, Name: roleName}, Subjects: subjects}
}

func user(name string) rbacv1.Subject  { return rbacv1.Subject{Kind: rbacv1.UserKind, Name: name} }
func group(name string) rbacv1.Subject { return rbacv1.Subject{Kind: rbacv1.GroupKind, Name: name} }
func sa(ns, name string) rbacv1.Subject {
	return rbacv1.Subject{Kind: rbacv1.ServiceAccountKind, Namespace: ns, Name: name}
}

func alice() Identity { return IdentityOf(Subject{Kind: rbacv1.UserKind, Name: "alice"}) }

var (
	getPods    = rule(l("get"), l(""), l("pods"))
	getSecrets = rule(l("get"), l(""), l("secrets"))
	everything = rule(l("*"), l("*"), l("*"))
	allURLs    = rbacv1.PolicyRule{Verbs: l("*"), NonResourceURLs: l("*")}
	getHealthz = rbacv1.PolicyRule{Verbs: l("get"), NonResourceURLs: l("/healthz")}
)

func inNS(req Request, ns string) Request { req.Namespace = ns; return req }

// whoCanNames renders WhoCan's subjects as Subject.String(), without system:masters.
func whoCanNames(e *Evaluator, req Request) []string {
	var out []string
	for _, sg := range e.WhoCan(req) {
		if sg.Subject.Name == GroupMasters {
			continue
		}
		out = append(out, sg.Subject.String())
	}
	return out
}

type allowCase struct {
	name string
	id   Identity
	req  Request
	want bool
}

func runAllowCases(t *testing.T, e *Evaluator, cases []allowCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, reason := e.Allows(tc.id, tc.req)
			if got != tc.want {
				t.Fatalf("Allows(%+v, %s) = %v (%s), want %v", tc.id, tc.req, got, reason, tc.want)
			}
			if got != (reason != "") {
				t.Fatalf("reason %q does not agree with decision %v", reason, got)
			}
		})
	}
}

func TestRoleBindingToClusterRoleIsNamespaced(t *testing.T) {
	e := NewEvaluator(&model.Inventory{
		ClusterRoles: []*model.ClusterRole{clusterRole("reader", getPods, getHealthz)},
		RoleBindings: []*model.Binding{rb("dev", "alice-reader", model.KindClusterRole, "reader", user("alice"))},
	})
	pods := res("get", "", "pods", "", "")
	runAllowCases(t, e, []allowCase{
		{"inside the binding's namespace", alice(), inNS(pods, "dev"), true},
		{"in another namespace", alice(), inNS(pods, "prod"), false},
		{"cluster-wide", alice(), inNS(pods, ""), false},
		{"non-resource URL of the ClusterRole", alice(), url("get", "/healthz"), false},
	})
	if got := whoCanNames(e, inNS(pods, "dev")); !slices.Equal(got, l("User:alice")) {
		t.Errorf("WhoCan in dev = %v", got)
	}
	if got := whoCanNames(e, inNS(pods, "prod")); len(got) != 0 {
		t.Errorf("WhoCan in prod = %v, want nobody", got)
	}
}

func TestClusterRoleBindingGrantsEverywhere(t *testing.T) {
	e := NewEvaluator(&model.Inventory{
		ClusterRoles:        []*model.ClusterRole{clusterRole("reader", getPods, getHealthz)},
		ClusterRoleBindings: []*model.Binding{crb("alice-reader", "reader", user("alice"))},
	})
	pods := res("get", "", "pods", "", "")
	runAllowCases(t, e, []allowCase{
		{"cluster-wide", alice(), inNS(pods, ""), true},
		{"in a namespace", alice(), inNS(pods, "dev"), true},
		{"in any namespace", alice(), inNS(pods, "kube-system"), true},
		{"non-resource URL", alice(), url("get", "/healthz"), true},
		{"not a rule it has", alice(), inNS(res("delete", "", "pods", "", ""), "dev"), false},
	})
}

func TestClusterScopedRequestsOnlySeeClusterRoleBindings(t *testing.T) {
	nodes := rule(l("get"), l(""), l("nodes"))
	e := NewEvaluator(&model.Inventory{
		ClusterRoles:        []*model.ClusterRole{clusterRole("nodes", nodes)},
		Roles:               []*model.Role{role("dev", "nodes", nodes)},
		ClusterRoleBindings: []*model.Binding{crb("bob-nodes", "nodes", user("bob"))},
		RoleBindings: []*model.Binding{
			rb("dev", "alice-nodes", model.KindClusterRole, "nodes", user("alice")),
			rb("dev", "carol-nodes", model.KindRole, "nodes", user("carol")),
		},
	})
	req := inNS(res("get", "", "nodes", "", "n1"), "")
	if got := whoCanNames(e, req); !slices.Equal(got, l("User:bob")) {
		t.Errorf("WhoCan(get nodes n1) = %v, want only User:bob", got)
	}
	runAllowCases(t, e, []allowCase{
		{"RoleBinding to ClusterRole", alice(), req, false},
		{"RoleBinding to Role", IdentityOf(Subject{Kind: rbacv1.UserKind, Name: "carol"}), req, false},
		{"ClusterRoleBinding", IdentityOf(Subject{Kind: rbacv1.UserKind, Name: "bob"}), req, true},
	})
}

func TestNonResourceURLsOnlyFromClusterRoleBindings(t *testing.T) {
	e := NewEvaluator(&model.Inventory{
		ClusterRoles:        []*model.ClusterRole{clusterRole("urls", allURLs)},
		ClusterRoleBindings: []*model.Binding{crb("bob-urls", "urls", user("bob"))},
		RoleBindings:        []*model.Binding{rb("dev", "alice-urls", model.KindClusterRole, "urls", user("alice"))},
	})
	if got := whoCanNames(e, url("get", "/metrics")); !slices.Equal(got, l("User:bob")) {
		t.Errorf("WhoCan(get /metrics) = %v, want only User:bob", got)
	}
	runAllowCases(t, e, []allowCase{
		{"via RoleBinding", alice(), url("get", "/metrics"), false},
		{"via ClusterRoleBinding", IdentityOf(Subject{Kind: rbacv1.UserKind, Name: "bob"}), url("get", "/metrics"), true},
	})
}

func TestPatchNamespaceIsEvaluatedInThatNamespace(t *testing.T) {
	patchNS := rule(l("patch"), l(""), l("namespaces"))
	e := NewEvaluator(&model.Inventory{
		ClusterRoles: []*model.ClusterRole{clusterRole("ns-patcher", patchNS)},
		RoleBindings: []*model.Binding{rb("team-a", "alice", model.KindClusterRole, "ns-patcher", user("alice"))},
	})
	runAllowCases(t, e, []allowCase{
		{"namespaces/team-a in team-a", alice(), Request{Verb: "patch", Resource: "namespaces", Name: "team-a", Namespace: "team-a"}, true},
		{"namespaces/team-b in team-b", alice(), Request{Verb: "patch", Resource: "namespaces", Name: "team-b", Namespace: "team-b"}, false},
		{"cluster-wide", alice(), Request{Verb: "patch", Resource: "namespaces", Name: "team-a"}, false},
	})
}

func TestBindingToMissingRoleGrantsNothingAndWarns(t *testing.T) {
	e := NewEvaluator(&model.Inventory{
		ClusterRoleBindings: []*model.Binding{crb("ghost-crb", "ghost", user("alice"))},
		RoleBindings: []*model.Binding{
			rb("dev", "ghost-rb", model.KindRole, "ghost-role", user("alice")),
			rb("dev", "ghost-rb2", model.KindClusterRole, "ghost", user("alice")),
		},
		// A Role of the same name in another namespace does not count.
		Roles: []*model.Role{role("prod", "ghost-role", everything)},
	})
	runAllowCases(t, e, []allowCase{
		{"cluster-wide", alice(), inNS(res("get", "", "pods", "", ""), ""), false},
		{"in dev", alice(), inNS(res("get", "", "pods", "", ""), "dev"), false},
	})
	if got := whoCanNames(e, inNS(res("get", "", "pods", "", ""), "dev")); len(got) != 0 {
		t.Errorf("WhoCan = %v, want nobody", got)
	}
	if got := e.Subjects(); len(got) != 0 {
		t.Errorf("Subjects() = %v: bindings to missing roles name nobody", got)
	}
	w := strings.Join(e.Warnings(), "\n")
	for _, want := range []string{`ClusterRoleBinding "ghost-crb"`, `RoleBinding "dev/ghost-rb"`, `Role "ghost-role" in namespace dev`, `RoleBinding "dev/ghost-rb2"`, "does not exist"} {
		if !strings.Contains(w, want) {
			t.Errorf("warnings do not mention %q:\n%s", want, w)
		}
	}
	if len(e.Warnings()) != 3 {
		t.Errorf("got %d warnings, want 3:\n%s", len(e.Warnings()), w)
	}
}

func TestClusterRoleBindingCannotReferenceRole(t *testing.T) {
	b := crb("bad", "r", user("alice"))
	b.RoleRef.Kind = model.KindRole
	e := NewEvaluator(&model.Inventory{Roles: []*model.Role{role("", "r", everything)}, ClusterRoleBindings: []*model.Binding{b}})
	if ok, _ := e.Allows(alice(), inNS(res("get", "", "pods", "", ""), "")); ok {
		t.Error("a ClusterRoleBinding to a Role granted something")
	}
	if len(e.Warnings()) != 1 {
		t.Errorf("warnings = %v, want one", e.Warnings())
	}
}

func TestServiceAccountSubjects(t *testing.T) {
	e := NewEvaluator(&model.Inventory{
		ClusterRoles: []*model.ClusterRole{clusterRole("reader", getPods)},
		RoleBindings: []*model.Binding{
			// No namespace: the binding's namespace.
			rb("dev", "implicit-ns", model.KindClusterRole, "reader", rbacv1.Subject{Kind: rbacv1.ServiceAccountKind, Name: "builder"}),
			// An SA of another namespace gets the grant inside the binding's namespace.
			rb("dev", "other-ns", model.KindClusterRole, "reader", sa("ci", "runner")),
			// A User named like an SA is that SA.
			rb("dev", "as-user", model.KindClusterRole, "reader", user("system:serviceaccount:ops:bot")),
		},
	})
	id := func(ns, name string) Identity {
		return IdentityOf(Subject{Kind: rbacv1.ServiceAccountKind, Namespace: ns, Name: name})
	}
	pods := inNS(res("get", "", "pods", "", ""), "dev")
	runAllowCases(t, e, []allowCase{
		{"SA without namespace defaults to the binding's", id("dev", "builder"), pods, true},
		{"same SA name elsewhere is not it", id("prod", "builder"), pods, false},
		{"SA of another namespace, in the binding's namespace", id("ci", "runner"), pods, true},
		{"SA of another namespace, in its own namespace", id("ci", "runner"), inNS(pods, "ci"), false},
		{"User system:serviceaccount:ops:bot is the SA", id("ops", "bot"), pods, true},
		{"raw user name of the SA", Identity{User: "system:serviceaccount:dev:builder"}, pods, true},
	})
	want := l("ServiceAccount:ci:runner", "ServiceAccount:dev:builder", "ServiceAccount:ops:bot")
	if got := whoCanNames(e, pods); !slices.Equal(got, want) {
		t.Errorf("WhoCan = %v, want %v", got, want)
	}
}

func TestClusterRoleBindingServiceAccountWithoutNamespaceMatchesNobody(t *testing.T) {
	e := NewEvaluator(&model.Inventory{
		ClusterRoles:        []*model.ClusterRole{clusterRole("reader", getPods)},
		ClusterRoleBindings: []*model.Binding{crb("no-ns", "reader", rbacv1.Subject{Kind: rbacv1.ServiceAccountKind, Name: "builder"})},
	})
	for _, ns := range []string{"", "default", "dev"} {
		id := IdentityOf(Subject{Kind: rbacv1.ServiceAccountKind, Namespace: ns, Name: "builder"})
		if ok, why := e.Allows(id, inNS(res("get", "", "pods", "", ""), "dev")); ok && ns != "" {
			t.Errorf("SA %s/builder allowed by a ClusterRoleBinding subject without namespace: %s", ns, why)
		}
	}
}

func TestGroupsAndImplicitGroups(t *testing.T) {
	e := NewEvaluator(&model.Inventory{
		ClusterRoles: []*model.ClusterRole{clusterRole("reader", getPods), clusterRole("secrets", getSecrets), clusterRole("health", getHealthz)},
		ClusterRoleBindings: []*model.Binding{
			crb("authenticated", "reader", group(GroupAuthenticated)),
			crb("unauthenticated", "health", group(GroupUnauthenticated)),
		},
		RoleBindings: []*model.Binding{
			rb("dev", "all-sas", model.KindClusterRole, "secrets", group(GroupServiceAccounts)),
			rb("prod", "prod-sas", model.KindClusterRole, "secrets", group("system:serviceaccounts:prod")),
			rb("dev", "devs", model.KindClusterRole, "secrets", group("developers")),
		},
	})
	saDev := IdentityOf(Subject{Kind: rbacv1.ServiceAccountKind, Namespace: "dev", Name: "x"})
	saProd := IdentityOf(Subject{Kind: rbacv1.ServiceAccountKind, Namespace: "prod", Name: "x"})
	anon := IdentityOf(Subject{Kind: rbacv1.UserKind, Name: UserAnonymous})
	dev := IdentityOf(Subject{Kind: rbacv1.UserKind, Name: "dana"}, "developers")
	pods := inNS(res("get", "", "pods", "", ""), "dev")
	secretsDev := inNS(res("get", "", "secrets", "", ""), "dev")
	secretsProd := inNS(res("get", "", "secrets", "", ""), "prod")
	runAllowCases(t, e, []allowCase{
		{"user is system:authenticated", alice(), pods, true},
		{"SA is system:authenticated", saDev, pods, true},
		{"anonymous is not system:authenticated", anon, pods, false},
		{"anonymous is system:unauthenticated", anon, url("get", "/healthz"), true},
		{"users are not system:unauthenticated", alice(), url("get", "/healthz"), false},
		{"SA is in system:serviceaccounts", saProd, secretsDev, true},
		{"SA is in system:serviceaccounts:NS", saProd, secretsProd, true},
		{"SA of another namespace is not in system:serviceaccounts:prod", saDev, secretsProd, false},
		{"user is not in system:serviceaccounts", alice(), secretsDev, false},
		{"explicit group", dev, secretsDev, true},
		{"explicit group elsewhere", dev, secretsProd, false},
		{"group name is not a user name", Identity{User: "developers"}, secretsDev, false},
	})
	for _, tc := range []struct {
		subject Subject
		want    []string
	}{
		{Subject{Kind: rbacv1.ServiceAccountKind, Namespace: "dev", Name: "x"}, l(GroupServiceAccounts, "system:serviceaccounts:dev", GroupAuthenticated)},
		{Subject{Kind: rbacv1.UserKind, Name: "alice"}, l(GroupAuthenticated)},
		{Subject{Kind: rbacv1.UserKind, Name: "system:node:n1"}, l(GroupNodes, GroupAuthenticated)},
		{Subject{Kind: rbacv1.UserKind, Name: UserAnonymous}, l(GroupUnauthenticated)},
		{Subject{Kind: rbacv1.GroupKind, Name: "developers"}, nil},
	} {
		if got := ImplicitGroups(tc.subject); !slices.Equal(got, tc.want) {
			t.Errorf("ImplicitGroups(%s) = %v, want %v", tc.subject, got, tc.want)
		}
	}
	if got := whoCanNames(e, secretsProd); !slices.Equal(got, l("Group:system:serviceaccounts:prod")) {
		t.Errorf("WhoCan(secrets in prod) = %v", got)
	}
}

func TestSubjectKindsAreNotInterchangeable(t *testing.T) {
	e := NewEvaluator(&model.Inventory{
		ClusterRoles:        []*model.ClusterRole{clusterRole("reader", getPods)},
		ClusterRoleBindings: []*model.Binding{crb("g", "reader", group("alice")), crb("u", "reader", user("devs"))},
	})
	runAllowCases(t, e, []allowCase{
		{"a Group subject is not a user", Identity{User: "alice"}, inNS(res("get", "", "pods", "", ""), ""), false},
		{"a User subject is not a group", Identity{User: "bob", Groups: l("devs")}, inNS(res("get", "", "pods", "", ""), ""), false},
	})
	for _, s := range []Subject{{Kind: "Bogus", Name: "alice"}, {Kind: "", Name: "alice"}} {
		if s.Matches(Identity{User: "alice"}) {
			t.Errorf("subject of kind %q matched user alice", s.Kind)
		}
	}
}

func TestSystemMastersAlwaysAllowedAndListed(t *testing.T) {
	e := NewEvaluator(&model.Inventory{})
	for _, req := range []Request{
		inNS(res("delete", "", "nodes", "", "n1"), ""),
		inNS(res("escalate", "rbac.authorization.k8s.io", "clusterroles", "", ""), ""),
		url("post", "/anything"),
		inNS(res("create", "", "pods", "exec", "p"), "dev"),
	} {
		ok, reason := e.Allows(Identity{User: "root", Groups: l("some", GroupMasters)}, req)
		if !ok || !strings.Contains(reason, GroupMasters) {
			t.Errorf("Allows(system:masters, %s) = %v, %q", req, ok, reason)
		}
		if ok, _ := e.Allows(Identity{User: GroupMasters}, req); ok {
			t.Errorf("a user named system:masters was allowed %s", req)
		}
		got := e.WhoCan(req)
		if len(got) != 1 || got[0].Subject != (Subject{Kind: rbacv1.GroupKind, Name: GroupMasters}) || len(got[0].Grants) != 1 || !got[0].Grants[0].Superuser {
			t.Errorf("WhoCan(%s) on an empty inventory = %+v, want only system:masters", req, got)
		}
	}
}

func TestWhoCanListsEveryGrantSorted(t *testing.T) {
	e := NewEvaluator(&model.Inventory{
		ClusterRoles: []*model.ClusterRole{clusterRole("admin", everything), clusterRole("reader", getSecrets, rule(l("get", "list"), l(""), l("secrets")))},
		Roles:        []*model.Role{role("dev", "secret-reader", getSecrets)},
		ClusterRoleBindings: []*model.Binding{
			crb("admins", "admin", group("admins"), user("zed")),
		},
		RoleBindings: []*model.Binding{
			rb("dev", "r1", model.KindRole, "secret-reader", user("alice"), sa("dev", "app")),
			rb("dev", "r2", model.KindClusterRole, "reader", user("alice")),
		},
	})
	req := inNS(res("get", "", "secrets", "", "s"), "dev")
	got := e.WhoCan(req)
	var names []string
	for _, sg := range got {
		names = append(names, sg.Subject.String())
	}
	want := l("Group:admins", "Group:system:masters", "ServiceAccount:dev:app", "User:alice", "User:zed")
	if !slices.Equal(names, want) {
		t.Fatalf("WhoCan order = %v, want %v", names, want)
	}
	var aliceGrants []string
	for _, g := range got[3].Grants {
		aliceGrants = append(aliceGrants, g.String())
	}
	wantGrants := l(
		`RoleBinding "dev/r1" of Role "secret-reader" rules[0] to User "alice"`,
		`RoleBinding "dev/r2" of ClusterRole "reader" rules[0] to User "alice"`,
		`RoleBinding "dev/r2" of ClusterRole "reader" rules[1] to User "alice"`,
	)
	if !slices.Equal(aliceGrants, wantGrants) {
		t.Errorf("alice's grants =\n%s\nwant\n%s", strings.Join(aliceGrants, "\n"), strings.Join(wantGrants, "\n"))
	}
	if s := got[0].Grants[0].String(); s != `ClusterRoleBinding "admins" of ClusterRole "admin" rules[0] to Group "admins"` {
		t.Errorf("grant string = %s", s)
	}
	ok, reason := e.Allows(alice(), req)
	if !ok || reason != wantGrants[0] {
		t.Errorf("Allows reason = %q, want the first grant %q", reason, wantGrants[0])
	}
}

func TestRulesForAndSubjects(t *testing.T) {
	e := NewEvaluator(&model.Inventory{
		ClusterRoles:        []*model.ClusterRole{clusterRole("reader", getPods, getSecrets)},
		Roles:               []*model.Role{role("b", "r", everything)},
		ClusterRoleBindings: []*model.Binding{crb("c", "reader", user("alice"), group("devs"))},
		RoleBindings: []*model.Binding{
			rb("b", "rb", model.KindRole, "r", user("alice")),
			rb("a", "rb", model.KindClusterRole, "reader", user("system:serviceaccount:a:x")),
		},
	})
	rules := e.RulesFor(Subject{Kind: rbacv1.UserKind, Name: "alice"})
	if len(rules) != 3 || rules[0].Namespace != "" || rules[1].Namespace != "" || rules[2].Namespace != "b" {
		t.Errorf("RulesFor(alice) = %+v", rules)
	}
	if got := e.RulesFor(Subject{Kind: rbacv1.ServiceAccountKind, Namespace: "a", Name: "x"}); len(got) != 2 || got[0].Namespace != "a" {
		t.Errorf("RulesFor(SA a/x) = %+v", got)
	}
	var subjects []string
	for _, s := range e.Subjects() {
		subjects = append(subjects, s.String())
	}
	if want := l("Group:devs", "ServiceAccount:a:x", "User:alice"); !slices.Equal(subjects, want) {
		t.Errorf("Subjects() = %v, want %v", subjects, want)
	}
}

func TestNonResourceRequestIgnoresANamespace(t *testing.T) {
	e := NewEvaluator(&model.Inventory{
		ClusterRoles: []*model.ClusterRole{clusterRole("urls", allURLs)},
		RoleBindings: []*model.Binding{rb("dev", "alice-urls", model.KindClusterRole, "urls", user("alice"))},
	})
	req := Request{Verb: "get", Path: "/metrics", Namespace: "dev"}
	if ok, why := e.Allows(alice(), req); ok {
		t.Errorf("a RoleBinding granted a non-resource URL to a request carrying a namespace: %s", why)
	}
	if got := whoCanNames(e, req); len(got) != 0 {
		t.Errorf("WhoCan = %v, want nobody", got)
	}
}
