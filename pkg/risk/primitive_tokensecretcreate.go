package risk

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/auth-paths/kubectl-auth-paths/pkg/model"
	"github.com/auth-paths/kubectl-auth-paths/pkg/rbac"
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
	// Create and read any Secret of every namespace (rules bound
	// cluster-wide, read without resourceNames): one step into the scope of
	// every ServiceAccount; a namespace whose first rules are those is left
	// to it.
	everywhere := false
	if create, ok := p.First(res("create", "", "secrets", "", allNamespaces, "")); ok {
		if read, names, ok := readableSecretNames(p, allNamespaces); ok && names == nil {
			if scope := a.anySAScope(allNamespaces); scope != nil {
				out = append(out, Candidate{Primitive: "token-secret-create", To: scope, Hops: 1, Holds: true, Grants: grants(create, read),
					Condition: fmt.Sprintf("create a %s Secret for any ServiceAccount of any namespace and read the token the controller puts in it", model.SecretTypeServiceAccountToken)})
				everywhere = true
			}
		}
	}
	namespaces := p.Namespaces("create", "", "secrets", "", a.namespaces)
	if everywhere && !a.keeps(p) {
		// Where no rule of the namespace's own applies, the step into every
		// namespace's scope has it all; the rest would be failed steps.
		namespaces = a.ownNamespaces(p, tokenSecretProbes...)
	}
	for _, ns := range namespaces {
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
		read, names, ok := readableSecretNames(p, ns)
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
		if everywhere && create.Namespace == "" && read.Namespace == "" && names == nil {
			continue // the step into every namespace's scope has these ServiceAccounts
		}
		how, gs, assumed, why := a.tokenSecretName(p, ns, names)
		if why != "" {
			out = append(out, Candidate{Primitive: "token-secret-create", Hops: 1, Grants: grants(create, read), To: a.phantom("Namespace:"+ns, "namespace "+ns),
				Why: fmt.Sprintf("can create secrets in %s, %s", ns, why)})
			continue
		}
		out = append(out, Candidate{Primitive: "token-secret-create", To: a.anySAScope(ns), Hops: 1, Holds: true, Assumed: assumed, Grants: append(grants(create, read), gs...),
			Condition: fmt.Sprintf(how, fmt.Sprintf("%s Secret%s for any ServiceAccount of %s", model.SecretTypeServiceAccountToken, namedPart(names), ns))})
	}
	return out
}

// readableSecretNames finds how the principal reads back a Secret it
// creates in ns: a get/list/watch rule without resourceNames (any name:
// names is nil), else the names its rules with resourceNames allow, sorted
// (the creator must give the Secret one of them).
func readableSecretNames(p *Principal, ns string) (rbacBound, []string, bool) {
	var first, anyName rbacBound
	var names []string
	found := false
	// The rules that apply in ns (bound there or cluster-wide), in order,
	// through the principal's index.
	p.eachApplicable(ns, func(br *rbacBound) bool {
		// The grant records the read it allows (verify asks it; heldBy reads
		// its namespace). A request is made on the heap only for a match.
		for _, v := range readVerbs {
			if rbac.RuleAllows(res(v, "", "secrets", "", ns, ""), br.Rule) {
				req := res(v, "", "secrets", "", ns, "")
				anyName, found = *br, true
				anyName.Request = &req
				return false
			}
			for _, n := range br.Rule.ResourceNames {
				if rbac.RuleAllows(res(v, "", "secrets", "", ns, n), br.Rule) && !slices.Contains(names, n) {
					if len(names) == 0 {
						req := res(v, "", "secrets", "", ns, n)
						first = *br
						first.Request = &req
					}
					names = append(names, n)
				}
			}
		}
		return true
	})
	if found {
		return anyName, nil, true
	}
	sort.Strings(names)
	return first, names, len(names) > 0
}

// tokenSecretProbes: creating a Secret and reading it back.
var tokenSecretProbes = []reqShape{{verbs: []string{"create"}, resource: "secrets"}, {verbs: readVerbs, resource: "secrets"}}

// tokenSecretName says how the token Secret gets one of the readable names:
// a format for the condition (%s is the Secret), the extra grants (delete)
// and, when no name can be used, why not. A name is taken when a Secret of
// that name is in the input: the create would fail with AlreadyExists (a
// Secret's type is immutable), unless the principal may delete it first.
// A name absent from the input is assumed free (assumed is then set): live
// loads and their dumps list only token and bootstrap-token Secrets.
func (a *Analysis) tokenSecretName(p *Principal, ns string, names []string) (how string, gs []rbacBound, assumed bool, why string) {
	const readBack = "create a %s and read the token the controller puts in it"
	if names == nil {
		return readBack, nil, false, ""
	}
	var taken []string
	for _, n := range names {
		if a.secretNamed(ns, n) != nil {
			taken = append(taken, ns+"/"+n)
			continue
		}
		return readBack + fmt.Sprintf(" (assumes the name is free: no Secret %s/%s is in the input, which may not hold Secrets of every type)", ns, n), nil, true, ""
	}
	for _, n := range names {
		if del, ok := p.First(res("delete", "", "secrets", "", ns, n)); ok {
			return fmt.Sprintf("delete Secret %s/%s, which holds the name, and ", ns, n) + readBack, []rbacBound{del}, false, ""
		}
	}
	return "", nil, false, fmt.Sprintf("but reads back only the Secrets named %s, and Secret %s already exists: a create of that name fails (AlreadyExists) and it may not delete it",
		strings.Join(names, ", "), strings.Join(taken, ", "))
}

// namedPart is " named X" (or " named one of X, Y") for a resourceNames-limited read.
func namedPart(names []string) string {
	switch len(names) {
	case 0:
		return ""
	case 1:
		return " named " + names[0]
	}
	return " named one of " + strings.Join(names, ", ")
}

// secretNamed is the Secret of any type named ns/name in the input, or nil.
func (a *Analysis) secretNamed(ns, name string) *model.Secret {
	a.secretsByName.once.Do(func() {
		a.secretsByName.m = make(map[string]*model.Secret, len(a.of.Secrets))
		for _, s := range a.of.Secrets {
			a.secretsByName.m[s.Namespace+"/"+s.Name] = s
		}
	})
	return a.secretsByName.m[ns+"/"+name]
}
