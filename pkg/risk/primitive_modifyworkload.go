package risk

import "fmt"

// modifyWorkload: updating a controller's pod template runs new pods with any
// ServiceAccount of the namespace (and privileged ones where Pod Security
// admits them); updating a pod can only swap images, so it runs code as the
// pod's own ServiceAccount. resourceNames limit which objects.
type modifyWorkload struct{}

func init() { register(modifyWorkload{}) }

func (modifyWorkload) ID() string { return "modify-workload" }
func (modifyWorkload) Summary() string {
	return "update/patch an existing workload → any ServiceAccount of its namespace (a pod: its own ServiceAccount)"
}

var modifyVerbs = []string{"patch", "update"}

func (modifyWorkload) Evaluate(a *Analysis, p *Principal) []Candidate {
	var out []Candidate
	// One modifiable controller per namespace is enough: each gives every
	// ServiceAccount of the namespace (the first in stable order is named).
	doneNS := map[string]bool{}
	for _, w := range a.Inv.Workloads {
		wr, ok := resourceForKind(w.Kind)
		if !ok || doneNS[w.Namespace] {
			continue
		}
		br, ok := p.FirstAny(modifyVerbs, res("", wr.group, wr.resource, "", w.Namespace, w.Name))
		if !ok {
			continue
		}
		doneNS[w.Namespace] = true
		how := fmt.Sprintf("change the pod template of %s %s/%s", w.Kind, w.Namespace, w.Name)
		for _, sa := range a.sasByNS[w.Namespace] {
			out = append(out, Candidate{Primitive: "modify-workload", To: a.SANode(w.Namespace, sa.Name), Hops: 1, Holds: true, Grants: grants(br),
				Condition: how + " to serviceAccountName " + sa.Name})
		}
		out = append(out, escapeCandidates(a, w.Namespace, how, br)...)
	}
	for _, pod := range a.Inv.Pods {
		br, ok := p.FirstAny(modifyVerbs, res("", "", "pods", "", pod.Namespace, pod.Name))
		if !ok {
			continue
		}
		if running, _ := podRunning(pod); !running {
			continue
		}
		if !a.tokenMounted(pod) {
			out = append(out, Candidate{Primitive: "modify-workload", Hops: 1, Grants: grants(br), To: a.phantom(saKey(pod.Namespace, pod.Spec.ServiceAccountName), "ServiceAccount "+pod.Namespace+"/"+pod.Spec.ServiceAccountName),
				Why: fmt.Sprintf("can change the image of pod %s/%s, but no ServiceAccount token is mounted in it", pod.Namespace, pod.Name)})
			continue
		}
		out = append(out, Candidate{Primitive: "modify-workload", To: a.SANode(pod.Namespace, pod.Spec.ServiceAccountName), Hops: 1, Holds: true, Grants: grants(br),
			Condition: fmt.Sprintf("replace the image of pod %s/%s, which mounts the token of ServiceAccount %s", pod.Namespace, pod.Name, pod.Spec.ServiceAccountName)})
		if esc, why := hostEscapes(pod.Spec); esc && pod.Spec.NodeName != "" {
			out = append(out, Candidate{Primitive: "modify-workload", To: a.NodeIdentity(pod.Spec.NodeName), Hops: 1, Holds: true, Grants: grants(br),
				Condition: fmt.Sprintf("replace the image of pod %s/%s (%s) on node %s", pod.Namespace, pod.Name, why, pod.Spec.NodeName)})
		}
	}
	return out
}
