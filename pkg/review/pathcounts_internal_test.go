package review

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// TestPathCountsTakesTheMost: after any sequence of count changes, take
// returns the binding counted most, ties to the ID that sorts first, as a
// scan of the counts would; bindings at 0 are never taken.
func TestPathCountsTakesTheMost(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for round := range 200 {
		var ids []string
		for i := range 1 + rng.IntN(40) {
			ids = append(ids, fmt.Sprintf("RoleBinding/ns-%02d/b", rng.IntN(60)+i*100))
		}
		c := newPathCounts(ids)
		want := map[string]int{}
		for step := range 400 {
			b := ids[rng.IntN(len(ids))]
			d := 1
			if want[b] > 0 && rng.IntN(2) == 0 {
				d = -1
			}
			c.add(b, d)
			want[b] += d
			if rng.IntN(10) > 0 {
				continue
			}
			best := ""
			for _, id := range ids {
				if n := want[id]; n > 0 && (best == "" || n > want[best] || (n == want[best] && id < best)) {
					best = id
				}
			}
			got := c.take()
			if got != best {
				t.Fatalf("round %d, step %d: took %q, want %q (counts %v)", round, step, got, best, want)
			}
			if got != "" {
				// A taken binding leaves the heap; its count stays until changed.
				c.add(got, -want[got])
				want[got] = 0
			}
		}
	}
}
