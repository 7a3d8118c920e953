package risk

import (
	"fmt"
	"hash/fnv"

	"github.com/auth-paths/kubectl-auth-paths/graph"
	"github.com/auth-paths/kubectl-auth-paths/pkg/admission"
	"github.com/auth-paths/kubectl-auth-paths/pkg/model"
)

// pickServiceAccount is the primitive of a ServiceAccount scope's edges to
// each ServiceAccount it holds.
const pickServiceAccount = "pick-serviceaccount"

// ServiceAccount scopes are shared ends of steps that reach "any
// ServiceAccount of namespace NS" (or of every namespace): a new pod names
// any ServiceAccount of its namespace (create-workload, modify-workload), a
// token is minted for any of them (token-request, token-secret-create), a
// command runs in any running pod (exec-pod, modify-workload on pods).
// Every principal that takes such a step reaches the same ServiceAccounts
// under the same conditions, so one edge per principal into the scope, and
// one 0-hop pick-serviceaccount edge per ServiceAccount out of it, replace
// one edge per principal and ServiceAccount, which grew as principals ×
// ServiceAccounts (the bulk of the graph on clusters where groups and
// operators may create pods or tokens in hundreds of namespaces). A path
// through a scope has the same hops and the same meaning: the step into the
// scope says how, the pick says which ServiceAccount.

// allNamespaces is the ns of the scopes over every namespace.
const allNamespaces = ""

// anySAScope is "any ServiceAccount of ns" (of every namespace for
// allNamespaces): each ServiceAccount that exists in the input. It is nil
// when the input has none there.
func (a *Analysis) anySAScope(ns string) *graph.Node {
	return a.perNamespaceScope("any-serviceaccount", "any ServiceAccount", "any namespace", ns, func(n string, picks []Candidate) []Candidate {
		for _, sa := range a.sasByNS[n] {
			picks = append(picks, Candidate{Primitive: pickServiceAccount, To: a.SANode(n, sa.Name), Holds: true, Later: saExists(sa, ns == allNamespaces)})
		}
		return picks
	})
}

// newPodScope is "the pods creator makes in ns", who names the creator.
// Without admission policies to evaluate, which identity submits the pod
// does not matter: it is anySAScope. With them, a pod is admitted or not
// depending on its ServiceAccount and on the identity admission sees (the
// principal for pods, the controller for a workload's pods), so the scope is
// one per creator, each pick gated on the pod it would submit. It returns
// nil when admission refuses every ServiceAccount (or there is none): then
// the caller reports the refusals per ServiceAccount instead.
func (a *Analysis) newPodScope(ns, who string, creator admission.User) *graph.Node {
	if a.adm == nil {
		return a.anySAScope(ns)
	}
	h := fnv.New64a()
	h.Write([]byte(userCacheKey(creator)))
	key := fmt.Sprintf("Scope:new-pod:%s:%s:%016x", ns, who, h.Sum64())
	return a.sharedScope(key, "new-pod/"+who, ns, "pods "+who+" creates in "+ns, func() []Candidate {
		picks := make([]Candidate, 0, len(a.sasByNS[ns]))
		for _, sa := range a.sasByNS[ns] {
			picks = append(picks, a.gateSA(Candidate{Primitive: pickServiceAccount, To: a.SANode(ns, sa.Name), Holds: true,
				Condition: "the new pod sets serviceAccountName " + sa.Name + " (a pod may use any ServiceAccount of its namespace)"}, ns, sa.Name, creator))
		}
		return picks
	})
}

// sharedScope returns the shared scope of key, made on first use with the
// 0-hop picks that hold (every pick is kept for explain), or nil when none
// holds.
func (a *Analysis) sharedScope(key, name, ns, label string, picksOf func() []Candidate) *graph.Node {
	a.mu.Lock()
	n, ok := a.scopes[key]
	a.mu.Unlock()
	if ok {
		return n
	}
	picks := picksOf()
	a.mu.Lock()
	if n, ok := a.scopes[key]; ok {
		a.mu.Unlock()
		return n // made meanwhile by another evaluation
	}
	if !anyHolds(picks) {
		a.scopes[key] = nil
		a.mu.Unlock()
		return nil
	}
	defer a.mu.Unlock()
	n = a.Graph.AddNode(graph.Node{Key: key, Kind: graph.KindScope, Name: name, Namespace: ns, Label: "Scope\n" + label})
	a.scopes[key] = n
	for _, c := range picks {
		if a.Opts.KeepCandidates {
			a.candidates[key] = append(a.candidates[key], c)
		}
		if c.Holds {
			e := graph.Edge{From: n, To: c.To, Primitive: c.Primitive, Hops: 0, Condition: a.intern(c.Condition), Later: c.Later, Assumed: c.Assumed}
			if len(c.objects()) > 0 {
				e.Provenance = a.provenance(c) // the bindings the pick acts on
			}
			a.addEdgeLocked(e)
		}
	}
	return n
}

// runningPodsScope is "the running pods of ns" (of every namespace for
// allNamespaces): each pod that runs (or whose phase the input does not
// say) with a ServiceAccount token mounted, picked for that ServiceAccount,
// and each running pod that reaches its node (hostCandidates), picked for
// what it reaches there. Whoever may exec into, or replace the image of,
// every pod there (a rule without resourceNames) runs code in any of them
// and reaches the same identities; the step into the scope says how, the
// pick which pod. It is nil when no pick holds.
func (a *Analysis) runningPodsScope(ns string) *graph.Node {
	return a.perNamespaceScope("running-pods", "running pods", "every namespace", ns, func(n string, picks []Candidate) []Candidate {
		for _, pod := range a.podsByNS[n] {
			picks = a.runningPodPicks(pod, picks)
		}
		return picks
	})
}

// pickExecScope is the primitive of the 0-hop edge from an ephemeral
// containers' scope to the running pods' scope of the same namespaces.
const pickExecScope = "pick-exec-scope"

// ephemeralPodsScope is "the running pods of ns with an ephemeral container
// added" (of every namespace for allNamespaces): what exec reaches in them
// (a 0-hop edge into runningPodsScope, whose picks it shares), and, where
// Pod Security admits a privileged container (it checks ephemeral
// containers like a pod's), the node of each such pod that does not give
// its node already. Whoever may add an ephemeral container to every pod
// there reaches the same identities. It is nil when no pick holds.
func (a *Analysis) ephemeralPodsScope(ns string) *graph.Node {
	const name = "ephemeral-pods"
	key, label := nsScopeKey(name, "running pods with an ephemeral container", "every namespace", ns)
	return a.sharedScope(key, name, ns, label, func() []Candidate {
		var picks []Candidate
		if exec := a.runningPodsScope(ns); exec != nil {
			picks = append(picks, Candidate{Primitive: pickExecScope, To: exec, Holds: true,
				Condition: "an ephemeral container runs code in the pod as exec does"})
		}
		for _, n := range nsOrAll(a, ns) {
			if privileged, why := a.allowsHostAccess(n); privileged {
				for _, pod := range a.podsByNS[n] {
					if running, _ := podRunning(pod); running && pod.Spec.NodeName != "" {
						if escapes, _ := hostEscapes(pod.Spec); !escapes {
							picks = append(picks, Candidate{Primitive: pickNode, To: a.NodeIdentity(pod.Spec.NodeName), Holds: true,
								Later: &privilegedEphemeral{pod, why}})
						}
					}
				}
			}
		}
		return picks
	})
}

// runningPodPicks appends a running pod's picks (runningPodsScope).
func (a *Analysis) runningPodPicks(pod *model.Pod, picks []Candidate) []Candidate {
	running, note := podRunning(pod)
	if !running {
		return picks
	}
	n := pod.Namespace
	if a.tokenMounted(pod) {
		picks = append(picks, Candidate{Primitive: pickServiceAccount, To: a.SANode(n, pod.Spec.ServiceAccountName), Holds: true, Later: tokenMountedIn{pod}})
	}
	if a.mayReachHost(pod) {
		for _, c := range hostCandidates(a, pickServiceAccount, pod, "code run in pod "+n+"/"+pod.Name, note, rbacBound{}) {
			if c.To.Kind == graph.KindNode {
				c.Primitive = pickNode
			}
			c.Hops, c.Grants = 0, nil
			picks = append(picks, c)
		}
	}
	return picks
}

// perNamespaceScope makes (once) the scope "WHAT of ns", or "WHAT of ALL"
// for allNamespaces, with the picks picksIn appends for each namespace it
// covers (in namespace order): appended to one list, not concatenated from
// a list per namespace, which every namespace's scope made twice over.
func (a *Analysis) perNamespaceScope(name, what, all, ns string, picksIn func(ns string, picks []Candidate) []Candidate) *graph.Node {
	key, label := nsScopeKey(name, what, all, ns)
	return a.sharedScope(key, name, ns, label, func() []Candidate {
		var picks []Candidate
		for _, n := range nsOrAll(a, ns) {
			picks = picksIn(n, picks)
		}
		return picks
	})
}

// anyPodGrant is how a principal acts on every pod of a namespace: the
// first of verbs on pods/subresource allowed for any name (by a rule without
// resourceNames). covered: the rule is bound cluster-wide and the principal
// already steps into the scope of every namespace's pods.
type anyPodGrant struct {
	br      rbacBound
	verb    string
	scope   *graph.Node
	covered bool
}

// anyPodGrantIn finds (memoised per namespace for one principal's
// evaluation; allNamespaces asks for a rule bound cluster-wide) how the
// principal acts on every pod of ns, or nil when it cannot or the scope of
// what that reaches there (scopeOf: runningPodsScope, ephemeralPodsScope)
// picks nothing.
func (a *Analysis) anyPodGrantIn(memo map[string]*anyPodGrant, p *Principal, ns string, verbs []string, subresource string, scopeOf func(ns string) *graph.Node) *anyPodGrant {
	if g, ok := memo[ns]; ok {
		return g
	}
	var g *anyPodGrant
	for _, v := range verbs {
		if br, ok := p.FirstAnyName(res(v, "", "pods", subresource, ns, "")); ok {
			if all := memo[allNamespaces]; ns != allNamespaces && all != nil && br.Namespace == "" {
				g = &anyPodGrant{br: br, verb: v, covered: true}
			} else if scope := scopeOf(ns); scope != nil {
				g = &anyPodGrant{br: br, verb: v, scope: scope}
			}
			break
		}
	}
	memo[ns] = g
	return g
}

// allowedOnEveryPod reports whether a rule of p allows one of verbs on
// pods/subresource of any name in ns. Where one does and anyPodGrantIn
// still finds no grant, the scope of what that reaches picks nothing: no
// pod there gives a step that holds, and a primitive need not visit them
// (a hardened namespace, its tokens not mounted, visited by every holder).
func allowedOnEveryPod(p *Principal, ns string, verbs []string, subresource string) bool {
	for _, v := range verbs {
		if _, ok := p.FirstAnyName(res(v, "", "pods", subresource, ns, "")); ok {
			return true
		}
	}
	return false
}

// podNodesInInput reports whether every pod of ns (of every namespace for
// allNamespaces) bound to a node is bound to one the input has: the nodes
// node-escape's any-node scope picks.
func (a *Analysis) podNodesInInput(ns string) bool {
	return memo(&a.mu, &a.podNodesKnown, ns, func() bool {
		for _, n := range nsOrAll(a, ns) {
			for _, pod := range a.podsByNS[n] {
				if pod.Spec.NodeName != "" && a.nodeByName(pod.Spec.NodeName) == nil {
					return false
				}
			}
		}
		return true
	})
}

// nsScopeKey is the key and label of the scope name of ns ("what of ns"),
// or of every namespace ("what of all") for allNamespaces.
func nsScopeKey(name, what, all, ns string) (key, label string) {
	if ns == allNamespaces {
		return "Scope:" + name, what + " of " + all
	}
	return "Scope:" + name + ":" + ns, what + " of " + ns
}

// nsOrAll is ns, or every namespace for allNamespaces.
func nsOrAll(a *Analysis, ns string) []string {
	if ns == allNamespaces {
		return a.namespaces
	}
	return []string{ns}
}

// anyWhere names ns in a condition.
func anyWhere(ns string) string {
	if ns == allNamespaces {
		return "any namespace"
	}
	return ns
}

// tokenSecretsScope is "the token Secrets of ns" (of every namespace for
// allNamespaces): each legacy service-account-token Secret whose token the
// apiserver accepts, picked for its ServiceAccount. Whoever may read every
// Secret there reaches the same ServiceAccounts; the step into the scope
// says how, the pick which Secret. Secrets whose token is rejected are kept
// as failed picks for explain. It is nil when no token there is accepted.
func (a *Analysis) tokenSecretsScope(ns string) *graph.Node {
	return a.perNamespaceScope("token-secrets", "token Secrets", "every namespace", ns, func(n string, picks []Candidate) []Candidate {
		for _, s := range a.tokenSecrets[n] {
			picks = append(picks, a.tokenSecretStep(pickServiceAccount, n, s, func(sa string) string {
				return fmt.Sprintf("Secret %s/%s is a %s Secret of ServiceAccount %s", n, s.Name, model.SecretTypeServiceAccountToken, sa)
			}))
		}
		return picks
	})
}
