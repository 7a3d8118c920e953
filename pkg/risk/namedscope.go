package risk

import (
	"fmt"
	"hash/fnv"
	"slices"
	"strings"

	"github.com/auth-paths/kubectl-auth-paths/graph"
	"github.com/auth-paths/kubectl-auth-paths/pkg/model"
	"github.com/auth-paths/kubectl-auth-paths/pkg/rbac"
)

// A rule bound cluster-wide whose resourceNames name namespaced objects
// (impersonate serviceaccounts [deployer], create serviceaccounts/token
// [deployer], get secrets [deployer-token]) reaches the object of that name
// in every namespace. Every principal holding such a rule reaches the same
// objects: a ClusterRole bound to many subjects, each stepping to each
// namespace's object, would make holders × namespaces steps. Instead the
// objects are one shared scope per set of names, "the OBJECTS named NAMES of
// any namespace", and each holder steps into it once: the step says which
// rule, the 0-hop pick which object. Paths keep their meaning and hops.

// foldNamed turns the named scopes off for tests, which compare the
// analysis with them and without (every object reached one step at a time).
var foldNamed = true

// namedRule is a rule of a principal bound cluster-wide with resourceNames
// that allows a request whatever its name, and the sorted set of those names.
type namedRule struct {
	br    rbacBound
	names []string
}

// clusterWideNamed returns the principal's rules bound cluster-wide, with
// resourceNames, that allow one of reqs (Namespace and Name ignored) for
// some name, in rule order, each with its request set to the first of reqs
// it allows, for its first name.
func clusterWideNamed(p *Principal, reqs ...rbac.Request) []namedRule {
	if !foldNamed {
		return nil
	}
	var out []namedRule
	p.eachApplicable(allNamespaces, func(rule *rbacBound) bool {
		br := *rule
		if br.Namespace != "" || len(br.Rule.ResourceNames) == 0 {
			return true
		}
		i := slices.IndexFunc(br.Rule.ResourceNames, func(n string) bool { return n != "" })
		if i < 0 {
			return true // a rule naming only "" names no object
		}
		for _, req := range reqs {
			r := req
			r.Namespace, r.Name = allNamespaces, br.Rule.ResourceNames[i]
			if ruleAllows(br, r) {
				names := scopeNames(br.Rule.ResourceNames)
				r.Name = names[0]
				br.Request = &r
				out = append(out, namedRule{br: br, names: names})
				break
			}
		}
		return true
	})
	return out
}

// foldedByName reports whether a grant is a rule clusterWideNamed folds
// into a named scope: bound cluster-wide, with resourceNames.
func foldedByName(br rbacBound) bool {
	return foldNamed && br.Namespace == "" && len(br.Rule.ResourceNames) > 0
}

// reachUnfolded is reachClusterWide without the rules the named scopes
// fold: a rule bound cluster-wide that could allow one of the probes and
// names no object (no resourceNames, or only "").
func reachUnfolded(p *Principal, probes ...reqShape) bool {
	return clusterWideRule(p, probes, func(br *rbacBound) bool {
		return foldNamed && len(scopeNames(br.Rule.ResourceNames)) > 0
	})
}

// scopeNames are a rule's resourceNames, sorted, without repeats or "".
func scopeNames(names []string) []string {
	out := make([]string, 0, len(names))
	for _, n := range names {
		if n != "" {
			out = append(out, n)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// describeNames names a set of names in a label and a key: all of them up
// to three, else the first three and how many more, with a digest of the
// whole set (two sets that read alike are still two scopes, and say so). A
// set whose names hold the separator is told apart by the digest too.
func describeNames(names []string) string {
	joined := strings.Join(names, ", ")
	if len(names) <= 3 && strings.Count(joined, ",") == len(names)-1 {
		return joined
	}
	h := fnv.New64a()
	for _, n := range names {
		h.Write([]byte(n))
		h.Write([]byte{0})
	}
	if len(names) <= 3 {
		return fmt.Sprintf("%s (%016x)", joined, h.Sum64())
	}
	return fmt.Sprintf("%s and %d more (%016x)", strings.Join(names[:3], ", "), len(names)-3, h.Sum64())
}

// namedScope makes (once) the scope of kind for the set of names, with the
// picks picksIn appends for each namespace, in namespace order; nil when
// none holds.
func (a *Analysis) namedScope(kind, what string, names []string, picksIn func(ns string, named map[string]bool, picks []Candidate) []Candidate) *graph.Node {
	key := "Scope:named-" + kind + ":" + describeNames(names)
	label := what + " named " + describeNames(names) + " of any namespace"
	return a.sharedScope(key, "named-"+kind, allNamespaces, label, func() []Candidate {
		named := make(map[string]bool, len(names))
		for _, n := range names {
			named[n] = true
		}
		var picks []Candidate
		for _, ns := range a.namespaces {
			picks = picksIn(ns, named, picks)
		}
		return picks
	})
}

// namedSAScope is "the ServiceAccounts named NAMES of any namespace": each
// one that exists in the input.
func (a *Analysis) namedSAScope(names []string) *graph.Node {
	return a.namedScope("serviceaccounts", "the ServiceAccounts", names, func(ns string, named map[string]bool, picks []Candidate) []Candidate {
		for _, sa := range a.sasByNS[ns] {
			if named[sa.Name] {
				picks = append(picks, Candidate{Primitive: pickServiceAccount, To: a.SANode(ns, sa.Name), Holds: true,
					Condition: fmt.Sprintf("ServiceAccount %s/%s exists (the step may name a ServiceAccount %s of any namespace)", ns, sa.Name, sa.Name)})
			}
		}
		return picks
	})
}

// namedTokenSecretsScope is "the Secrets named NAMES of any namespace" that
// are legacy service-account-token Secrets, each picked for its
// ServiceAccount (those whose token is rejected as failed picks).
func (a *Analysis) namedTokenSecretsScope(names []string) *graph.Node {
	return a.namedScope("token-secrets", "the Secrets", names, func(ns string, named map[string]bool, picks []Candidate) []Candidate {
		for _, s := range a.tokenSecrets[ns] {
			if named[s.Name] {
				picks = append(picks, a.tokenSecretStep(pickServiceAccount, ns, s, func(sa string) string {
					return fmt.Sprintf("Secret %s/%s is a %s Secret of ServiceAccount %s", ns, s.Name, model.SecretTypeServiceAccountToken, sa)
				}))
			}
		}
		return picks
	})
}

// namedRunningPodsScope is "the running pods named NAMES of any namespace":
// the picks of runningPodsScope for the pods of those names.
func (a *Analysis) namedRunningPodsScope(names []string) *graph.Node {
	return a.namedScope("running-pods", "the running pods", names, func(ns string, named map[string]bool, picks []Candidate) []Candidate {
		for _, pod := range a.podsByNS[ns] {
			if named[pod.Name] {
				picks = a.runningPodPicks(pod, picks)
			}
		}
		return picks
	})
}

// namedPodSteps are the principal's steps, by its rules bound cluster-wide
// that allow one of reqs on pods by name, into the running pods' scope of
// those names, each worded by how(verb, names); with the rules that made
// one (a pod such a rule allows is a pick of its scope, not a step).
func (a *Analysis) namedPodSteps(p *Principal, prim string, how func(verb, names string) string, reqs ...rbac.Request) ([]Candidate, map[*rbacPolicyRule]bool) {
	var out []Candidate
	scopes := map[*rbacPolicyRule]bool{}
	for _, nr := range clusterWideNamed(p, reqs...) {
		if scope := a.namedRunningPodsScope(nr.names); scope != nil {
			scopes[nr.br.Rule] = true
			out = append(out, Candidate{Primitive: prim, To: scope, Hops: 1, Holds: true, Grants: grants(nr.br), Condition: how(nr.br.Request.Verb, describeNames(nr.names))})
		}
	}
	return out, scopes
}
