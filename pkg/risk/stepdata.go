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
}

// actingData is the structured provenance of a step that acts on existing
// bindings rather than holds them (Candidate.Objects): the StepData and the
// bindings' IDs. A type of its own, so that the steps that act on no binding,
// nearly all of them, carry nothing more.
type actingData struct {
	StepData
	objects []string
}

// StepDataOf returns the structured provenance of an edge, or nil for the
// edges that rest on no grant and no binding as object (group membership, a
// picked node).
func StepDataOf(e *graph.Edge) *StepData {
	switch d := e.Data().(type) {
	case *StepData:
		return d
	case *actingData:
		return &d.StepData
	}
	return nil
}

// ObjectsOf returns the IDs of the existing bindings an edge's step acts on
// rather than holds (Candidate.Objects), sorted, or nil: the step needs one
// of them, so deleting them all cuts it. They are not part of a path's ID.
func ObjectsOf(e *graph.Edge) []string {
	if d, ok := e.Data().(*actingData); ok {
		return d.objects
	}
	return nil
}
