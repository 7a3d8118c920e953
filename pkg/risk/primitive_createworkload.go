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
	// Pods created in every namespace (a rule bound cluster-wide): one step
	// into the scope of every namespace's ServiceAccounts, and none per
	// namespace where that rule is the one that allows it. With admission
	// policies a pod's fate depends on its namespace: per namespace.
	everywhere := false
	if a.adm == nil {
		if br, w, ok := canCreatePods(p, allNamespaces); ok {
			if scope := a.anySAScope(allNamespaces); scope != nil {
				out = append(out, Candidate{Primitive: "create-workload", To: scope, Hops: 1, Holds: true, Grants: grants(br), Condition: createCondition(w, allNamespaces)})
				everywhere = true
			}
		}
	}
	namespaces := podCreatorNamespaces(a, p)
	if everywhere && !a.keeps(p) {
		// Where no rule of the namespace's own applies, the step into every
		// namespace's scope has it all; the rest would be failed steps.
		namespaces = a.ownNamespaces(p, createPodProbes...)
	}
	for _, ns := range namespaces {
		br, w, ok := canCreatePods(p, ns)
		if !ok {
			out = append(out, createOnlyByName(a, p, ns)...)
			continue
		}
		if everywhere && br.Namespace == "" && len(a.sasByNS[ns]) > 0 {
			continue
		}
		if len(a.sasByNS[ns]) == 0 {
			out = append(out, Candidate{Primitive: "create-workload", Hops: 1, Grants: grants(br), To: a.phantom("Namespace:"+ns, "namespace "+ns),
				Why: fmt.Sprintf("can create %s in %s, but no ServiceAccount of that namespace is in the input", w.display(), ns)})
			continue
		}
		makers := a.makersIn(p, ns, br, w)
		reached := false
		for _, m := range makers {
			if scope := a.newPodScope(ns, creatorName(p, m.w), podCreator(p, m.w)); scope != nil {
				out = append(out, Candidate{Primitive: "create-workload", To: scope, Hops: 1, Holds: true, Grants: grants(m.br), Condition: createCondition(m.w, ns)})
				reached = true
			}
		}
		if reached {
			continue
		}
		// Admission refuses every ServiceAccount to every way of creating
		// pods here: explain says why for each, with the first way.
		m := makers[0]
		for _, sa := range a.sasByNS[ns] {
			out = append(out, a.gateSA(Candidate{Primitive: "create-workload", To: a.SANode(ns, sa.Name), Hops: 1, Holds: true, Grants: grants(m.br),
				Condition: fmt.Sprintf("create %s in %s with serviceAccountName %s (a pod may use any ServiceAccount of its namespace)", m.w.display(), ns, sa.Name)}, ns, sa.Name, podCreator(p, m.w)))
		}
	}
	return out
}

// createCondition is the step into a namespace's ServiceAccount scope.
func createCondition(w workloadResource, ns string) string {
	if c, ok := controllerUsers[w.resource]; ok {
		return fmt.Sprintf("create %s in %s: %s makes its pods with the serviceAccountName the template sets", w.display(), anyWhere(ns), c)
	}
	return fmt.Sprintf("create %s in %s with the serviceAccountName of any ServiceAccount of the namespace", w.display(), anyWhere(ns))
}

// creatorName names who submits the pods: the controller for a workload,
// else the user the principal's requests are sent as (a group's members
// are unknown: the group).
func creatorName(p *Principal, w workloadResource) string {
	if c, ok := controllerUsers[w.resource]; ok {
		return c
	}
	if u := requester(p); u.Name != "" {
		return u.Name
	}
	return NodeName(p.Node)
}

// createOnlyByName explains a namespace where the only create rules on pod
// makers carry resourceNames, which never match a create.
func createOnlyByName(a *Analysis, p *Principal, ns string) []Candidate {
	var out []Candidate
	for _, w := range podMakers {
		p.eachApplicable(ns, func(br *rbacBound) bool {
			if len(br.Rule.ResourceNames) == 0 || !ruleAllows(*br, res("create", w.group, w.resource, "", ns, br.Rule.ResourceNames[0])) {
				return true
			}
			out = []Candidate{{Primitive: "create-workload", Hops: 1, Grants: grants(*br), To: a.phantom("Namespace:"+ns, "namespace "+ns),
				Why: fmt.Sprintf("may create %s in %s only with resourceNames %v, which never match a create (it has no name yet)", w.display(), ns, br.Rule.ResourceNames)}}
			return false
		})
		if out != nil {
			return out
		}
	}
	return nil
}
