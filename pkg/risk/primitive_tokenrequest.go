package risk

import "fmt"

// tokenRequest: create serviceaccounts/token mints a token for that
// ServiceAccount (resourceNames limit which).
type tokenRequest struct{}

func init() { register(tokenRequest{}) }

func (tokenRequest) ID() string { return "token-request" }
func (tokenRequest) Summary() string {
	return "create serviceaccounts/token → a token of that ServiceAccount (TokenRequest API)"
}

func (tokenRequest) Evaluate(a *Analysis, p *Principal) []Candidate {
	var out []Candidate
	for _, ns := range p.Namespaces("create", "", "serviceaccounts", "token", a.namespaces) {
		for _, sa := range a.sasByNS[ns] {
			br, ok := p.First(res("create", "", "serviceaccounts", "token", ns, sa.Name))
			if !ok {
				continue
			}
			out = append(out, Candidate{Primitive: "token-request", To: a.SANode(ns, sa.Name), Hops: 1, Holds: true, Grants: grants(br),
				Condition: fmt.Sprintf("create serviceaccounts/token for ServiceAccount %s/%s, which exists", ns, sa.Name)})
		}
	}
	return out
}
