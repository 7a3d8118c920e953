package risk

import (
	"fmt"
	"strings"
)

// attachPod: pods/attach joins the stdio of a container's main process. It
// runs a command only when that process reads commands from its input, and
// the container's input is open only when the container keeps stdin open
// (stdin: true, tty or not): the kubelet refuses an attach with stdin to any
// other container. A container with stdin is how interactive pods (kubectl
// run -it, debug pods) keep their shell: attach is then a shell with the
// pod's ServiceAccount token, and its node when the pod shares the host.
//
// Conditions read from the input: a running container (regular, ephemeral,
// or a sidecar init container) with stdin: true, the pod's phase and token
// mount, its host access, and the cluster version as for exec (from v1.35
// the WebSocket upgrade of attach is authorized as create). What the main
// process does with its input is not in the input: the step assumes it reads
// commands, and says so.
type attachPod struct{}

func init() { register(attachPod{}) }

func (attachPod) Color() string        { return "#14b8a6" }
func (attachPod) Techniques() []string { return []string{"T1609", "T1552.001"} }
func (attachPod) ID() string           { return "attach-pod" }
func (attachPod) Summary() string {
	return "attach to a running container that keeps stdin open (stdin: true) → its ServiceAccount, and its node if the pod shares the host"
}

func (attachPod) Evaluate(a *Analysis, p *Principal) []Candidate {
	needsCreate, versionNote := execNeedsCreate(a.Opts.KubernetesVersion)
	verbs := []string{"create"}
	if !needsCreate {
		verbs = append(verbs, "get")
	}
	var out []Candidate
	// attach to every pod of a namespace, or of every namespace: one step
	// into the scope of its pods with stdin open instead of one per pod.
	anyPod := map[string]*anyPodGrant{}
	attachAny := func(g *anyPodGrant, ns string) Candidate {
		how := fmt.Sprintf("%s pods/attach on any pod of %s", g.verb, anyWhere(ns))
		if g.verb == "get" {
			how += " (" + versionNote + ")"
		}
		return Candidate{Primitive: "attach-pod", To: g.scope, Hops: 1, Holds: true, Grants: grants(g.br), Condition: how}
	}
	probes := attachProbes
	if needsCreate && !a.keeps(p) {
		probes = attachCreateProbes // get alone gives only explain's failed steps
	}
	all, nss := reach(p, probes...) // the pods some rule could allow a probe on
	if g := a.anyPodGrantIn(anyPod, p, allNamespaces, verbs, "attach", a.attachablePodsScope); g != nil {
		out = append(out, attachAny(g, allNamespaces))
		if !a.keeps(p) {
			// Elsewhere than the namespaces of its own rules, the scope has
			// every pod's steps.
			all, nss = false, namespacedReach(p, probes...)
		}
	}
	nsStep := func(ns string) *anyPodGrant {
		g, seen := anyPod[ns]
		if !seen {
			if g = a.anyPodGrantIn(anyPod, p, ns, verbs, "attach", a.attachablePodsScope); g != nil && !g.covered {
				out = append(out, attachAny(g, ns))
			}
		}
		return g
	}
	var scopedNS func(ns string) bool
	if !a.keeps(p) {
		// A namespace where the scope has every pod's steps is not
		// visited: its pods would add only failed steps, which only
		// explain keeps.
		scopedNS = func(ns string) bool { return nsStep(ns) != nil || allowedOnEveryPod(p, ns, verbs, "attach") }
	}
	for _, pod := range a.selectPods(p, all, nss, scopedNS, probes) {
		if len(pod.Spec.Stdin) == 0 && !a.keeps(p) {
			continue // nothing but a failed step (no stdin), which only explain keeps
		}
		podRef := pod.Namespace + "/" + pod.Name
		podNode := a.phantom("Pod:"+podRef, "pod "+podRef)
		var br rbacBound
		var how string
		found := false
		for _, v := range verbs {
			if b, ok := p.First(res(v, "", "pods", "attach", pod.Namespace, pod.Name)); ok {
				br, how, found = b, fmt.Sprintf("%s pods/attach on %s", v, podRef), true
				if v == "get" {
					how += " (" + versionNote + ")"
				}
				break
			}
		}
		if !found {
			if needsCreate {
				if b, ok := p.FirstAny([]string{"get"}, res("", "", "pods", "attach", pod.Namespace, pod.Name)); ok {
					out = append(out, Candidate{Primitive: "attach-pod", Hops: 1, Grants: grants(b), To: podNode,
						Why: fmt.Sprintf("get pods/attach on %s, but from v1.35 (cluster %s) the attach WebSocket upgrade needs create on pods/attach (AuthorizePodWebsocketUpgradeCreatePermission)", podRef, a.Opts.KubernetesVersion)})
				}
			}
			continue
		}
		// Explain visits the pods of a namespace the scope has: their
		// failed steps are said, the steps that hold are the scope's.
		scoped := nsStep(pod.Namespace) != nil
		if len(pod.Spec.Stdin) == 0 {
			out = append(out, Candidate{Primitive: "attach-pod", Hops: 1, Grants: grants(br), To: podNode,
				Why: fmt.Sprintf("%s, but no container of it keeps stdin open (stdin: true): attach only joins the output of its main process, which runs nothing it is sent", how)})
			continue
		}
		running, note := podRunning(pod)
		if !running {
			out = append(out, Candidate{Primitive: "attach-pod", Hops: 1, Grants: grants(br), To: podNode,
				Why: fmt.Sprintf("%s, but the pod is %s", how, pod.Phase)})
			continue
		}
		how = fmt.Sprintf("%s to container %s, which keeps stdin open (stdin: true; assumes its main process reads commands, as a shell does)", how, strings.Join(pod.Spec.Stdin, " or "))
		if !a.tokenMounted(pod) {
			out = append(out, Candidate{Primitive: "attach-pod", Hops: 1, Grants: grants(br), To: a.phantom(saKey(pod.Namespace, pod.Spec.ServiceAccountName), "ServiceAccount "+pod.Namespace+"/"+pod.Spec.ServiceAccountName),
				Why: fmt.Sprintf("%s, but no ServiceAccount token is mounted in it (automountServiceAccountToken: false on the pod or its ServiceAccount)", how)})
		} else if !scoped {
			out = append(out, Candidate{Primitive: "attach-pod", To: a.SANode(pod.Namespace, pod.Spec.ServiceAccountName), Hops: 1, Holds: true, Assumed: true, Grants: grants(br),
				Condition: fmt.Sprintf("%s: the pod mounts the token of ServiceAccount %s%s", how, pod.Spec.ServiceAccountName, note)})
		}
		if scoped {
			continue // the scope has the node's steps
		}
		// What the pod reaches on its node rests on the same assumption.
		for _, c := range hostCandidates(a, "attach-pod", pod, how, note, br) {
			c.Assumed = true
			out = append(out, c)
		}
	}
	return out
}
