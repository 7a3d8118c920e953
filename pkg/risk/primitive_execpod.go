package risk

import "fmt"

// execPod: exec or attach into a running pod runs commands with its mounted
// ServiceAccount token (and on its node when the pod shares the host);
// adding an ephemeral container does the same.
type execPod struct{}

func init() { register(execPod{}) }

func (execPod) ID() string { return "exec-pod" }
func (execPod) Summary() string {
	return "exec/attach into a running pod (or add an ephemeral container) → its ServiceAccount, and its node if the pod shares the host"
}

func (execPod) Evaluate(a *Analysis, p *Principal) []Candidate {
	needsCreate, versionNote := execNeedsCreate(a.Opts.KubernetesVersion)
	verbs := []string{"create"}
	if !needsCreate {
		verbs = append(verbs, "get")
	}
	var out []Candidate
	for _, pod := range a.Inv.Pods {
		var br rbacBound
		var how string
		found := false
		for _, sub := range []string{"exec", "attach"} {
			for _, v := range verbs {
				if b, ok := p.First(res(v, "", "pods", sub, pod.Namespace, pod.Name)); ok {
					br, how, found = b, fmt.Sprintf("%s pods/%s on %s/%s", v, sub, pod.Namespace, pod.Name), true
					if v == "get" {
						how += " (" + versionNote + ")"
					}
					break
				}
			}
			if found {
				break
			}
		}
		ephemeral := false
		if !found {
			if b, ok := p.FirstAny(modifyVerbs, res("", "", "pods", "ephemeralcontainers", pod.Namespace, pod.Name)); ok {
				br, how, found, ephemeral = b, fmt.Sprintf("add an ephemeral container to %s/%s", pod.Namespace, pod.Name), true, true
			}
		}
		if !found {
			continue
		}
		running, note := podRunning(pod)
		if !running {
			out = append(out, Candidate{Primitive: "exec-pod", Hops: 1, Grants: grants(br), To: a.phantom("Pod:"+pod.Namespace+"/"+pod.Name, "pod "+pod.Namespace+"/"+pod.Name),
				Why: fmt.Sprintf("%s, but the pod is %s", how, pod.Phase)})
			continue
		}
		if a.tokenMounted(pod) {
			out = append(out, Candidate{Primitive: "exec-pod", To: a.SANode(pod.Namespace, pod.Spec.ServiceAccountName), Hops: 1, Holds: true, Grants: grants(br),
				Condition: fmt.Sprintf("%s, which mounts the token of ServiceAccount %s%s", how, pod.Spec.ServiceAccountName, note)})
		} else {
			out = append(out, Candidate{Primitive: "exec-pod", Hops: 1, Grants: grants(br), To: a.phantom(saKey(pod.Namespace, pod.Spec.ServiceAccountName), "ServiceAccount "+pod.Namespace+"/"+pod.Spec.ServiceAccountName),
				Why: fmt.Sprintf("%s, but no ServiceAccount token is mounted in it", how)})
		}
		if pod.Spec.NodeName == "" {
			continue
		}
		if esc, why := hostEscapes(pod.Spec); esc {
			out = append(out, Candidate{Primitive: "exec-pod", To: a.NodeIdentity(pod.Spec.NodeName), Hops: 1, Holds: true, Grants: grants(br),
				Condition: fmt.Sprintf("%s (%s) on node %s%s", how, why, pod.Spec.NodeName, note)})
		} else if ephemeral {
			if allowed, why := a.allowsHostAccess(pod.Namespace); allowed {
				out = append(out, Candidate{Primitive: "exec-pod", To: a.NodeIdentity(pod.Spec.NodeName), Hops: 1, Holds: true, Grants: grants(br),
					Condition: fmt.Sprintf("%s as a privileged ephemeral container on node %s; %s", how, pod.Spec.NodeName, why)})
			}
		}
	}
	return out
}
