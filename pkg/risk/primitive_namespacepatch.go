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

func (namespacePatch) Evaluate(a *Analysis, p *Principal) []Candidate {
	var out []Candidate
	for _, ns := range a.namespacesFor(p, patchNamespaceProbes...) {
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
	}
	return out
}
