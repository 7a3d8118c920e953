package risk

import (
	"github.com/auth-paths/kubectl-auth-paths/graph"
	"github.com/auth-paths/kubectl-auth-paths/internal/slab"
	"github.com/auth-paths/kubectl-auth-paths/pkg/model"
	"github.com/auth-paths/kubectl-auth-paths/pkg/rbac"
)

// stepStrings are the provenance of steps made once and shared by every edge
// that rests on it (primitive.go): most steps rest on one grant, and many
// principals take the same step. Read and written with Analysis.mu held.
type stepStrings struct {
	bindings map[*model.Binding]string
	// single are the renderings of each grant (rendered).
	single hashTable[grantKey, renderedGrants]
	// steps are the provenances of the steps on one grant for one request
	// (or none).
	steps hashTable[stepKey, *graph.Provenance]
	// noGrant is the provenance of the steps that rest on no grant.
	noGrant *graph.Provenance
	// conds are the condition texts.
	conds hashTable[string, string]
	// provs is where the provenances of steps on one request are made: a
	// large cluster's analysis keeps hundreds of thousands, made among its
	// garbage (see slab).
	provs slab.Slab[oneRequestProvenance]
	// chars, names and refs are where the strings and lists that
	// provenances keep are made (see slab).
	chars slab.Strings
	names slab.Slab[string]
	refs  slab.Slab[rbac.Grant]
}

// oneRequestProvenance is a provenance, its step data and its one request
// in one allocation.
type oneRequestProvenance struct {
	p   graph.Provenance
	d   StepData
	req [1]rbac.Request
}

// renderedGrants are the provenance strings, binding IDs and grants of a
// step: of one grant in single.
type renderedGrants struct {
	strs, bindings []string
	grants         []rbac.Grant
}

// stepKey is what the provenance of a step on one grant depends on; req is
// the zero Request for a step that makes none.
type stepKey struct {
	grant grantKey
	req   rbac.Request
}

func newStepStrings() stepStrings {
	return stepStrings{
		bindings: map[*model.Binding]string{},
		single:   newHashTable(func(r renderedGrants) grantKey { return keyOf(r.grants[0]) }),
		steps: newHashTable(func(p *graph.Provenance) stepKey {
			d := p.Data.(*StepData)
			k := stepKey{grant: keyOf(d.Grants[0])}
			if len(d.Requests) > 0 {
				k.req = d.Requests[0]
			}
			return k
		}),
		conds: newHashTable(func(s string) string { return s }),
	}
}
