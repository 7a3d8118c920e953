package risk

import (
	"slices"
	"sort"
	"strings"

	rbacv1 "k8s.io/api/rbac/v1"

	"github.com/auth-paths/kubectl-auth-paths/graph"
	"github.com/auth-paths/kubectl-auth-paths/pkg/rbac"
)

// impliedGroups returns the groups every identity of the node is in.
func (a *Analysis) impliedGroups(n *graph.Node) []string {
	switch n.Kind {
	case graph.KindServiceAccount:
		return []string{rbac.GroupServiceAccounts, rbac.GroupServiceAccountsPrefix + n.Namespace, rbac.GroupAuthenticated}
	case graph.KindNode:
		return []string{rbac.GroupNodes, rbac.GroupAuthenticated}
	case graph.KindUser:
		if n.Name == rbac.UserAnonymous {
			return []string{rbac.GroupUnauthenticated}
		}
		groups := append([]string(nil), a.Opts.Groups[n.Name]...)
		return append(groups, rbac.GroupAuthenticated)
	case graph.KindGroup:
		switch {
		case n.Name == rbac.GroupUnauthenticated || n.Name == rbac.GroupAuthenticated:
			return nil
		case strings.HasPrefix(n.Name, rbac.GroupServiceAccountsPrefix):
			return []string{rbac.GroupServiceAccounts, rbac.GroupAuthenticated}
		default:
			// Group membership comes from an authenticator: members are authenticated.
			return []string{rbac.GroupAuthenticated}
		}
	}
	return nil
}

func (a *Analysis) subjectOf(n *graph.Node) (rbac.Subject, bool) { return SubjectOf(n) }

// SubjectOf is the RBAC subject of an identity node (a Node's kubelet
// identity is user system:node:NAME); false for scopes and cluster-admin.
func SubjectOf(n *graph.Node) (rbac.Subject, bool) {
	switch n.Kind {
	case graph.KindServiceAccount:
		return rbac.Subject{Kind: rbacv1.ServiceAccountKind, Namespace: n.Namespace, Name: n.Name}, true
	case graph.KindGroup:
		return rbac.Subject{Kind: rbacv1.GroupKind, Name: n.Name}, true
	case graph.KindNode:
		return rbac.Subject{Kind: rbacv1.UserKind, Name: rbac.NodeUserPrefix + n.Name}, true
	case graph.KindUser:
		return rbac.Subject{Kind: rbacv1.UserKind, Name: n.Name}, true
	}
	return rbac.Subject{}, false
}

// ensurePrincipal creates the principal of an identity node with its effective rules.
//
// The principal is complete when it is published (other evaluations read
// it at once); only the evaluation that publishes it adds its membership
// edges.
func (a *Analysis) ensurePrincipal(n *graph.Node) *Principal {
	if p := a.Principal(n.Key); p != nil {
		return p
	}
	s, ok := a.subjectOf(n)
	if !ok {
		return nil
	}
	// An identity's own rules are made when it is evaluated (ownRules), not
	// kept from now until every principal is: on a large cluster they were
	// a fifth of the live heap of the analysis. A group's are shared.
	p := &Principal{Node: n, groupRules: true}
	if s.Kind == rbacv1.GroupKind {
		p.Rules = a.groupRulesOf(s.Name)
		p.Own = len(p.Rules)
	} else {
		p.Own = a.Eval.CountRulesFor(s)
	}
	p.Groups = a.impliedGroups(n)
	if existing, added := a.publishPrincipal(p); !added {
		return existing
	}
	for _, g := range p.Groups {
		gs := rbac.Subject{Kind: rbacv1.GroupKind, Name: g}
		gRules := a.groupRulesOf(g)
		// Membership is an edge only to groups that hold something.
		if len(gRules) > 0 || g == rbac.GroupMasters {
			gn := a.subjectNode(gs)
			a.ensurePrincipal(gn)
			a.addEdge(graph.Edge{From: n, To: gn, Primitive: "member-of", Hops: 0, Condition: memberCondition(n, g, a.Opts.GroupsSource)})
		}
	}
	return p
}

// memberCondition says why n is in group; source says where Options.Groups
// came from ("" for --groups).
func memberCondition(n *graph.Node, group, source string) string {
	switch {
	case n.Kind == graph.KindGroup:
		return "every member of " + n.Name + " is also in " + group
	case group == rbac.GroupAuthenticated || group == rbac.GroupUnauthenticated || strings.HasPrefix(group, "system:serviceaccounts") || group == rbac.GroupNodes:
		return "implicit group of every such identity"
	case source != "":
		return "group membership " + source
	default:
		return "group membership given with --groups"
	}
}

// identityPrincipal makes the principal of an identity's node, unless
// principals are made as the evaluation reaches them (lazyPrincipals).
func (a *Analysis) identityPrincipal(n *graph.Node) {
	if !a.lazyPrincipals {
		a.ensurePrincipal(n)
	}
}

// effectiveRules returns the principal's effective rules: its own, then
// those of its groups. A principal made by ensurePrincipal keeps only its
// own between evaluations: every member of a group bound in hundreds of
// namespaces would otherwise hold a copy of the group's rules for the whole
// analysis (most of the heap on clusters shaped so).
func (a *Analysis) effectiveRules(p *Principal) []rbacBound {
	if !p.groupRules {
		return p.Rules
	}
	own := a.ownRules(p)
	n := len(own)
	for _, g := range p.Groups {
		n += len(a.groupRulesOf(g))
	}
	if n == len(own) {
		return own
	}
	out := make([]rbacBound, 0, n)
	out = append(out, own...)
	for _, g := range p.Groups {
		out = append(out, a.groupRulesOf(g)...)
	}
	return out
}

// groupParts returns an identity's groups' rules, which follow its own in
// its effective rules (as effectiveRules makes them), each shared with the
// group and with the memo of its group's scans when it has many rules; none
// when its groups hold no rules.
func (a *Analysis) groupParts(p *Principal) []rulePart {
	var parts []rulePart
	for _, g := range p.Groups {
		if part := a.groupPart(g); len(part.rules) > 0 {
			parts = append(parts, part)
		}
	}
	return parts
}

// groupPart returns the group's rules as a part, with the memo of its
// scans when they are many.
func (a *Analysis) groupPart(group string) rulePart {
	part := rulePart{group: group, rules: a.groupRulesOf(group)}
	if len(part.rules) >= memoFrom {
		part.scans = a.groupScansOf(group)
	}
	return part
}

// ownRules returns the rules bound to the principal itself: a group's are
// kept (shared with groupRulesOf), an identity's made again each time.
func (a *Analysis) ownRules(p *Principal) []rbacBound {
	if p.Rules != nil || p.Own == 0 {
		return p.Rules
	}
	s, ok := a.subjectOf(p.Node)
	if !ok {
		return nil
	}
	return a.Eval.RulesFor(s)
}

// groupRulesOf returns the rules bound to group, memoised. The slice is
// shared: its capacity is its length, so a caller's append copies it.
func (a *Analysis) groupRulesOf(group string) []rbacBound {
	return memo(&a.mu, &a.groupRules, group, func() []rbacBound {
		return slices.Clip(a.Eval.RulesFor(rbac.Subject{Kind: rbacv1.GroupKind, Name: group}))
	})
}

// publishPrincipal adds p unless its node has a principal already (one made
// meanwhile by another evaluation), which it returns instead.
func (a *Analysis) publishPrincipal(p *Principal) (*Principal, bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if existing := a.byKey[p.Node.Key]; existing != nil {
		return existing, false
	}
	a.byKey[p.Node.Key] = p
	a.principals = append(a.principals, p)
	return p, true
}

// Principal returns the principal of a node key, or nil.
func (a *Analysis) Principal(key string) *Principal {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.byKey[key]
}

// addIdentities creates a node for every subject of every binding, every
// ServiceAccount, every Node's kubelet identity and the superuser group.
func (a *Analysis) addIdentities() {
	if a.lazyPrincipals && a.seeds.inv != a.Inv {
		a.addSeededIdentities()
	} else {
		for _, s := range a.Eval.Subjects() {
			a.identityPrincipal(a.subjectNode(s))
		}
		for _, sa := range a.Inv.ServiceAccounts {
			a.SANode(sa.Namespace, sa.Name)
		}
		for _, n := range a.Inv.Nodes {
			a.NodeIdentity(n.Name)
		}
	}
	for user := range a.Opts.Groups {
		a.UserNode(user)
	}
	for _, s := range a.Opts.Identities {
		a.ensurePrincipal(a.subjectNode(s))
	}
	// Every request without credentials is user system:anonymous in group
	// system:unauthenticated (when anonymous authentication is on, the
	// kube-apiserver default): a binding to the group makes the user a start.
	if a.Graph.Node(groupKey(rbac.GroupUnauthenticated)) != nil {
		a.UserNode(rbac.UserAnonymous)
	}
	if n := a.Graph.Node(groupKey(rbac.GroupMasters)); n != nil {
		a.addEdge(graph.Edge{From: n, To: a.Sink(), Primitive: "superuser-group", Hops: 0,
			Condition: "system:masters bypasses RBAC authorization entirely", Provenance: &graph.Provenance{GrantedBy: []string{rbac.Grant{Superuser: true}.String()}}})
	}
	a.snapshotIdentities()
}

// addSeededIdentities is the start of addIdentities for a re-analysis of
// the input without some bindings, whose principals are made lazily: the
// graph holds the seeds' nodes but those of subjects no binding names any
// more, and makes each when it is first asked for (graph.Seeds): a
// re-analysis evaluates a few principals, most often, and need not make
// every identity of the input.
func (a *Analysis) addSeededIdentities() {
	seeds := a.seeds.get()
	// The evaluator is the input's without some bindings (Reanalyze): its
	// subjects are the seeds' but those every binding naming them is gone.
	var gone map[int32]bool
	for s := range a.Eval.GoneSubjects() {
		// Only a node made for subjects alone goes: an object's stays.
		if k, ok := seeds.graph.Index(subjectNodeKey(s)); ok && seeds.only[k] >= 0 && seeds.subjects[seeds.only[k]] == s {
			if gone == nil {
				gone = map[int32]bool{}
			}
			gone[k] = true
		}
	}
	a.Graph.Seed(seeds.graph, gone)
	a.seeded = true
}

// addEdge adds a step to the graph (and, when only the part reachable from
// Options.Roots is built, remembers where it leads).
func (a *Analysis) addEdge(e graph.Edge) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.addEdgeLocked(e)
}

// addEdgeLocked is addEdge with a.mu held.
func (a *Analysis) addEdgeLocked(e graph.Edge) {
	a.Graph.AddEdge(e)
	if a.toSink != nil && e.From != nil && e.To != nil {
		a.pred[e.To] = append(a.pred[e.To], e.From)
		if e.To == a.Sink() || a.toSink[e.To] {
			a.markToSink(e.From)
		}
	}
	if a.succ != nil && e.From != nil && e.To != nil {
		a.succ[e.From] = append(a.succ[e.From], e.To)
	}
}

// evaluate runs every primitive for every principal that holds rules,
// including principals created on the way (scopes, new identities).
func (a *Analysis) evaluate() {
	if len(a.Opts.Roots) > 0 {
		a.evaluateFrom(a.Opts.Roots)
		return
	}
	done := 0
	for done < len(a.principals) {
		// Principals are processed in creation order; new ones are appended.
		batch := a.principals[done:]
		sorted := append([]*Principal(nil), batch...)
		sort.Slice(sorted, func(i, j int) bool { return sorted[i].Node.Key < sorted[j].Node.Key })
		done = len(a.principals)
		a.evaluateAll(sorted)
	}
}

// evaluateFrom evaluates only the principals reachable from the roots, in
// breadth-first order: every path of a root runs through them alone, so
// `from` needs no evaluation of the rest of the cluster.
func (a *Analysis) evaluateFrom(roots []rbac.Subject) {
	visited := map[*graph.Node]bool{}
	var queue []*graph.Node
	push := func(n *graph.Node) {
		if n != nil && !visited[n] {
			visited[n] = true
			queue = append(queue, n)
		}
	}
	for _, s := range roots {
		push(a.node(SubjectKey(s)))
	}
	if a.Opts.KeepCandidates {
		// What is kept is known before any evaluation: the roots' groups
		// need the roots' principals.
		for _, n := range queue {
			a.rootPrincipal(n)
		}
		a.keepRoots(queue)
	}
	if a.toSink == nil && a.workers() > 1 {
		a.evaluateLevels(queue, push, &queue)
		return
	}
	for len(queue) > 0 {
		if a.toSink != nil && a.allReach(roots) {
			return
		}
		n := queue[0]
		queue = queue[1:]
		if a.Opts.Unreaching != nil && a.Opts.Unreaching(n.Key) {
			continue
		}
		if a.toSink != nil && a.Opts.Reaching != nil && a.Opts.Reaching(n.Key) {
			a.markToSink(n)
			continue
		}
		if p := a.rootPrincipal(n); p != nil {
			a.evaluatePrincipal(p)
		}
		for _, next := range a.succ[n] {
			push(next)
		}
	}
}

// rootPrincipal returns the principal of a node the evaluation from the
// roots reaches, made now when principals are made lazily (nil for a node
// that is no identity and has none).
func (a *Analysis) rootPrincipal(n *graph.Node) *Principal {
	p := a.Principal(n.Key)
	if p == nil && a.lazyPrincipals {
		p = a.ensurePrincipal(n)
	}
	return p
}

// evaluateLevels is evaluateFrom's breadth-first search a whole level at a
// time, each level's principals evaluated on every core: a level is taken
// in queue order and the next one is made of the ends of its nodes' steps in
// that order, as the queue would have it, so the same nodes are evaluated.
// (Not with StopWhenRootsReach, whose stop is decided node by node.) push
// appends to *queue.
func (a *Analysis) evaluateLevels(level []*graph.Node, push func(*graph.Node), queue *[]*graph.Node) {
	for len(level) > 0 {
		*queue = nil
		taken := level[:0:0]
		var batch []*Principal
		for _, n := range level {
			if a.Opts.Unreaching != nil && a.Opts.Unreaching(n.Key) {
				continue
			}
			taken = append(taken, n)
			if p := a.rootPrincipal(n); p != nil {
				batch = append(batch, p)
			}
		}
		a.evaluateAll(batch)
		for _, n := range taken {
			for _, next := range a.succ[n] {
				push(next)
			}
		}
		level = *queue
	}
}

// keeps: the analysis keeps the principal's failed steps too. With
// Options.KeepCandidates that is every principal's; with Roots as well, only
// the roots' and their groups' (what explain shows), so that explaining one
// subject of a large cluster holds no more than tracing its paths.
func (a *Analysis) keeps(p *Principal) bool {
	if !a.Opts.KeepCandidates {
		return false
	}
	if len(a.Opts.Roots) == 0 {
		return true
	}
	return a.kept[p.Node.Key]
}

// keepRoots makes the set keeps reads with Roots, before any evaluation
// (evaluations run at once read it): the roots and their groups.
func (a *Analysis) keepRoots(roots []*graph.Node) {
	a.kept = map[string]bool{}
	for _, n := range roots {
		a.kept[n.Key] = true
		if r := a.Principal(n.Key); r != nil {
			for _, g := range r.Groups {
				a.kept[groupKey(g)] = true
			}
		}
	}
}

// markToSink records that n reaches cluster-admin, and so every node known
// to step to it.
func (a *Analysis) markToSink(n *graph.Node) {
	stack := []*graph.Node{n}
	for len(stack) > 0 {
		m := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if a.toSink[m] {
			continue
		}
		a.toSink[m] = true
		stack = append(stack, a.pred[m]...)
	}
}

// KnownToReach reports whether the analysis found that the node of key
// reaches cluster-admin while it built (Options.StopWhenRootsReach): also
// through the Options.Reaching nodes, whose paths are not in its graph.
func (a *Analysis) KnownToReach(key string) bool {
	n := a.Graph.Node(key)
	return n != nil && a.toSink[n]
}

// allReach: every root that is in the graph reaches cluster-admin.
func (a *Analysis) allReach(roots []rbac.Subject) bool {
	for _, s := range roots {
		if n := a.Graph.Node(SubjectKey(s)); n != nil && !a.toSink[n] {
			return false
		}
	}
	return true
}

func (a *Analysis) evaluatePrincipal(p *Principal) {
	// Decided before the group rules are gathered: most identities end here.
	sources := a.groupSources(p)
	if p.Own == 0 && len(sources) == 0 && p.Node.Kind != graph.KindNode {
		return // no rules at all
	}
	// A principal without rules of its own, whose rules all come from one
	// group, can do nothing that group cannot: the group's steps are reached
	// through the membership edge (unless a binding without rules names
	// it: creating or escalating that role is its own step).
	if p.Own == 0 && p.Node.Kind != graph.KindNode && len(sources) <= 1 && !a.boundWithoutRules(p) {
		return
	}
	// The group rules are added for this evaluation only (groupParts),
	// to a copy: other evaluations may read the principal meanwhile.
	if p.groupRules {
		q := *p
		q.Rules, q.idx = a.ownRules(p), nil
		q.parts = a.groupParts(p)
		a.narrowParts(&q)
		p = &q
	}
	var all []Candidate
	if c, ok := a.adminCandidate(p); ok {
		// Already cluster-admin: any further step would only add noise.
		all = append(all, c)
	} else {
		for _, prim := range registry {
			all = append(all, prim.Evaluate(a, p)...)
		}
		for _, prim := range a.Opts.Extra {
			all = append(all, prim.Evaluate(a, p)...)
		}
	}
	keep := a.keeps(p)
	// Which steps a group takes alone is decided before the lock is taken
	// (heldBy takes it).
	for i := range all {
		c := &all[i]
		if c.To == nil || c.To == p.Node || !c.Holds {
			continue
		}
		if g := a.heldBy(p, *c); g != "" {
			if onHeld != nil {
				onHeld(p.Node, g, *c)
			}
			c.To = nil
		}
	}
	// The steps are added under one lock: principals evaluated at once
	// would otherwise take it a few times per step.
	a.mu.Lock()
	defer a.mu.Unlock()
	for _, c := range all {
		if c.To == nil || c.To == p.Node {
			continue
		}
		if keep {
			a.candidates[p.Node.Key] = append(a.candidates[p.Node.Key], c)
		}
		if !c.Holds {
			continue
		}
		a.addEdgeLocked(graph.Edge{From: p.Node, To: c.To, Primitive: c.Primitive, Hops: c.Hops, Provenance: a.provenance(c), Condition: a.intern(c.Condition), Later: c.Later, Assumed: c.Assumed})
	}
}

// groupSources returns the distinct subjects whose bindings supply the
// principal's rules beyond its own: the groups holding rules, for an
// identity whose groups' rules are added at evaluation (effectiveRules).
func (a *Analysis) groupSources(p *Principal) map[rbac.Subject]bool {
	out := map[rbac.Subject]bool{}
	if p.groupRules {
		for _, g := range p.Groups {
			if len(a.groupRulesOf(g)) > 0 {
				out[rbac.Subject{Kind: rbacv1.GroupKind, Name: g}] = true
			}
		}
		return out
	}
	for _, r := range p.Rules[p.Own:] {
		out[r.Grant.Subject()] = true
	}
	return out
}

// adminCandidate: rules bound cluster-wide that cover everything make the
// principal cluster-admin with no step at all.
func (a *Analysis) adminCandidate(p *Principal) (Candidate, bool) {
	var clusterWide []rbacv1.PolicyRule
	var bound []rbacBound
	p.eachApplicable("", func(r *rbacBound) bool {
		clusterWide = append(clusterWide, *r.Rule)
		bound = append(bound, *r)
		return true
	})
	if !rbac.CoversClusterAdmin(clusterWide) {
		return Candidate{}, false
	}
	c := Candidate{Primitive: "admin-rules", To: a.Sink(), Hops: 0, Holds: true,
		Condition: "rules bound cluster-wide cover every verb on every resource of every API group and every non-resource URL"}
	for _, atom := range rbac.ClusterAdminRules() {
		for j, r := range clusterWide {
			if ok, _ := rbac.Covers([]rbacv1.PolicyRule{r}, []rbacv1.PolicyRule{atom}); ok {
				g := bound[j]
				// The request that only wildcard rules allow.
				req := rbac.Request{Verb: rbac.Wildcard, APIGroup: rbac.Wildcard, Resource: rbac.Wildcard}
				if len(atom.NonResourceURLs) > 0 {
					req = rbac.Request{Verb: rbac.Wildcard, Path: rbac.Wildcard}
				}
				g.Request = &req
				c.Grants = append(c.Grants, g)
				break
			}
		}
	}
	return c, true
}

// Candidates returns every candidate step evaluated for a node (for
// explain); empty unless Options.KeepCandidates is set.
func (a *Analysis) Candidates(key string) []Candidate { return a.candidates[key] }
