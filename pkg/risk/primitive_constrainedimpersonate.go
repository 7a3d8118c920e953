package risk

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	rbacv1 "k8s.io/api/rbac/v1"

	"github.com/auth-paths/kubectl-auth-paths/graph"
	"github.com/auth-paths/kubectl-auth-paths/pkg/rbac"
)

// constrainedImpersonate: constrained impersonation (KEP-5284,
// k8s.io/apiserver/pkg/endpoints/filters/impersonation, mode.go). A request
// with Impersonate-* headers is made as the impersonated identity when, for
// one mode, the requester may `impersonate:<mode>` the identity AND may
// `impersonate-on:<mode>:<verb>` on the request itself (same API group,
// resource, subresource, namespace and name; the path for non-resource
// URLs). The requester thus holds, per mode, the identity's permissions cut
// down to its impersonate-on rules: the step ends at a scope holding exactly
// that intersection (ImpersonatedScope), from which every other primitive
// runs. Modes, as the filter tries them before legacy impersonation:
//
//   - associated-node: a ServiceAccount with a pod-bound token (it names the
//     pod's node) as that node, system:node:NAME in group system:nodes;
//     impersonate:associated-node on nodes is asked with name "*".
//   - arbitrary-node: any node, impersonate:arbitrary-node on nodes NAME.
//   - serviceaccount: impersonate:serviceaccount on serviceaccounts NAME in
//     the ServiceAccount's namespace.
//   - user-info: any other user name (impersonate:user-info on users NAME)
//     with groups (on groups NAME; system:masters is always refused) and
//     extras (on userextras, which RBAC never reads).
//
// Every impersonate:<mode> check is in API group authentication.k8s.io, not
// the core group of legacy impersonation. impersonate-on verbs match exactly:
// `impersonate-on:user-info:*` allows only a request whose verb is "*",
// which no request has; the verb "*" allows every mode and verb.
type constrainedImpersonate struct{}

func init() { register(constrainedImpersonate{}) }

const authnGroup = "authentication.k8s.io"

// The modes of constrained impersonation.
const (
	modeAssociatedNode = "associated-node"
	modeArbitraryNode  = "arbitrary-node"
	modeServiceAccount = "serviceaccount"
	modeUserInfo       = "user-info"
)

func (constrainedImpersonate) ID() string { return "constrained-impersonate" }
func (constrainedImpersonate) Summary() string {
	return "impersonate:<mode> an identity + impersonate-on:<mode>:<verb> → its permissions for those requests only (KEP-5284, on by default from v1.36)"
}
func (constrainedImpersonate) Color() string        { return "#be185d" }
func (constrainedImpersonate) Techniques() []string { return []string{"T1078"} }

var constrainedProbes = []reqShape{
	{verbs: []string{"impersonate:" + modeUserInfo}, group: authnGroup, resource: "users"},
	{verbs: []string{"impersonate:" + modeServiceAccount}, group: authnGroup, resource: "serviceaccounts"},
	{verbs: []string{"impersonate:" + modeArbitraryNode, "impersonate:" + modeAssociatedNode}, group: authnGroup, resource: "nodes"},
}

func (constrainedImpersonate) Evaluate(a *Analysis, p *Principal) []Candidate {
	if p.Acting != nil {
		return nil // the filter authorizes the requester, not whom it impersonates
	}
	if all, nss := reach(p, constrainedProbes...); !all && len(nss) == 0 {
		return misgroupedImpersonation(a, p)
	}
	if legacyImpersonatesAnyone(p) {
		return nil
	}
	var targets []impersonationTarget
	targets = append(targets, a.associatedNodeTargets(p)...)
	targets = append(targets, a.arbitraryNodeTargets(p)...)
	targets = append(targets, a.serviceAccountTargets(p)...)
	targets = append(targets, a.userInfoTargets(p)...)
	gate := constrainedImpersonationGate(a.Opts.KubernetesVersion)
	var out []Candidate
	for _, t := range targets {
		out = append(out, a.impersonateAs(p, t, gate)...)
	}
	return dedupeCandidates(out)
}

// misgroupedImpersonation: impersonate:<mode> verbs granted on other
// resources or outside API group authentication.k8s.io (most often the core
// group of legacy impersonation) are never asked; explain says so.
func misgroupedImpersonation(a *Analysis, p *Principal) []Candidate {
	var out []Candidate
	p.eachRuleWhere("verb impersonate:*", hasModeVerb, func(br *rbacBound) bool {
		for _, v := range br.Rule.Verbs {
			if !strings.HasPrefix(v, "impersonate:") || len(br.Rule.Resources) == 0 {
				continue
			}
			out = []Candidate{{Primitive: "constrained-impersonate", Hops: 1, Grants: []rbac.BoundRule{*br}, To: a.phantom("As:"+v, "impersonation by "+v),
				Why: fmt.Sprintf("holds %s on %s in API group(s) %q, which no check of constrained impersonation asks: it asks users, groups, serviceaccounts or nodes in %s only",
					v, strings.Join(br.Rule.Resources, ", "), br.Rule.APIGroups, authnGroup)}}
			return false
		}
		return true
	})
	return out
}

// hasModeVerb: the rule has a verb impersonate:MODE.
func hasModeVerb(br *rbacBound) bool {
	return slices.ContainsFunc(br.Rule.Verbs, func(v string) bool { return strings.HasPrefix(v, "impersonate:") })
}

// hasOnVerb: the rule has a verb impersonate-on:MODE:VERB, or every verb.
func hasOnVerb(br *rbacBound) bool {
	return slices.ContainsFunc(br.Rule.Verbs, func(v string) bool { return v == rbac.Wildcard || strings.HasPrefix(v, "impersonate-on:") })
}

// impersonationTarget is an identity the principal may impersonate in a mode.
type impersonationTarget struct {
	mode string
	who  string
	id   rbac.Identity
	// rules are the identity's effective rules: its own and its groups'.
	rules []rbac.BoundRule
	// grants are the impersonate:<mode> rules that allow it.
	grants []rbac.BoundRule
	// node is the kubelet whose tokens the Node authorizer lets the
	// identity request (node modes).
	node string
	// how says what the impersonation rests on besides the rules, if anything.
	how string
}

// impersonateAs is the step to the scope of the target's requests that the
// principal's impersonate-on rules allow, and for a node the tokens of the
// ServiceAccounts of its pods (the Node authorizer, which no RBAC rule shows).
func (a *Analysis) impersonateAs(p *Principal, t impersonationTarget, gate versionGate) []Candidate {
	how := fmt.Sprintf("impersonate %s (mode %s)", t.who, t.mode)
	if t.how != "" {
		how += " " + t.how
	}
	failed := func(grants []rbac.BoundRule, why string) Candidate {
		return Candidate{Primitive: "constrained-impersonate", Hops: 1, Grants: grants, To: a.phantom("As:"+t.mode+":"+t.who, t.who+" impersonated"), Why: why}
	}
	on, used := impersonateOnRules(p, t.mode)
	if len(on) == 0 {
		why := fmt.Sprintf("may %s, but holds no impersonate-on:%s:<verb> rule: the filter refuses every request made so", how, t.mode)
		if other := unusableOnVerbs(p, t.mode); len(other) > 0 {
			why += fmt.Sprintf(" (it holds %s: another mode's, or the verb \"*\", which no request has)", strings.Join(other, ", "))
		}
		return []Candidate{failed(t.grants, why)}
	}
	var out []Candidate
	if t.node != "" {
		out = append(out, a.nodeTokenSteps(p, t, how, gate)...)
	}
	requests := intersectBound(t.rules, on)
	if len(requests) == 0 {
		if len(out) > 0 {
			return out
		}
		return append(out, failed(t.grants, fmt.Sprintf("may %s, but no request its impersonate-on:%s rules allow is one %s may make", how, t.mode, t.who)))
	}
	gs := append(append([]rbac.BoundRule(nil), t.grants...), onGrants(t.rules, on, used, t.mode)...)
	cond := fmt.Sprintf("%s for the requests its impersonate-on:%s:<verb> rules allow: %s", how, t.mode, describeScopeRules(requests))
	if !gate.on {
		return append(out, failed(gs, cond+", but "+gate.note))
	}
	internal := append(internalRules(t.rules), a.coveredClusterRoles(t.rules, requests)...)
	scope := a.ImpersonatedScope(t.id, t.who, t.mode, requests, internal)
	return append(out, Candidate{Primitive: "constrained-impersonate", To: scope, Hops: 1, Holds: true, Grants: gs, Condition: gate.condition(cond)})
}

// impersonateOnRules returns the principal's rules that allow
// impersonate-on:<mode>:<verb>, each with the verbs it allows in that mode
// (a rule's "*" allows every verb), and the rules they came from.
func impersonateOnRules(p *Principal, mode string) (on, from []rbac.BoundRule) {
	prefix := "impersonate-on:" + mode + ":"
	p.eachRuleWhere("verb impersonate-on:* or *", hasOnVerb, func(b *rbacBound) bool {
		br := *b
		var verbs []string
		for _, v := range br.Rule.Verbs {
			if v == rbac.Wildcard {
				verbs = []string{rbac.Wildcard}
				break
			}
			if verb, ok := strings.CutPrefix(v, prefix); ok && verb != "" && verb != rbac.Wildcard {
				verbs = append(verbs, verb)
			}
		}
		if len(verbs) == 0 {
			return true
		}
		stripped, rule := br, *br.Rule
		rule.Verbs = verbs
		stripped.Rule = &rule
		on = append(on, stripped)
		from = append(from, br)
		return true
	})
	return on, from
}

// unusableOnVerbs are the principal's impersonate-on verbs that allow no
// request in the mode, sorted: other modes', and <mode>:* (verbs match
// exactly; a request's verb is never "*").
func unusableOnVerbs(p *Principal, mode string) []string {
	var out []string
	p.eachRuleWhere("verb impersonate-on:* or *", hasOnVerb, func(br *rbacBound) bool {
		for _, v := range br.Rule.Verbs {
			rest, ok := strings.CutPrefix(v, "impersonate-on:")
			if !ok {
				continue
			}
			if verb, same := strings.CutPrefix(rest, mode+":"); same && verb != "" && verb != rbac.Wildcard {
				continue
			}
			out = append(out, v)
		}
		return true
	})
	sort.Strings(out)
	return compactStrings(out)
}

// onGrants are the impersonate-on rules that let some of the target's
// requests through, each with one such request (for verify).
func onGrants(target, on, from []rbac.BoundRule, mode string) []rbac.BoundRule {
	var out []rbac.BoundRule
	for i, o := range on {
		shared := intersectBound([]rbac.BoundRule{o}, target)
		if len(shared) == 0 {
			continue
		}
		g := from[i]
		req := sampleRequest(shared[0], "impersonate-on:"+mode+":")
		g.Request = &req
		out = append(out, g)
	}
	return out
}

// sampleRequest is one request a rule allows (its first verb, group,
// resource, name; or its first URL), with the verb prefixed.
func sampleRequest(br rbac.BoundRule, verbPrefix string) rbac.Request {
	r := br.Rule
	req := rbac.Request{Verb: verbPrefix + r.Verbs[0], Namespace: br.Namespace}
	if len(r.Resources) == 0 {
		req.Path = r.NonResourceURLs[0]
		req.Namespace = ""
		return req
	}
	req.APIGroup = r.APIGroups[0]
	req.Resource, req.Subresource, _ = strings.Cut(r.Resources[0], "/")
	if len(r.ResourceNames) > 0 {
		req.Name = r.ResourceNames[0]
	}
	return req
}

// nodeTokenSteps: the Node authorizer lets a kubelet identity request
// tokens of the ServiceAccounts of pods bound to its node; impersonating the
// node, that request (create serviceaccounts/token) needs impersonate-on too.
func (a *Analysis) nodeTokenSteps(p *Principal, t impersonationTarget, how string, gate versionGate) []Candidate {
	var out []Candidate
	for _, pod := range a.podsByNode[t.node] {
		if pod.Spec.ServiceAccountName == "" {
			continue
		}
		on, ok := p.First(res("impersonate-on:"+t.mode+":create", "", "serviceaccounts", "token", pod.Namespace, pod.Spec.ServiceAccountName))
		if !ok {
			continue
		}
		gs := append(append([]rbac.BoundRule(nil), t.grants...), on)
		cond := fmt.Sprintf("%s to request a token of ServiceAccount %s of pod %s/%s on %s: the Node authorizer allows it",
			how, pod.Spec.ServiceAccountName, pod.Namespace, pod.Name, t.node)
		if !gate.on {
			out = append(out, Candidate{Primitive: "constrained-impersonate", Hops: 1, Grants: gs, To: a.phantom(saKey(pod.Namespace, pod.Spec.ServiceAccountName), "ServiceAccount "+pod.Namespace+"/"+pod.Spec.ServiceAccountName),
				Why: cond + ", but " + gate.note})
			continue
		}
		out = append(out, Candidate{Primitive: "constrained-impersonate", To: a.SANode(pod.Namespace, pod.Spec.ServiceAccountName), Hops: 1, Holds: true,
			Grants: gs, Condition: gate.condition(cond)})
	}
	return out
}

// userInfoTargets: users that are neither ServiceAccounts nor nodes, each
// with every group the principal may add (RBAC has no deny: more groups never
// allow less). Without such a user, a user name of its choosing carries the
// groups. A user that legacy impersonation already gives, with those groups,
// is left to the impersonate step.
func (a *Analysis) userInfoTargets(p *Principal) []impersonationTarget {
	if !reachClusterWide(p, constrainedProbes[0]) {
		return nil
	}
	verb := "impersonate:" + modeUserInfo
	var groups []string
	var groupGrants []rbac.BoundRule
	anyGroup, wildcardNamed := p.First(res(verb, authnGroup, "groups", "", "", rbac.Wildcard))
	groupNodes := a.identityLists().groups
	if names, all := allowedNames(p, res(verb, authnGroup, "groups", "", "", "")); !all && !wildcardNamed {
		groupNodes = namedNodes(groupNodes, groupKey, names)
	}
	for _, n := range groupNodes {
		if n.Name == rbac.GroupMasters || n.Name == rbac.GroupAuthenticated || n.Name == rbac.GroupUnauthenticated {
			continue
		}
		// Four groups or more are first asked as name "*" (mode.go); the
		// principal can always pad a request to four groups.
		g, ok := p.First(res(verb, authnGroup, "groups", "", "", n.Name))
		if !ok && wildcardNamed {
			g, ok = anyGroup, true
		}
		if ok && a.holdsRules(n) {
			groups = append(groups, n.Name)
			groupGrants = append(groupGrants, g)
		}
	}
	// Whether legacy impersonation gives every one of the groups is the same
	// for every user: asked once, not once per user.
	legacyGroups := legacyGivesGroups(p, groups)
	var out []impersonationTarget
	users := a.identityLists().users
	if names, all := allowedNames(p, res(verb, authnGroup, "users", "", "", "")); !all {
		users = namedNodes(users, userKey, names)
	}
	for _, n := range users {
		if n == p.Node {
			continue
		}
		if _, _, sa := rbac.SplitServiceAccountUser(n.Name); sa {
			continue
		}
		u, ok := p.First(res(verb, authnGroup, "users", "", "", n.Name))
		if !ok || (legacyGroups && legacyGivesUser(p, n.Name)) {
			continue
		}
		out = append(out, a.userInfoTarget(n.Name, groups, append([]rbac.BoundRule{u}, groupGrants...)))
	}
	if len(out) == 0 && len(groups) > 0 {
		if u, name, ok := userInfoCarrier(p); ok && (!legacyGroups || !legacyGivesUser(p, name)) {
			out = append(out, a.userInfoTarget(name, groups, append([]rbac.BoundRule{u}, groupGrants...)))
		}
	}
	return out
}

func (a *Analysis) userInfoTarget(user string, groups []string, grants []rbac.BoundRule) impersonationTarget {
	t := impersonationTarget{mode: modeUserInfo, who: "User " + user, grants: grants}
	if user == "" {
		t.who = "a user name of its choosing"
	}
	if len(groups) > 0 {
		t.who += " with groups " + strings.Join(groups, ", ")
	}
	// The filter adds system:authenticated (system:unauthenticated for
	// system:anonymous); groups an identity provider gives the user are not
	// sent, so they are not the impersonated user's.
	implicit := rbac.GroupAuthenticated
	if user == rbac.UserAnonymous {
		implicit = rbac.GroupUnauthenticated
	}
	t.id = rbac.Identity{User: user, Groups: append(append([]string(nil), groups...), implicit)}
	if user != "" {
		t.rules = a.Eval.RulesFor(rbac.Subject{Kind: rbacv1.UserKind, Name: user})
	}
	for _, g := range t.id.Groups {
		t.rules = append(t.rules, a.Eval.RulesFor(rbac.Subject{Kind: rbacv1.GroupKind, Name: g})...)
	}
	return t
}

// userInfoCarrier finds a user name the principal may impersonate in mode
// user-info: "" for a rule without resourceNames (a fresh name, bound to
// nothing), else a named user that is no ServiceAccount or node.
func userInfoCarrier(p *Principal) (carrier rbac.BoundRule, user string, ok bool) {
	p.eachApplicable("", func(b *rbacBound) bool {
		br := *b
		names := br.Rule.ResourceNames
		if len(names) == 0 {
			names = []string{""}
		}
		for _, name := range names {
			if name == "" && len(br.Rule.ResourceNames) > 0 {
				continue // a rule naming "": no user is named so
			}
			if _, _, sa := rbac.SplitServiceAccountUser(name); sa || strings.HasPrefix(name, rbac.NodeUserPrefix) {
				continue
			}
			req := res("impersonate:"+modeUserInfo, authnGroup, "users", "", "", name)
			if ruleAllows(br, req) {
				br.Request = &req
				carrier, user, ok = br, name, true
				return false
			}
		}
		return true
	})
	return carrier, user, ok
}

// legacyGives: legacy impersonation (verb impersonate, core group) of the
// user with those groups is allowed: the impersonate step already gives
// everything the user holds.
func legacyGives(p *Principal, user string, groups []string) bool {
	return legacyGivesUser(p, user) && legacyGivesGroups(p, groups)
}

// legacyImpersonatesAnyone: legacy impersonation of any user, any group and
// any ServiceAccount of any namespace. Every target of every mode would then
// be left to the impersonate step (legacyGives), so none is enumerated: a
// principal bound to "*" on "*" would otherwise visit every identity of the
// cluster in four modes.
func legacyImpersonatesAnyone(p *Principal) bool {
	for _, resource := range []string{"users", "groups", "serviceaccounts"} {
		if _, ok := p.FirstAnyName(res("impersonate", "", resource, "", "", "")); !ok {
			return false
		}
	}
	return true
}

// legacyGivesUser: legacy impersonation of the user (a ServiceAccount's
// user name is asked as serviceaccounts NAME in its namespace).
func legacyGivesUser(p *Principal, user string) bool {
	resource, ns, name := "users", "", user
	if sns, sname, ok := rbac.SplitServiceAccountUser(user); ok {
		resource, ns, name = "serviceaccounts", sns, sname
	}
	_, ok := p.First(res("impersonate", "", resource, "", ns, name))
	return ok
}

// legacyGivesGroups: legacy impersonation of every one of the groups.
func legacyGivesGroups(p *Principal, groups []string) bool {
	for _, g := range groups {
		if _, ok := p.First(res("impersonate", "", "groups", "", "", g)); !ok {
			return false
		}
	}
	return true
}

// serviceAccountTargets: ServiceAccounts, impersonate:serviceaccount on
// serviceaccounts NAME in their namespace (their groups are fixed).
func (a *Analysis) serviceAccountTargets(p *Principal) []impersonationTarget {
	var out []impersonationTarget
	for _, sa := range a.serviceAccountsFor(p, constrainedProbes[1]) {
		g, ok := p.First(res("impersonate:"+modeServiceAccount, authnGroup, "serviceaccounts", "", sa.Namespace, sa.Name))
		user := rbac.ServiceAccountUserPrefix + sa.Namespace + ":" + sa.Name
		if !ok || legacyGives(p, user, nil) {
			continue
		}
		n := a.SANode(sa.Namespace, sa.Name)
		if n == p.Node {
			continue
		}
		out = append(out, impersonationTarget{mode: modeServiceAccount, who: "ServiceAccount " + sa.Namespace + "/" + sa.Name,
			id:    rbac.IdentityOf(rbac.Subject{Kind: rbacv1.ServiceAccountKind, Namespace: sa.Namespace, Name: sa.Name}),
			rules: a.effectiveRules(a.ensurePrincipal(n)), grants: []rbac.BoundRule{g}})
	}
	return out
}

// arbitraryNodeTargets: every Node, impersonate:arbitrary-node on nodes NAME.
func (a *Analysis) arbitraryNodeTargets(p *Principal) []impersonationTarget {
	var out []impersonationTarget
	for _, n := range a.kubeletNodesIf(reachClusterWide(p, constrainedProbes[2])) {
		g, ok := p.First(res("impersonate:"+modeArbitraryNode, authnGroup, "nodes", "", "", n.Name))
		if ok {
			out = append(out, a.nodeTarget(p, modeArbitraryNode, n.Name, g)...)
		}
	}
	return out
}

// associatedNodeTargets: a ServiceAccount impersonates the node of a pod it
// runs as, with that pod's token: a pod-bound token names the pod's node
// (authentication.kubernetes.io/node-name), which the filter compares with
// the node asked for. impersonate:associated-node is asked with name "*".
func (a *Analysis) associatedNodeTargets(p *Principal) []impersonationTarget {
	if p.Node.Kind != graph.KindServiceAccount || !reachClusterWide(p, constrainedProbes[2]) {
		return nil
	}
	g, ok := p.First(res("impersonate:"+modeAssociatedNode, authnGroup, "nodes", "", "", rbac.Wildcard))
	if !ok {
		return nil
	}
	var out []impersonationTarget
	seen := map[string]bool{}
	for _, pod := range a.podsRunningAs(p.Node.Namespace, p.Node.Name) {
		node := pod.Spec.NodeName
		if node == "" || !podIsActive(pod) || seen[node] {
			continue
		}
		seen[node] = true
		for _, t := range a.nodeTarget(p, modeAssociatedNode, node, g) {
			t.how = fmt.Sprintf("with the token of its pod %s/%s there (a token bound to a pod names the pod's node)", pod.Namespace, pod.Name)
			out = append(out, t)
		}
	}
	return out
}

// nodeTarget is node NAME's API identity: user system:node:NAME in group
// system:nodes, the only groups the node modes give.
func (a *Analysis) nodeTarget(p *Principal, mode, name string, g rbac.BoundRule) []impersonationTarget {
	user := rbac.NodeUserPrefix + name
	if legacyGives(p, user, []string{rbac.GroupNodes}) {
		return nil
	}
	id := rbac.Identity{User: user, Groups: []string{rbac.GroupNodes, rbac.GroupAuthenticated}}
	rules := a.Eval.RulesFor(rbac.Subject{Kind: rbacv1.UserKind, Name: user})
	for _, grp := range id.Groups {
		rules = append(rules, a.Eval.RulesFor(rbac.Subject{Kind: rbacv1.GroupKind, Name: grp})...)
	}
	return []impersonationTarget{{mode: mode, who: "Node " + name, id: id, rules: rules, grants: []rbac.BoundRule{g}, node: name}}
}

// versionGate is the ConstrainedImpersonation feature gate
// (k8s.io/apiserver/pkg/features) at the cluster's version: alpha and off in
// v1.35, beta and on from v1.36; before v1.35 the verbs mean nothing. An
// unknown version is taken as a current one, and the step says so.
type versionGate struct {
	on   bool
	note string
}

func constrainedImpersonationGate(version string) versionGate {
	minor, known := parseMinor(version)
	switch {
	case !known:
		return versionGate{on: true, note: "cluster version unknown (give --kubernetes-version): assumed v1.36 or later, where ConstrainedImpersonation is on by default"}
	case minor >= 36:
		return versionGate{on: true}
	case minor == 35:
		return versionGate{note: "cluster v1.35: the ConstrainedImpersonation feature gate is alpha and off by default (on from v1.36); a cluster that turns it on allows this step"}
	}
	return versionGate{note: fmt.Sprintf("cluster v1.%d has no constrained impersonation (it arrived as alpha in v1.35)", minor)}
}

// condition adds the gate's note, if any, to a step that holds.
func (g versionGate) condition(cond string) string {
	if g.note == "" {
		return cond
	}
	return cond + "; " + g.note
}
