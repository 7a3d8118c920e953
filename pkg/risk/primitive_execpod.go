package risk

import (
	"fmt"

	"github.com/auth-paths/kubectl-auth-paths/pkg/rbac"
)

// execPod: exec into a running pod runs commands with its mounted
// ServiceAccount token (and on its node when the pod shares the host);
// adding an ephemeral container does the same. Attach is attach-pod
// (primitive_attachpod.go): it runs only what the main process reads.
//
// Conditions read from the input: the pod's phase (Running, or unknown), its
// token mount (automountServiceAccountToken of the pod, else of its
// ServiceAccount, or a projected token volume), its host access, and the
// cluster version: from v1.35 the apiserver authorizes the WebSocket upgrade
// of exec as `create` (AuthorizePodWebsocketUpgradeCreatePermission); before,
// `get` on pods/exec was enough.
type execPod struct{}

func init() { register(execPod{}) }

func (execPod) ID() string { return "exec-pod" }
func (execPod) Summary() string {
	return "exec into a running pod (or add an ephemeral container) → its ServiceAccount, and its node if the pod shares the host"
}
func (execPod) Color() string        { return "#0d9488" }
func (execPod) Techniques() []string { return []string{"T1609", "T1552.001"} }

func (execPod) Evaluate(a *Analysis, p *Principal) []Candidate {
	needsCreate, versionNote := execNeedsCreate(a.Opts.KubernetesVersion)
	verbs := []string{"create"}
	if !needsCreate {
		verbs = append(verbs, "get")
	}
	var out []Candidate
	// exec into every pod of a namespace, or of every namespace: one step
	// into the running pods' scope instead of one per pod.
	anyPod := map[string]*anyPodGrant{}
	execAny := func(g *anyPodGrant, ns string) Candidate {
		how := fmt.Sprintf("%s pods/exec on any pod of %s", g.verb, anyWhere(ns))
		if g.verb == "get" {
			how += " (" + versionNote + ")"
		}
		return Candidate{Primitive: "exec-pod", To: g.scope, Hops: 1, Holds: true, Grants: grants(g.br), Condition: how}
	}
	probes := execProbes
	if needsCreate && !a.keeps(p) {
		// A rule that allows get alone gives only failed steps, which only
		// explain keeps: every holder of such a rule visited every pod of
		// its namespaces, to fail on each.
		probes = execCreateProbes
	}
	all, nss := reach(p, probes...) // the pods some rule could allow a probe on
	if g := a.anyPodGrantIn(anyPod, p, allNamespaces, verbs, "exec", a.runningPodsScope); g != nil {
		out = append(out, execAny(g, allNamespaces))
		if !a.keeps(p) {
			// Elsewhere than the namespaces of its own rules, the scope has
			// every pod's steps.
			all, nss = false, namespacedReach(p, probes...)
		}
	}
	// An ephemeral container added to every pod of a namespace, or of every
	// namespace: one step into the scope of those pods with a container
	// added (ephemeralPodsScope), which also reaches every pod's steps by
	// exec, instead of one per pod (holders × pods).
	anyEph := map[string]*anyPodGrant{}
	ephemeralAny := func(g *anyPodGrant, ns string) Candidate {
		return Candidate{Primitive: "exec-pod", To: g.scope, Hops: 1, Holds: true, Grants: grants(g.br),
			Condition: fmt.Sprintf("%s pods/ephemeralcontainers on any pod of %s to add an ephemeral container", g.verb, anyWhere(ns))}
	}
	// An ephemeral container reaches what exec reaches, and the pods'
	// nodes through a privileged container where Pod Security admits one.
	// Where the principal execs into every pod (exec) and no privileged
	// container is admitted, or it may create pods (node-escape reaches
	// every node of the input then, and the pods run on those), the step
	// adds nothing: not made (a namespace admin's scope would step into
	// both in every namespace).
	ephemeralAdds := func(exec *anyPodGrant, ns string) bool {
		if exec == nil || a.adm != nil {
			return true // admission policies may admit one and not the other
		}
		if _, _, ok := canCreatePods(p, ns); ok && a.podNodesInInput(ns) {
			return false
		}
		for _, n := range nsOrAll(a, ns) {
			if privileged, _ := a.allowsHostAccess(n); privileged {
				return true
			}
		}
		return false
	}
	if ephemeralAdds(anyPod[allNamespaces], allNamespaces) {
		if g := a.anyPodGrantIn(anyEph, p, allNamespaces, modifyVerbs, "ephemeralcontainers", a.ephemeralPodsScope); g != nil {
			out = append(out, ephemeralAny(g, allNamespaces))
			if !a.keeps(p) {
				all, nss = false, namespacedReach(p, probes...)
			}
		}
	}
	// Rules bound cluster-wide that name pods (a StatefulSet's pods have
	// the same names in every namespace it is deployed to): one step into
	// the scope of the running pods of those names (namedscope.go).
	var reqs []rbac.Request
	for _, v := range verbs {
		reqs = append(reqs, res(v, "", "pods", "exec", allNamespaces, ""))
	}
	named, namedScopes := a.namedPodSteps(p, "exec-pod", func(verb, names string) string {
		how := fmt.Sprintf("%s pods/exec on the pods named %s of any namespace", verb, names)
		if verb == "get" {
			how += " (" + versionNote + ")"
		}
		return how
	}, reqs...)
	out = append(out, named...)
	if len(namedScopes) > 0 && !a.keeps(p) && !reachUnfolded(p, execOnlyProbes...) && !reachClusterWide(p, ephemeralProbes...) {
		// Its rules bound cluster-wide name pods and allow no
		// ephemeral container: elsewhere than the namespaces of its
		// own rules, the named scopes have every pod's steps.
		all, nss = false, namespacedReach(p, probes...)
	}
	// How the principal acts on every pod of a namespace, asked once per
	// namespace: a step into the scope of its pods (and of its pods with an
	// ephemeral container added).
	nsSteps := func(ns string) (g, eg *anyPodGrant) {
		g, seen := anyPod[ns]
		if !seen {
			if g = a.anyPodGrantIn(anyPod, p, ns, verbs, "exec", a.runningPodsScope); g != nil && !g.covered {
				out = append(out, execAny(g, ns))
			}
		}
		eg, seen = anyEph[ns]
		if !seen {
			if !ephemeralAdds(g, ns) {
				anyEph[ns] = nil
			} else if eg = a.anyPodGrantIn(anyEph, p, ns, modifyVerbs, "ephemeralcontainers", a.ephemeralPodsScope); eg != nil && !eg.covered {
				out = append(out, ephemeralAny(eg, ns))
			}
		}
		return g, eg
	}
	var scopedNS func(ns string) bool
	if !a.keeps(p) {
		// A namespace where a scope has every pod's steps, or where it may
		// exec into every pod and none gives a step (allowedOnEveryPod), is
		// not visited: its pods would add only failed steps, which only
		// explain keeps. (Explain visits them, in the order it always has.)
		scopedNS = func(ns string) bool {
			g, eg := nsSteps(ns)
			return g != nil || eg != nil || allowedOnEveryPod(p, ns, verbs, "exec")
		}
	}
	for _, pod := range a.selectPods(p, all, nss, scopedNS, probes) {
		g, eg := nsSteps(pod.Namespace)
		scoped := g != nil || eg != nil
		if scoped && !a.keeps(p) {
			continue // a scope has what the pod gives; what is left are failed steps, which only explain keeps
		}
		var br rbacBound
		var how string
		found := false
		for _, v := range verbs {
			if b, ok := p.First(res(v, "", "pods", "exec", pod.Namespace, pod.Name)); ok {
				br, how, found = b, fmt.Sprintf("%s pods/exec on %s/%s", v, pod.Namespace, pod.Name), true
				if v == "get" {
					how += " (" + versionNote + ")"
				}
				break
			}
		}
		// A pod that a rule bound cluster-wide allows by name is a pick of
		// that rule's named scope.
		folded := found && foldedByName(br) && namedScopes[br.Rule]
		if folded && !a.keeps(p) {
			continue
		}
		ephemeral := false
		if !found {
			if b, ok := p.FirstAny(modifyVerbs, res("", "", "pods", "ephemeralcontainers", pod.Namespace, pod.Name)); ok {
				br, how, found, ephemeral = b, fmt.Sprintf("add an ephemeral container to %s/%s", pod.Namespace, pod.Name), true, true
			}
		}
		if !found {
			if needsCreate {
				// `get` alone no longer execs: say so, so that explain shows why.
				if b, ok := p.FirstAny([]string{"get"}, res("", "", "pods", "exec", pod.Namespace, pod.Name)); ok {
					out = append(out, Candidate{Primitive: "exec-pod", Hops: 1, Grants: grants(b), To: a.phantom("Pod:"+pod.Namespace+"/"+pod.Name, "pod "+pod.Namespace+"/"+pod.Name),
						Why: fmt.Sprintf("get pods/exec on %s/%s, but from v1.35 (cluster %s) the exec WebSocket upgrade needs create on pods/exec (AuthorizePodWebsocketUpgradeCreatePermission)", pod.Namespace, pod.Name, a.Opts.KubernetesVersion)})
				}
			}
			continue
		}
		running, note := podRunning(pod)
		if !running {
			out = append(out, Candidate{Primitive: "exec-pod", Hops: 1, Grants: grants(br), To: a.phantom("Pod:"+pod.Namespace+"/"+pod.Name, "pod "+pod.Namespace+"/"+pod.Name),
				Why: fmt.Sprintf("%s, but the pod is %s", how, pod.Phase)})
			continue
		}
		if a.tokenMounted(pod) {
			if !scoped && !folded {
				out = append(out, Candidate{Primitive: "exec-pod", To: a.SANode(pod.Namespace, pod.Spec.ServiceAccountName), Hops: 1, Holds: true, Grants: grants(br),
					Condition: fmt.Sprintf("%s, which mounts the token of ServiceAccount %s%s", how, pod.Spec.ServiceAccountName, note)})
			}
		} else {
			out = append(out, Candidate{Primitive: "exec-pod", Hops: 1, Grants: grants(br), To: a.phantom(saKey(pod.Namespace, pod.Spec.ServiceAccountName), "ServiceAccount "+pod.Namespace+"/"+pod.Spec.ServiceAccountName),
				Why: fmt.Sprintf("%s, but no ServiceAccount token is mounted in it (automountServiceAccountToken: false on the pod or its ServiceAccount)", how)})
		}
		if pod.Spec.NodeName == "" || scoped || folded { // then a scope has the node's steps
			continue
		}
		out = append(out, hostCandidates(a, "exec-pod", pod, how, note, br)...)
		if escapes, _ := hostEscapes(pod.Spec); ephemeral && !escapes {
			// Pod Security admission checks ephemeral containers too (the
			// pods/ephemeralcontainers update is admitted like a pod).
			if allowed, why := a.allowsHostAccess(pod.Namespace); allowed {
				out = append(out, Candidate{Primitive: "exec-pod", To: a.NodeIdentity(pod.Spec.NodeName), Hops: 1, Holds: true, Grants: grants(br),
					Condition: fmt.Sprintf("%s, privileged, on node %s; %s", how, pod.Spec.NodeName, why)})
			}
		}
	}
	return out
}
