package risk

import (
	"fmt"
	"sort"
)

// nodeEscape: a pod creator in a namespace whose Pod Security level admits
// privileged pods runs a privileged, hostPID, hostPath-/ pod on any node it
// names with spec.nodeName (the scheduler and taints are bypassed) and takes
// that node's kubelet credentials.
//
// Upstream: Pod Security Standards (only "privileged" admits privileged
// containers, host namespaces and hostPath volumes); a pod with spec.nodeName
// set skips the scheduler, and with it taints and node affinity.
//
// Conditions read from the input: the namespace's enforce label (or
// --pod-security-default when it has none; an invalid value enforces
// restricted, see EnforceLevel), the Nodes, and the admission policies
// (admission.go: one of the escape pods must be admitted).
type nodeEscape struct{}

func init() { register(nodeEscape{}) }

func (nodeEscape) ID() string { return "node-escape" }
func (nodeEscape) Summary() string {
	return "create/modify workloads where Pod Security admits privileged pods → any node's kubelet identity"
}
func (nodeEscape) Color() string        { return "#ea580c" }
func (nodeEscape) Techniques() []string { return []string{"T1611", "T1610"} }

func (nodeEscape) Evaluate(a *Analysis, p *Principal) []Candidate {
	var out []Candidate
	namespaces := podCreatorNamespaces(a, p)
	if a.adm == nil && !a.keeps(p) {
		if br, w, ok := canCreatePods(p, allNamespaces); ok {
			// Pods created in every namespace (a rule bound cluster-wide):
			// each namespace without a rule of its own gives the same step
			// into the scope of any node but for the namespace its condition
			// names, and the graph keeps the least condition of a step
			// (Graph.AddEdge). The first such namespace in that order
			// stands for them all; only the namespaces of its own rules are
			// visited, instead of every namespace for every such principal.
			local := namespacedReach(p, createPodProbes...)
			for _, ns := range a.escapeOrder(w) {
				if !local[ns] {
					// The grant as asked in that namespace, as a visit of
					// it finds it: the step's request names the namespace
					// its condition does (the same rule: only rules bound
					// cluster-wide apply there).
					if nsBR, nsW, ok := canCreatePods(p, ns); ok {
						br, w = nsBR, nsW
					}
					out = append(out, escapeCandidates(a, ns, createHow(w, ns), br)...)
					break
				}
			}
			namespaces = inOrder(local, a.namespaces)
		}
	}
	for _, ns := range namespaces {
		br, w, ok := canCreatePods(p, ns)
		if !ok {
			continue
		}
		var first []Candidate
		for _, m := range a.makersIn(p, ns, br, w) {
			cs := escapeCandidates(a, ns, createHow(m.w, ns), m.br)
			cs = a.gateEscape(cs, ns, podCreator(p, m.w), nil)
			if anyHolds(cs) {
				first = cs
				break
			}
			if first == nil {
				first = cs // the reason given when no way is admitted
			}
		}
		out = append(out, first...)
	}
	return out
}

// escapeCandidates: a step to any node, if the namespace admits privileged pods.
func escapeCandidates(a *Analysis, ns, how string, brs ...rbacBound) []Candidate {
	allowed, why := a.allowsHostAccess(ns)
	if !allowed {
		return []Candidate{{Primitive: "node-escape", Hops: 1, Grants: brs, To: a.phantom("Nodes", "any node"),
			Why: how + ", but " + why}}
	}
	if len(a.nodes) == 0 {
		return []Candidate{{Primitive: "node-escape", Hops: 1, Grants: brs, To: a.phantom("Nodes", "any node"),
			Why: how + " and " + why + ", but no Node is in the input"}}
	}
	return []Candidate{{Primitive: "node-escape", To: a.AnyNode(), Hops: 1, Holds: true, Grants: brs,
		Condition: fmt.Sprintf("%s: a privileged pod with spec.nodeName set to the node of choice; %s", how, why)}}
}

func createHow(w workloadResource, ns string) string {
	return fmt.Sprintf("create %s in %s", w.display(), ns)
}

// escapeOrder returns the namespaces where creating w's pods escapes to a
// node (Pod Security admits privileged pods, Nodes are in the input), in the
// order of the step's condition, memoised per kind.
func (a *Analysis) escapeOrder(w workloadResource) []string {
	return memo(&a.mu, &a.escapeNS, w.resource, func() []string {
		type nsCond struct{ ns, cond string }
		var held []nsCond
		for _, ns := range a.namespaces {
			for _, c := range escapeCandidates(a, ns, createHow(w, ns)) {
				if c.Holds {
					held = append(held, nsCond{ns, c.When()})
				}
			}
		}
		sort.SliceStable(held, func(i, j int) bool { return held[i].cond < held[j].cond })
		order := make([]string, len(held))
		for i, h := range held {
			order[i] = h.ns
		}
		return order
	})
}
