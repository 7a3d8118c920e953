package rbac

import (
	"fmt"
	"sort"
	"strconv"
	"sync"

	rbacv1 "k8s.io/api/rbac/v1"

	"github.com/auth-paths/kubectl-auth-paths/pkg/model"
)

// Grant is one reason a subject may make a request: a binding, its role and
// the rule that matched.
//
// A grant is copied into every bound rule of every subject of its binding,
// and into each principal's rules with its groups' (millions of copies when
// edit aggregates hundreds of operators' rules and is bound in every
// namespace): it holds pointers to what it names, the subject one shared
// by every grant to that subject (so that grants compare as before).
type Grant struct {
	Binding *model.Binding
	// Rule is the matching rule, shared with the role it is of (never
	// changed).
	Rule    *rbacv1.PolicyRule
	subject *Subject
	// RuleIndex is the index of the matching rule in the role (after aggregation).
	RuleIndex int32
	// Superuser is set for the system:masters group, which bypasses RBAC.
	Superuser bool
}

// Subject is who the grant's binding names (the zero subject for a grant
// of no binding).
func (g Grant) Subject() Subject {
	if g.subject == nil {
		return Subject{}
	}
	return *g.subject
}

// WithSubject returns the grant to s.
func (g Grant) WithSubject(s Subject) Grant {
	g.subject = internSubject(s)
	return g
}

// subjects holds one copy of each subject grants name, so that grants to
// one subject hold the same pointer and compare equal. It only grows, by
// the subjects of the inputs analysed (a few hundred thousand at most).
var subjects sync.Map // Subject → *Subject

func internSubject(s Subject) *Subject {
	if p, ok := subjects.Load(s); ok {
		return p.(*Subject)
	}
	p, _ := subjects.LoadOrStore(s, &s)
	return p.(*Subject)
}

// RoleKind returns the kind of the binding's roleRef ("" for a grant of
// no binding). Read from the binding, not kept: a grant is copied into
// every bound rule of every subject of its binding.
func (g Grant) RoleKind() string {
	if g.Binding == nil {
		return ""
	}
	return g.Binding.RoleRef.Kind
}

// RoleName returns the name of the binding's roleRef ("" for a grant of no binding).
func (g Grant) RoleName() string {
	if g.Binding == nil {
		return ""
	}
	return g.Binding.RoleRef.Name
}

// PolicyRule returns the grant's rule: the zero rule for a grant of none
// (the superuser group, a step held by an earlier one).
func (g Grant) PolicyRule() rbacv1.PolicyRule {
	if g.Rule == nil {
		return rbacv1.PolicyRule{}
	}
	return *g.Rule
}

// String is the provenance in the spirit of the apiserver's wording:
// `ClusterRoleBinding "x" of ClusterRole "y" to Group "z"`.
func (g Grant) String() string {
	if g.Superuser {
		return fmt.Sprintf("Group %q is the superuser group: it bypasses RBAC authorization", GroupMasters)
	}
	if g.Binding == nil {
		return "held by an earlier step of the path"
	}
	if r := g.Binding.Review; r != nil {
		return reviewGrantString(r, g)
	}
	name := g.Binding.Name
	if g.Binding.Kind == model.KindRoleBinding {
		name = g.Binding.Namespace + "/" + g.Binding.Name
	}
	// Concatenated, not formatted: a large cluster's analysis renders
	// hundreds of thousands of grants (strconv.Quote is what %q does).
	return g.Binding.Kind + " " + strconv.Quote(name) + " of " + g.RoleKind() + " " + strconv.Quote(g.RoleName()) +
		" rules[" + strconv.Itoa(int(g.RuleIndex)) + "] to " + g.Subject().Describe()
}

// SubjectGrants is a subject with every grant that allows a request.
type SubjectGrants struct {
	Subject Subject
	Grants  []Grant
}

// boundRules is a binding with its resolved rules.
type boundRules struct {
	binding  *model.Binding
	subjects []Subject
	// grantees are the subjects as grants name them (internSubject).
	grantees []*Subject
	rules    []rbacv1.PolicyRule
}

// Evaluator answers authorization questions over one Inventory.
type Evaluator struct {
	inv             *model.Inventory
	clusterRules    map[string][]rbacv1.PolicyRule // ClusterRole name → rules (aggregated)
	roleRules       map[string][]rbacv1.PolicyRule // "ns/name" → rules
	clusterBindings []boundRules
	nsBindings      map[string][]boundRules
	// warnings are the aggregation's, then one per binding to a missing role.
	warnings []string
	// missingRole are the bindings of those warnings (Without drops theirs).
	missingRole map[*model.Binding]string
	// shared are the indexes built on first use, shared with Without's views.
	shared *evalIndex
	// dropped are the bindings a view made by Without leaves out.
	dropped map[*model.Binding]bool
}

// evalIndex holds what an evaluator builds on first use (index.go).
type evalIndex struct {
	once      sync.Once
	bySubject map[Subject][]subjectRef
	// subjects are every subject of a binding, sorted (Subjects).
	subjectsOnce sync.Once
	subjects     []Subject
}

// NewEvaluator indexes the inventory's roles and bindings. Bindings whose
// role does not exist grant nothing; they are reported in Warnings.
func NewEvaluator(inv *model.Inventory) *Evaluator {
	e := &Evaluator{inv: inv, roleRules: map[string][]rbacv1.PolicyRule{}, nsBindings: map[string][]boundRules{}, shared: &evalIndex{}}
	e.clusterRules, e.warnings = Aggregate(inv.ClusterRoles)
	for _, r := range inv.Roles {
		e.roleRules[r.Namespace+"/"+r.Name] = r.Rules
	}
	for _, b := range inv.ClusterRoleBindings {
		if br, ok := e.resolve(b); ok {
			e.clusterBindings = append(e.clusterBindings, br)
		}
	}
	for _, b := range inv.RoleBindings {
		if br, ok := e.resolve(b); ok {
			e.nsBindings[b.Namespace] = append(e.nsBindings[b.Namespace], br)
		}
	}
	return e
}

func (e *Evaluator) resolve(b *model.Binding) (boundRules, bool) {
	var rules []rbacv1.PolicyRule
	var ok bool
	switch b.RoleRef.Kind {
	case model.KindClusterRole:
		rules, ok = e.clusterRules[b.RoleRef.Name]
	case model.KindRole:
		if b.Kind == model.KindRoleBinding {
			rules, ok = e.roleRules[b.Namespace+"/"+b.RoleRef.Name]
		}
	}
	if !ok {
		where := ""
		if b.RoleRef.Kind == model.KindRole {
			where = " in namespace " + b.Namespace
		}
		w := fmt.Sprintf("%s references %s %q%s, which does not exist: it grants nothing (it becomes live if someone creates that role)", describeBinding(b), b.RoleRef.Kind, b.RoleRef.Name, where)
		e.warnings = append(e.warnings, w)
		if e.missingRole == nil {
			e.missingRole = map[*model.Binding]string{}
		}
		e.missingRole[b] = w
		return boundRules{}, false
	}
	br := boundRules{binding: b, rules: rules}
	for _, s := range b.Subjects {
		c := CanonicalSubject(s, b.Namespace)
		br.subjects = append(br.subjects, c)
		br.grantees = append(br.grantees, internSubject(c))
	}
	return br, true
}

func describeBinding(b *model.Binding) string {
	if b.Kind == model.KindRoleBinding {
		return fmt.Sprintf("RoleBinding %q", b.Namespace+"/"+b.Name)
	}
	return fmt.Sprintf("ClusterRoleBinding %q", b.Name)
}

// DescribeBinding renders `RoleBinding "ns/name"` or `ClusterRoleBinding "name"`.
func DescribeBinding(b *model.Binding) string { return describeBinding(b) }

// Warnings are problems found while indexing (missing roles, aggregation).
func (e *Evaluator) Warnings() []string {
	if len(e.dropped) == 0 {
		return e.warnings
	}
	var out []string
	for _, w := range e.warnings {
		keep := true
		for b := range e.dropped {
			if e.missingRole[b] == w {
				keep = false
				break
			}
		}
		if keep {
			out = append(out, w)
		}
	}
	return out
}

// Without returns the evaluator of inv, which must be e's input without the
// dropped bindings: a view that shares e's roles, bindings and indexes and
// leaves the dropped bindings out of every answer, at the cost of the dropped
// bindings alone (the choke points' verification asks one per candidate).
func (e *Evaluator) Without(inv *model.Inventory, dropped []*model.Binding) *Evaluator {
	v := &Evaluator{inv: inv, clusterRules: e.clusterRules, roleRules: e.roleRules, clusterBindings: e.clusterBindings,
		nsBindings: e.nsBindings, warnings: e.warnings, missingRole: e.missingRole, shared: e.shared, dropped: map[*model.Binding]bool{}}
	for b := range e.dropped {
		v.dropped[b] = true
	}
	for _, b := range dropped {
		v.dropped[b] = true
	}
	return v
}

// Inventory returns the indexed inventory.
func (e *Evaluator) Inventory() *model.Inventory { return e.inv }

// ClusterRoleRules returns the (aggregated) rules of a ClusterRole.
func (e *Evaluator) ClusterRoleRules(name string) ([]rbacv1.PolicyRule, bool) {
	r, ok := e.clusterRules[name]
	return r, ok
}

// scope is the namespace whose RoleBindings apply: none for non-resource
// requests, which the apiserver never gives a namespace.
func (r Request) scope() string {
	if !r.IsResourceRequest() {
		return ""
	}
	return r.Namespace
}

// visit calls fn for every binding that applies to requests in namespace ns,
// in the authorizer's order: ClusterRoleBindings, then RoleBindings of ns.
func (e *Evaluator) visit(ns string, fn func(br *boundRules) bool) {
	for i := range e.clusterBindings {
		if e.dropped[e.clusterBindings[i].binding] {
			continue
		}
		if !fn(&e.clusterBindings[i]) {
			return
		}
	}
	if ns == "" {
		return
	}
	for i := range e.nsBindings[ns] {
		if e.dropped[e.nsBindings[ns][i].binding] {
			continue
		}
		if !fn(&e.nsBindings[ns][i]) {
			return
		}
	}
}

// WhoCan returns every subject that some binding grants the request to, with
// every grant, sorted by subject. The superuser group system:masters is always
// included: it bypasses RBAC.
func (e *Evaluator) WhoCan(req Request) []SubjectGrants {
	bySubject := map[Subject]*SubjectGrants{}
	masters := Subject{Kind: rbacv1.GroupKind, Name: GroupMasters}
	bySubject[masters] = &SubjectGrants{Subject: masters, Grants: []Grant{{subject: internSubject(masters), Superuser: true}}}
	e.visit(req.scope(), func(br *boundRules) bool {
		for i := range br.rules {
			if !RuleAllows(req, &br.rules[i]) {
				continue
			}
			for j, s := range br.subjects {
				sg := bySubject[s]
				if sg == nil {
					sg = &SubjectGrants{Subject: s}
					bySubject[s] = sg
				}
				sg.Grants = append(sg.Grants, Grant{Binding: br.binding, RuleIndex: int32(i), Rule: &br.rules[i], subject: br.grantees[j]})
			}
		}
		return true
	})
	out := make([]SubjectGrants, 0, len(bySubject))
	for _, sg := range bySubject {
		out = append(out, *sg)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Subject.Less(out[j].Subject) })
	return out
}

// Allows decides a request for an identity as the apiserver would with
// RBAC as its only authorizer (members of system:masters are always allowed).
// The reason names the first grant found, or is empty when denied.
func (e *Evaluator) Allows(id Identity, req Request) (bool, string) {
	for _, g := range id.Groups {
		if g == GroupMasters {
			return true, Grant{Superuser: true}.String()
		}
	}
	var reason string
	e.visit(req.scope(), func(br *boundRules) bool {
		var match *Subject
		for i := range br.subjects {
			if br.subjects[i].Matches(id) {
				match = br.grantees[i]
				break
			}
		}
		if match == nil {
			return true
		}
		for i := range br.rules {
			if RuleAllows(req, &br.rules[i]) {
				reason = Grant{Binding: br.binding, RuleIndex: int32(i), subject: match}.String()
				return false
			}
		}
		return true
	})
	return reason != "", reason
}

// BoundRule is a rule an identity holds, with where it holds and why.
type BoundRule struct {
	Rule *rbacv1.PolicyRule
	// Namespace is empty for rules from ClusterRoleBindings (cluster-wide).
	Namespace string
	Grant     Grant
	// Request, when set, is the request this rule was found to allow (the
	// escalation analysis records it so a step can be re-checked live).
	Request *Request
}

// RulesFor returns every rule bound to the subject itself (not to its groups)
// or, for a Group subject, to that group. Callers combine subjects as they need.
func (e *Evaluator) RulesFor(s Subject) []BoundRule {
	n := e.CountRulesFor(s)
	if n == 0 {
		return nil
	}
	out := make([]BoundRule, 0, n)
	subject := internSubject(s)
	for _, ref := range e.subjectIndex()[s] {
		br := ref.br
		if e.dropped[br.binding] {
			continue
		}
		for i := range br.rules {
			out = append(out, BoundRule{Rule: &br.rules[i], Namespace: ref.ns, Grant: Grant{Binding: br.binding, RuleIndex: int32(i), Rule: &br.rules[i], subject: subject}})
		}
	}
	return out
}

// CountRulesFor returns len(RulesFor(s)) without making the rules.
func (e *Evaluator) CountRulesFor(s Subject) int {
	n := 0
	for _, ref := range e.subjectIndex()[s] {
		if !e.dropped[ref.br.binding] {
			n += len(ref.br.rules)
		}
	}
	return n
}

// GoneSubjects returns the subjects of the input's bindings that an
// evaluator without some bindings (Without) has no more: every binding
// naming them is dropped. Subjects is the input's less these.
func (e *Evaluator) GoneSubjects() map[Subject]bool {
	if len(e.dropped) == 0 {
		return nil
	}
	idx := e.subjectIndex()
	gone := map[Subject]bool{}
	for b := range e.dropped {
		for _, s := range b.Subjects {
			c := CanonicalSubject(s, b.Namespace)
			if gone[c] {
				continue
			}
			left := false
			for _, ref := range idx[c] {
				if !e.dropped[ref.br.binding] {
					left = true
					break
				}
			}
			if !left {
				gone[c] = true
			}
		}
	}
	return gone
}

// Subjects returns every canonical subject named in a binding whose role exists, sorted.
func (e *Evaluator) Subjects() []Subject {
	e.shared.subjectsOnce.Do(func() {
		idx := e.subjectIndex()
		out := make([]Subject, 0, len(idx))
		for s := range idx {
			out = append(out, s)
		}
		sort.Slice(out, func(i, j int) bool { return out[i].Less(out[j]) })
		e.shared.subjects = out
	})
	gone := e.GoneSubjects()
	if len(gone) == 0 {
		return e.shared.subjects
	}
	out := make([]Subject, 0, len(e.shared.subjects))
	for _, s := range e.shared.subjects {
		if !gone[s] {
			out = append(out, s)
		}
	}
	return out
}
