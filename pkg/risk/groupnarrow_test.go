package risk_test

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	rbacv1 "k8s.io/api/rbac/v1"

	"github.com/auth-paths/kubectl-auth-paths/hack/gen/cluster"
	"github.com/auth-paths/kubectl-auth-paths/pkg/model"
	"github.com/auth-paths/kubectl-auth-paths/pkg/rbac"
	"github.com/auth-paths/kubectl-auth-paths/pkg/risk"
	"github.com/auth-paths/kubectl-auth-paths/pkg/rules"
)

// withSpreadGroups adds to inv what makes members' evaluations narrow or
// not: a group every ServiceAccount (or every identity) is in, bound to a
// role in most namespaces; ServiceAccounts' own bindings in one namespace
// or cluster-wide; and bindings naming members whose role is missing or has
// no rules, whose namespaces narrowing must keep.
func withSpreadGroups(inv *model.Inventory, rng *rand.Rand) *model.Inventory {
	roles := []string{"edit", "view", "admin", "roles-writer", "binder", "rolebinding-writer", "everything", "secret-creator", "exec-creator"}
	spread := make([]string, 1+rng.IntN(2))
	for i := range spread {
		spread[i] = roles[rng.IntN(len(roles))]
	}
	return withSpreadRoles(inv, rng, spread...)
}

// withSpreadRoles is withSpreadGroups with the roles of system:authenticated
// and (if a second is given) system:serviceaccounts, bound in most
// namespaces.
func withSpreadRoles(inv *model.Inventory, rng *rand.Rand, spreadRoles ...string) *model.Inventory {
	out := *inv
	out.ClusterRoles = slices.Clone(inv.ClusterRoles)
	out.ClusterRoleBindings = slices.Clone(inv.ClusterRoleBindings)
	out.RoleBindings = slices.Clone(inv.RoleBindings)
	group := func(name string) rbacv1.Subject {
		return rbacv1.Subject{Kind: rbacv1.GroupKind, APIGroup: rbacv1.GroupName, Name: name}
	}
	sa := func() rbacv1.Subject {
		s := inv.ServiceAccounts[rng.IntN(len(inv.ServiceAccounts))]
		return rbacv1.Subject{Kind: rbacv1.ServiceAccountKind, Namespace: s.Namespace, Name: s.Name}
	}
	out.Roles = slices.Clone(inv.Roles)
	// Spread roles, some of which hold half of a step each (bind and the
	// binding's write) or a step that rests on which group a binding names
	// (escalate a Role bound to the other group).
	spread := []string{"system:authenticated", "system:serviceaccounts"}
	for i, role := range spreadRoles {
		g := spread[i]
		for _, ns := range inv.Namespaces {
			if rng.IntN(8) > 0 {
				out.RoleBindings = append(out.RoleBindings, &model.Binding{Meta: model.Meta{Name: fmt.Sprintf("spread-%d", i), Namespace: ns.Name}, Kind: model.KindRoleBinding,
					RoleRef: rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: model.KindClusterRole, Name: role}, Subjects: []rbacv1.Subject{group(g)}})
			}
			if i == 1 && rng.IntN(3) == 0 {
				out.Roles = append(out.Roles, &model.Role{Meta: model.Meta{Name: "local", Namespace: ns.Name}, Rules: []rbacv1.PolicyRule{{Verbs: []string{"get"}, APIGroups: []string{""}, Resources: []string{"configmaps"}}}})
				out.RoleBindings = append(out.RoleBindings, &model.Binding{Meta: model.Meta{Name: "local", Namespace: ns.Name}, Kind: model.KindRoleBinding,
					RoleRef: rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: model.KindRole, Name: "local"}, Subjects: []rbacv1.Subject{group(g)}})
			}
		}
	}
	// ClusterRoles a spread role's grants combine with, or spread: escalate
	// and create on roles, get on secrets, bind, binding writes.
	out.ClusterRoles = append(out.ClusterRoles,
		&model.ClusterRole{Meta: model.Meta{Name: "roles-writer"}, Rules: []rbacv1.PolicyRule{{Verbs: []string{"create", "escalate", "update", "bind"}, APIGroups: []string{rbacv1.GroupName}, Resources: []string{"roles", "clusterroles"}}}},
		&model.ClusterRole{Meta: model.Meta{Name: "secrets-reader"}, Rules: []rbacv1.PolicyRule{{Verbs: []string{"get", "list"}, APIGroups: []string{""}, Resources: []string{"secrets"}}}},
		&model.ClusterRole{Meta: model.Meta{Name: "binder"}, Rules: []rbacv1.PolicyRule{{Verbs: []string{"bind"}, APIGroups: []string{rbacv1.GroupName}, Resources: []string{"clusterroles"}}}},
		&model.ClusterRole{Meta: model.Meta{Name: "rolebinding-writer"}, Rules: []rbacv1.PolicyRule{{Verbs: []string{"create"}, APIGroups: []string{rbacv1.GroupName}, Resources: []string{"rolebindings"}}}},
		&model.ClusterRole{Meta: model.Meta{Name: "everything"}, Rules: []rbacv1.PolicyRule{{Verbs: []string{"*"}, APIGroups: []string{"*"}, Resources: []string{"*"}}}},
		&model.ClusterRole{Meta: model.Meta{Name: "empty"}},
		// Reads bound cluster-wide: of no namespace (nodes), of what no
		// primitive reads in a namespace (CRDs, widgets), and an exec by get.
		&model.ClusterRole{Meta: model.Meta{Name: "cluster-reader"}, Rules: []rbacv1.PolicyRule{
			{Verbs: []string{"get", "list", "watch"}, APIGroups: []string{""}, Resources: []string{"nodes", "namespaces", "events"}},
			{Verbs: []string{"get", "list"}, APIGroups: []string{"apiextensions.k8s.io", "example.com"}, Resources: []string{"customresourcedefinitions", "widgets"}}}},
		// Half of a step whose other half is a read (a Secret read back, an
		// exec by get).
		&model.ClusterRole{Meta: model.Meta{Name: "secret-creator"}, Rules: []rbacv1.PolicyRule{{Verbs: []string{"create"}, APIGroups: []string{""}, Resources: []string{"secrets"}}}},
		&model.ClusterRole{Meta: model.Meta{Name: "exec-creator"}, Rules: []rbacv1.PolicyRule{{Verbs: []string{"create"}, APIGroups: []string{""}, Resources: []string{"pods/exec"}}, {Verbs: []string{"list"}, APIGroups: []string{""}, Resources: []string{"pods"}}}},
		&model.ClusterRole{Meta: model.Meta{Name: "exec-getter"}, Rules: []rbacv1.PolicyRule{{Verbs: []string{"get"}, APIGroups: []string{""}, Resources: []string{"pods", "pods/exec"}}}})
	// Groups of a namespace's ServiceAccounts holding, cluster-wide, half
	// of a step whose other half a spread group holds.
	for _, role := range []string{"binder", "rolebinding-writer", "secrets-reader", "cluster-reader"} {
		ns := inv.Namespaces[rng.IntN(len(inv.Namespaces))].Name
		out.ClusterRoleBindings = append(out.ClusterRoleBindings, &model.Binding{Meta: model.Meta{Name: "ns-group-" + ns + "-" + role}, Kind: model.KindClusterRoleBinding,
			RoleRef: rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: model.KindClusterRole, Name: role}, Subjects: []rbacv1.Subject{group("system:serviceaccounts:" + ns)}})
	}
	for i := range 8 + rng.IntN(8) {
		ns := inv.Namespaces[rng.IntN(len(inv.Namespaces))].Name
		role := []string{"roles-writer", "secrets-reader", "empty", "missing", "view", "missing-role", "cluster-reader", "exec-getter", "edit"}[rng.IntN(9)]
		ref := rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: model.KindClusterRole, Name: role}
		if role == "missing-role" {
			ref.Kind = model.KindRole // a Role of the binding's namespace
		}
		name := fmt.Sprintf("own-%d", i)
		if rng.IntN(4) == 0 {
			out.ClusterRoleBindings = append(out.ClusterRoleBindings, &model.Binding{Meta: model.Meta{Name: name}, Kind: model.KindClusterRoleBinding, RoleRef: ref, Subjects: []rbacv1.Subject{sa()}})
			continue
		}
		subjects := []rbacv1.Subject{sa()}
		if rng.IntN(3) == 0 {
			subjects = append(subjects, group("system:serviceaccounts:"+inv.Namespaces[rng.IntN(len(inv.Namespaces))].Name))
		}
		out.RoleBindings = append(out.RoleBindings, &model.Binding{Meta: model.Meta{Name: name, Namespace: ns}, Kind: model.KindRoleBinding, RoleRef: ref, Subjects: subjects})
	}
	return &out
}

// TestNarrowedGroupsAreExact: evaluating members with only the namespaces
// of a spread group's rules where another rule of theirs applies (or a
// binding without rules names them) finds the analysis that evaluates them
// in all of them — every node, edge, step datum and warning — on every
// scenario, on the generated shapes, and on random worlds with groups bound
// in most namespaces; and it narrows some.
func TestNarrowedGroupsAreExact(t *testing.T) {
	inputs := scenarioInputs(t)
	inputs = append(inputs, input{"hostile 30", hostileInventory(t, 30, 3)}, input{"groupwide 20", shapeInventory(t, 20, 7, cluster.ShapeGroupWide)})
	narrowed, dominated := 0, 0
	check := func(in input) {
		t.Helper()
		with := risk.Analyze(in.inv, risk.Options{})
		restore := risk.SetNarrowGroups(false)
		without := risk.Analyze(in.inv, risk.Options{})
		restore()
		if got, want := fullDump(with), fullDump(without); got != want {
			t.Fatalf("%s: narrowed analysis differs:\n%s", in.name, firstDiff(got, want))
		}
		if risk.Narrowed(with) > 0 {
			narrowed++
		}
		if risk.Dominated(with) > 0 {
			dominated++
		}
	}
	for _, in := range inputs {
		check(in)
	}
	// Random worlds, with every group's rules indexed and memoised (as a
	// large cluster's are), so that groups with a few rules spread over
	// their 16 namespaces are narrowed too.
	defer risk.SetGroupThresholds(1, 1)()
	rng := rand.New(rand.NewPCG(13, 17))
	base := hostileInventory(t, 16, 5)
	for world := range 16 {
		check(input{fmt.Sprintf("spread world %d", world), withSpreadGroups(base, rng)})
	}
	// A group that may create and escalate roles everywhere (the missing
	// roles members' bindings reference); groups spread alike where one
	// dominates (and may escalate a Role bound to the other), and where
	// each holds half of a step.
	for _, roles := range [][]string{{"roles-writer"}, {"everything"}, {"everything", "view"}, {"admin", "view"}, {"edit", "view"}, {"binder", "rolebinding-writer"}, {"secret-creator"}, {"exec-creator"}} {
		check(input{"spread " + strings.Join(roles, " and "), withSpreadRoles(base, rng, roles...)})
	}
	// The same, a group also holding, cluster-wide, what may escalate a
	// role (the dominating one) or half of a step (the dominated one).
	for _, cw := range [][2]string{{"system:authenticated", "roles-writer"}, {"system:serviceaccounts", "binder"}} {
		in := withSpreadRoles(base, rng, "admin", "view")
		in.ClusterRoleBindings = append(slices.Clone(in.ClusterRoleBindings), &model.Binding{Meta: model.Meta{Name: "spread-cw"}, Kind: model.KindClusterRoleBinding,
			RoleRef:  rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: model.KindClusterRole, Name: cw[1]},
			Subjects: []rbacv1.Subject{{Kind: rbacv1.GroupKind, APIGroup: rbacv1.GroupName, Name: cw[0]}}})
		check(input{"spread admin and view, " + cw[1] + " for " + cw[0], in})
	}
	if narrowed < 6 || dominated < 4 {
		t.Fatalf("%d inputs narrowed a group, %d groups spread alike: the inputs do not exercise it", narrowed, dominated)
	}
}

// TestNarrowingKeepsRulePackSteps: a rule pack's step may rest on a read
// no built-in primitive makes (get widgets in a namespace), granted by a
// ServiceAccount's rule bound cluster-wide that the spread group does not
// cover. Such a rule is left out of narrowing's comparison (it allows no
// read a built-in primitive makes in a namespace); the pack's steps rest on
// that one grant, and narrowing finds what evaluating every member in every
// namespace finds.
func TestNarrowingKeepsRulePackSteps(t *testing.T) {
	defer risk.SetGroupThresholds(1, 1)()
	pack, err := rules.Parse([]byte(`apiVersion: auth-paths.io/v1alpha2
kind: RulePack
metadata:
  name: widgets
  description: a controller runs a widget's pod template as any ServiceAccount of its namespace.
rules:
- id: widget-template
  description: get a widget → its pods run as any ServiceAccount of the namespace
  permission: {verbs: [get], apiGroup: example.com, resource: widgets, scope: namespace}
  gain: {type: any-serviceaccount-in-namespace}
  techniques: [T1610]
`), "widgets.yaml")
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(5, 8))
	in := withSpreadRoles(hostileInventory(t, 16, 5), rng, "edit")
	sa := in.ServiceAccounts[0]
	in.ClusterRoleBindings = append(slices.Clone(in.ClusterRoleBindings), &model.Binding{Meta: model.Meta{Name: "widget-reader"}, Kind: model.KindClusterRoleBinding,
		RoleRef:  rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: model.KindClusterRole, Name: "cluster-reader"},
		Subjects: []rbacv1.Subject{{Kind: rbacv1.ServiceAccountKind, Namespace: sa.Namespace, Name: sa.Name}}})
	opts := risk.Options{Extra: rules.Primitives([]*rules.Pack{pack}, in)}
	with := risk.Analyze(in, opts)
	restore := risk.SetNarrowGroups(false)
	without := risk.Analyze(in, opts)
	restore()
	if got, want := fullDump(with), fullDump(without); got != want {
		t.Fatalf("narrowed analysis differs:\n%s", firstDiff(got, want))
	}
	steps := 0
	for _, e := range with.Graph.Edges() {
		if e.Primitive == "widget-template" && e.From.Key == "ServiceAccount:"+sa.Namespace+":"+sa.Name {
			steps++
		}
	}
	if steps < 8 {
		t.Fatalf("%d widget-template steps of %s/%s: the world does not exercise it", steps, sa.Namespace, sa.Name)
	}
	if risk.Narrowed(with) == 0 {
		t.Fatal("nothing was narrowed")
	}
}

// TestExplainNarrowsOthers: explain keeps every candidate of its subjects
// (and their groups), which narrowing would leave out in the group's
// namespaces; every other principal of its analysis is narrowed as a scan's
// is. The analysis and the subjects' candidates are those of the analysis
// that narrows nothing, on the authedit shape and random spread worlds.
func TestExplainNarrowsOthers(t *testing.T) {
	defer risk.SetGroupThresholds(1, 1)()
	rng := rand.New(rand.NewPCG(41, 43))
	inputs := []input{{"authedit 24", shapeInventory(t, 24, 3, cluster.ShapeAuthEdit)}}
	for world := range 4 {
		inputs = append(inputs, input{fmt.Sprintf("spread world %d", world), withSpreadGroups(hostileInventory(t, 16, 5), rng)})
	}
	kept := 0
	for _, in := range inputs {
		var roots []rbac.Subject
		for _, sa := range in.inv.ServiceAccounts {
			if sa.Name == "operator-agent" || len(roots) < 2 {
				roots = append(roots, rbac.Subject{Kind: rbacv1.ServiceAccountKind, Namespace: sa.Namespace, Name: sa.Name})
			}
		}
		opts := risk.Options{KeepCandidates: true, Roots: roots}
		with := risk.Analyze(in.inv, opts)
		restore := risk.SetNarrowGroups(false)
		without := risk.Analyze(in.inv, opts)
		restore()
		if got, want := fullDump(with), fullDump(without); got != want {
			t.Fatalf("%s: explain's analysis differs when others are narrowed:\n%s", in.name, firstDiff(got, want))
		}
		if risk.Narrowed(with) == 0 {
			t.Fatalf("%s: no principal was narrowed: the input does not exercise it", in.name)
		}
		for _, s := range roots {
			kept += len(with.Candidates(risk.SubjectKey(s)))
		}
	}
	if kept == 0 {
		t.Fatal("no candidate of a subject was kept")
	}
}
