package risk_test

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/auth-paths/kubectl-auth-paths/pkg/risk"
)

// TestAssumedStepsSayAssumes: over every scenario, a step rests on an
// assumption (and is ranked after certain steps of equal hops) exactly when
// its condition says what it assumes.
func TestAssumedStepsSayAssumes(t *testing.T) {
	assumed := 0
	for _, dir := range caseDirs(t, "scenarios") {
		a := risk.Analyze(loadInput(t, dir), risk.Options{})
		for _, e := range a.Graph.Edges() {
			if says := strings.Contains(e.When(), "assumes "); says != e.Assumed {
				t.Errorf("%s: %s step %s → %s: assumed %v, but its condition %q", filepath.Base(dir), e.Primitive, e.From.Key, e.To.Key, e.Assumed, e.When())
			}
			if e.Assumed {
				assumed++
			}
		}
	}
	if assumed == 0 {
		t.Error("no scenario has an assumed step")
	}
}
