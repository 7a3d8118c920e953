package risk

import (
	"fmt"
	"slices"
	"strings"

	"github.com/auth-paths/kubectl-auth-paths/graph"
	"github.com/auth-paths/kubectl-auth-paths/pkg/rbac"
)

// impersonate: the impersonate verb on users, groups or serviceaccounts
// (resourceNames = names) lets a principal act as them. The apiserver refuses
// to impersonate groups without a user (Impersonate-User), so group
// impersonation needs some user or ServiceAccount impersonation too; any user
// plus group system:masters is cluster-admin. A user name
// system:serviceaccount:NS:NAME is checked as serviceaccounts NAME in NS, not
// as users (k8s.io/apiserver/pkg/endpoints/filters/impersonation.go).
type impersonate struct{}

func init() { register(impersonate{}) }

func (impersonate) ID() string { return "impersonate" }
func (impersonate) Summary() string {
	return "impersonate users, groups or serviceaccounts → act as them (any user + system:masters → cluster-admin)"
}
func (impersonate) Color() string        { return "#db2777" }
func (impersonate) Techniques() []string { return []string{"T1078"} }

func (impersonate) Evaluate(a *Analysis, p *Principal) []Candidate {
	if p.Acting != nil {
		return nil // the filter authorizes the requester, not whom it impersonates
	}
	var out []Candidate
	// The user names its rules allow, asked once for the users and the
	// nodes' kubelet users below.
	clusterWideUsers := reachClusterWide(p, impersonateUserProbes...)
	var userNames []string
	anyUserName := false
	if clusterWideUsers {
		userNames, anyUserName = allowedNames(p, res("impersonate", "", "users", "", "", ""))
	}
	// Any user (a rule without resourceNames): one step into the scope of
	// every user; else one step per user a rule names.
	if br, ok := p.FirstAnyName(res("impersonate", "", "users", "", "", "")); ok {
		if scope := a.anyUser(); scope != nil {
			out = append(out, Candidate{Primitive: "impersonate", To: scope, Hops: 1, Holds: true, Grants: grants(br),
				Condition: "impersonate any user (Impersonate-User header)"})
		}
	} else if clusterWideUsers {
		users := a.identityLists().users
		if !anyUserName {
			users = namedNodes(users, userKey, userNames)
		}
		for _, n := range users {
			if br, ok := p.First(res("impersonate", "", "users", "", "", n.Name)); ok {
				out = append(out, Candidate{Primitive: "impersonate", To: n, Hops: 1, Holds: true, Grants: grants(br),
					Condition: fmt.Sprintf("impersonate user %s (Impersonate-User header)", n.Name)})
			}
		}
	}
	out = append(out, a.impersonateGroups(p)...)
	// A kubelet's identity is user system:node:NAME in group system:nodes: the
	// Node authorizer ignores the user without the group. Impersonating it is
	// the node's API identity, not its disk.
	if clusterWideUsers {
		g, groupOK := p.First(res("impersonate", "", "groups", "", "", rbac.GroupNodes))
		if u, ok := p.FirstAnyName(res("impersonate", "", "users", "", "", "")); ok && groupOK {
			out = append(out, a.kubeletIdentityStep("impersonate", allNodes, fmt.Sprintf("impersonate user %s<any node> with group %s", rbac.NodeUserPrefix, rbac.GroupNodes), u, g))
		} else {
			for _, name := range a.kubeletUsersNamed(userNames, anyUserName) {
				user := rbac.NodeUserPrefix + name
				u, ok := p.First(res("impersonate", "", "users", "", "", user))
				if !ok {
					continue
				}
				if !groupOK {
					out = append(out, Candidate{Primitive: "impersonate", Hops: 1, Grants: grants(u), To: a.phantom(nodeKey(name)+" (API identity)", "kubelet identity of "+name),
						Why: fmt.Sprintf("can impersonate user %s, but not group %s: without it the Node authorizer grants that user nothing", user, rbac.GroupNodes)})
					continue
				}
				out = append(out, a.kubeletIdentityStep("impersonate", name, fmt.Sprintf("impersonate user %s with group %s", user, rbac.GroupNodes), u, g))
			}
		}
	}
	// Any ServiceAccount of a namespace, or of every namespace (rules
	// without resourceNames): one step into the scope of its ServiceAccounts
	// instead of one per ServiceAccount.
	anyIn := map[string]bool{}                   // namespace → reached through a scope
	all, nss := reach(p, impersonateSAProbes...) // the ServiceAccounts some rule could allow it on
	if br, ok := p.FirstAnyName(res("impersonate", "", "serviceaccounts", "", allNamespaces, "")); ok {
		if scope := a.anySAScope(allNamespaces); scope != nil {
			out = append(out, Candidate{Primitive: "impersonate", To: scope, Hops: 1, Holds: true, Grants: grants(br),
				Condition: "impersonate any ServiceAccount of any namespace"})
			anyIn[allNamespaces] = true
		}
		// Where only its cluster-wide rules apply, the one above gives every
		// ServiceAccount (or none has a step: no scope): only the
		// namespaces of its own rules may add steps.
		all, nss = false, namespacedReach(p, impersonateSAProbes...)
	}
	// Rules bound cluster-wide that name ServiceAccounts: one step into the
	// scope of those names in every namespace (namedscope.go).
	if named := clusterWideNamed(p, res("impersonate", "", "serviceaccounts", "", allNamespaces, "")); len(named) > 0 {
		for _, nr := range named {
			if scope := a.namedSAScope(nr.names); scope != nil {
				out = append(out, Candidate{Primitive: "impersonate", To: scope, Hops: 1, Holds: true, Grants: grants(nr.br),
					Condition: "impersonate the ServiceAccounts named " + describeNames(nr.names) + " of any namespace"})
			}
		}
		all, nss = false, namespacedReach(p, impersonateSAProbes...)
	}
	// Whether the principal impersonates every ServiceAccount of a
	// namespace, asked once per namespace: a step into their scope.
	nsStep := func(ns string) bool {
		scoped, seen := anyIn[ns]
		if !seen {
			if any, ok := p.FirstAnyName(res("impersonate", "", "serviceaccounts", "", ns, "")); ok {
				scoped = true
				if !anyIn[allNamespaces] || any.Namespace != "" {
					out = append(out, Candidate{Primitive: "impersonate", To: a.anySAScope(ns), Hops: 1, Holds: true, Grants: grants(any),
						Condition: "impersonate any ServiceAccount of " + ns})
				}
			}
			anyIn[ns] = scoped
		}
		return scoped
	}
	var scopedNS func(ns string) bool
	if !a.keeps(p) {
		// A namespace whose scope has every ServiceAccount's step is not
		// visited (a rule for any name allows each, so the step is the one
		// the first would have made).
		scopedNS = nsStep
	}
	for _, sa := range a.selectServiceAccounts(p, all, nss, scopedNS, impersonateSAProbes) {
		br, ok := p.First(res("impersonate", "", "serviceaccounts", "", sa.Namespace, sa.Name))
		if !ok {
			continue
		}
		if nsStep(sa.Namespace) || foldedByName(br) {
			continue // a scope's step
		}
		out = append(out, Candidate{Primitive: "impersonate", To: a.SANode(sa.Namespace, sa.Name), Hops: 1, Holds: true, Grants: grants(br),
			Condition: fmt.Sprintf("impersonate ServiceAccount %s/%s", sa.Namespace, sa.Name)})
	}
	return dedupeCandidates(out)
}

// impersonateGroups are the steps of impersonating groups with a carrier:
// system:masters is cluster-admin; any group (a rule without resourceNames)
// is one step into the scope of every group, else one step per group.
func (a *Analysis) impersonateGroups(p *Principal) []Candidate {
	carrier, carrierName := impersonationCarrier(p)
	type target struct {
		name string
		to   *graph.Node
	}
	targets := []target{{rbac.GroupMasters, a.Sink()}}
	if _, ok := p.FirstAnyName(res("impersonate", "", "groups", "", "", "")); ok {
		if scope := a.anyGroup(); scope != nil {
			targets = append(targets, target{"", scope})
		}
	} else if reachClusterWide(p, impersonateGroupProbes...) {
		groups := a.identityLists().groups
		if names, all := allowedNames(p, res("impersonate", "", "groups", "", "", "")); !all {
			groups = namedNodes(groups, groupKey, names)
		}
		for _, n := range groups {
			if n.Name != rbac.GroupMasters {
				targets = append(targets, target{n.Name, n})
			}
		}
	}
	var out []Candidate
	for _, t := range targets {
		first := p.First
		if t.name == "" {
			first = p.FirstAnyName // every group, not one named ""
		}
		br, ok := first(res("impersonate", "", "groups", "", "", t.name))
		if !ok {
			continue
		}
		what := "group " + t.name
		if t.name == "" {
			what = "any group"
		}
		if carrierName == "" {
			out = append(out, Candidate{Primitive: "impersonate", Hops: 1, Grants: grants(br), To: t.to,
				Why: fmt.Sprintf("can impersonate %s, but no user or ServiceAccount: the apiserver refuses Impersonate-Group without Impersonate-User", what)})
			continue
		}
		cond := fmt.Sprintf("impersonate %s with %s", carrierName, what)
		if t.name == rbac.GroupMasters {
			cond += ", the superuser group"
		}
		out = append(out, Candidate{Primitive: "impersonate", To: t.to, Hops: 1, Holds: true, Grants: grants(carrier, br), Condition: cond})
	}
	return out
}

// kubeletUsersNamed are the node names whose kubelet user
// (system:node:NAME) is one of the user names (allowedNames: every name when
// all), in a.nodeNames' order.
func (a *Analysis) kubeletUsersNamed(names []string, all bool) []string {
	if all {
		return a.nodeNames
	}
	var out []string
	for _, user := range names {
		if name, ok := strings.CutPrefix(user, rbac.NodeUserPrefix); ok {
			if _, found := slices.BinarySearch(a.nodeNames, name); found {
				out = append(out, name)
			}
		}
	}
	return out
}

// impersonationCarrier finds a user or ServiceAccount the principal may
// impersonate, whatever its name: a request impersonating groups must name one.
// Neither needs to exist: the filter only asks the authorizer.
func impersonationCarrier(p *Principal) (carrier rbacBound, who string) {
	p.eachRuleWhere("impersonate users or serviceaccounts", mayCarry, func(b *rbacBound) bool {
		carrier, who = carrierOf(*b)
		return who == ""
	})
	return carrier, who
}

// mayCarry: the rule may allow impersonating some user or ServiceAccount.
func mayCarry(br *rbacBound) bool {
	rule := *br.Rule
	rule.ResourceNames = nil
	return rulePasses(&rule, br.Namespace, impersonateCarrierProbes)
}

var impersonateCarrierProbes = []reqShape{{verbs: []string{"impersonate"}, resource: "users"}, {verbs: []string{"impersonate"}, resource: "serviceaccounts"}}

// carrierOf returns the rule and who it may impersonate as a carrier, or
// "" if nobody.
func carrierOf(br rbacBound) (rbacBound, string) {
	// A rule naming only "" carries nobody: the filter takes an empty
	// Impersonate-User as no user at all.
	name, named := "", len(br.Rule.ResourceNames) > 0
	if named {
		i := slices.IndexFunc(br.Rule.ResourceNames, func(n string) bool { return n != "" })
		if i < 0 {
			return rbacBound{}, ""
		}
		name = br.Rule.ResourceNames[i]
	}
	probe, rule := br, *br.Rule
	rule.ResourceNames = nil
	probe.Rule = &rule
	if br.Namespace == "" && ruleAllows(probe, res("impersonate", "", "users", "", "", "")) {
		if named {
			return br, "user " + name
		}
		return br, "any user"
	}
	if ruleAllows(probe, res("impersonate", "", "serviceaccounts", "", br.Namespace, "")) {
		where := "any ServiceAccount"
		if br.Namespace != "" {
			where = "any ServiceAccount of namespace " + br.Namespace
		}
		if named {
			where = "ServiceAccount " + name
			if br.Namespace != "" {
				where = "ServiceAccount " + br.Namespace + "/" + name
			}
		}
		return br, where
	}
	return rbacBound{}, ""
}
