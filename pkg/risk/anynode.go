package risk

import (
	"github.com/auth-paths/kubectl-auth-paths/graph"
)

// anyNodeKey is the scope "a node of the attacker's choosing".
const anyNodeKey = "Scope:any-node"

// pickNode is the primitive of the scope's edges to each Node.
const pickNode = "pick-node"

// AnyNode returns the scope "any Node the attacker picks": node-escape,
// create-pv and namespace-patch let a principal put a pod on whichever node
// it names (spec.nodeName skips the scheduler, taints and affinity), so they
// all reach every Node alike. They end at this one shared scope, which has a
// 0-hop edge to each Node; edges to every Node from every such principal would
// make the graph grow as principals × Nodes, quadratic in the cluster's size.
// The scope is created, with its edges, on first use.
func (a *Analysis) AnyNode() *graph.Node {
	n, made := a.addNode(graph.Node{Key: anyNodeKey, Kind: graph.KindScope, Name: "any-node", Label: "Scope\nany node"})
	if !made {
		return n
	}
	for _, node := range a.nodes {
		cond := "the step names node " + node.Name
		if isControlPlane(node) {
			cond += "; " + node.Name + " is a control-plane node"
		}
		a.addEdge(graph.Edge{From: n, To: a.NodeIdentity(node.Name), Primitive: pickNode, Hops: 0, Condition: cond})
	}
	return n
}
