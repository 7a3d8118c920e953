package risk

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/auth-paths/kubectl-auth-paths/pkg/model"
)

// workloadResource is a resource whose objects make pods.
type workloadResource struct {
	group, resource, kind string
}

// podMakers are pods and every built-in controller with a pod template.
var podMakers = []workloadResource{
	{"", "pods", "Pod"},
	{"apps", "deployments", "Deployment"},
	{"apps", "replicasets", "ReplicaSet"},
	{"apps", "statefulsets", "StatefulSet"},
	{"apps", "daemonsets", "DaemonSet"},
	{"batch", "jobs", "Job"},
	{"batch", "cronjobs", "CronJob"},
	{"", "replicationcontrollers", "ReplicationController"},
}

func (w workloadResource) display() string {
	if w.group == "" {
		return w.resource
	}
	return w.resource + "." + w.group
}

func resourceForKind(kind string) (workloadResource, bool) {
	for _, w := range podMakers {
		if w.kind == kind {
			return w, true
		}
	}
	return workloadResource{}, false
}

// canCreatePods returns the first grant letting the principal create pods
// (directly or through a controller) in ns, and which resource.
func canCreatePods(p *Principal, ns string) (rbacBound, workloadResource, bool) {
	for _, w := range podMakers {
		if br, ok := p.First(res("create", w.group, w.resource, "", ns, "")); ok {
			return br, w, true
		}
	}
	return rbacBound{}, workloadResource{}, false
}

// podCreatorNamespaces returns the namespaces where the principal may create
// pods somehow, in Analysis.namespaces order, without visiting every
// namespace for every principal. A rule that names objects never allows a
// create (the object has no name yet): when no rule bound cluster-wide
// allows one, only the namespaces of the principal's own rules can, and the
// others would give explain's failed steps only (kept for its subjects).
// A ClusterRole creating pods by name, bound to many, made every holder
// visit every namespace.
func podCreatorNamespaces(a *Analysis, p *Principal) []string {
	if _, _, ok := canCreatePods(p, allNamespaces); !ok && !a.keeps(p) {
		return a.ownNamespaces(p, createPodProbes...)
	}
	return a.namespacesFor(p, createPodProbes...)
}

func podRunning(p *model.Pod) (bool, string) {
	switch p.Phase {
	case "Running":
		return true, ""
	case "":
		return true, " (phase not in the input: assumed running)"
	}
	return false, ""
}

// execNeedsCreate reports whether the cluster authorizes exec/attach
// WebSocket upgrades as `create` only: from v1.35 the apiserver checks
// `create` on pods/exec and pods/attach for the WebSocket upgrade too
// (feature gate AuthorizePodWebsocketUpgradeCreatePermission, on by default);
// before, the upgrade is a GET and `get` was enough. Unknown versions are
// treated as older, where `get` also suffices (the conservative answer for
// a risk tool: an edge rather than none).
func execNeedsCreate(version string) (bool, string) {
	minor, ok := parseMinor(version)
	if !ok {
		return false, "cluster version unknown (give --kubernetes-version): before v1.35 `get` also allows exec and attach through a WebSocket upgrade"
	}
	if minor >= 35 {
		return true, ""
	}
	return false, "cluster v1." + strconv.Itoa(minor) + ": before v1.35 `get` also allows exec and attach through a WebSocket upgrade"
}

// parseMinor returns the minor of a Kubernetes 1.x version ("v1.35",
// "1.34.2", "v1.35.0-rc.1+k3s1", "v1.33.5-eks-113cf36"); false for anything else.
func parseMinor(v string) (int, bool) {
	v = strings.TrimPrefix(strings.TrimSpace(v), "v")
	parts := strings.Split(v, ".")
	if len(parts) < 2 || parts[0] != "1" {
		return 0, false
	}
	digits := parts[1]
	for i, c := range digits {
		if c < '0' || c > '9' {
			digits = digits[:i]
			break
		}
	}
	m, err := strconv.Atoi(digits)
	return m, err == nil
}

// hostCandidates are the steps of code running inside an existing pod that
// reaches its node: the kubelet identity when the pod escapes (hostEscapes),
// else the ServiceAccounts of the node's pods when it mounts the kubelet's
// pod directory (readsPodTokens).
// mayReachHost: hostCandidates may give something for the pod (it is bound
// to a node and shares the host or reads other pods' tokens), memoised: the
// primitives ask it for every pod for every principal that may act on pods.
func (a *Analysis) mayReachHost(pod *model.Pod) bool {
	return memo(&a.mu, &a.hostPods, pod, func() bool {
		if pod.Spec.NodeName == "" {
			return false
		}
		esc, _ := hostEscapes(pod.Spec)
		reads, _ := readsPodTokens(pod.Spec)
		return esc || reads
	})
}

func hostCandidates(a *Analysis, prim string, pod *model.Pod, how, note string, br rbacBound) []Candidate {
	if pod.Spec.NodeName == "" {
		return nil
	}
	if esc, why := hostEscapes(pod.Spec); esc {
		return []Candidate{{Primitive: prim, To: a.NodeIdentity(pod.Spec.NodeName), Hops: 1, Holds: true, Grants: grants(br),
			Condition: fmt.Sprintf("%s (%s) on node %s%s", how, why, pod.Spec.NodeName, note)}}
	}
	ok, why := readsPodTokens(pod.Spec)
	if !ok {
		return nil
	}
	var out []Candidate
	for _, other := range a.podsByNode[pod.Spec.NodeName] {
		if other == pod || !a.tokenMounted(other) {
			continue
		}
		if running, _ := podRunning(other); !running {
			continue
		}
		out = append(out, Candidate{Primitive: prim, To: a.SANode(other.Namespace, other.Spec.ServiceAccountName), Hops: 1, Holds: true, Grants: grants(br),
			Condition: fmt.Sprintf("%s (%s): read the token of pod %s/%s (ServiceAccount %s) on node %s%s", how, why, other.Namespace, other.Name, other.Spec.ServiceAccountName, pod.Spec.NodeName, note)})
	}
	return dedupeByTarget(out)
}
