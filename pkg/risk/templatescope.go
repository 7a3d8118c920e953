package risk

import (
	"github.com/auth-paths/kubectl-auth-paths/graph"
	"github.com/auth-paths/kubectl-auth-paths/pkg/admission"
)

// pickServiceAccount is the primitive of a pod-template scope's edges to
// each ServiceAccount of its namespace.
const pickServiceAccount = "pick-serviceaccount"

// templateScope is the shared end of modify-workload steps: "the pods a
// controller makes from a pod template changed in namespace NS", with a
// 0-hop edge to each ServiceAccount of NS whose pod admission admits. Whoever
// may change some controller's template in NS reaches the same
// ServiceAccounts under the same admission decisions, because the pods are
// created by the controller's identity, not the principal's; one edge per
// principal and namespace into the scope replaces one per principal and
// ServiceAccount, which grew as principals × ServiceAccounts (the bulk of the
// graph on clusters where operators may patch workloads everywhere).
//
// It returns nil when admission refuses every ServiceAccount (or there is
// none): then the caller reports the refusals per ServiceAccount instead.
func (a *Analysis) templateScope(ns, controller string, creator admission.User) *graph.Node {
	key := "Scope:pod-template:" + ns + ":" + controller
	if n, ok := a.templateScopes[key]; ok {
		return n
	}
	var picks []Candidate
	held := false
	for _, sa := range a.sasByNS[ns] {
		c := a.gateSA(Candidate{Primitive: pickServiceAccount, To: a.SANode(ns, sa.Name), Hops: 0, Holds: true,
			Condition: "the changed template sets serviceAccountName " + sa.Name + " (a pod may use any ServiceAccount of its namespace)"}, ns, sa.Name, creator)
		picks = append(picks, c)
		held = held || c.Holds
	}
	if !held {
		a.templateScopes[key] = nil
		return nil
	}
	n := a.Graph.AddNode(graph.Node{Key: key, Kind: graph.KindScope, Name: "pod-template/" + controller, Namespace: ns,
		Label: "Scope\npods " + controller + " makes in " + ns})
	a.templateScopes[key] = n
	for _, c := range picks {
		if a.Opts.KeepCandidates {
			a.candidates[key] = append(a.candidates[key], c)
		}
		if c.Holds {
			a.addEdge(graph.Edge{From: n, To: c.To, Primitive: pickServiceAccount, Hops: 0, Condition: a.intern(c.Condition)})
		}
	}
	return n
}
