package risk

import (
	"fmt"

	"github.com/auth-paths/kubectl-auth-paths/pkg/model"
)

// readSecrets: reading a legacy service-account-token Secret yields a token of
// its ServiceAccount. get, list and watch all return the value; a rule with
// resourceNames allows it for those Secrets (list/watch by metadata.name).
type readSecrets struct{}

func init() { register(readSecrets{}) }

func (readSecrets) ID() string { return "read-secrets" }
func (readSecrets) Summary() string {
	return "get/list/watch a service-account-token Secret → that ServiceAccount's token"
}

func (readSecrets) Evaluate(a *Analysis, p *Principal) []Candidate {
	// One step per token Secret: get is tried first, then list and watch
	// (a list or watch by metadata.name is authorized with the name).
	seen := map[string]bool{}
	var out []Candidate
	for _, verb := range readVerbs {
		for _, ns := range p.Namespaces(verb, "", "secrets", "", a.namespaces) {
			for _, c := range readSecretsIn(a, p, ns, verb) {
				k := c.To.Key + "\x00" + c.Why
				if seen[k] {
					continue
				}
				seen[k] = true
				out = append(out, c)
			}
		}
	}
	return out
}

func readSecretsIn(a *Analysis, p *Principal, ns, verb string) []Candidate {
	var out []Candidate
	found := false
	for _, s := range a.tokenSecrets[ns] {
		br, ok := p.First(res(verb, "", "secrets", "", ns, s.Name))
		if !ok {
			continue
		}
		found = true
		saName := s.Annotations[model.AnnotationServiceAccountName]
		c := Candidate{Primitive: "read-secrets", Hops: 1, Grants: grants(br)}
		if saName == "" || a.saByKey[ns+"/"+saName] == nil {
			c.To = a.phantom("ServiceAccount:"+ns+":"+nonEmpty(saName, "(unknown)"), "ServiceAccount "+ns+"/"+nonEmpty(saName, "(unknown)"))
			c.Why = fmt.Sprintf("Secret %s/%s is a service-account-token Secret but its ServiceAccount %q does not exist: the apiserver rejects its token", ns, s.Name, saName)
			out = append(out, c)
			continue
		}
		c.To = a.SANode(ns, saName)
		c.Holds = true
		c.Condition = fmt.Sprintf("%s secret %s/%s, a %s Secret of ServiceAccount %s", verb, ns, s.Name, model.SecretTypeServiceAccountToken, saName)
		out = append(out, c)
	}
	if !found && len(a.tokenSecrets[ns]) == 0 {
		if br, ok := p.First(res(verb, "", "secrets", "", ns, "")); ok {
			out = append(out, Candidate{Primitive: "read-secrets", Hops: 1, Grants: grants(br), To: a.phantom("Namespace:"+ns, "namespace "+ns),
				Why: fmt.Sprintf("can %s secrets in %s, but no %s Secret is there", verb, ns, model.SecretTypeServiceAccountToken)})
		}
	}
	return out
}
