package risk

import (
	"github.com/auth-paths/kubectl-auth-paths/graph"
	"github.com/auth-paths/kubectl-auth-paths/pkg/rbac"
)

// StepData is the structured provenance a step's edge carries (its
// graph.Edge.Data): what the outputs would otherwise parse back out of the
// rendered GrantedBy strings. Edges that rest on the same grant for the same
// request share one StepData; it is never changed after the analysis.
type StepData struct {
	// Requests are the authorization requests the step makes as its holder,
	// in order, without repeats (what `verify` checks).
	Requests []rbac.Request
	// Grants are the bindings, roles and rules behind the step, one per entry
	// of the edge's GrantedBy and in the same order.
	Grants []rbac.Grant
	// Objects are the IDs of the existing bindings the step acts on rather
	// than holds (Candidate.Objects), sorted: it needs one of them, so
	// deleting them all cuts it. Not part of a path's ID.
	Objects []string
}

// StepDataOf returns the structured provenance of an edge, or nil for the
// edges that rest on no grant and no binding as object (group membership, a
// picked node).
func StepDataOf(e *graph.Edge) *StepData {
	d, _ := e.Data().(*StepData)
	return d
}

// ObjectsOf returns the IDs of the bindings an edge's step acts on (see
// StepData.Objects), or nil.
func ObjectsOf(e *graph.Edge) []string {
	if d := StepDataOf(e); d != nil {
		return d.Objects
	}
	return nil
}
