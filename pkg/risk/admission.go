package risk

import (
	"fmt"
	"sort"
	"strings"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/auth-paths/kubectl-auth-paths/graph"
	"github.com/auth-paths/kubectl-auth-paths/pkg/admission"
)

// Admission policies as conditions: a step that needs a new pod (or a
// PersistentVolume) holds only if the admission policies of the input
// admit the objects the attacker would submit. The attacker tries several
// pods that reach the same goal (a node: privileged, or a read-only
// hostPath /, or hostPID with SYS_PTRACE), each otherwise as compliant as
// possible (capabilities dropped, seccomp RuntimeDefault, no privilege
// escalation): the step holds if one is admitted.

// probe is one way to make a step: the requests it sends, in order.
type probe struct {
	label string
	reqs  []admission.Request
}

// probePodName names every object the probes submit.
const probePodName = "auth-paths-probe"

// probeImage is the attacker's image; policies on images see this one.
const probeImage = "busybox:1.36"

// admissionState is the evaluator and the verdicts asked so far.
type admissionState struct {
	eval   *admission.Evaluator
	cache  map[string]probeResult
	warned map[string]bool
}

type probeResult struct {
	admitted int // index of the admitted probe, -1 when none
	why      string
	note     string
}

func (a *Analysis) initAdmission() {
	if a.Opts.IgnoreAdmissionPolicies || (len(a.Inv.AdmissionPolicies) == 0 && len(a.Inv.EnginePolicies) == 0) {
		return
	}
	a.adm = &admissionState{eval: admission.New(a.Inv), cache: map[string]probeResult{}, warned: map[string]bool{}}
	if a.adm.eval.Empty() {
		a.adm = nil
	}
}

// controllerUsers are the identities the controllers create pods as
// (kube-controller-manager with --use-service-account-credentials, as
// kubeadm and most distributions run it).
var controllerUsers = map[string]string{
	"deployments":            "replicaset-controller",
	"replicasets":            "replicaset-controller",
	"statefulsets":           "statefulset-controller",
	"daemonsets":             "daemon-set-controller",
	"jobs":                   "job-controller",
	"cronjobs":               "job-controller",
	"replicationcontrollers": "replication-controller",
}

// requester is who the apiserver sees sending the principal's requests.
// A group's or a scope's members are unknown: only the group is known.
func requester(p *Principal) admission.User {
	if p.Acting != nil {
		groups := append([]string(nil), p.Acting.Groups...)
		sort.Strings(groups)
		return admission.User{Name: p.Acting.User, Groups: compactStrings(groups)}
	}
	n := p.Node
	groups := append([]string(nil), p.Groups...)
	var name string
	switch n.Kind {
	case graph.KindServiceAccount:
		name = "system:serviceaccount:" + n.Namespace + ":" + n.Name
		groups = append(groups, "system:serviceaccounts", "system:serviceaccounts:"+n.Namespace)
	case graph.KindUser:
		name = n.Name
	case graph.KindNode:
		name = "system:node:" + n.Name
		groups = append(groups, "system:nodes")
	case graph.KindGroup:
		groups = append(groups, n.Name)
	}
	groups = append(groups, "system:authenticated")
	sort.Strings(groups)
	return admission.User{Name: name, Groups: compactStrings(groups)}
}

func compactStrings(s []string) []string {
	out := s[:0]
	for i, x := range s {
		if i == 0 || x != s[i-1] {
			out = append(out, x)
		}
	}
	return out
}

// podCreator is who creates the pod: the principal for pods, the
// controller's ServiceAccount for a workload.
func podCreator(p *Principal, w workloadResource) admission.User {
	if c, ok := controllerUsers[w.resource]; ok {
		return admission.User{Name: "system:serviceaccount:kube-system:" + c,
			Groups: []string{"system:authenticated", "system:serviceaccounts", "system:serviceaccounts:kube-system"}}
	}
	return requester(p)
}

// probeNode is the node the probes pin their pods to.
func (a *Analysis) probeNode() string {
	if len(a.nodes) > 0 {
		return a.nodes[0].Name
	}
	return ""
}

func podRequest(pod *corev1.Pod, u admission.User, tokenMounted bool) admission.Request {
	admission.DefaultPod(pod, tokenMounted)
	return admission.Request{Object: pod, Kind: admission.PodKind, Resource: admission.PodGVR, Namespace: pod.Namespace, Name: pod.Name, User: u}
}

func ptrBool(b bool) *bool { return &b }

// hardened is a container as compliant as the goal allows.
func hardened(root bool) corev1.Container {
	c := corev1.Container{Name: "probe", Image: probeImage, Command: []string{"sleep", "infinity"},
		SecurityContext: &corev1.SecurityContext{
			AllowPrivilegeEscalation: ptrBool(false),
			Capabilities:             &corev1.Capabilities{Drop: []corev1.Capability{"ALL"}},
			SeccompProfile:           &corev1.SeccompProfile{Type: corev1.SeccompProfileTypeRuntimeDefault},
			ReadOnlyRootFilesystem:   ptrBool(true),
		}}
	if !root {
		uid := int64(65534)
		c.SecurityContext.RunAsNonRoot = ptrBool(true)
		c.SecurityContext.RunAsUser = &uid
	}
	return c
}

func probePod(ns, node string) *corev1.Pod {
	return &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: probePodName, Namespace: ns}, Spec: corev1.PodSpec{NodeName: node}}
}

// escapeProbes are the pods that take a node.
func (a *Analysis) escapeProbes(ns string, u admission.User) []probe {
	node := a.probeNode()
	priv := probePod(ns, node)
	c := hardened(true)
	c.SecurityContext.AllowPrivilegeEscalation = nil // privileged implies it
	c.SecurityContext.Privileged = ptrBool(true)
	priv.Spec.Containers = []corev1.Container{c}

	host := probePod(ns, node)
	c = hardened(true)
	c.VolumeMounts = []corev1.VolumeMount{{Name: "host", MountPath: "/host", ReadOnly: true}}
	host.Spec.Containers = []corev1.Container{c}
	host.Spec.Volumes = []corev1.Volume{{Name: "host", VolumeSource: corev1.VolumeSource{HostPath: &corev1.HostPathVolumeSource{Path: "/"}}}}

	pid := probePod(ns, node)
	c = hardened(true)
	c.SecurityContext.Capabilities.Add = []corev1.Capability{"SYS_PTRACE"}
	pid.Spec.Containers = []corev1.Container{c}
	pid.Spec.HostPID = true

	return []probe{
		{"a privileged container", []admission.Request{podRequest(priv, u, true)}},
		{"a read-only hostPath / volume", []admission.Request{podRequest(host, u, true)}},
		{"hostPID with SYS_PTRACE", []admission.Request{podRequest(pid, u, true)}},
	}
}

// saProbes: a pod that only runs as a ServiceAccount.
func saProbes(ns, sa string, u admission.User) []probe {
	pod := probePod(ns, "")
	pod.Spec.ServiceAccountName = sa
	pod.Spec.Containers = []corev1.Container{hardened(false)}
	return []probe{{"a restricted pod with serviceAccountName " + sa, []admission.Request{podRequest(pod, u, true)}}}
}

// pvProbes: the hostPath PersistentVolume, its claim and a root pod mounting it.
func (a *Analysis) pvProbes(ns string, attacker, creator admission.User) []probe {
	pv := &corev1.PersistentVolume{ObjectMeta: metav1.ObjectMeta{Name: probePodName}, Spec: corev1.PersistentVolumeSpec{
		AccessModes:            []corev1.PersistentVolumeAccessMode{corev1.ReadWriteOnce},
		PersistentVolumeSource: corev1.PersistentVolumeSource{HostPath: &corev1.HostPathVolumeSource{Path: "/"}},
		ClaimRef:               &corev1.ObjectReference{Kind: "PersistentVolumeClaim", Namespace: ns, Name: probePodName},
	}}
	admission.DefaultPV(pv)
	pvc := &corev1.PersistentVolumeClaim{ObjectMeta: metav1.ObjectMeta{Name: probePodName, Namespace: ns}, Spec: corev1.PersistentVolumeClaimSpec{
		AccessModes: []corev1.PersistentVolumeAccessMode{corev1.ReadWriteOnce}, VolumeName: probePodName,
		Resources: corev1.VolumeResourceRequirements{Requests: pv.Spec.Capacity},
	}}
	admission.DefaultPVC(pvc)
	pod := probePod(ns, a.probeNode())
	c := hardened(true)
	c.VolumeMounts = []corev1.VolumeMount{{Name: "host", MountPath: "/host", ReadOnly: true}}
	pod.Spec.Containers = []corev1.Container{c}
	pod.Spec.Volumes = []corev1.Volume{{Name: "host", VolumeSource: corev1.VolumeSource{
		PersistentVolumeClaim: &corev1.PersistentVolumeClaimVolumeSource{ClaimName: probePodName, ReadOnly: true}}}}
	return []probe{{"a hostPath / PersistentVolume, its claim and a pod mounting it", []admission.Request{
		{Object: pv, Kind: admission.PVKind, Resource: admission.PVGVR, Name: pv.Name, User: attacker},
		{Object: pvc, Kind: admission.PVCKind, Resource: admission.PVCGVR, Namespace: ns, Name: pvc.Name, User: attacker},
		podRequest(pod, creator, true),
	}}}
}

// gate makes a holding candidate conditional on the admission policies: it
// still holds when one probe is admitted by every policy, else it is kept
// as a failed step saying which policy rejects each probe. key identifies
// the probes (namespace, users, variant) for the cache.
func (a *Analysis) gate(c Candidate, key string, probes func() []probe) Candidate {
	if a.adm == nil || !c.Holds {
		return c
	}
	r := memo(&a.mu, &a.adm.cache, key, func() probeResult { return a.askProbes(probes()) })
	if r.admitted >= 0 {
		if r.note != "" {
			c.Condition, c.Later = c.When()+"; "+r.note, nil
		}
		return c
	}
	c.Holds = false
	c.Why = c.When() + ", but the admission policies reject it: " + r.why
	c.Condition, c.Later = "", nil
	return c
}

func (a *Analysis) askProbes(probes []probe) probeResult {
	var whys []string
	for i, pr := range probes {
		var denied, notes []string
		for _, req := range pr.reqs {
			v := a.adm.eval.Admit(req)
			for _, f := range v.NotEvaluated {
				a.warnAdmission(f)
			}
			if !v.Allowed() {
				denied = append(denied, fmt.Sprintf("%s %s: %s", req.Kind.Kind, requestName(req), v.Reason()))
			}
			for _, f := range v.Warned {
				notes = append(notes, "warned by "+f.Policy)
			}
		}
		if len(denied) == 0 {
			note := "admitted by the admission policies as " + pr.label
			if len(notes) > 0 {
				note += " (" + strings.Join(notes, ", ") + ")"
			}
			return probeResult{admitted: i, note: note}
		}
		whys = append(whys, pr.label+" is denied ("+strings.Join(denied, "; ")+")")
	}
	return probeResult{admitted: -1, why: strings.Join(whys, "; ")}
}

func requestName(r admission.Request) string {
	if r.Namespace != "" {
		return r.Namespace + "/" + r.Name
	}
	return r.Name
}

// warnAdmission reports once each policy that could not be evaluated.
func (a *Analysis) warnAdmission(f admission.Finding) {
	k := f.Policy + "\x00" + f.Message
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.adm.warned[k] {
		return
	}
	a.adm.warned[k] = true
	a.warnings = append(a.warnings, fmt.Sprintf("admission policy %s not evaluated (it blocks no step): %s", f.Policy, f.Message))
}

// userCacheKey renders a requester for keys.
func userCacheKey(u admission.User) string {
	return u.Name + "\x01" + strings.Join(u.Groups, ",")
}

// requesterKey renders a requester for the keys of the admission answers:
// empty when no policy reads who asks, so that every principal's requests
// of a namespace and ServiceAccount share one answer instead of one each.
func (a *Analysis) requesterKey(u admission.User) string {
	if !a.adm.eval.ReadsUser() {
		return ""
	}
	return userCacheKey(u)
}

// AdmissionEnabled reports whether admission policies condition the steps.
func (a *Analysis) AdmissionEnabled() bool { return a.adm != nil }

// makerGrant is one way to create pods in a namespace.
type makerGrant struct {
	br rbacBound
	w  workloadResource
}

// makersIn returns the ways the principal creates pods in ns: the first
// one (br, w) only, unless admission policies are evaluated (then a policy
// may admit the pods of a controller and not the principal's own).
func (a *Analysis) makersIn(p *Principal, ns string, br rbacBound, w workloadResource) []makerGrant {
	if a.adm == nil {
		return []makerGrant{{br, w}}
	}
	var out []makerGrant
	for _, w := range podMakers {
		if br, ok := p.First(res("create", w.group, w.resource, "", ns, "")); ok {
			out = append(out, makerGrant{br, w})
		}
	}
	return out
}

// gateEscape conditions node-escape candidates on the escape probes.
func (a *Analysis) gateEscape(cs []Candidate, ns string, u admission.User, nsLabels map[string]string) []Candidate {
	if a.adm == nil {
		return cs
	}
	key := "escape\x00" + ns + "\x00" + a.requesterKey(u) + "\x00" + labelsKey(nsLabels)
	for i := range cs {
		cs[i] = a.gate(cs[i], key, func() []probe {
			ps := a.escapeProbes(ns, u)
			for j := range ps {
				for k := range ps[j].reqs {
					ps[j].reqs[k].NamespaceLabels = nsLabels
				}
			}
			return ps
		})
	}
	return cs
}

// gateSA conditions a step to a ServiceAccount through a new pod.
func (a *Analysis) gateSA(c Candidate, ns, sa string, u admission.User) Candidate {
	if a.adm == nil {
		return c
	}
	return a.gate(c, "sa\x00"+ns+"\x00"+sa+"\x00"+a.requesterKey(u), func() []probe { return saProbes(ns, sa, u) })
}

func labelsKey(l map[string]string) string {
	if l == nil {
		return ""
	}
	keys := make([]string, 0, len(l))
	for k, v := range l {
		keys = append(keys, k+"="+v)
	}
	sort.Strings(keys)
	return strings.Join(keys, ",")
}

// anyHolds reports whether one candidate holds.
func anyHolds(cs []Candidate) bool {
	for _, c := range cs {
		if c.Holds {
			return true
		}
	}
	return false
}

// gatePV conditions a create-pv candidate: the PersistentVolume and claim
// are the principal's requests, the pod its creator's.
func (a *Analysis) gatePV(c Candidate, p *Principal, ns string, w workloadResource) Candidate {
	if a.adm == nil {
		return c
	}
	attacker, creator := requester(p), podCreator(p, w)
	return a.gate(c, "pv\x00"+ns+"\x00"+a.requesterKey(attacker)+"\x00"+a.requesterKey(creator), func() []probe {
		return a.pvProbes(ns, attacker, creator)
	})
}

// relabelled are a namespace's labels after namespace-patch lifts its level.
func (a *Analysis) relabelled(ns string) map[string]string {
	if a.adm == nil {
		return nil
	}
	out := map[string]string{}
	if n := a.nsObjects[ns]; n != nil {
		for k, v := range n.Labels {
			out[k] = v
		}
	}
	out[LabelEnforce] = LevelPrivileged
	return out
}
