package risk_test

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/auth-paths/kubectl-auth-paths/graph"
	"github.com/auth-paths/kubectl-auth-paths/pkg/model"
	"github.com/auth-paths/kubectl-auth-paths/pkg/rbac"
	"github.com/auth-paths/kubectl-auth-paths/pkg/risk"
)

// edgeDump is every node and edge of an analysis' graph, in the graph's order.
func edgeDump(a *risk.Analysis) string {
	var b strings.Builder
	for _, n := range a.Graph.Nodes() {
		fmt.Fprintf(&b, "node %s %s %s/%s\n", n.Key, n.Kind, n.Namespace, n.Name)
	}
	for _, e := range a.Graph.Edges() {
		fmt.Fprintf(&b, "%s -%s/%d/%v-> %s [%s] %s {%s}\n", e.From.Key, e.Primitive, e.Hops, e.Assumed, e.To.Key,
			strings.Join(e.GrantedBy(), "; "), e.When(), strings.Join(e.Bindings(), ","))
	}
	return b.String()
}

// without is the input without one binding (the choke points' re-analyses):
// the other objects' slices are the input's own.
func without(inv *model.Inventory, drop *model.Binding) *model.Inventory {
	out := *inv
	keep := func(in []*model.Binding) []*model.Binding {
		var kept []*model.Binding
		for _, b := range in {
			if b != drop {
				kept = append(kept, b)
			}
		}
		return kept
	}
	out.ClusterRoleBindings = keep(inv.ClusterRoleBindings)
	out.RoleBindings = keep(inv.RoleBindings)
	return &out
}

// TestReanalyzeIsAnalyze: an analysis sharing the index of the input with
// one binding more is the analysis of its own input, for every binding of
// every scenario (also one that alone names its namespace) and of a
// generated cluster.
func TestReanalyzeIsAnalyze(t *testing.T) {
	var inputs []*model.Inventory
	for _, dir := range caseDirs(t, "scenarios") {
		inputs = append(inputs, loadInput(t, dir))
	}
	inputs = append(inputs, benchInventoryN(t, 6))
	lone := &model.Binding{Kind: model.KindRoleBinding, Meta: model.Meta{Namespace: "only-named-here", Name: "lone"}}
	lone.RoleRef.Kind, lone.RoleRef.Name = model.KindClusterRole, "edit"
	withLone := *inputs[len(inputs)-1]
	withLone.RoleBindings = append(append([]*model.Binding(nil), withLone.RoleBindings...), lone)
	inputs = append(inputs, &withLone)
	checked := 0
	for i, inv := range inputs {
		base := risk.Analyze(inv, risk.Options{})
		bindings := append(append([]*model.Binding(nil), inv.ClusterRoleBindings...), inv.RoleBindings...)
		if len(bindings) > 12 {
			bindings = bindings[len(bindings)-12:] // the generated cluster: its last ones
		}
		for _, b := range bindings {
			fresh := risk.Analyze(without(inv, b), risk.Options{})
			re := risk.Reanalyze(base, []*model.Binding{b}, risk.Options{})
			if got, want := edgeDump(re), edgeDump(fresh); got != want {
				t.Errorf("input %d without %s: Reanalyze differs from Analyze:\n%s\n--- want:\n%s", i, b.ID(), got, want)
			}
			if got, want := fmt.Sprint(re.Eval.Subjects()), fmt.Sprint(fresh.Eval.Subjects()); got != want {
				t.Errorf("input %d without %s: subjects %s, want %s", i, b.ID(), got, want)
			}
			if got, want := strings.Join(re.Warnings(), "\n"), strings.Join(fresh.Warnings(), "\n"); got != want {
				t.Errorf("input %d without %s: warnings\n%s\nwant\n%s", i, b.ID(), got, want)
			}
			// Rooted (principals made lazily, identities from the shared seeds).
			var roots []rbac.Subject
			for _, n := range base.Graph.Nodes() {
				if s, ok := risk.SubjectOf(n); ok && len(roots) < 8 {
					roots = append(roots, s)
				}
			}
			rooted := risk.Options{Roots: roots}
			reRooted := risk.Reanalyze(base, []*model.Binding{b}, rooted)
			// Its graph makes the input's identities when asked for: those
			// never asked for have no step, and are all that may differ.
			reRooted.Graph.Materialize()
			if got, want := edgeDump(reRooted), edgeDump(risk.Analyze(without(inv, b), rooted)); got != want {
				t.Errorf("input %d without %s, rooted: Reanalyze differs from Analyze:\n%s\n--- want:\n%s", i, b.ID(), got, want)
			}
			checked++
		}
	}
	if checked < 300 {
		t.Fatalf("only %d re-analyses checked", checked)
	}
	// Several bindings at once (the cover's re-analyses), a few and more
	// than a few, in runs and apart, the first and the last of the input.
	inv := inputs[len(inputs)-2]
	all := append(append([]*model.Binding(nil), inv.ClusterRoleBindings...), inv.RoleBindings...)
	for _, drop := range [][]*model.Binding{
		{all[0], all[len(all)-1]},
		all[len(all)-12:],
		append(all[:3:3], all[len(all)/2], all[len(all)/2+2], all[len(all)-20], all[len(all)-18], all[len(all)-16], all[len(all)-14], all[len(all)-1]),
	} {
		fresh := risk.Analyze(withoutAll(inv, drop), risk.Options{})
		re := risk.Reanalyze(risk.Analyze(inv, risk.Options{}), drop, risk.Options{})
		if got, want := edgeDump(re), edgeDump(fresh); got != want {
			t.Errorf("without %d bindings: Reanalyze differs from Analyze:\n%s\n--- want:\n%s", len(drop), got, want)
		}
		// Its Inv lists the dropped bindings too; Dropped tells them.
		left := 0
		for _, b := range append(append([]*model.Binding(nil), re.Inv.ClusterRoleBindings...), re.Inv.RoleBindings...) {
			if !re.Dropped(b) {
				left++
			}
		}
		if got, want := left, len(all)-len(drop); got != want {
			t.Errorf("without %d bindings: %d left, want %d", len(drop), got, want)
		}
		for _, b := range drop {
			if !re.Dropped(b) {
				t.Errorf("without %d bindings: %s not reported dropped", len(drop), b.ID())
			}
		}
		// A re-analysis of a re-analysis is the input without both.
		if len(drop) > 2 {
			again := risk.Reanalyze(risk.Reanalyze(risk.Analyze(inv, risk.Options{}), drop[:2], risk.Options{}), drop[2:], risk.Options{})
			if got, want := edgeDump(again), edgeDump(fresh); got != want {
				t.Errorf("without %d bindings in two re-analyses: differs from Analyze:\n%s\n--- want:\n%s", len(drop), got, want)
			}
		}
	}
}

// withoutAll is the input without the bindings drop.
func withoutAll(inv *model.Inventory, drop []*model.Binding) *model.Inventory {
	for _, b := range drop {
		inv = without(inv, b)
	}
	return inv
}

// TestUnreachingNotEvaluated: with Options.Unreaching, the nodes known not to
// reach cluster-admin get no steps, and whether each root reaches it is the
// same as without.
func TestUnreachingNotEvaluated(t *testing.T) {
	inv := benchInventoryN(t, 12)
	base := risk.Analyze(inv, risk.Options{})
	tree := base.Graph.ShortestTo(base.Sink())
	unreaching := func(key string) bool {
		n := base.Graph.Node(key)
		return n != nil && tree.Hops(n) == graph.Unreachable
	}
	var roots []rbac.Subject
	reaches, dead := 0, 0
	for _, n := range base.Graph.Nodes() {
		s, ok := risk.SubjectOf(n)
		if !ok {
			continue
		}
		roots = append(roots, s)
		if tree.Hops(n) == graph.Unreachable {
			dead++
		} else {
			reaches++
		}
	}
	if reaches == 0 || dead == 0 {
		t.Fatalf("%d identities reach cluster-admin, %d do not: nothing to compare", reaches, dead)
	}
	for _, b := range inv.RoleBindings[:8] {
		in := without(inv, b)
		opts := risk.Options{Roots: roots, StopWhenRootsReach: true}
		plain := risk.Analyze(in, opts)
		opts.Unreaching = unreaching
		pruned := risk.Reanalyze(base, []*model.Binding{b}, opts)
		sameRootsReach(t, "without "+b.ID()+", with Unreaching", roots, plain, pruned)
		// A shared scope's picks are made with the step into it; nothing
		// else leaves a node known not to reach cluster-admin.
		for _, e := range pruned.Graph.Edges() {
			if unreaching(e.From.Key) && !strings.HasPrefix(e.Primitive, "pick-") {
				t.Errorf("without %s: %s is known not to reach cluster-admin, yet has the step %s", b.ID(), e.From.Key, e.Primitive)
				break
			}
		}
		if len(pruned.Graph.Edges()) >= len(plain.Graph.Edges()) {
			t.Errorf("without %s: %d steps with Unreaching, %d without: nothing was left out", b.ID(), len(pruned.Graph.Edges()), len(plain.Graph.Edges()))
		}
	}
}

// TestReachingNotEvaluated: with Options.Reaching set to what keeps a path in
// the graph without a binding's steps, a re-analysis without the binding
// tells the same roots reach cluster-admin (KnownToReach or a path in its
// graph) as one that evaluates everything, and evaluates less.
func TestReachingNotEvaluated(t *testing.T) {
	inv := benchInventoryN(t, 12)
	base := risk.Analyze(inv, risk.Options{})
	g := base.Graph
	tree := g.ShortestTo(base.Sink())
	checked := 0
	for _, b := range append(append([]*model.Binding(nil), inv.ClusterRoleBindings...), inv.RoleBindings[:20]...) {
		kept := g.ShortestToWithout(g.Sink(), func(e *graph.Edge) bool { return slices.Contains(e.Bindings(), b.ID()) })
		var roots []rbac.Subject
		for _, n := range g.Nodes() {
			s, ok := risk.SubjectOf(n)
			if ok && tree.Hops(n) != graph.Unreachable && kept.Hops(n) == graph.Unreachable {
				roots = append(roots, s) // the identities the graph says b cuts
			}
		}
		if len(roots) == 0 {
			continue
		}
		opts := risk.Options{Roots: roots, StopWhenRootsReach: true}
		plain := risk.Reanalyze(base, []*model.Binding{b}, opts)
		opts.Reaching = func(key string) bool {
			n := g.Node(key)
			return n != nil && kept.Hops(n) != graph.Unreachable
		}
		pruned := risk.Reanalyze(base, []*model.Binding{b}, opts)
		sameRootsReach(t, "without "+b.ID()+", with Reaching", roots, plain, pruned)
		if len(pruned.Graph.Edges()) > len(plain.Graph.Edges()) {
			t.Errorf("without %s: %d steps with Reaching, %d without", b.ID(), len(pruned.Graph.Edges()), len(plain.Graph.Edges()))
		}
		checked++
	}
	if checked < 5 {
		t.Fatalf("only %d bindings cut someone on the graph", checked)
	}
}

// sameRootsReach fails when a root reaches cluster-admin in the plain
// analysis and not in the pruned one, or the other way round; the pruned one
// may know it without a path in its graph (KnownToReach).
func sameRootsReach(t *testing.T, what string, roots []rbac.Subject, plain, pruned *risk.Analysis) {
	t.Helper()
	pt, qt := plain.Graph.ShortestTo(plain.Sink()), pruned.Graph.ShortestTo(pruned.Sink())
	for _, s := range roots {
		k := risk.SubjectKey(s)
		p, q := plain.Graph.Node(k), pruned.Graph.Node(k)
		pr := p != nil && pt.Hops(p) != graph.Unreachable
		qr := pruned.KnownToReach(k) || q != nil && qt.Hops(q) != graph.Unreachable
		if pr != qr {
			t.Errorf("%s: %s reaches cluster-admin %v, pruned %v", what, k, pr, qr)
		}
	}
}

// TestReanalyzeWithoutStaleBinding: a re-analysis without the one binding
// to a missing role that names an identity is the analysis of the input
// without it, though the re-analysis shares base's list of such bindings:
// the identity, which may create roles, has no step to create that role.
func TestReanalyzeWithoutStaleBinding(t *testing.T) {
	dir := t.TempDir()
	const input = `apiVersion: v1
kind: List
items:
- {apiVersion: v1, kind: Namespace, metadata: {name: a}}
- {apiVersion: v1, kind: ServiceAccount, metadata: {name: x, namespace: a}}
- {apiVersion: v1, kind: ServiceAccount, metadata: {name: z, namespace: a}}
- {apiVersion: v1, kind: ServiceAccount, metadata: {name: admin-bot, namespace: a}}
- apiVersion: rbac.authorization.k8s.io/v1
  kind: ClusterRole
  metadata: {name: cluster-admin}
  rules:
  - {apiGroups: ["*"], resources: ["*"], verbs: ["*"]}
  - {nonResourceURLs: ["*"], verbs: ["*"]}
- apiVersion: rbac.authorization.k8s.io/v1
  kind: ClusterRole
  metadata: {name: role-writer}
  rules:
  - {apiGroups: [rbac.authorization.k8s.io], resources: [roles], verbs: [create, escalate]}
  - {apiGroups: [""], resources: [pods], verbs: [create]}
- apiVersion: rbac.authorization.k8s.io/v1
  kind: RoleBinding
  metadata: {name: team, namespace: a}
  roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: role-writer}
  subjects:
  - {kind: Group, name: "system:serviceaccounts:a", apiGroup: rbac.authorization.k8s.io}
- apiVersion: rbac.authorization.k8s.io/v1
  kind: RoleBinding
  metadata: {name: stale, namespace: a}
  roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: ghost}
  subjects:
  - {kind: ServiceAccount, name: x, namespace: a}
- apiVersion: rbac.authorization.k8s.io/v1
  kind: RoleBinding
  metadata: {name: x-view, namespace: a}
  roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: configmap-reader}
  subjects:
  - {kind: ServiceAccount, name: x, namespace: a}
- apiVersion: rbac.authorization.k8s.io/v1
  kind: ClusterRole
  metadata: {name: configmap-reader}
  rules:
  - {apiGroups: [""], resources: [configmaps], verbs: [get]}
- apiVersion: rbac.authorization.k8s.io/v1
  kind: ClusterRoleBinding
  metadata: {name: admin-bot}
  roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cluster-admin}
  subjects:
  - {kind: ServiceAccount, name: admin-bot, namespace: a}
`
	if err := os.WriteFile(filepath.Join(dir, "input.yaml"), []byte(input), 0o600); err != nil {
		t.Fatal(err)
	}
	inv := loadInput(t, dir)
	var stale *model.Binding
	for _, b := range inv.RoleBindings {
		if b.Name == "stale" {
			stale = b
		}
	}
	base := risk.Analyze(inv, risk.Options{})
	if !strings.Contains(edgeDump(base), "ServiceAccount:a:x -dangling-role/") {
		t.Fatalf("the input's x has no dangling-role step:\n%s", edgeDump(base))
	}
	var adminBot *model.Binding
	for _, b := range inv.ClusterRoleBindings {
		if b.Name == "admin-bot" {
			adminBot = b
		}
	}
	for _, opts := range []risk.Options{{}, {Roots: []rbac.Subject{{Kind: "ServiceAccount", Namespace: "a", Name: "x"}}}} {
		re := risk.Reanalyze(base, []*model.Binding{stale}, opts)
		re.Graph.Materialize()
		if got, want := edgeDump(re), edgeDump(risk.Analyze(without(inv, stale), opts)); got != want {
			t.Errorf("roots %v: Reanalyze differs from Analyze:\n%s\n--- want:\n%s", opts.Roots, got, want)
		}
		// Without it, then without another binding: a re-analysis of the
		// re-analysis, whose lists are the input's, still has it dropped.
		again := risk.Reanalyze(risk.Reanalyze(base, []*model.Binding{stale}, risk.Options{}), []*model.Binding{adminBot}, opts)
		again.Graph.Materialize()
		if got, want := edgeDump(again), edgeDump(risk.Analyze(without(without(inv, stale), adminBot), opts)); got != want {
			t.Errorf("roots %v, two re-analyses: differs from Analyze:\n%s\n--- want:\n%s", opts.Roots, got, want)
		}
	}
}
