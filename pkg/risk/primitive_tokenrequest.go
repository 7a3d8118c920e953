package risk

import "fmt"

// tokenRequest: create serviceaccounts/token mints a token for that
// ServiceAccount (TokenRequest API; resourceNames limit which).
//
// Conditions read from the input: the ServiceAccount exists (the apiserver
// answers 404 otherwise). Nothing else is checked upstream: the
// ServiceAccount's automountServiceAccountToken and its Secrets do not
// matter, and a token bound to nothing (no boundObjectRef) is valid for its
// whole expirationSeconds.
type tokenRequest struct{}

func init() { register(tokenRequest{}) }

func (tokenRequest) ID() string { return "token-request" }
func (tokenRequest) Summary() string {
	return "create serviceaccounts/token → a token of that ServiceAccount (TokenRequest API)"
}
func (tokenRequest) Color() string        { return "#9333ea" }
func (tokenRequest) Techniques() []string { return []string{"T1528"} }

var tokenRequestProbes = []reqShape{{verbs: []string{"create"}, resource: "serviceaccounts", subresource: "token"}}

func (tokenRequest) Evaluate(a *Analysis, p *Principal) []Candidate {
	var out []Candidate
	// Tokens of every namespace's ServiceAccounts (a rule bound
	// cluster-wide): one step into their scope, and none per namespace where
	// that rule is the one that allows it.
	everywhere := false
	if br, ok := p.FirstAnyName(res("create", "", "serviceaccounts", "token", allNamespaces, "")); ok {
		if scope := a.anySAScope(allNamespaces); scope != nil {
			out = append(out, Candidate{Primitive: "token-request", To: scope, Hops: 1, Holds: true, Grants: grants(br),
				Condition: "create serviceaccounts/token for any ServiceAccount of any namespace"})
			everywhere = true
		}
	}
	// Rules bound cluster-wide that name ServiceAccounts: one step into the
	// scope of those names in every namespace (namedscope.go).
	named := clusterWideNamed(p, res("create", "", "serviceaccounts", "token", allNamespaces, ""))
	for _, nr := range named {
		if scope := a.namedSAScope(nr.names); scope != nil {
			out = append(out, Candidate{Primitive: "token-request", To: scope, Hops: 1, Holds: true, Grants: grants(nr.br),
				Condition: "create serviceaccounts/token for the ServiceAccounts named " + describeNames(nr.names) + " of any namespace"})
		}
	}
	namespaces := p.Namespaces("create", "", "serviceaccounts", "token", a.namespaces)
	if (everywhere || len(named) > 0) && !a.keeps(p) {
		// Where only its cluster-wide rules apply, the steps above have every
		// ServiceAccount they allow; a namespace without one only has
		// explain's reason.
		namespaces = a.ownNamespaces(p, tokenRequestProbes...)
	}
	for _, ns := range namespaces {
		if br, ok := p.FirstAnyName(res("create", "", "serviceaccounts", "token", ns, "")); ok {
			if everywhere && br.Namespace == "" && len(a.sasByNS[ns]) > 0 {
				continue
			}
			// Any name: every ServiceAccount of ns, through the shared scope.
			if scope := a.anySAScope(ns); scope != nil {
				out = append(out, Candidate{Primitive: "token-request", To: scope, Hops: 1, Holds: true, Grants: grants(br),
					Condition: fmt.Sprintf("create serviceaccounts/token for any ServiceAccount of %s", ns)})
				continue
			}
		}
		found := false
		// Those its rules could allow by name (every one for any name).
		for _, sa := range a.selectServiceAccounts(p, false, map[string]bool{ns: true}, nil, tokenRequestProbes) {
			br, ok := p.First(res("create", "", "serviceaccounts", "token", ns, sa.Name))
			if !ok {
				continue
			}
			found = true
			if foldedByName(br) {
				continue // the named scope's step
			}
			out = append(out, Candidate{Primitive: "token-request", To: a.SANode(ns, sa.Name), Hops: 1, Holds: true, Grants: grants(br),
				Condition: fmt.Sprintf("create serviceaccounts/token for ServiceAccount %s/%s, which exists", ns, sa.Name)})
		}
		if found {
			continue
		}
		// Explain: the rule names ServiceAccounts that are not in the input.
		p.eachApplicable(ns, func(br *rbacBound) bool {
			name := ""
			if len(br.Rule.ResourceNames) > 0 {
				name = br.Rule.ResourceNames[0]
			}
			if !ruleAllows(*br, res("create", "", "serviceaccounts", "token", ns, name)) {
				return true
			}
			why := fmt.Sprintf("can create serviceaccounts/token in %s, but no ServiceAccount is there in the input", ns)
			if name != "" {
				why = fmt.Sprintf("can create serviceaccounts/token in %s only for %v, and no such ServiceAccount exists there", ns, br.Rule.ResourceNames)
			}
			out = append(out, Candidate{Primitive: "token-request", Hops: 1, Grants: grants(*br), To: a.phantom("Namespace:"+ns, "namespace "+ns), Why: why})
			return false
		})
	}
	return out
}
