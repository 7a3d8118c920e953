package review

import (
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"

	rbacv1 "k8s.io/api/rbac/v1"

	"github.com/auth-paths/kubectl-auth-paths/graph"
	"github.com/auth-paths/kubectl-auth-paths/pkg/model"
	"github.com/auth-paths/kubectl-auth-paths/pkg/rbac"
	"github.com/auth-paths/kubectl-auth-paths/pkg/risk"
)

// ChokeMethod describes how choke points are computed (printed with results).
const ChokeMethod = "Per identity: the bindings every path to cluster-admin passes through. " +
	"Candidates come from the escalation graph: for each binding that labels an edge leading to cluster-admin, " +
	"one reverse search from cluster-admin over the graph without that binding's edges (edge-dominator test on the binding-labelled edges); " +
	"identities that no longer reach cluster-admin have the binding as a candidate choke point. " +
	"Each candidate is then verified exactly by re-running the analysis on the input without that binding " +
	"(a step can be granted by several bindings while the graph records the first), and only verified choke points are reported."

// CoverMethod describes the cover.
const CoverMethod = "Greedy set cover: universe = identities with a path of at least one hop; each binding covers the identities " +
	"it is a verified choke point of; bindings that make an identity cluster-admin outright (admin-rules) are not proposed. " +
	"Greedy picks are within H(n) <= ln(n)+1 of the smallest such cover (n = identities covered). " +
	"Identities with no single-binding choke point (binding-disjoint paths) are then cut on the graph, greedily by the binding on most remaining " +
	"shortest paths, dropping picks the later ones make redundant, and the input is re-analysed without the set: steps other bindings also grant " +
	"come back and are cut in the next round; picks of rounds that cut no one are dropped (no bound claimed for this part). " +
	"The final set is verified by re-analysis."

// IdentityChokes is one identity's choke points.
type IdentityChokes struct {
	Subject      risk.SubjectRef `json:"subject"`
	Hops         int             `json:"hops"`
	AlreadyAdmin bool            `json:"alreadyAdmin,omitempty"`
	ChokePoints  []string        `json:"chokePoints"`
	// Note says why there is none (several binding-disjoint paths, or steps no binding grants).
	Note string `json:"note,omitempty"`
}

// ChokePoint is a binding that is a choke point of at least one identity.
type ChokePoint struct {
	Binding string        `json:"binding"`
	Role    string        `json:"role,omitempty"`
	Source  *model.Source `json:"source,omitempty"`
	// Identities are those whose every path passes through the binding.
	Identities []string `json:"identities"`
	// Steps are the edges (on paths to cluster-admin) the binding grants.
	Steps []string `json:"steps"`
	// GrantsAdmin: the binding makes a subject cluster-admin outright.
	GrantsAdmin bool   `json:"grantsAdmin,omitempty"`
	Fix         string `json:"fix"`
}

// Cover is a small set of bindings whose removal cuts every escalation.
type Cover struct {
	Method   string   `json:"method"`
	Bindings []string `json:"bindings"`
	// Identities are the identities with a path of at least one hop.
	Identities int `json:"identities"`
	// Cut are the identities that lose every path when the bindings go.
	Cut []string `json:"cut"`
	// Remaining keep a path: no binding on it can be removed without removing an admin.
	Remaining []string `json:"remaining,omitempty"`
	// Verified: the numbers come from re-analysing the input without the bindings.
	Verified bool `json:"verified"`
}

// ChokeResult is the output of `chokepoints`.
type ChokeResult struct {
	Method           string           `json:"method"`
	SimulatedRemoved []string         `json:"simulatedRemoved,omitempty"`
	Identities       []IdentityChokes `json:"identities"`
	ChokePoints      []ChokePoint     `json:"chokePoints"`
	Cover            Cover            `json:"cover"`
}

// reaching returns the identity nodes (by key) that reach cluster-admin,
// leaving out the edges skip rejects (nil: none).
func reaching(g *graph.Graph, skip func(*graph.Edge) bool) map[string]bool {
	r := g.ReachWithout(g.Sink(), skip)
	out := map[string]bool{}
	for _, n := range g.Nodes() {
		if risk.IsIdentity(n) && r.Has(n) {
			out[n.Key] = true
		}
	}
	return out
}

// sources returns the nodes the edges leave, each once, in edge order.
func sources(edges []*graph.Edge) []*graph.Node {
	var out []*graph.Node
	for _, e := range edges {
		if !slices.Contains(out, e.From) {
			out = append(out, e.From)
		}
	}
	return out
}

// granting rejects the edges whose steps go with the bindings: those one of
// them grants, and those that act on existing bindings (risk.ObjectsOf)
// that are all among them. That is the graph without those bindings, as far
// as the graph records who grants what.
func granting(bindings map[string]bool) func(*graph.Edge) bool {
	if len(bindings) == 1 {
		// One binding (each candidate's search): comparing the edges'
		// binding IDs, interned by the analysis, is much cheaper than
		// hashing each of them.
		for b := range bindings {
			return func(e *graph.Edge) bool {
				if slices.Contains(e.Bindings(), b) {
					return true
				}
				objs := risk.ObjectsOf(e)
				return len(objs) == 1 && objs[0] == b
			}
		}
	}
	return func(e *graph.Edge) bool {
		for _, b := range e.Bindings() {
			if bindings[b] {
				return true
			}
		}
		objs := risk.ObjectsOf(e)
		for _, b := range objs {
			if !bindings[b] {
				return false
			}
		}
		return len(objs) > 0
	}
}

// cutters are the bindings whose deletion alone removes the edge from the
// graph: those that grant it, and the binding it acts on alone.
func cutters(e *graph.Edge) []string {
	if b := soleObject(e); b != "" {
		return append(slices.Clip(e.Bindings()), b)
	}
	return e.Bindings()
}

// soleObject returns the binding an edge's step acts on when it is the only
// one that serves (deleting it alone cuts the step), or "".
func soleObject(e *graph.Edge) string {
	if objs := risk.ObjectsOf(e); len(objs) == 1 && !slices.Contains(e.Bindings(), objs[0]) {
		return objs[0]
	}
	return ""
}

// Chokepoints computes choke points and a cover for an inventory (already
// without any --simulate-remove bindings) analysed with opts.
func Chokepoints(inv *model.Inventory, opts risk.Options) ChokeResult {
	return ChokepointsOf(risk.Analyze(inv, opts))
}

// ChokepointsOf computes choke points and a cover from an analysis the caller
// already has (report analyses once for its paths and its choke points).
// The analysis must be of the whole graph: one limited to Options.Roots is
// redone without them. Verification re-analyses a.Inv without each
// candidate binding, with a.Opts.
func ChokepointsOf(a *risk.Analysis) ChokeResult {
	inv, opts := a.Inv, a.Opts
	opts.KeepCandidates = false
	if len(opts.Roots) > 0 {
		opts.Roots = nil
		a = risk.Analyze(inv, opts)
	}
	g := a.Graph
	tree := g.ShortestTo(a.Sink())
	full := reaching(g, nil)
	// Every re-analysis is of the input with fewer bindings: what cannot
	// reach cluster-admin now cannot then, and need not be evaluated.
	opts.Unreaching = func(key string) bool {
		n := g.Node(key)
		return n != nil && tree.Hops(n) == graph.Unreachable
	}

	// Bindings on edges that lead to cluster-admin; which make someone admin outright.
	onPaths := map[string][]*graph.Edge{}
	adminGrant := map[string]bool{}
	for _, e := range g.Edges() {
		if tree.Hops(e.To) == graph.Unreachable {
			continue
		}
		for _, b := range e.Bindings() {
			onPaths[b] = append(onPaths[b], e)
			if e.To == a.Sink() && e.Hops == 0 {
				adminGrant[b] = true
			}
		}
		// A binding the step acts on, when no other serves: deleting it
		// cuts the step as deleting a grant does.
		if b := soleObject(e); b != "" {
			onPaths[b] = append(onPaths[b], e)
		}
	}
	ids := sortedKeys(onPaths)
	byID := bindingsByID(inv)

	// Graph candidates: the identities that lose every path when the
	// binding's steps go. Removing a binding removes grants and never a
	// step that rests on other bindings alone, so an identity that keeps a
	// path in the graph keeps it; one that loses it may not (another rule
	// can allow the same step, or a step the binding made redundant comes
	// back), so each candidate is verified by re-analysis.
	// Each binding on a path is answered and, when the graph says it cuts
	// someone, verified, on every core. Only the nodes whose shortest path
	// takes one of the binding's steps can lose every way (Tree.LostWithout
	// searches those subtrees, not the graph), and what keeps a way in the
	// graph is also what the verification need not evaluate.
	exact := make([][]string, len(ids)) // per binding: the identities it cuts
	parallel(len(ids), func(i int) {
		b := ids[i]
		gone := granting(map[string]bool{b: true})
		var lost []string // the identities its steps cut in the graph, sorted
		cut := map[*graph.Node]bool{}
		for _, n := range tree.LostWithout(sources(onPaths[b]), gone) {
			cut[n] = true
			if full[n.Key] {
				lost = append(lost, n.Key) // nodes are in key order
			}
		}
		reaching := func(n *graph.Node) bool {
			return n != nil && tree.Hops(n) != graph.Unreachable && !cut[n]
		}
		if len(lost) == 0 {
			return
		}
		// What keeps a path in the graph without b's steps keeps it in the
		// input without b: the re-analysis evaluates only what b may cut.
		o := opts
		o.Reaching = func(key string) bool {
			return reaching(g.Node(key))
		}
		reach := stillReachingSet(a, o, byID[b], lost)
		for _, k := range lost {
			if !reach[k] {
				exact[i] = append(exact[i], k)
			}
		}
	})
	chokes := map[string][]string{} // identity key → bindings
	cutBy := map[string][]string{}  // binding → identity keys
	for i, b := range ids {
		for _, k := range exact[i] {
			chokes[k] = append(chokes[k], b)
			cutBy[b] = append(cutBy[b], k)
		}
	}

	res := ChokeResult{Method: ChokeMethod, Identities: []IdentityChokes{}, ChokePoints: []ChokePoint{}}
	var universe []string
	for _, n := range g.Nodes() {
		if !full[n.Key] || !risk.IsIdentity(n) {
			continue
		}
		hops := tree.Hops(n)
		ic := IdentityChokes{Subject: subjectRef(n), Hops: hops, AlreadyAdmin: hops == 0, ChokePoints: chokes[n.Key]}
		if ic.ChokePoints == nil {
			ic.ChokePoints = []string{}
			ic.Note = noChokeNote(g, tree, n)
		}
		sort.Strings(ic.ChokePoints)
		res.Identities = append(res.Identities, ic)
		if hops > 0 {
			universe = append(universe, n.Key)
		}
	}
	sort.SliceStable(res.Identities, func(i, j int) bool {
		if res.Identities[i].Hops != res.Identities[j].Hops {
			return res.Identities[i].Hops < res.Identities[j].Hops
		}
		return res.Identities[i].Subject.String() < res.Identities[j].Subject.String()
	})

	// The choke points and their fixes are written while the cover is
	// found: its cut is on one core, and neither changes what the other
	// reads (the re-analyses share the analysis' indexes, made once).
	done := make(chan struct{})
	go func() {
		defer close(done)
		res.ChokePoints = chokePoints(a, tree, onPaths, cutBy, adminGrant)
	}()
	res.Cover = cover(a, opts, byID, universe, cutBy, adminGrant)
	<-done
	return res
}

// chokePoints describes each binding that is a choke point, in ID order,
// with a fix.
func chokePoints(a *risk.Analysis, tree *graph.Tree, onPaths map[string][]*graph.Edge, cutBy map[string][]string, adminGrant map[string]bool) []ChokePoint {
	g, inv := a.Graph, a.Inv
	out := []ChokePoint{}
	idx := Bindings(inv)
	fixIn := newFixInputs(inv)
	picks := newScopePicks(g, tree, fixIn)
	for _, b := range sortedKeys(cutBy) {
		cp := ChokePoint{Binding: b, GrantsAdmin: adminGrant[b]}
		if mb := idx[b]; mb != nil {
			cp.Role = mb.RoleRef.Kind + "/" + mb.RoleRef.Name
			if mb.Source.File != "" {
				src := mb.Source
				cp.Source = &src
			}
		}
		for _, k := range cutBy[b] {
			cp.Identities = append(cp.Identities, risk.NodeName(g.Node(k)))
		}
		sort.Strings(cp.Identities)
		edges := explaining(tree, b, onPaths[b], cutBy[b])
		seen := map[string]bool{}
		for _, e := range edges {
			s := fmt.Sprintf("%s ─%s→ %s", risk.NodeName(e.From), e.Primitive, risk.NodeName(e.To))
			if !seen[s] {
				seen[s] = true
				cp.Steps = append(cp.Steps, s)
			}
		}
		cp.Fix = fixFor(a, fixIn, picks, idx[b], b, edges, adminGrant[b])
		out = append(out, cp)
	}
	return out
}

func subjectRef(n *graph.Node) risk.SubjectRef {
	return risk.SubjectRef{Kind: string(n.Kind), Name: n.Name, Namespace: n.Namespace}
}

func noChokeNote(g *graph.Graph, tree *graph.Tree, n *graph.Node) string {
	path := tree.Path(n)
	for _, e := range path {
		if len(e.Bindings()) > 0 {
			return "no single binding is on every path: paths through different bindings lead to cluster-admin"
		}
	}
	if len(path) > 0 {
		return "its shortest path has no step granted by a binding (" + path[0].Primitive + ")"
	}
	return "no binding found on its paths"
}

func cover(a *risk.Analysis, opts risk.Options, byID map[string][]*model.Binding, universe []string, cutBy map[string][]string, protected map[string]bool) Cover {
	c := Cover{Method: CoverMethod, Bindings: []string{}, Cut: []string{}, Identities: len(universe)}
	if len(universe) == 0 {
		c.Verified = true
		return c
	}
	inU := map[string]bool{}
	for _, k := range universe {
		inU[k] = true
	}
	uncovered := map[string]bool{}
	for k := range inU {
		uncovered[k] = true
	}
	chosen := map[string]bool{}
	// Phase 1: greedy set cover over verified single-binding choke points.
	for _, b := range greedyCover(cutBy, uncovered, protected) {
		chosen[b] = true
		c.Bindings = append(c.Bindings, b)
	}
	// Phase 2: the identities left have binding-disjoint paths. Each round
	// cuts them on the graph of a re-analysis without the bindings chosen so
	// far (graphCut; the first round, on the input's graph with their steps
	// masked: cutFirst), then re-analyses to verify: a step that other grants
	// also allow comes back, and the next round cuts it too. The identities
	// phase 1 cut stay cut as more bindings go, so each re-analysis starts
	// from those still left (reanalyse). A round's picks are kept once a
	// re-analysis shows someone more cut; those of rounds that cut no one
	// in the end are dropped, so that every binding of the cover matters.
	left := make([]string, 0, len(uncovered))
	for _, k := range universe {
		if uncovered[k] {
			left = append(left, k)
		}
	}
	var pending []string
	if len(left) > 0 {
		// Each re-analysis is of the input with more bindings gone: what is
		// known not to reach cluster-admin with fewer gone is not evaluated
		// (risk.Options.Unreaching). That is what the base analysis knows,
		// the identities a chosen binding is a verified choke point of, and
		// whatever the last re-analysis found cut: most of what the roots
		// step to, once a thousand bindings are gone.
		dead := map[string]bool{}
		for b := range chosen {
			for _, k := range cutBy[b] {
				dead[k] = true
			}
		}
		o := opts
		o.Unreaching = func(key string) bool {
			return dead[key] || (opts.Unreaching != nil && opts.Unreaching(key))
		}
		var cur *risk.Analysis
		round := 0
		if r := cutFirst(a, o, byID, left, chosen, protected); r != nil {
			if r.kept {
				c.Bindings = append(c.Bindings, r.picks...)
			} else {
				pending = r.picks
			}
			cur, left, round = r.a, r.left, 1
		} else {
			cur = reanalyse(a, o, bindingsOf(byID, chosen), left, false)
			left = stillReaching(cur.Graph, left)
		}
		for ; round < maxCutRounds && len(left) > 0; round++ {
			picks := graphCut(cur.Graph, left, nil, protected)
			if len(picks) == 0 {
				break
			}
			for _, b := range picks {
				chosen[b] = true
			}
			pending = append(pending, picks...)
			addUnreaching(dead, cur.Graph)
			next := reanalyse(a, o, bindingsOf(byID, chosen), left, false)
			nextLeft := stillReaching(next.Graph, left)
			if len(nextLeft) < len(left) {
				c.Bindings = append(c.Bindings, pending...)
				pending = nil
			}
			cur, left = next, nextLeft
		}
	}
	// Picks made since the last round that cut someone cut no one: left is
	// what it was then (each round's left is a subset of the one before).
	isLeft := map[string]bool{}
	for _, k := range left {
		isLeft[k] = true
	}
	for _, k := range universe {
		name := risk.NodeName(a.Graph.Node(k))
		if isLeft[k] {
			c.Remaining = append(c.Remaining, name)
		} else {
			c.Cut = append(c.Cut, name)
		}
	}
	sort.Strings(c.Cut)
	sort.Strings(c.Remaining)
	c.Verified = true
	return c
}

// firstRound is what phase 2's first round found: the re-analysis without
// its picks, the identities that still reach in it, and whether the picks
// are kept.
type firstRound struct {
	a     *risk.Analysis
	left  []string
	picks []string
	kept  bool
}

// cutFirst makes phase 2's first round on the input's graph (a.Graph) with
// the steps of phase 1's bindings (chosen) masked: that spares a
// re-analysis without phase 1's bindings alone, as costly as the rest of
// the cover on a large cluster. An identity that keeps a path in the masked
// graph keeps it in the input without those bindings (sure), so the round's
// picks cut someone more, and are kept, when the re-analysis without them
// finds one of those cut. When it finds none, the re-analysis without phase
// 1's bindings alone is made after all and tells. It returns nil when the
// masked graph cuts every identity left or there is nothing to pick: the
// rounds then start from that re-analysis. The picks are added to chosen.
func cutFirst(a *risk.Analysis, o risk.Options, byID map[string][]*model.Binding, left []string, chosen, protected map[string]bool) *firstRound {
	var sure []string
	for i, ok := range reachOf(a.Graph, granting(chosen), left) {
		if ok {
			sure = append(sure, left[i])
		}
	}
	if len(sure) == 0 {
		return nil
	}
	picks := graphCut(a.Graph, sure, chosen, protected)
	if len(picks) == 0 {
		return nil
	}
	phase1 := bindingsOf(byID, chosen)
	for _, b := range picks {
		chosen[b] = true
	}
	r := &firstRound{a: reanalyse(a, o, bindingsOf(byID, chosen), left, false), picks: picks}
	r.left = stillReaching(r.a.Graph, left)
	still := make(map[string]bool, len(r.left))
	for _, k := range r.left {
		still[k] = true
	}
	for _, k := range sure {
		if !still[k] {
			r.kept = true
			return r
		}
	}
	before := stillReaching(reanalyse(a, o, phase1, left, false).Graph, left)
	r.kept = len(r.left) < len(before)
	return r
}

// addUnreaching adds to dead the nodes of g, a re-analysis from roots (not
// stopped once they reach: every node it made was evaluated, or known not
// to reach), that do not reach cluster-admin.
func addUnreaching(dead map[string]bool, g *graph.Graph) {
	r := g.ReachWithout(g.Sink(), nil)
	for _, n := range g.Nodes() {
		if !r.Has(n) {
			dead[n.Key] = true
		}
	}
}

// maxCutRounds bounds phase 2's rounds of cutting on a graph and verifying
// by re-analysis; each round cuts every path the graph knows, so rounds are
// only needed where other grants allow the same steps.
const maxCutRounds = 20

// stillReaching returns the identities (node keys, in their order) that
// reach cluster-admin in g.
func stillReaching(g *graph.Graph, keys []string) []string {
	var out []string
	for i, ok := range reachOf(g, nil, keys) {
		if ok {
			out = append(out, keys[i])
		}
	}
	return out
}

// reachOf tells, for each node key, whether the node reaches cluster-admin
// in g without the edges skip rejects (nil: none).
func reachOf(g *graph.Graph, skip func(*graph.Edge) bool, keys []string) []bool {
	r := g.ReachWithout(g.Sink(), skip)
	out := make([]bool, len(keys))
	for i, k := range keys {
		out[i] = r.Has(g.Node(k))
	}
	return out
}

// graphCut chooses bindings whose removal cuts, in g without the edges of
// the bindings gone (nil: none), the paths of the identities (node keys) to
// cluster-admin, never a protected one: greedily the binding on most of
// their shortest paths in g without the bindings chosen so far, until none
// reaches or each one left has a shortest path no removable binding grants.
// Then, last pick first, a binding is dropped when the others cut the same
// identities without it (reverse delete), so each binding returned is
// needed on the graph. Deterministic: ties go to the
// binding ID that sorts first, and the shortest paths are graph.CutTree's.
func graphCut(g *graph.Graph, keys []string, gone, protected map[string]bool) []string {
	isKey := make(map[*graph.Node]bool, len(keys))
	for _, k := range keys {
		if n := g.Node(k); n != nil {
			isKey[n] = true
		}
	}
	// The graph without the chosen bindings is g with their edges masked.
	// A binding's edges are those it grants and those that act on it alone
	// (soleObject); a step that acts on any of several bindings is cut only
	// with the last of them, which the greedy choice of one binding at a
	// time does not see: no binding cuts it.
	edgesOf := map[string][]*graph.Edge{}
	counted := map[string]bool{} // the bindings a path may count
	mask := g.NewEdgeMask()
	wasGone := granting(gone)
	for _, e := range g.Edges() {
		if len(gone) > 0 && wasGone(e) {
			mask.Add(e)
		}
		for _, b := range cutters(e) {
			if !protected[b] {
				counted[b] = true
				if !gone[b] {
					edgesOf[b] = append(edgesOf[b], e)
				}
			}
		}
	}
	tree := g.NewCutTree(g.Sink(), mask)
	// Each identity's path counts once for each removable binding on it;
	// a pick changes the paths of the identities below its edges only,
	// whose counts are taken back and made again.
	on := map[*graph.Node][]string{}                            // the bindings counted for an identity
	counts := newPathCounts(slices.Collect(maps.Keys(counted))) // it sorts them
	recount := func(n *graph.Node) {
		for _, b := range on[n] {
			counts.add(b, -1)
		}
		var seen []string
		for e := tree.Next(n); e != nil; e = tree.Next(e.To) {
			for _, b := range cutters(e) {
				if !protected[b] && !slices.Contains(seen, b) {
					seen = append(seen, b)
					counts.add(b, 1)
				}
			}
		}
		on[n] = seen
	}
	for n := range isKey {
		recount(n)
	}
	var picks []string
	for b := counts.take(); b != ""; b = counts.take() {
		picks = append(picks, b)
		for _, n := range tree.Remove(edgesOf[b]) {
			if isKey[n] {
				recount(n)
			}
		}
	}
	// Which identities still reach: the same without a pick as with it,
	// and the pick is not needed. Putting a pick's edges back only adds
	// to what reaches, so it is needed exactly when one of the identities
	// gains a path; the Reacher searches from what those edges join.
	reach := g.NewReacher(g.Sink(), mask)
	needed := make([]bool, len(picks))
	for i := len(picks) - 1; i >= 0; i-- {
		edges := edgesOf[picks[i]]
		if _, gains := reach.RestoreUntil(edges, func(n *graph.Node) bool { return isKey[n] }); gains {
			reach.Undo(edges)
			needed[i] = true
		}
	}
	out := picks[:0]
	for i, b := range picks {
		if needed[i] {
			out = append(out, b)
		}
	}
	return out
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// grantedRules renders the rules of the binding's role that the steps use.
func grantedRules(a *risk.Analysis, in *fixInputs, b *model.Binding, edges []*graph.Edge) string {
	var rules []rbacv1.PolicyRule
	switch b.RoleRef.Kind {
	case model.KindClusterRole:
		rules, _ = a.Eval.ClusterRoleRules(b.RoleRef.Name)
	case model.KindRole:
		if r := in.roles[nsName{b.Namespace, b.RoleRef.Name}]; r != nil {
			rules = r.Rules
		}
	}
	seen := map[int]bool{}
	var parts []string
	for _, e := range edges {
		d := risk.StepDataOf(e)
		if d == nil {
			continue
		}
		for _, g := range d.Grants {
			if !sameBinding(g.Binding, b) {
				continue
			}
			i := int(g.RuleIndex)
			if seen[i] || i >= len(rules) {
				continue
			}
			seen[i] = true
			parts = append(parts, describeRule(rules[i]))
		}
	}
	if len(parts) == 0 {
		return "the rules of " + b.RoleRef.Kind + " " + b.RoleRef.Name
	}
	return strings.Join(parts, "; ")
}

// sameBinding reports whether a grant's binding is b (by kind, namespace and name).
func sameBinding(g, b *model.Binding) bool {
	if g == nil {
		return false
	}
	if g == b {
		return true
	}
	return g.Kind == b.Kind && g.Name == b.Name && (b.Kind != model.KindRoleBinding || g.Namespace == b.Namespace)
}

func describeRule(r rbacv1.PolicyRule) string {
	if len(r.NonResourceURLs) > 0 {
		return strings.Join(r.Verbs, ",") + " " + strings.Join(r.NonResourceURLs, ",")
	}
	res := strings.Join(r.Resources, ",")
	var groups []string
	for _, g := range r.APIGroups {
		if g != "" {
			groups = append(groups, g)
		}
	}
	if len(groups) > 0 {
		res += " (" + strings.Join(groups, ",") + ")"
	}
	if len(r.ResourceNames) > 0 {
		res += " named " + strings.Join(r.ResourceNames, ",")
	}
	return strings.Join(r.Verbs, ",") + " " + res
}

// describeSubjects names a binding's subjects as the authorizer reads them:
// a ServiceAccount subject without namespace is in the RoleBinding's
// namespace, and in a ClusterRoleBinding matches no one.
func describeSubjects(b *model.Binding) string {
	var out []string
	for _, s := range b.Subjects {
		if s.Kind == rbacv1.ServiceAccountKind {
			c := rbac.CanonicalSubject(s, b.Namespace)
			if c.Namespace == "" {
				out = append(out, "ServiceAccount "+s.Name+" (no namespace: matches no one)")
				continue
			}
			out = append(out, "ServiceAccount "+c.Namespace+"/"+c.Name)
		} else {
			out = append(out, s.Kind+" "+s.Name)
		}
	}
	return strings.Join(out, ", ")
}

// fixFor builds a concrete fix suggestion from the binding and its steps on
// paths: those it grants, and those that act on it (objectFix).
func fixFor(a *risk.Analysis, in *fixInputs, sp *scopePicks, b *model.Binding, id string, edges []*graph.Edge, grantsAdmin bool) string {
	if b == nil {
		return "remove or narrow " + id
	}
	granted, acted := actedOn(id, edges)
	var parts []string
	if len(granted) > 0 {
		parts = append(parts, grantFix(a, in, sp, b, id, granted, grantsAdmin))
	}
	if len(acted) > 0 {
		parts = append(parts, objectFix(a.Graph, b, acted))
	}
	return strings.Join(parts, " ")
}

// grantFix builds a concrete fix suggestion from the binding and the steps it grants.
func grantFix(a *risk.Analysis, in *fixInputs, sp *scopePicks, b *model.Binding, id string, edges []*graph.Edge, grantsAdmin bool) string {
	subjects := describeSubjects(b)
	if grantsAdmin {
		return fmt.Sprintf("%s binds %s %s to %s: that is cluster-admin outright. If intended, record it in an --accept file (owner, reason, expiry); otherwise bind a narrower role.",
			id, b.RoleRef.Kind, b.RoleRef.Name, subjects)
	}
	what := grantedRules(a, in, b, edges)
	var prims []string
	seenP := map[string]bool{}
	picked := sp.picked(edges) // scopes whose picks name the targets
	var own fixTargets
	for _, e := range edges {
		if !seenP[e.Primitive] {
			seenP[e.Primitive] = true
			prims = append(prims, e.Primitive)
		}
		own.add(in, e.To, !slices.Contains(picked, e.To))
	}
	more := sp.targets(picked)
	targets := joined{&own.names, &more.names}
	targetNS := joined{&own.namespaces, &more.namespaces}
	sas := joined{&own.sas, &more.sas}
	secrets := joined{&own.secrets, &more.secrets}
	bname := b.Name
	if b.Kind == model.KindRoleBinding {
		bname = b.Namespace + "/" + b.Name
	}
	intro := fmt.Sprintf("%s %s lets %s %s", b.Kind, bname, subjects, what)
	if b.Kind == model.KindClusterRoleBinding {
		intro += " cluster-wide"
	} else {
		intro += " in namespace " + b.Namespace
	}
	var extra []string
	if seenP["node-escape"] {
		ns := b.Namespace
		if ns == "" {
			ns = "the namespaces where they can create pods"
		}
		extra = append(extra, fmt.Sprintf("Pods created there can escape to their node: enforce Pod Security baseline in %s (label pod-security.kubernetes.io/enforce=baseline).", ns))
	}
	switch {
	case seenP["node-proxy"]:
		return intro + ": nodes/proxy reaches the kubelet API (exec in any pod of the node). Drop nodes/proxy from " + b.RoleRef.Kind + " " + b.RoleRef.Name + "; metrics scrapers need only nodes/metrics and nodes/stats."
	case seenP["impersonate"]:
		return intro + "; impersonating " + targets.String() + " is cluster-admin. Restrict the rule with resourceNames to the identities that are needed, never admins or system:masters, or remove the binding."
	case seenP["constrained-impersonate"]:
		return intro + "; impersonating for the impersonate-on verbs reaches " + targets.String() + ". Name in impersonate:<mode> only identities whose permissions for those verbs escalate nothing, narrow the impersonate-on:<mode>:<verb> rules, or remove the binding."
	case seenP["bind"] || seenP["escalate"]:
		return intro + "; bind/escalate let them grant themselves more than they hold. Drop those verbs from " + b.RoleRef.Kind + " " + b.RoleRef.Name + ", or restrict them with resourceNames to roles that are not more powerful."
	}
	if b.Kind == model.KindClusterRoleBinding && namespacedOnly(a, b, edges) {
		for _, s := range b.Subjects {
			if s.Kind != rbacv1.ServiceAccountKind || targetNS.has(s.Namespace) {
				continue
			}
			pods := in.pods[nsName{s.Namespace, s.Name}]
			return strings.Join(append([]string{fmt.Sprintf("ClusterRoleBinding %s grants %s cluster-wide to ServiceAccount %s/%s (%s); a RoleBinding of %s %s in namespace %s would keep what the SA's pods use and cut the step to %s.",
				b.Name, what, s.Namespace, s.Name, podsPhrase(pods, s.Namespace), b.RoleRef.Kind, b.RoleRef.Name, s.Namespace, targets.String())}, extra...), " ")
		}
		return strings.Join(append([]string{fmt.Sprintf("%s; replace it with RoleBindings of %s %s in the namespaces they work in, not in %s, or drop that rule from the role.",
			intro, b.RoleRef.Kind, b.RoleRef.Name, targetNS.String())}, extra...), " ")
	}
	if seenP["read-secrets"] {
		return strings.Join(append([]string{fmt.Sprintf("%s, where the legacy token Secret(s) %s of %s are stored. Delete the token Secret(s) (pods get short-lived tokens through TokenRequest) or move the ServiceAccount to a namespace of its own; if secrets are needed there, restrict the rule with resourceNames.",
			intro, secrets.String(), targets.String())}, extra...), " ")
	}
	if sas.total() > 0 && (seenP["create-workload"] || seenP["modify-workload"] || seenP["exec-pod"] || seenP["token-request"] || seenP["token-secret-create"]) {
		return strings.Join(append([]string{fmt.Sprintf("%s, where the powerful ServiceAccount(s) %s can be used (%s). Move them and their workloads to a namespace the subjects cannot write to, or drop those verbs from %s %s.",
			intro, sas.String(), strings.Join(prims, ", "), b.RoleRef.Kind, b.RoleRef.Name)}, extra...), " ")
	}
	return strings.Join(append([]string{fmt.Sprintf("%s (%s → %s); drop that rule from %s %s or delete the binding.",
		intro, strings.Join(prims, ", "), targets.String(), b.RoleRef.Kind, b.RoleRef.Name)}, extra...), " ")
}

// clusterScoped are resources a RoleBinding cannot grant.
var clusterScoped = map[string]bool{"nodes": true, "namespaces": true, "persistentvolumes": true, "certificatesigningrequests": true,
	"clusterroles": true, "clusterrolebindings": true, "mutatingwebhookconfigurations": true, "validatingwebhookconfigurations": true,
	"customresourcedefinitions": true, "storageclasses": true, "users": true, "groups": true, "*": true}

// namespacedOnly reports whether every rule the steps use is about namespaced
// resources (so a RoleBinding could grant it).
func namespacedOnly(a *risk.Analysis, b *model.Binding, edges []*graph.Edge) bool {
	rules, _ := a.Eval.ClusterRoleRules(b.RoleRef.Name)
	if b.RoleRef.Kind != model.KindClusterRole {
		return true
	}
	if b.Kind == model.KindRoleBinding {
		// Only the rules of ClusterRoleBindings are looked at.
		return true
	}
	for _, e := range edges {
		d := risk.StepDataOf(e)
		if d == nil {
			continue
		}
		for _, g := range d.Grants {
			if !sameBinding(g.Binding, b) {
				continue
			}
			i := int(g.RuleIndex)
			if i >= len(rules) {
				continue
			}
			if len(rules[i].NonResourceURLs) > 0 {
				return false
			}
			for _, r := range rules[i].Resources {
				base, _, _ := strings.Cut(r, "/")
				if clusterScoped[base] {
					return false
				}
			}
		}
	}
	return true
}

// isPick reports a 0-hop step out of a shared scope that names what the
// step into the scope reaches.
func isPick(e *graph.Edge) bool { return e.Hops == 0 && strings.HasPrefix(e.Primitive, "pick-") }

// nsName is a namespace and a name.
type nsName struct{ ns, name string }

// fixInputs indexes the objects fixes name: a fix per choke point used to
// scan the whole input for them (quadratic on a large cluster).
type fixInputs struct {
	// roles by namespace and name; of two with the same, the later.
	roles map[nsName]*model.Role
	// pods counts the pods running as each ServiceAccount.
	pods map[nsName]int
	// tokens lists each ServiceAccount's legacy token Secrets
	// ("namespace/name", in input order).
	tokens map[nsName][]string
}

func newFixInputs(inv *model.Inventory) *fixInputs {
	in := &fixInputs{roles: map[nsName]*model.Role{}, pods: map[nsName]int{}, tokens: map[nsName][]string{}}
	for _, r := range inv.Roles {
		in.roles[nsName{r.Namespace, r.Name}] = r
	}
	for _, p := range inv.Pods {
		name := p.Spec.ServiceAccountName
		if name == "" {
			name = "default"
		}
		in.pods[nsName{p.Namespace, name}]++
	}
	for _, s := range inv.Secrets {
		if s.Type == model.SecretTypeServiceAccountToken {
			k := nsName{s.Namespace, s.Annotations[model.AnnotationServiceAccountName]}
			in.tokens[k] = append(in.tokens[k], s.Namespace+"/"+s.Name)
		}
	}
	return in
}

func podsPhrase(n int, ns string) string {
	switch n {
	case 0:
		return "no pod runs as it in the input"
	case 1:
		return "1 pod runs as it, in namespace " + ns
	}
	return fmt.Sprintf("%d pods run as it, all in namespace %s", n, ns)
}
