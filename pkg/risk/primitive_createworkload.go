package risk

import "fmt"

// createWorkload: whoever creates pods, or any controller with a pod template,
// in a namespace can run a pod as any ServiceAccount of that namespace: the
// ServiceAccount admission plugin only checks that it exists, RBAC has no
// "use" check on serviceAccountName.
//
// Conditions read from the input: a ServiceAccount in the namespace, and
// the admission policies (a restricted pod with that serviceAccountName must
// be admitted, admission.go). A rule
// with resourceNames never allows create (the request has no name yet).
type createWorkload struct{}

func init() { register(createWorkload{}) }

func (createWorkload) ID() string { return "create-workload" }
func (createWorkload) Summary() string {
	return "create pods or workload controllers in a namespace → any ServiceAccount of that namespace"
}
func (createWorkload) Color() string        { return "#2563eb" }
func (createWorkload) Techniques() []string { return []string{"T1610", "T1053.007"} }

func (createWorkload) Evaluate(a *Analysis, p *Principal) []Candidate {
	var out []Candidate
	for _, ns := range podCreatorNamespaces(a, p) {
		br, w, ok := canCreatePods(p, ns)
		if !ok {
			out = append(out, createOnlyByName(a, p, ns)...)
			continue
		}
		if len(a.sasByNS[ns]) == 0 {
			out = append(out, Candidate{Primitive: "create-workload", Hops: 1, Grants: grants(br), To: a.phantom("Namespace:"+ns, "namespace "+ns),
				Why: fmt.Sprintf("can create %s in %s, but no ServiceAccount of that namespace is in the input", w.display(), ns)})
			continue
		}
		makers := a.makersIn(p, ns, br, w)
		for _, sa := range a.sasByNS[ns] {
			var first Candidate
			for i, m := range makers {
				c := Candidate{Primitive: "create-workload", To: a.SANode(ns, sa.Name), Hops: 1, Holds: true, Grants: grants(m.br),
					Condition: fmt.Sprintf("create %s in %s with serviceAccountName %s (a pod may use any ServiceAccount of its namespace)", m.w.display(), ns, sa.Name)}
				c = a.gateSA(c, ns, sa.Name, podCreator(p, m.w))
				if i == 0 || c.Holds {
					first = c
				}
				if c.Holds {
					break
				}
			}
			out = append(out, first)
		}
	}
	return out
}

// createOnlyByName explains a namespace where the only create rules on pod
// makers carry resourceNames, which never match a create.
func createOnlyByName(a *Analysis, p *Principal, ns string) []Candidate {
	for _, w := range podMakers {
		for i := range p.Rules {
			br := p.Rules[i]
			if (br.Namespace != "" && br.Namespace != ns) || len(br.Rule.ResourceNames) == 0 {
				continue
			}
			if ruleAllows(br, res("create", w.group, w.resource, "", ns, br.Rule.ResourceNames[0])) {
				return []Candidate{{Primitive: "create-workload", Hops: 1, Grants: grants(br), To: a.phantom("Namespace:"+ns, "namespace "+ns),
					Why: fmt.Sprintf("may create %s in %s only with resourceNames %v, which never match a create (it has no name yet)", w.display(), ns, br.Rule.ResourceNames)}}
			}
		}
	}
	return nil
}
