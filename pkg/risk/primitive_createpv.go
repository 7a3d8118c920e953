package risk

import "fmt"

// createPV: a hostPath PersistentVolume is not checked by Pod Security, so a
// principal who creates PersistentVolumes and can create pods and claims in
// some namespace mounts a node's root filesystem through a claim. The pod
// still runs under the namespace's level.
//
// Upstream: RBAC good practices, "Persistent volume creation"; Pod Security
// Standards check pod volumes (hostPath is forbidden from baseline) but a
// persistentVolumeClaim volume is allowed at every level.
//
// restricted does not stop it: it forces a non-root user, but admits
// runAsGroup: 0 and supplementalGroups: [0], and the root group may write
// the node's root-group-writable files, among them the container runtime's
// socket (containerd and CRI-O create it 0660 root:root), which runs any
// container on the node, privileged included. That rests on the node's file
// modes, which the input does not show: the step says it assumes them.
//
// Conditions read from the input: at least one Node, and the admission
// policies (the PersistentVolume, its claim and the pod must be admitted,
// admission.go).
type createPV struct{}

func init() { register(createPV{}) }

func (createPV) ID() string { return "create-pv" }
func (createPV) Summary() string {
	return "create a hostPath PersistentVolume + pods and claims in a namespace → a node's filesystem and kubelet identity"
}
func (createPV) Color() string        { return "#d97706" }
func (createPV) Techniques() []string { return []string{"T1611", "T1610"} }

func (createPV) Evaluate(a *Analysis, p *Principal) []Candidate {
	pv, ok := p.First(res("create", "", "persistentvolumes", "", "", ""))
	if !ok {
		return nil
	}
	var out []Candidate
	var claimless []string
	for _, ns := range podCreatorNamespaces(a, p) {
		pods, w, ok := canCreatePods(p, ns)
		if !ok {
			continue
		}
		pvc, ok := p.First(res("create", "", "persistentvolumeclaims", "", ns, ""))
		if !ok {
			claimless = append(claimless, ns)
			continue
		}
		how := fmt.Sprintf("create a hostPath PersistentVolume, a claim and %s in %s", w.display(), ns)
		level, _ := a.EnforceLevel(ns)
		as, assumed := "as root", false
		if level == LevelRestricted {
			assumed = true
			as = "as a non-root user with runAsGroup 0, which restricted admits (assumes the node's container runtime socket is 0660 root:root, as containerd and CRI-O create it: the root group drives the runtime)"
		}
		if len(a.nodes) == 0 {
			out = append(out, Candidate{Primitive: "create-pv", Hops: 1, Grants: grants(pv, pvc, pods), To: a.phantom("Nodes", "any node"), Why: how + ", but no Node is in the input"})
			continue
		}
		var c Candidate
		for i, m := range a.makersIn(p, ns, pods, w) {
			how := fmt.Sprintf("create a hostPath PersistentVolume, a claim and %s in %s", m.w.display(), ns)
			mc := Candidate{Primitive: "create-pv", To: a.AnyNode(), Hops: 1, Holds: true, Assumed: assumed, Grants: grants(pv, pvc, m.br),
				Condition: fmt.Sprintf("%s, pinned to the node of choice, running %s (PersistentVolume hostPath is not checked by Pod Security; namespace level %s)", how, as, level)}
			mc = a.gatePV(mc, p, ns, m.w)
			if i == 0 || mc.Holds {
				c = mc
			}
			if mc.Holds {
				break
			}
		}
		out = append(out, c)
		if c.Holds {
			return out // one namespace is enough to reach every node
		}
	}
	if len(claimless) > 0 {
		out = append(out, Candidate{Primitive: "create-pv", Hops: 1, Grants: grants(pv), To: a.phantom("Nodes", "any node"),
			Why: fmt.Sprintf("can create PersistentVolumes and pods in %v, but no PersistentVolumeClaim there to mount the volume", claimless)})
	}
	return out
}
