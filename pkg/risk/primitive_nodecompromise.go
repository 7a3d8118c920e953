package risk

import (
	"fmt"

	"github.com/auth-paths/kubectl-auth-paths/graph"
)

// nodeCompromise: a node's kubelet identity may, through the Node authorizer,
// request tokens of the ServiceAccounts of pods bound to it; its disk holds
// them. On a control-plane node, the static pods' keys (etcd, the CA,
// admin kubeconfigs) make it cluster-admin.
//
// Upstream: the Node authorizer lets system:node:<name> create
// serviceaccounts/token for the ServiceAccounts of pods bound to it, and
// NodeRestriction only checks that the token is bound to such a pod; it
// does not matter whether the pod mounts its token. A pod counts once bound
// (Pending included) and until it is Succeeded or Failed.
//
// Conditions read from the input: the pods with spec.nodeName, their phase,
// and the Node's control-plane role label.
type nodeCompromise struct{}

func init() { register(nodeCompromise{}) }

func (nodeCompromise) ID() string { return "node-compromise" }
func (nodeCompromise) Summary() string {
	return "hold a node's identity → the ServiceAccounts of pods on it; a control-plane node → cluster-admin"
}
func (nodeCompromise) Color() string        { return "#92400e" }
func (nodeCompromise) Techniques() []string { return []string{"T1528", "T1552.001"} }

func (nodeCompromise) Evaluate(a *Analysis, p *Principal) []Candidate {
	if p.Node.Kind != graph.KindNode {
		return nil
	}
	var out firstPerTarget
	if n := a.nodeByName(p.Node.Name); n != nil && isControlPlane(n) {
		out.add(Candidate{Primitive: "node-compromise", To: a.Sink(), Hops: 1, Holds: true,
			Condition: fmt.Sprintf("%s is a control-plane node: its disk holds the cluster CA key, etcd data and admin credentials", n.Name)})
	}
	for _, pod := range a.podsByNode[p.Node.Name] {
		if pod.Spec.ServiceAccountName == "" {
			continue // a mirror pod: no ServiceAccount, no token to request
		}
		if to := a.SANode(pod.Namespace, pod.Spec.ServiceAccountName); out.wants(to) {
			out.add(Candidate{Primitive: "node-compromise", To: to, Hops: 1, Holds: true, Later: boundToNode{pod}})
		}
	}
	return out.out
}
