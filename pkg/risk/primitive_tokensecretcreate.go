package risk

import (
	"fmt"

	"github.com/auth-paths/kubectl-auth-paths/pkg/model"
)

// tokenSecretCreate: create a Secret of type service-account-token annotated
// with a ServiceAccount's name; the token controller fills in a token, which
// the creator reads back. Creating needs a rule without resourceNames (a
// create request has no name); reading back works with any get/list/watch
// rule (with resourceNames, the creator picks one of those names).
//
// Conditions read from the input: a ServiceAccount in the namespace (the
// tokens controller only fills Secrets whose annotated ServiceAccount exists;
// it still does so from v1.24, which only stopped creating such Secrets
// automatically).
type tokenSecretCreate struct{}

func init() { register(tokenSecretCreate{}) }

func (tokenSecretCreate) ID() string { return "token-secret-create" }
func (tokenSecretCreate) Summary() string {
	return "create + read secrets in a namespace → any ServiceAccount there, via a new token Secret the controller fills"
}
func (tokenSecretCreate) Color() string        { return "#a855f7" }
func (tokenSecretCreate) Techniques() []string { return []string{"T1528", "T1098"} }

func (tokenSecretCreate) Evaluate(a *Analysis, p *Principal) []Candidate {
	var out []Candidate
	for _, ns := range p.Namespaces("create", "", "secrets", "", a.namespaces) {
		create, ok := p.First(res("create", "", "secrets", "", ns, ""))
		if !ok {
			// Only rules with resourceNames: a create request carries no
			// name, so the authorizer never matches them.
			if br, ok := readSomeSecret(p, ns, "create"); ok {
				out = append(out, Candidate{Primitive: "token-secret-create", Hops: 1, Grants: grants(br), To: a.phantom("Namespace:"+ns, "namespace "+ns),
					Why: fmt.Sprintf("may create secrets in %s only with resourceNames %v, which never match a create (it has no name yet)", ns, br.Rule.ResourceNames)})
			}
			continue
		}
		read, ok := readAnyChosenName(p, ns)
		if !ok {
			out = append(out, Candidate{Primitive: "token-secret-create", Hops: 1, Grants: grants(create), To: a.phantom("Namespace:"+ns, "namespace "+ns),
				Why: fmt.Sprintf("can create secrets in %s, but cannot get, list or watch them to read the token back", ns)})
			continue
		}
		if len(a.sasByNS[ns]) == 0 {
			out = append(out, Candidate{Primitive: "token-secret-create", Hops: 1, Grants: grants(create, read), To: a.phantom("Namespace:"+ns, "namespace "+ns),
				Why: fmt.Sprintf("can create and read secrets in %s, but no ServiceAccount there is in the input", ns)})
			continue
		}
		for _, sa := range a.sasByNS[ns] {
			out = append(out, Candidate{Primitive: "token-secret-create", To: a.SANode(ns, sa.Name), Hops: 1, Holds: true, Grants: grants(create, read),
				Condition: fmt.Sprintf("create a %s Secret for ServiceAccount %s/%s and read the token the controller puts in it", model.SecretTypeServiceAccountToken, ns, sa.Name)})
		}
	}
	return out
}

// readAnyChosenName finds a rule that lets the principal read a Secret whose
// name it chooses: any get/list/watch rule on secrets in ns.
func readAnyChosenName(p *Principal, ns string) (rbacBound, bool) {
	for i := range p.Rules {
		br := p.Rules[i]
		if br.Namespace != "" && br.Namespace != ns {
			continue
		}
		for _, v := range readVerbs {
			name := ""
			if len(br.Rule.ResourceNames) > 0 {
				name = br.Rule.ResourceNames[0]
			}
			if ruleAllows(br, res(v, "", "secrets", "", ns, name)) {
				return br, true
			}
		}
	}
	return rbacBound{}, false
}
