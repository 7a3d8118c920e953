package risk

import "fmt"

// namespacePatch: Pod Security admission reads its level from namespace
// labels, so whoever can patch or update a namespace (cluster-wide, or by a
// RoleBinding inside it on its own object) lifts the level; together with
// creating pods there, that is a privileged pod on any node.
type namespacePatch struct{}

func init() { register(namespacePatch{}) }

func (namespacePatch) ID() string { return "namespace-patch" }
func (namespacePatch) Summary() string {
	return "patch a namespace's Pod Security labels + create pods there → privileged pods on any node"
}
func (namespacePatch) Color() string        { return "#c2410c" }
func (namespacePatch) Techniques() []string { return []string{"T1562.001", "T1611"} }

// namespacePatchProbes are the requests of a namespace-patch step: patch
// the namespace, create pods or controllers in it.
var namespacePatchProbes = append(append([]reqShape{}, patchNamespaceProbes...), createPodProbes...)

func (namespacePatch) Evaluate(a *Analysis, p *Principal) []Candidate {
	var out []Candidate
	// Where only rules bound cluster-wide apply, every namespace's step has
	// the same grants, so it is one edge, of which the graph keeps the least
	// condition: the first such namespace's in order (the conditions first
	// differ at the namespace's name). Past it, such namespaces only add
	// failed steps, which explain alone keeps.
	var own map[string]bool
	firstShared := !a.keeps(p)
	if firstShared {
		own = namespacedReach(p, namespacePatchProbes...)
	}
	sharedDone := false
	for _, ns := range a.namespacesFor(p, patchNamespaceProbes...) {
		shared := firstShared && !own[ns]
		if shared && sharedDone {
			continue
		}
		if allowed, _ := a.allowsHostAccess(ns); allowed {
			continue // nothing to lift; node-escape covers it
		}
		patch, ok := p.FirstAny(modifyVerbs, res("", "", "namespaces", "", ns, ns))
		if !ok {
			continue
		}
		level, _ := a.EnforceLevel(ns)
		pods, w, ok := canCreatePods(p, ns)
		if !ok {
			out = append(out, Candidate{Primitive: "namespace-patch", Hops: 1, Grants: grants(patch), To: a.phantom("Nodes", "any node"),
				Why: fmt.Sprintf("can lift the Pod Security level of %s (%s), but cannot create pods or workloads there", ns, level)})
			continue
		}
		if len(a.nodes) == 0 {
			out = append(out, Candidate{Primitive: "namespace-patch", Hops: 1, Grants: grants(patch, pods), To: a.phantom("Nodes", "any node"),
				Why: fmt.Sprintf("can lift the Pod Security level of %s (%s) and create pods there, but no Node is in the input", ns, level)})
			continue
		}
		c := Candidate{Primitive: "namespace-patch", To: a.AnyNode(), Hops: 1, Holds: true, Grants: grants(patch, pods),
			Condition: fmt.Sprintf("set %s=privileged on namespace %s (now %s), then create %s there with a privileged pod on the node of choice", LabelEnforce, ns, level, w.display())}
		// The pod is admitted under the relabelled namespace (selectors see the new label).
		cs := a.gateEscape([]Candidate{c}, ns, podCreator(p, w), a.relabelled(ns))
		out = append(out, cs...)
		sharedDone = sharedDone || (shared && anyHolds(cs))
	}
	return out
}
