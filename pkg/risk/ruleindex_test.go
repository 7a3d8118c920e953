package risk_test

import (
	"fmt"
	"math"
	"testing"

	"github.com/auth-paths/kubectl-auth-paths/hack/gen/cluster"
	"github.com/auth-paths/kubectl-auth-paths/pkg/risk"
)

// TestRuleIndexChangesNothing: indexing a principal's rules (by namespace,
// and by the API groups they name) changes nothing in the analysis. On
// generated clusters whose edit, admin and view aggregate the rules of
// operators' custom resources (ShapeAggregated), on the hostile shape and
// on ServiceAccounts holding edit in 60 namespaces each (ShapeFanIn),
// the graph, its provenance and the candidates are the same with every run
// of rules indexed (from one rule), as usual, and never.
func TestRuleIndexChangesNothing(t *testing.T) {
	for _, tc := range []struct {
		shape      string
		namespaces int
	}{{cluster.ShapeAggregated, 60}, {cluster.ShapeHostile, 40}, {cluster.ShapeFanIn, 40}} {
		t.Run(fmt.Sprintf("%s %d", tc.shape, tc.namespaces), func(t *testing.T) {
			inv := shapeInventory(t, tc.namespaces, 3, tc.shape)
			analyse := func(index int) string {
				defer risk.SetGroupThresholds(64, index)()
				return fullDump(risk.Analyze(inv, risk.Options{KeepCandidates: true}))
			}
			never := analyse(math.MaxInt)
			if len(never) < 10000 {
				t.Fatalf("the analysis is %d bytes: too small a world to compare", len(never))
			}
			for _, index := range []int{1, 16} {
				if got := analyse(index); got != never {
					t.Errorf("rules indexed from %d: the analysis differs from the one without an index:\n%s", index, firstDiff(got, never))
				}
			}
		})
	}
}
