package risk

import (
	"github.com/auth-paths/kubectl-auth-paths/pkg/model"
	"github.com/auth-paths/kubectl-auth-paths/pkg/rbac"
)

// stepStrings are the provenance of steps made once and shared by every edge
// that rests on it (primitive.go): most steps rest on one grant, and many
// principals take the same step. Read and written with Analysis.mu held.
type stepStrings struct {
	grants   map[grantKey]string
	bindings map[*model.Binding]string
	// single are the renderings of one grant.
	single hashTable[grantKey, renderedGrants]
	// steps are the step data of one grant for one request.
	steps hashTable[stepKey, *StepData]
	// conds are the condition texts.
	conds hashTable[string, string]
}

// renderedGrants are the provenance strings of one grant.
type renderedGrants struct {
	strs, bindings []string
	grants         []rbac.Grant
}

// stepKey is what the step data of a step on one grant depends on.
type stepKey struct {
	grant grantKey
	req   rbac.Request
}

func newStepStrings() stepStrings {
	return stepStrings{
		grants:   map[grantKey]string{},
		bindings: map[*model.Binding]string{},
		single:   newHashTable(func(r renderedGrants) grantKey { return keyOf(r.grants[0]) }),
		steps: newHashTable(func(d *StepData) stepKey {
			return stepKey{keyOf(d.Grants[0]), d.Requests[0]}
		}),
		conds: newHashTable(func(s string) string { return s }),
	}
}
