package remediate

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	rbacv1 "k8s.io/api/rbac/v1"

	"github.com/auth-paths/kubectl-auth-paths/graph"
	"github.com/auth-paths/kubectl-auth-paths/pkg/model"
	"github.com/auth-paths/kubectl-auth-paths/pkg/rbac"
	"github.com/auth-paths/kubectl-auth-paths/pkg/risk"
)

// AnnotationAutoupdate marks the apiserver's bootstrap roles and bindings:
// it reconciles them at every start, so an edit of one does not last.
const AnnotationAutoupdate = "rbac.authorization.kubernetes.io/autoupdate"

// Target says which paths must close. Empty: every path of at least one hop.
type Target struct {
	// Subjects must lose every path to cluster-admin.
	Subjects []rbac.Subject
	// PathIDs are paths (of scan or from) that must close.
	PathIDs []string
	// Bindings, when set, are the only bindings (and their roles) edited:
	// the choke-point cut.
	Bindings []string
}

// Goal is one path or identity to close, with its outcome.
type Goal struct {
	Subject string `json:"subject"`
	// PathID is set when a path (not every path of the subject) must close.
	PathID string `json:"pathId,omitempty"`
	Hops   int    `json:"hops"`
	Closed bool   `json:"closed"`
	// Reason says why an open goal could not be closed.
	Reason string `json:"reason,omitempty"`

	path risk.Path
}

// Result is the proposed change and its proof.
type Result struct {
	Changes []*Change `json:"changes"`
	Goals   []Goal    `json:"goals"`
	// Removed are every permission the change takes from someone (the RBAC
	// diff of the inventory before and after), the closed steps' included.
	Removed []Loss `json:"removed"`
	// Verified: the goals' outcome comes from re-analysing the changed input.
	Verified bool `json:"verified"`

	after *model.Inventory
}

// After is the inventory with the change applied.
func (r *Result) After() *model.Inventory { return r.after }

// MaxRounds bounds the planner: each round re-analyses the edited input and
// edits for the first goal still open.
const MaxRounds = 64

// Plan finds a change that closes the target's paths.
func Plan(inv *model.Inventory, opts risk.Options, t Target) (*Result, error) {
	opts.KeepCandidates, opts.Roots = false, nil
	a := risk.Analyze(inv, opts)
	goals, err := selectGoals(a, t)
	if err != nil {
		return nil, err
	}
	p := &planner{opts: opts, base: inv, cur: newWorking(inv), allowed: map[string]bool{}, protectedRoles: protectedRoles(inv, opts)}
	for _, b := range t.Bindings {
		p.allowed[b] = true
	}
	res := &Result{Changes: []*Change{}, Removed: []Loss{}}
	var batches [][]Edit
	attempted := make([]bool, len(goals))
	rounds := 0
	for ; rounds < MaxRounds; rounds++ {
		cur := p.cur.inventory()
		a := risk.Analyze(cur, opts)
		open := -1
		closed := goalsClosedIn(a)
		for i := range goals {
			if goals[i].Reason == "" && !closed(&goals[i]) {
				open = i
				break
			}
		}
		if open < 0 {
			break
		}
		g := &goals[open]
		attempted[open] = true
		path := g.path
		if g.PathID == "" {
			path = currentPath(a, g)
		}
		edits, why := p.best(a, cur, path)
		if edits == nil {
			g.Reason = why
			continue
		}
		batches = append(batches, edits)
		for _, e := range edits {
			p.cur.apply(e)
		}
	}
	// Greedy picks can be made redundant by later ones (a rule narrowed,
	// then its binding deleted for another path): drop, last first, every
	// batch without which the goals stay as they are.
	state := func(keep []bool) (*working, []bool) {
		w := newWorking(inv)
		for i, b := range batches {
			if keep[i] {
				for _, e := range b {
					w.apply(e)
				}
			}
		}
		fa := risk.Analyze(w.inventory(), opts)
		closed := make([]bool, len(goals))
		isClosed := goalsClosedIn(fa)
		for i := range goals {
			closed[i] = isClosed(&goals[i])
		}
		return w, closed
	}
	keep := make([]bool, len(batches))
	for i := range keep {
		keep[i] = true
	}
	_, want := state(keep)
	for i := len(batches) - 1; i >= 0 && len(batches) > 1; i-- {
		keep[i] = false
		if _, got := state(keep); !slices.Equal(got, want) {
			keep[i] = true
		}
	}
	p.cur, _ = state(keep)
	final := p.cur.inventory()
	fa := risk.Analyze(final, opts)
	isClosed := goalsClosedIn(fa)
	for i := range goals {
		goals[i].Closed = isClosed(&goals[i])
		switch {
		case goals[i].Closed:
			goals[i].Reason = ""
		case goals[i].Reason != "":
		case !attempted[i] && rounds == MaxRounds:
			// Say so: an open goal the planner never came to is no goal it
			// could not close.
			goals[i].Reason = fmt.Sprintf("not attempted: the planner stops after %d rounds of edits, each for one goal; "+
				"apply this change and run fix again, or target fewer paths (--subject, --path, --chokepoints)", MaxRounds)
		default:
			goals[i].Reason = "still open after the edits this planner can make"
		}
	}
	res.Goals = goals
	res.Changes = p.cur.changes()
	res.Removed = Diff(inv, final, opts.Groups)
	res.Verified = true
	res.after = final
	return res, nil
}

// selectGoals turns the target into goals, in scan order.
func selectGoals(a *risk.Analysis, t Target) ([]Goal, error) {
	scan := a.Scan(true)
	var goals []Goal
	switch {
	case len(t.PathIDs) > 0:
		for _, id := range t.PathIDs {
			p, ok := findPath(a, scan, id)
			if !ok {
				return nil, fmt.Errorf("path %s: no such path in the input (see scan -o json or from SUBJECT)", id)
			}
			goals = append(goals, Goal{Subject: p.Subject.String(), PathID: p.ID, Hops: p.Hops, path: p})
		}
	case len(t.Subjects) > 0:
		for _, s := range t.Subjects {
			found := false
			for _, p := range scan.Paths {
				if p.Subject.String() == subjectRef(s).String() {
					goals = append(goals, Goal{Subject: p.Subject.String(), Hops: p.Hops, path: p})
					found = true
				}
			}
			if !found {
				return nil, fmt.Errorf("subject %s has no path to cluster-admin in the input: nothing to fix", subjectRef(s))
			}
		}
	default:
		for _, p := range scan.Paths {
			// Identities that are cluster-admin outright are the admins; a
			// fix for every path does not remove them (name them to).
			if p.Hops == 0 {
				continue
			}
			if len(t.Bindings) > 0 && !onBindings(a, p, t.Bindings) {
				continue
			}
			goals = append(goals, Goal{Subject: p.Subject.String(), Hops: p.Hops, path: p})
		}
	}
	return goals, nil
}

// onBindings: a step of the path is granted by one of the bindings, or acts
// on one of them (risk.ObjectsOf).
func onBindings(a *risk.Analysis, p risk.Path, bindings []string) bool {
	for _, s := range p.Steps {
		for _, b := range s.Bindings {
			if slices.Contains(bindings, b) {
				return true
			}
		}
		if e := stepEdge(a, s); e != nil && slices.ContainsFunc(risk.ObjectsOf(e), func(b string) bool { return slices.Contains(bindings, b) }) {
			return true
		}
	}
	return false
}

func findPath(a *risk.Analysis, scan risk.ScanResult, id string) (risk.Path, bool) {
	for _, p := range scan.Paths {
		if p.ID == id {
			return p, true
		}
	}
	for _, p := range scan.Paths {
		if n := a.Graph.Node(nodeKey(p.Subject)); n != nil {
			for _, q := range a.From(n, 10, -1) {
				if q.ID == id {
					return q, true
				}
			}
		}
	}
	return risk.Path{}, false
}

func subjectRef(s rbac.Subject) risk.SubjectRef {
	return risk.SubjectRef{Kind: s.Kind, Name: s.Name, Namespace: s.Namespace}
}

func nodeKey(s risk.SubjectRef) string { return s.String() }

// goalsClosedIn returns, for one analysis, whether a goal is closed: a
// subject goal when the subject reaches cluster-admin no more, a path goal
// when one of its steps no longer holds. The identities with a path to
// cluster-admin are searched once for all the goals (a search per goal made
// the planner quadratic in the paths of a large cluster).
func goalsClosedIn(a *risk.Analysis) func(*Goal) bool {
	var reach *graph.Reach
	return func(g *Goal) bool {
		if g.PathID == "" {
			n := a.Graph.Node(nodeKey(g.path.Subject))
			if n == nil {
				return true
			}
			if reach == nil {
				r := a.Graph.ReachWithout(a.Sink(), nil)
				reach = &r
			}
			return !reach.Has(n)
		}
		for _, s := range g.path.Steps {
			if !stepHolds(a, s) {
				return true
			}
		}
		return false
	}
}

func stepHolds(a *risk.Analysis, s risk.Step) bool { return stepEdge(a, s) != nil }

func currentPath(a *risk.Analysis, g *Goal) risk.Path {
	n := a.Graph.Node(nodeKey(g.path.Subject))
	return risk.NewPath(n, a.Graph.ShortestTo(a.Sink()).Path(n))
}

// planner holds the working copy and what may not be edited.
type planner struct {
	opts           risk.Options
	base           *model.Inventory
	cur            *working
	allowed        map[string]bool
	protectedRoles map[string]string
}

// protectedRoles are roles the platform owns, with why: bootstrap roles the
// apiserver reconciles, and the roles of expected (rule pack) bindings.
func protectedRoles(inv *model.Inventory, opts risk.Options) map[string]string {
	out := map[string]string{}
	for _, r := range inv.ClusterRoles {
		if r.Annotations[AnnotationAutoupdate] == "true" {
			out[roleKey(model.KindClusterRole, "", r.Name)] = "ClusterRole " + r.Name + " is reconciled by the apiserver (" + AnnotationAutoupdate + ")"
		}
	}
	for _, b := range inv.ClusterRoleBindings {
		if e, ok := opts.Expected[b.ID()]; ok {
			out[roleKey(b.RoleRef.Kind, "", b.RoleRef.Name)] = fmt.Sprintf("%s %s is bound by the platform default %s (%s)", b.RoleRef.Kind, b.RoleRef.Name, b.ID(), e.Platform+" default")
		}
	}
	for _, b := range inv.RoleBindings {
		if e, ok := opts.Expected[b.ID()]; ok {
			ns := b.Namespace
			if b.RoleRef.Kind == model.KindClusterRole {
				ns = ""
			}
			out[roleKey(b.RoleRef.Kind, ns, b.RoleRef.Name)] = fmt.Sprintf("%s %s is bound by the platform default %s (%s)", b.RoleRef.Kind, b.RoleRef.Name, b.ID(), e.Platform+" default")
		}
	}
	return out
}

func roleKey(kind, ns, name string) string { return kind + "/" + ns + "/" + name }

// bindingProtected says why a binding may not be edited ("" if it may).
func (p *planner) bindingProtected(b *model.Binding) string {
	if e, ok := p.opts.Expected[b.ID()]; ok {
		return b.ID() + " is a platform default (" + e.Platform + " default)"
	}
	if b.Annotations[AnnotationAutoupdate] == "true" {
		return b.ID() + " is reconciled by the apiserver (" + AnnotationAutoupdate + ")"
	}
	if len(p.allowed) > 0 && !p.allowed[b.ID()] {
		return b.ID() + " is not in the choke-point cut"
	}
	return ""
}

// best returns the edits with the least collateral that break one step of
// the path, or why no step can be broken.
func (p *planner) best(a *risk.Analysis, cur *model.Inventory, path risk.Path) ([]Edit, string) {
	var bestEdits []Edit
	bestCost := -1
	var reasons []string
	consider := func(edits []Edit) {
		w := newWorking(cur)
		for _, e := range edits {
			w.apply(e)
		}
		cost := len(Diff(cur, w.inventory(), p.opts.Groups))
		if bestCost < 0 || cost < bestCost {
			bestEdits, bestCost = edits, cost
		}
	}
	for _, s := range path.Steps {
		p.denySteps(a, cur, s, consider, &reasons)
		// After the step's grants: of equal cost, taking a request away
		// is kept.
		if edits, why := p.objectEdits(a, cur, s); edits != nil {
			consider(edits)
		} else if why != "" {
			reasons = append(reasons, fmt.Sprintf("%s: %s", s.Primitive, why))
		}
	}
	if bestEdits == nil {
		if len(reasons) == 0 {
			return nil, "no step of the path is granted by RBAC (group membership, a node's own credentials or system:masters)"
		}
		return nil, "cannot be closed without touching a platform default: " + strings.Join(dedupe(reasons), "; ")
	}
	return bestEdits, ""
}

// denySteps considers, for each request the step makes, the edits that
// take it from the step's holder, and records why where there are none.
func (p *planner) denySteps(a *risk.Analysis, cur *model.Inventory, s risk.Step, consider func([]Edit), reasons *[]string) {
	from := a.Graph.Node(s.From)
	if from == nil || len(s.Requires) == 0 {
		return
	}
	sub, ok := subjectOf(from)
	if !ok {
		return
	}
	id := identityOf(sub, p.opts.Groups)
	for _, q := range s.Requires {
		edits, why := p.denyEdits(a, cur, id, q)
		if edits == nil {
			*reasons = append(*reasons, fmt.Sprintf("%s (%s): %s", q, s.Primitive, why))
			continue
		}
		consider(edits)
	}
}

// denyEdits are the edits that take request q from identity id: one per
// grant, each the less disruptive of removing the subject from the binding
// and narrowing the rule.
func (p *planner) denyEdits(a *risk.Analysis, cur *model.Inventory, id rbac.Identity, q rbac.Request) ([]Edit, string) {
	var edits []Edit
	for _, sg := range a.Eval.WhoCan(q) {
		if !sg.Subject.Matches(id) {
			continue
		}
		for _, g := range sg.Grants {
			if g.Superuser {
				return nil, "Group system:masters bypasses RBAC"
			}
			if why := p.bindingProtected(g.Binding); why != "" {
				return nil, why
			}
			options := []Edit{{Kind: EditRemoveSubject, Binding: g.Binding.ID(), Subject: g.Subject()}}
			if rs, why := p.ruleEdits(a, g, q); why == "" {
				options = append(options, rs...)
			}
			edits = append(edits, cheapest(cur, options, p.opts.Groups))
		}
	}
	if len(edits) == 0 {
		return nil, "not granted by a binding"
	}
	return edits, ""
}

// cheapest picks the option with the smallest RBAC diff; ties go to the
// first (removing the subject).
func cheapest(cur *model.Inventory, options []Edit, groups map[string][]string) Edit {
	if len(options) == 1 {
		return options[0]
	}
	// A rule edit is one option made of several edits (aggregated sources);
	// they are tried together.
	type option struct {
		edits []Edit
	}
	var opts []option
	opts = append(opts, option{edits: []Edit{options[0]}})
	if len(options) > 1 {
		opts = append(opts, option{edits: options[1:]})
	}
	best, bestCost := 0, -1
	for i, o := range opts {
		w := newWorking(cur)
		for _, e := range o.edits {
			w.apply(e)
		}
		cost := len(Diff(cur, w.inventory(), groups))
		if bestCost < 0 || cost < bestCost {
			best, bestCost = i, cost
		}
	}
	if best == 0 {
		return options[0]
	}
	return Edit{Kind: EditGroup, Group: options[1:]}
}

// ruleEdits narrow the rule behind a grant; for an aggregated ClusterRole,
// whose rules the controller rewrites, the rule is narrowed in every
// ClusterRole it is aggregated from.
func (p *planner) ruleEdits(a *risk.Analysis, g rbac.Grant, q rbac.Request) ([]Edit, string) {
	ns := ""
	if g.RoleKind() == model.KindRole {
		ns = g.Binding.Namespace
	}
	if g.RoleKind() == model.KindClusterRole {
		if cr := clusterRole(a.Inv, g.RoleName()); cr != nil && cr.AggregationRule != nil {
			var out []Edit
			for _, src := range aggregatedSources(a.Inv, cr, g.PolicyRule()) {
				if why := p.protectedRoles[roleKey(model.KindClusterRole, "", src.Name)]; why != "" {
					return nil, why
				}
				for i := range src.Rules {
					if rbac.RuleAllows(q, &src.Rules[i]) && equalRule(src.Rules[i], g.PolicyRule()) {
						out = append(out, Edit{Kind: EditNarrowRule, RoleKind: model.KindClusterRole, RoleName: src.Name, Rule: src.Rules[i], Request: q})
					}
				}
			}
			if len(out) == 0 {
				return nil, "aggregated ClusterRole " + cr.Name + ": no source role holds the rule"
			}
			return out, ""
		}
	}
	if why := p.protectedRoles[roleKey(g.RoleKind(), ns, g.RoleName())]; why != "" {
		return nil, why
	}
	return []Edit{{Kind: EditNarrowRule, RoleKind: g.RoleKind(), RoleNamespace: ns, RoleName: g.RoleName(), Rule: g.PolicyRule(), Request: q}}, ""
}

func subjectOf(n *graph.Node) (rbac.Subject, bool) {
	switch n.Kind {
	case graph.KindUser:
		return rbac.Subject{Kind: rbacv1.UserKind, Name: n.Name}, true
	case graph.KindGroup:
		return rbac.Subject{Kind: rbacv1.GroupKind, Name: n.Name}, true
	case graph.KindServiceAccount:
		return rbac.Subject{Kind: rbacv1.ServiceAccountKind, Namespace: n.Namespace, Name: n.Name}, true
	case graph.KindNode:
		return rbac.Subject{Kind: rbacv1.UserKind, Name: rbac.NodeUserPrefix + n.Name}, true
	}
	return rbac.Subject{}, false
}

// identityOf is who a subject authenticates as; a group is any member.
func identityOf(s rbac.Subject, groups map[string][]string) rbac.Identity {
	if s.Kind == rbacv1.GroupKind {
		return rbac.Identity{Groups: []string{s.Name}}
	}
	return rbac.IdentityOf(s, groups[s.Name]...)
}

func dedupe(s []string) []string {
	sort.Strings(s)
	return slices.Compact(s)
}
