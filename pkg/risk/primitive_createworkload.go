package risk

import "fmt"

// createWorkload: whoever creates pods, or any controller with a pod template,
// in a namespace can run a pod as any ServiceAccount of that namespace.
type createWorkload struct{}

func init() { register(createWorkload{}) }

func (createWorkload) ID() string { return "create-workload" }
func (createWorkload) Summary() string {
	return "create pods or workload controllers in a namespace → any ServiceAccount of that namespace"
}

func (createWorkload) Evaluate(a *Analysis, p *Principal) []Candidate {
	var out []Candidate
	for _, ns := range podCreatorNamespaces(a, p) {
		br, w, ok := canCreatePods(p, ns)
		if !ok {
			continue
		}
		if len(a.sasByNS[ns]) == 0 {
			out = append(out, Candidate{Primitive: "create-workload", Hops: 1, Grants: grants(br), To: a.phantom("Namespace:"+ns, "namespace "+ns),
				Why: fmt.Sprintf("can create %s in %s, but no ServiceAccount of that namespace is in the input", w.display(), ns)})
			continue
		}
		for _, sa := range a.sasByNS[ns] {
			out = append(out, Candidate{Primitive: "create-workload", To: a.SANode(ns, sa.Name), Hops: 1, Holds: true, Grants: grants(br),
				Condition: fmt.Sprintf("create %s in %s with serviceAccountName %s (a pod may use any ServiceAccount of its namespace)", w.display(), ns, sa.Name)})
		}
	}
	return out
}
