package risk

import (
	"fmt"

	"github.com/auth-paths/kubectl-auth-paths/graph"
)

// nodeProxy: nodes/proxy reaches the kubelet API, whose exec, run and attach
// endpoints the kubelet authorizes as `get` (WebSocket) or `create` on
// nodes/proxy. That runs commands in every pod of the node, static
// control-plane pods included. The finer kubelet subresources (nodes/metrics,
// nodes/stats, nodes/log, nodes/pods, nodes/healthz, nodes/configz) do not exec.
//
// Upstream: the kubelet's webhook authorizer maps /exec, /run, /attach and
// /portForward to the proxy subresource with the HTTP verb (GET → get, POST
// → create), and the WebSocket upgrade of exec is a GET; with
// KubeletFineGrainedAuthz, /pods, /healthz and /configz are checked against
// their own subresources first and fall back to nodes/proxy, which is never
// the other way round.
//
// Conditions read from the input: the Node exists; its control-plane role
// label; the running pods bound to it, whether they mount their token, and
// whether one shares the host (then the step gives the node itself).
type nodeProxy struct{}

func init() { register(nodeProxy{}) }

func (nodeProxy) ID() string { return "node-proxy" }
func (nodeProxy) Summary() string {
	return "get/create nodes/proxy → exec in every pod of that node (kubelet API); a control-plane node → cluster-admin"
}
func (nodeProxy) Color() string        { return "#ca8a04" }
func (nodeProxy) Techniques() []string { return []string{"T1609"} }

func (nodeProxy) Evaluate(a *Analysis, p *Principal) []Candidate {
	if !p.mayAllow(res("get", "", "nodes", "proxy", "", "")) && !p.mayAllow(res("create", "", "nodes", "proxy", "", "")) &&
		!mayReadKubeletSubresource(p) {
		return nil // spares a look at every Node for the many principals without any of these rules
	}
	var out []Candidate
	// A rule without resourceNames reaches every node's kubelet: one step
	// into the scope of every node's pods (and cluster-admin when one is a
	// control-plane node).
	if br, ok := p.FirstAny([]string{"get", "create"}, res("", "", "nodes", "proxy", "", "")); ok {
		for _, n := range a.nodes {
			if cp, ok := p.FirstAny([]string{"get", "create"}, res("", "", "nodes", "proxy", "", n.Name)); ok && isControlPlane(n) {
				out = append(out, a.controlPlaneProxy(n.Name, cp))
				break
			}
		}
		if scope := a.kubeletPods(allNodes); scope != nil {
			out = append(out, Candidate{Primitive: "node-proxy", To: scope, Hops: 1, Holds: true, Grants: grants(br),
				Condition: "nodes/proxy on any node: the kubelet's /exec runs commands in its pods"})
		}
		return out
	}
	for _, n := range a.nodes {
		br, ok := p.FirstAny([]string{"get", "create"}, res("", "", "nodes", "proxy", "", n.Name))
		if !ok {
			for _, sub := range kubeletReadOnlySubresources {
				if b, ok := p.First(res("get", "", "nodes", sub, "", n.Name)); ok {
					out = append(out, Candidate{Primitive: "node-proxy", Hops: 1, Grants: grants(b), To: a.phantom("Node:"+n.Name+":kubelet", "kubelet of "+n.Name),
						Why: fmt.Sprintf("get nodes/%s on %s reaches only the kubelet's /%s endpoints, which do not run commands (that needs nodes/proxy)", sub, n.Name, sub)})
					break
				}
			}
			continue
		}
		if isControlPlane(n) {
			out = append(out, a.controlPlaneProxy(n.Name, br))
		}
		if scope := a.kubeletPods(n.Name); scope != nil {
			out = append(out, Candidate{Primitive: "node-proxy", To: scope, Hops: 1, Holds: true, Grants: grants(br), Condition: proxyHow(n.Name)})
		}
	}
	return dedupeByTarget(out)
}

// proxyHow says what nodes/proxy on the node gives.
func proxyHow(node string) string {
	return fmt.Sprintf("nodes/proxy on %s: the kubelet's /exec runs commands in its pods", node)
}

// controlPlaneProxy is the step of nodes/proxy on a control-plane node:
// cluster-admin, through its static pods.
func (a *Analysis) controlPlaneProxy(node string, br rbacBound) Candidate {
	return Candidate{Primitive: "node-proxy", To: a.Sink(), Hops: 1, Holds: true, Grants: grants(br),
		Condition: proxyHow(node) + "; " + node + " is a control-plane node whose static pods (kube-apiserver, etcd) hold the cluster's keys"}
}

// kubeletPods is the scope "commands in the pods of node NAME" (of every
// Node for allNodes), what the kubelet API's /exec reaches: the
// ServiceAccount of each running pod that mounts its token, and the node
// itself (its kubelet key, hence every pod's ServiceAccount) through a pod
// that shares the host. Whoever reaches a kubelet reaches the same; the
// step into the scope says how. It is nil when it gives nothing.
func (a *Analysis) kubeletPods(node string) *graph.Node {
	key, label := scopeKey("kubelet-pods:"+node), "commands in the pods of node "+node
	if node == allNodes {
		key, label = scopeKey("kubelet-pods"), "commands in the pods of any node"
	}
	return a.sharedScope(key, "kubelet-pods", allNamespaces, label, func() []Candidate {
		nodes := []string{node}
		if node == allNodes {
			nodes = nil
			for _, n := range a.nodes {
				nodes = append(nodes, n.Name)
			}
		}
		var picks firstPerTarget
		for _, name := range nodes {
			for _, pod := range a.podsByNode[name] {
				if running, _ := podRunning(pod); !running {
					continue
				}
				if a.tokenMounted(pod) {
					if to := a.SANode(pod.Namespace, pod.Spec.ServiceAccountName); picks.wants(to) {
						picks.add(Candidate{Primitive: pickServiceAccount, To: to, Holds: true,
							Condition: fmt.Sprintf("pod %s/%s on %s mounts the token of ServiceAccount %s", pod.Namespace, pod.Name, name, pod.Spec.ServiceAccountName)})
					}
				}
				// A pod that shares the host gives the node itself (its kubelet
				// key), hence every pod's ServiceAccount, mounted token or not.
				if esc, why := hostEscapes(pod.Spec); esc {
					if to := a.NodeIdentity(name); picks.wants(to) {
						picks.add(Candidate{Primitive: pickNode, To: to, Holds: true,
							Condition: fmt.Sprintf("pod %s/%s (%s) on %s runs on the host", pod.Namespace, pod.Name, why, name)})
					}
				}
			}
		}
		return picks.out
	})
}

// mayReadKubeletSubresource: some rule may allow get on a read-only kubelet subresource of some Node.
func mayReadKubeletSubresource(p *Principal) bool {
	for _, sub := range kubeletReadOnlySubresources {
		if p.mayAllow(res("get", "", "nodes", sub, "", "")) {
			return true
		}
	}
	return false
}

// kubeletReadOnlySubresources are the kubelet API subresources finer than
// proxy: none of them reaches /exec, /run or /attach.
var kubeletReadOnlySubresources = []string{"metrics", "stats", "log", "spec", "pods", "healthz", "configz", "checkpoint"}

// firstPerTarget keeps the first candidate per target (by node key: a
// phantom target is a new node each time), in the order they are added; a
// caller can ask before it formats a candidate whether it would be kept (a
// node's pods share few ServiceAccounts).
type firstPerTarget struct {
	seen map[string]bool
	out  []Candidate
}

// wants reports whether a candidate to the node would be kept.
func (f *firstPerTarget) wants(to *graph.Node) bool { return to != nil && !f.seen[to.Key] }

// add keeps c when it is the first to its target.
func (f *firstPerTarget) add(c Candidate) {
	if !f.wants(c.To) {
		return
	}
	if f.seen == nil {
		f.seen = map[string]bool{}
	}
	f.seen[c.To.Key] = true
	f.out = append(f.out, c)
}

// dedupeByTarget keeps the first candidate per target (stable input order).
func dedupeByTarget(in []Candidate) []Candidate {
	var f firstPerTarget
	for _, c := range in {
		f.add(c)
	}
	return f.out
}
