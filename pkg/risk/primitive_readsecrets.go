package risk

import (
	"fmt"
	"strings"

	"github.com/auth-paths/kubectl-auth-paths/graph"

	"github.com/auth-paths/kubectl-auth-paths/pkg/model"
	"github.com/auth-paths/kubectl-auth-paths/pkg/rbac"
)

// readSecrets: reading a legacy service-account-token Secret yields a token of
// its ServiceAccount. get, list and watch all return the value; a rule with
// resourceNames allows it for those Secrets (list/watch by metadata.name).
//
// Conditions read from the input: a Secret of type
// kubernetes.io/service-account-token in the namespace, annotated with the
// name of a ServiceAccount that exists. The legacy token authenticator
// (pkg/serviceaccount/legacy.go) rejects a token whose Secret carries the
// kubernetes.io/legacy-token-invalid-since label (set by the
// LegacyServiceAccountTokenCleanUp controller) and a token whose
// ServiceAccount UID differs from the Secret's
// kubernetes.io/service-account.uid annotation (the ServiceAccount was
// re-created): such Secrets give nothing.
type readSecrets struct{}

func init() { register(readSecrets{}) }

func (readSecrets) ID() string { return "read-secrets" }
func (readSecrets) Summary() string {
	return "get/list/watch a service-account-token Secret → that ServiceAccount's token"
}
func (readSecrets) Color() string        { return "#7c3aed" }
func (readSecrets) Techniques() []string { return []string{"T1552.007", "T1528"} }

func (readSecrets) Evaluate(a *Analysis, p *Principal) []Candidate {
	// One step per token Secret: get is tried first, then list and watch
	// (a list or watch by metadata.name is authorized with the name).
	type seenKey struct{ to, why string }
	seen := map[seenKey]bool{}
	var out []Candidate
	// Any Secret of a namespace, or of every namespace (rules without
	// resourceNames): one step into the scope of its token Secrets instead
	// of one per Secret.
	everywhere, anyEverywhere := false, false
	for _, verb := range readVerbs {
		if br, ok := p.FirstAnyName(res(verb, "", "secrets", "", allNamespaces, "")); ok {
			anyEverywhere = true
			if scope := a.tokenSecretsScope(allNamespaces); scope != nil {
				out = append(out, Candidate{Primitive: "read-secrets", To: scope, Hops: 1, Holds: true, Grants: grants(br),
					Condition: fmt.Sprintf("%s any Secret of any namespace", verb)})
				everywhere = true
			}
			break
		}
	}
	// Rules bound cluster-wide that name Secrets: one step into the scope of
	// the token Secrets of those names in every namespace (namedscope.go).
	var reads []rbac.Request
	for _, verb := range readVerbs {
		reads = append(reads, res(verb, "", "secrets", "", allNamespaces, ""))
	}
	named := clusterWideNamed(p, reads...)
	for _, nr := range named {
		if scope := a.namedTokenSecretsScope(nr.names); scope != nil {
			out = append(out, Candidate{Primitive: "read-secrets", To: scope, Hops: 1, Holds: true, Grants: grants(nr.br),
				Condition: fmt.Sprintf("%s the Secrets named %s of any namespace", nr.br.Request.Verb, describeNames(nr.names))})
		}
	}
	anyIn := map[string]bool{}
	var only []string
	restrict := (anyEverywhere || len(named) > 0) && !a.keeps(p)
	if restrict {
		// Its cluster-wide rules have given their steps above (any Secret,
		// or the Secrets they name): where no rule of the namespace's own
		// applies, those steps are all there is (or nothing, when no token
		// Secret of the cluster is accepted: then none of a namespace is
		// either).
		only = a.ownNamespaces(p, readSecretProbes...)
	}
	for _, verb := range readVerbs {
		nss := only
		if !restrict {
			nss = p.Namespaces(verb, "", "secrets", "", a.namespaces)
		}
		for _, ns := range nss {
			if anyIn[ns] {
				continue
			}
			if br, ok := p.FirstAnyName(res(verb, "", "secrets", "", ns, "")); ok {
				anyIn[ns] = true
				if everywhere && br.Namespace == "" {
					continue
				}
				if scope := a.tokenSecretsScope(ns); scope != nil {
					out = append(out, Candidate{Primitive: "read-secrets", To: scope, Hops: 1, Holds: true, Grants: grants(br),
						Condition: fmt.Sprintf("%s any Secret of %s", verb, ns)})
					continue
				}
				if !a.keeps(p) {
					continue // no token there is accepted: only explain's reasons would follow
				}
			}
			for _, c := range readSecretsIn(a, p, ns, verb) {
				k := seenKey{c.To.Key, c.Why}
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

// Labels and annotations of legacy token Secrets.
const (
	labelLegacyTokenInvalidSince = "kubernetes.io/legacy-token-invalid-since"
	annotationServiceAccountUID  = "kubernetes.io/service-account.uid"
)

// tokenSecretTarget is the ServiceAccount whose token a token Secret of ns
// holds, or a phantom target and why the apiserver rejects that token.
func (a *Analysis) tokenSecretTarget(ns string, s *model.Secret) (*graph.Node, string) {
	saName := s.Annotations[model.AnnotationServiceAccountName]
	sa := a.saByKey[ns+"/"+saName]
	if saName == "" || sa == nil {
		return a.phantom("ServiceAccount:"+ns+":"+nonEmpty(saName, "(unknown)"), "ServiceAccount "+ns+"/"+nonEmpty(saName, "(unknown)")),
			fmt.Sprintf("Secret %s/%s is a service-account-token Secret but its ServiceAccount %q does not exist: the apiserver rejects its token", ns, s.Name, saName)
	}
	if since, ok := s.Labels[labelLegacyTokenInvalidSince]; ok {
		return a.phantom(saKey(ns, saName), "ServiceAccount "+ns+"/"+saName),
			fmt.Sprintf("Secret %s/%s is labelled %s=%s: the legacy token authenticator rejects invalidated tokens", ns, s.Name, labelLegacyTokenInvalidSince, since)
	}
	if uid := s.Annotations[annotationServiceAccountUID]; uid != "" && sa.UID != "" && uid != sa.UID {
		return a.phantom(saKey(ns, saName), "ServiceAccount "+ns+"/"+saName),
			fmt.Sprintf("Secret %s/%s was issued for ServiceAccount %s with UID %s, but that ServiceAccount now has UID %s (re-created): the apiserver rejects the token", ns, s.Name, saName, uid, sa.UID)
	}
	return a.SANode(ns, saName), ""
}

// tokenSecretStep is a step of primitive prim to the ServiceAccount of token
// Secret s of ns: it holds with condition(the ServiceAccount's name) when the
// apiserver accepts the token, else it fails with the reason.
func (a *Analysis) tokenSecretStep(prim, ns string, s *model.Secret, condition func(sa string) string) Candidate {
	to, why := a.tokenSecretTarget(ns, s)
	if why != "" {
		return Candidate{Primitive: prim, To: to, Why: why}
	}
	return Candidate{Primitive: prim, To: to, Holds: true, Condition: condition(to.Name)}
}

func readSecretsIn(a *Analysis, p *Principal, ns, verb string) []Candidate {
	var out []Candidate
	found := false
	for _, s := range a.tokenSecretsFor(p, ns, []reqShape{{verbs: []string{verb}, resource: "secrets"}}) {
		br, ok := p.First(res(verb, "", "secrets", "", ns, s.Name))
		if !ok {
			continue
		}
		found = true
		if foldedByName(br) {
			continue // the named scope's step
		}
		c := a.tokenSecretStep("read-secrets", ns, s, func(sa string) string {
			return fmt.Sprintf("%s secret %s/%s, a %s Secret of ServiceAccount %s", verb, ns, s.Name, model.SecretTypeServiceAccountToken, sa)
		})
		c.Hops, c.Grants = 1, grants(br)
		out = append(out, c)
	}
	if found {
		return out
	}
	// Nothing readable: explain why, with the rule that allows some secrets.
	br, ok := readSomeSecret(p, ns, verb)
	if !ok {
		return out
	}
	why := fmt.Sprintf("can %s secrets in %s, but no %s Secret is there", verb, ns, model.SecretTypeServiceAccountToken)
	if len(br.Rule.ResourceNames) > 0 {
		// Never "can get secrets in NS" for a rule that allows some names only.
		why = fmt.Sprintf("can %s only the Secrets named %s in %s, and none of them is a %s Secret in the input", verb, strings.Join(br.Rule.ResourceNames, ", "), ns, model.SecretTypeServiceAccountToken)
	}
	return append(out, Candidate{Primitive: "read-secrets", Hops: 1, Grants: grants(br), To: a.phantom("Namespace:"+ns, "namespace "+ns), Why: why})
}

// readSomeSecret returns a rule letting the principal read some Secret in ns
// with the verb (any name, or one of its resourceNames).
func readSomeSecret(p *Principal, ns, verb string) (found rbacBound, ok bool) {
	p.eachApplicable(ns, func(br *rbacBound) bool {
		name := ""
		if len(br.Rule.ResourceNames) > 0 {
			name = br.Rule.ResourceNames[0]
		}
		if ruleAllows(*br, res(verb, "", "secrets", "", ns, name)) {
			found, ok = *br, true
		}
		return !ok
	})
	return found, ok
}

var readSecretProbes = []reqShape{{verbs: readVerbs, resource: "secrets"}}
