package risk_test

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	rbacv1 "k8s.io/api/rbac/v1"

	"github.com/auth-paths/kubectl-auth-paths/graph"
	"github.com/auth-paths/kubectl-auth-paths/pkg/model"
	"github.com/auth-paths/kubectl-auth-paths/pkg/risk"
)

// withNamedRules adds to a copy of inv ClusterRoles whose rules name
// ServiceAccounts, Secrets or controllers by resourceNames (token requests,
// impersonation, reads, pod template changes, and a wildcard rule; names of objects that exist in
// several namespaces, of none, and ""), each bound cluster-wide to a few
// random subjects and sometimes in one namespace too.
func withNamedRules(inv *model.Inventory, rng *rand.Rand) *model.Inventory {
	out := *inv
	out.ClusterRoles = slices.Clone(inv.ClusterRoles)
	out.ClusterRoleBindings = slices.Clone(inv.ClusterRoleBindings)
	out.RoleBindings = slices.Clone(inv.RoleBindings)
	var saNames, secretNames, workloadNames, podNames, namespaces []string
	for _, p := range inv.Pods {
		podNames = append(podNames, p.Name)
	}
	for _, sa := range inv.ServiceAccounts {
		saNames = append(saNames, sa.Name)
	}
	for _, s := range inv.Secrets {
		secretNames = append(secretNames, s.Name)
	}
	for _, w := range inv.Workloads {
		workloadNames = append(workloadNames, w.Name)
	}
	for _, ns := range inv.Namespaces {
		namespaces = append(namespaces, ns.Name)
	}
	pick := func(from []string) []string {
		var names []string
		for range 1 + rng.IntN(3) {
			switch rng.IntN(8) {
			case 0:
				names = append(names, "no-such-object")
			case 1:
				names = append(names, "")
			default:
				names = append(names, from[rng.IntN(len(from))])
			}
		}
		return names
	}
	subject := func() rbacv1.Subject {
		switch rng.IntN(4) {
		case 0:
			return rbacv1.Subject{Kind: rbacv1.UserKind, APIGroup: rbacv1.GroupName, Name: fmt.Sprintf("user-%d", rng.IntN(5))}
		case 1:
			return rbacv1.Subject{Kind: rbacv1.GroupKind, APIGroup: rbacv1.GroupName, Name: "system:serviceaccounts:" + namespaces[rng.IntN(len(namespaces))]}
		default:
			sa := inv.ServiceAccounts[rng.IntN(len(inv.ServiceAccounts))]
			return rbacv1.Subject{Kind: rbacv1.ServiceAccountKind, Namespace: sa.Namespace, Name: sa.Name}
		}
	}
	for i := range 3 + rng.IntN(4) {
		var rule rbacv1.PolicyRule
		switch rng.IntN(6) {
		case 5:
			verb := []string{"create", "get"}[rng.IntN(2)]
			rule = rbacv1.PolicyRule{Verbs: []string{verb}, APIGroups: []string{""}, Resources: []string{"pods/exec"}, ResourceNames: pick(podNames)}
			switch rng.IntN(4) {
			case 0:
				// Ephemeral containers by name, with or without exec:
				// the named scope has exec's picks only.
				rule.Verbs, rule.Resources = []string{"create", "patch"}, []string{"pods/exec", "pods/ephemeralcontainers"}[rng.IntN(2):]
			case 1:
				// The image of pods by name (modify-workload).
				rule.Verbs, rule.Resources = []string{[]string{"patch", "update"}[rng.IntN(2)]}, []string{"pods"}
			}
		case 0:
			rule = rbacv1.PolicyRule{Verbs: []string{"create"}, APIGroups: []string{""}, Resources: []string{"serviceaccounts/token"}, ResourceNames: pick(saNames)}
		case 1:
			rule = rbacv1.PolicyRule{Verbs: []string{"impersonate"}, APIGroups: []string{""}, Resources: []string{"serviceaccounts"}, ResourceNames: pick(saNames)}
		case 2:
			verb := []string{"get", "list", "watch"}[rng.IntN(3)]
			rule = rbacv1.PolicyRule{Verbs: []string{verb}, APIGroups: []string{""}, Resources: []string{"secrets"}, ResourceNames: pick(secretNames)}
		case 3:
			kinds := [][]string{{"deployments"}, {"replicasets", "daemonsets"}, {"*"}}[rng.IntN(3)]
			rule = rbacv1.PolicyRule{Verbs: []string{"patch"}, APIGroups: []string{"apps"}, Resources: kinds, ResourceNames: pick(workloadNames)}
		default:
			rule = rbacv1.PolicyRule{Verbs: []string{"*"}, APIGroups: []string{"*"}, Resources: []string{"*"}, ResourceNames: append(append(pick(saNames), pick(secretNames)...), pick(workloadNames)...)}
		}
		name := fmt.Sprintf("named-%d", i)
		out.ClusterRoles = append(out.ClusterRoles, &model.ClusterRole{Meta: model.Meta{Name: name}, Rules: []rbacv1.PolicyRule{rule}})
		ref := rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: model.KindClusterRole, Name: name}
		var subjects []rbacv1.Subject
		for range 1 + rng.IntN(6) {
			subjects = append(subjects, subject())
		}
		out.ClusterRoleBindings = append(out.ClusterRoleBindings, &model.Binding{Meta: model.Meta{Name: name}, Kind: model.KindClusterRoleBinding, RoleRef: ref, Subjects: subjects})
		if rng.IntN(2) == 0 {
			ns := inv.ServiceAccounts[rng.IntN(len(inv.ServiceAccounts))].Namespace
			out.RoleBindings = append(out.RoleBindings, &model.Binding{Meta: model.Meta{Name: name, Namespace: ns}, Kind: model.KindRoleBinding, RoleRef: ref,
				Subjects: []rbacv1.Subject{subject(), subject()}})
		}
	}
	return &out
}

// hopsTo lists, for every identity of the graph, its hops to target
// ("-" when it does not reach it).
func hopsTo(a *risk.Analysis, target *graph.Node) string {
	if target == nil {
		return "absent"
	}
	t := a.Graph.ShortestTo(target)
	var b strings.Builder
	for _, n := range a.Graph.Nodes() {
		switch n.Kind {
		case graph.KindUser, graph.KindGroup, graph.KindServiceAccount:
			if h := t.Hops(n); h == graph.Unreachable {
				fmt.Fprintf(&b, "%s -\n", n.Key)
			} else {
				fmt.Fprintf(&b, "%s %d %d\n", n.Key, h, t.Assumed(n))
			}
		}
	}
	return b.String()
}

// TestNamedScopeIsPerObject: a rule bound cluster-wide that names
// ServiceAccounts, Secrets, controllers or pods steps into one shared scope of those names
// instead of into each object; that changes no distance. On generated
// hostile clusters with random such rules, every identity's hops (and
// assumed steps) to cluster-admin and to every ServiceAccount are those of
// the analysis that steps to each object, and the graph has fewer steps.
func TestNamedScopeIsPerObject(t *testing.T) {
	base := hostileInventory(t, 12, 11)
	rng := rand.New(rand.NewPCG(7, 11))
	folded, fewer, podScopes := 0, 0, 0
	for world := range 12 {
		inv := withNamedRules(base, rng)
		// Every other world keeps the failed steps (explain), which
		// evaluates every namespace's objects again.
		opts := risk.Options{KeepCandidates: world%2 == 1}
		with := risk.Analyze(inv, opts)
		restore := risk.SetFoldNamed(false)
		without := risk.Analyze(inv, opts)
		restore()
		scopes := 0
		for _, n := range with.Graph.Nodes() {
			if strings.HasPrefix(n.Key, "Scope:named-") {
				scopes++
			}
			if strings.HasPrefix(n.Key, "Scope:named-running-pods:") {
				podScopes++
			}
		}
		folded += scopes
		if scopes > 0 && len(with.Graph.Edges()) < len(without.Graph.Edges()) {
			fewer++
		}
		targets := []*graph.Node{with.Sink()}
		for _, sa := range inv.ServiceAccounts {
			targets = append(targets, with.SANode(sa.Namespace, sa.Name))
		}
		for _, target := range targets {
			other := without.Graph.Node(target.Key)
			if target.Kind == graph.KindSink {
				other = without.Sink()
			}
			if got, want := hopsTo(with, target), hopsTo(without, other); got != want {
				t.Fatalf("world %d: hops to %s with named scopes differ from those without:\n%s", world, target.Key, firstDiff(got, want))
			}
		}
	}
	if folded < 12 || fewer < 6 || podScopes < 3 {
		t.Fatalf("only %d named scopes in 12 worlds (%d of running pods), %d of them with fewer steps: the worlds do not exercise them", folded, podScopes, fewer)
	}
}
