package review

import (
	"bytes"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"

	"github.com/auth-paths/kubectl-auth-paths/graph"
	"github.com/auth-paths/kubectl-auth-paths/hack/gen/cluster"
	"github.com/auth-paths/kubectl-auth-paths/pkg/risk"
	"github.com/auth-paths/kubectl-auth-paths/pkg/source"
)

// TestMaskedReachIsKept checks what the cover's first round (cutFirst) rests on: an
// identity that reaches cluster-admin in the graph with the steps of some
// bindings masked reaches it in the input without those bindings (removing
// bindings removes grants; a step that rests on other grants is kept).
func TestMaskedReachIsKept(t *testing.T) {
	for _, shape := range []string{cluster.ShapeHostile, cluster.ShapeOperators, cluster.ShapeDefault} {
		for seed := uint64(1); seed <= 2; seed++ {
			var buf bytes.Buffer
			if err := cluster.WriteShape(&buf, 20, seed, "json", shape); err != nil {
				t.Fatal(err)
			}
			path := filepath.Join(t.TempDir(), "in.json")
			if err := os.WriteFile(path, buf.Bytes(), 0o600); err != nil {
				t.Fatal(err)
			}
			inv, err := source.LoadFiles(source.FileOptions{Filenames: []string{path}})
			if err != nil {
				t.Fatal(err)
			}
			a := risk.Analyze(inv, risk.Options{})
			var ids, keys []string // bindings on edges; identities
			seen := map[string]bool{}
			for _, e := range a.Graph.Edges() {
				for _, b := range e.Bindings() {
					if !seen[b] {
						seen[b] = true
						ids = append(ids, b)
					}
				}
			}
			// The cover's universe: identities that escalate.
			tree := a.Graph.ShortestTo(a.Sink())
			for _, n := range a.Graph.Nodes() {
				if h := tree.Hops(n); risk.IsIdentity(n) && h > 0 && h != graph.Unreachable {
					keys = append(keys, n.Key)
				}
			}
			byID := bindingsByID(inv)
			rng := rand.New(rand.NewPCG(seed, 7))
			masked := 0
			for _, frac := range []float64{0.02, 0.1, 0.3, 0.6} {
				drop := map[string]bool{}
				for _, b := range ids {
					if rng.Float64() < frac {
						drop[b] = true
					}
				}
				// As the cover re-analyses: from the identities.
				re := reanalyse(a, risk.Options{}, bindingsOf(byID, drop), keys, false)
				really := reaching(re.Graph, nil)
				for i, ok := range reachOf(a.Graph, granting(drop), keys) {
					if !ok {
						masked++
						continue
					}
					if !really[keys[i]] {
						t.Errorf("%s seed %d, %d bindings gone: %s reaches in the masked graph, not without them", shape, seed, len(drop), keys[i])
					}
				}
			}
			if masked == 0 {
				t.Errorf("%s seed %d: masking cut no one: the test tests nothing", shape, seed)
			}
		}
	}
}
