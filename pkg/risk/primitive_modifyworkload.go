package risk

import (
	"fmt"

	"github.com/auth-paths/kubectl-auth-paths/pkg/model"
)

// modifyWorkload: updating a controller's pod template runs new pods with any
// ServiceAccount of the namespace (and privileged ones where Pod Security
// admits them); updating a pod can only swap images, so it runs code as the
// pod's own ServiceAccount (and on its node if the pod already shares the
// host). resourceNames limit which objects.
//
// Conditions read from the input: the existing controllers and pods and
// their names; a Job's pod template is immutable (batch/v1 validation
// rejects spec.template changes, except scheduling directives of a suspended
// Job), so Jobs do not count; a pod must be running and mount its token.
type modifyWorkload struct{}

func init() { register(modifyWorkload{}) }

func (modifyWorkload) ID() string { return "modify-workload" }
func (modifyWorkload) Summary() string {
	return "update/patch an existing workload → any ServiceAccount of its namespace (a pod: its own ServiceAccount)"
}
func (modifyWorkload) Color() string        { return "#0891b2" }
func (modifyWorkload) Techniques() []string { return []string{"T1610", "T1053.007"} }

var modifyVerbs = []string{"patch", "update"}

func (modifyWorkload) Evaluate(a *Analysis, p *Principal) []Candidate {
	var out []Candidate
	// Every controller of some kinds, in every namespace (a rule bound
	// cluster-wide without resourceNames): one step into the shared scope of
	// their templates (workloadtemplates.go). A namespace where no rule of
	// the principal's own namespace applies is left to that scope.
	groups, covered := clusterWideTemplates(p)
	// Rules bound cluster-wide that name controllers: the same, for the
	// controllers of those names (namedscope.go).
	groups = append(groups, clusterWideNamedTemplates(p)...)
	for _, g := range groups {
		if scope := a.templatesScope(g.kinds, g.names); scope != nil {
			out = append(out, Candidate{Primitive: "modify-workload", To: scope, Hops: 1, Holds: true, Grants: grants(g.br), Condition: g.condition()})
		}
	}
	all, nss := reach(p, modifyWorkloadProbes...) // the workloads visited
	local := namespacedReach(p, modifyWorkloadProbes...)
	if !a.keeps(p) && !reachUnfolded(p, uncoveredTemplateProbes(covered)...) {
		// Its cluster-wide rules give nothing beyond the templates scopes
		// (or only Jobs, which fail): only the namespaces of its own rules
		// can add steps that hold.
		all, nss = false, local
	}
	// One modifiable controller per namespace is enough: each gives every
	// ServiceAccount of the namespace (the first in stable order is named).
	// Explain visits every controller, in inventory order, for the failed
	// steps; otherwise a namespace's controllers are visited until one
	// gives its steps.
	doneNS := map[string]bool{}
	visitor := p
	if a.keeps(p) {
		visitor = nil // every controller, in inventory order
	}
	a.eachWorkloadIn(all, nss, visitor, modifyWorkloadProbes, func(w *model.Workload) bool {
		wr, ok := resourceForKind(w.Kind)
		if !ok || doneNS[w.Namespace] || (covered[w.Kind] && !local[w.Namespace]) {
			return !doneNS[w.Namespace]
		}
		br, ok := p.FirstAny(modifyVerbs, res("", wr.group, wr.resource, "", w.Namespace, w.Name))
		if !ok {
			return true
		}
		if foldedByName(br) && w.Kind != "Job" {
			// A named templates scope's step: its pick is the first
			// controller of those names here, which gives all one can.
			doneNS[w.Namespace] = true
			return false
		}
		if w.Kind == "Job" {
			out = append(out, Candidate{Primitive: "modify-workload", Hops: 1, Grants: grants(br), To: a.phantom("Namespace:"+w.Namespace, "namespace "+w.Namespace),
				Why: fmt.Sprintf("can update Job %s/%s, but a Job's pod template is immutable", w.Namespace, w.Name)})
			return true
		}
		doneNS[w.Namespace] = true
		how := fmt.Sprintf("change the pod template of %s %s/%s", w.Kind, w.Namespace, w.Name)
		// The controller creates the new pods: admission sees its identity,
		// so every principal that may change a template of this kind here
		// reaches the same ServiceAccounts: one edge into the shared scope.
		creator := podCreator(p, wr)
		if controller, ok := controllerUsers[wr.resource]; ok {
			if scope := a.newPodScope(w.Namespace, controller, creator); scope != nil {
				out = append(out, Candidate{Primitive: "modify-workload", To: scope, Hops: 1, Holds: true, Grants: grants(br),
					Condition: how + ": " + controller + " makes its new pods with the serviceAccountName the template sets"})
				out = append(out, a.gateEscape(escapeCandidates(a, w.Namespace, how, br), w.Namespace, creator, nil)...)
				return false
			}
		}
		for _, sa := range a.sasByNS[w.Namespace] {
			out = append(out, a.gateSA(Candidate{Primitive: "modify-workload", To: a.SANode(w.Namespace, sa.Name), Hops: 1, Holds: true, Grants: grants(br),
				Condition: how + " to serviceAccountName " + sa.Name}, w.Namespace, sa.Name, creator))
		}
		out = append(out, a.gateEscape(escapeCandidates(a, w.Namespace, how, br), w.Namespace, creator, nil)...)
		return false
	})
	if a.keeps(p) {
		// Only failed steps: explain alone keeps them.
		for _, ns := range a.namespaces {
			if !doneNS[ns] && !local[ns] && a.templateIn(ns, covered) {
				doneNS[ns] = true // the templates scope changes one there
			}
		}
		out = append(out, modifyNoTarget(a, p, doneNS)...)
	}
	// every pod of a namespace, or of every namespace: one step into the
	// running pods' scope instead of one per pod.
	anyPod := map[string]*anyPodGrant{}
	modifyAny := func(g *anyPodGrant, ns string) Candidate {
		return Candidate{Primitive: "modify-workload", To: g.scope, Hops: 1, Holds: true, Grants: grants(g.br),
			Condition: fmt.Sprintf("%s any pod of %s to replace its image", g.verb, anyWhere(ns))}
	}
	all, nss = reach(p, modifyPodProbes...) // the pods some rule could allow a probe on
	if g := a.anyPodGrantIn(anyPod, p, allNamespaces, modifyVerbs, "", a.runningPodsScope); g != nil {
		out = append(out, modifyAny(g, allNamespaces))
		if !a.keeps(p) {
			// Elsewhere than the namespaces of its own rules, the scope has
			// every pod's steps.
			all, nss = false, namespacedReach(p, modifyPodProbes...)
		}
	}
	// Rules bound cluster-wide that name pods: one step into the scope of
	// the running pods of those names (namedscope.go), as for exec.
	named, namedScopes := a.namedPodSteps(p, "modify-workload", func(verb, names string) string {
		return fmt.Sprintf("%s the pods named %s of any namespace to replace the image of one", verb, names)
	}, res("patch", "", "pods", "", allNamespaces, ""), res("update", "", "pods", "", allNamespaces, ""))
	out = append(out, named...)
	if len(namedScopes) > 0 && !a.keeps(p) && !reachUnfolded(p, modifyPodProbes...) {
		// Its rules bound cluster-wide on pods name them: elsewhere than
		// the namespaces of its own rules, the named scopes have every
		// pod's steps.
		all, nss = false, namespacedReach(p, modifyPodProbes...)
	}
	// How the principal changes every pod of a namespace, asked once per
	// namespace: a step into the scope of its running pods.
	nsStep := func(ns string) *anyPodGrant {
		g, seen := anyPod[ns]
		if !seen {
			if g = a.anyPodGrantIn(anyPod, p, ns, modifyVerbs, "", a.runningPodsScope); g != nil && !g.covered {
				out = append(out, modifyAny(g, ns))
			}
		}
		return g
	}
	var scopedNS func(ns string) bool
	if !a.keeps(p) {
		// A namespace where the scope has every pod's steps is not
		// visited: its pods would add only failed steps, which only
		// explain keeps. A rule that allows every pod there allows each,
		// so the step is the one the first pod would have made.
		scopedNS = func(ns string) bool { return nsStep(ns) != nil || allowedOnEveryPod(p, ns, modifyVerbs, "") }
	}
	for _, pod := range a.selectPods(p, all, nss, scopedNS, modifyPodProbes) {
		if g, seen := anyPod[pod.Namespace]; seen && g != nil && !a.keeps(p) {
			continue // the scope has what the pod gives; what is left are failed steps, which only explain keeps
		}
		br, ok := p.FirstAny(modifyVerbs, res("", "", "pods", "", pod.Namespace, pod.Name))
		if !ok {
			continue
		}
		g := nsStep(pod.Namespace)
		// A pod that a rule bound cluster-wide allows by name is a pick of
		// that rule's named scope.
		folded := foldedByName(br) && namedScopes[br.Rule]
		if folded && !a.keeps(p) {
			continue
		}
		running, note := podRunning(pod)
		if !running {
			out = append(out, Candidate{Primitive: "modify-workload", Hops: 1, Grants: grants(br), To: a.phantom("Pod:"+pod.Namespace+"/"+pod.Name, "pod "+pod.Namespace+"/"+pod.Name),
				Why: fmt.Sprintf("can change the image of pod %s/%s, but the pod is %s", pod.Namespace, pod.Name, pod.Phase)})
			continue
		}
		how := fmt.Sprintf("replace the image of pod %s/%s", pod.Namespace, pod.Name)
		if !a.tokenMounted(pod) {
			out = append(out, Candidate{Primitive: "modify-workload", Hops: 1, Grants: grants(br), To: a.phantom(saKey(pod.Namespace, pod.Spec.ServiceAccountName), "ServiceAccount "+pod.Namespace+"/"+pod.Spec.ServiceAccountName),
				Why: fmt.Sprintf("can change the image of pod %s/%s, but no ServiceAccount token is mounted in it", pod.Namespace, pod.Name)})
		} else if g == nil && !folded {
			out = append(out, Candidate{Primitive: "modify-workload", To: a.SANode(pod.Namespace, pod.Spec.ServiceAccountName), Hops: 1, Holds: true, Grants: grants(br),
				Condition: fmt.Sprintf("%s, which mounts the token of ServiceAccount %s%s", how, pod.Spec.ServiceAccountName, note)})
		}
		if g == nil && !folded { // else the running pods' scope has the node's steps
			out = append(out, hostCandidates(a, "modify-workload", pod, how, note, br)...)
		}
	}
	return out
}

// modifyNoTarget explains, for namespaces where the principal may patch or
// update some controller kind but no existing object it may touch, why
// nothing follows (resourceNames naming other objects, or no object).
func modifyNoTarget(a *Analysis, p *Principal, done map[string]bool) []Candidate {
	var out []Candidate
	for _, wr := range podMakers[1:] { // controllers; pods are handled per object
		for _, verb := range modifyVerbs {
			for _, ns := range p.Namespaces(verb, wr.group, wr.resource, "", a.namespaces) {
				if done[ns] {
					continue
				}
				done[ns] = true
				out = append(out, Candidate{Primitive: "modify-workload", Hops: 1, To: a.phantom("Namespace:"+ns, "namespace "+ns),
					Why: fmt.Sprintf("may %s %s in %s, but no existing object it may change there has a mutable pod template (resourceNames, or none in the input)", verb, wr.display(), ns)})
			}
		}
	}
	return out
}
