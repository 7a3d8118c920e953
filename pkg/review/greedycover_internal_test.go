package review

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
)

// plainGreedyCover is phase 1 as a scan of every binding per pick: what
// greedyCover must pick, in the same order.
func plainGreedyCover(cutBy map[string][]string, uncovered map[string]bool, protected map[string]bool) []string {
	var picks []string
	chosen := map[string]bool{}
	for {
		best, bestN := "", 0
		for _, b := range sortedKeys(cutBy) {
			if protected[b] || chosen[b] {
				continue
			}
			n := 0
			for _, k := range cutBy[b] {
				if uncovered[k] {
					n++
				}
			}
			if n > bestN {
				best, bestN = b, n
			}
		}
		if best == "" {
			return picks
		}
		chosen[best] = true
		picks = append(picks, best)
		for _, k := range cutBy[best] {
			delete(uncovered, k)
		}
	}
}

func TestGreedyCover(t *testing.T) {
	cases := []struct {
		name      string
		cutBy     map[string][]string
		universe  []string
		protected []string
		want      []string
	}{
		{name: "nothing to cover"},
		{name: "one binding", cutBy: map[string][]string{"b": {"x", "y"}}, universe: []string{"x", "y"}, want: []string{"b"}},
		{name: "largest first", cutBy: map[string][]string{"a": {"x"}, "b": {"x", "y"}, "c": {"z"}},
			universe: []string{"x", "y", "z"}, want: []string{"b", "c"}},
		{name: "tie to the ID that sorts first", cutBy: map[string][]string{"b": {"x"}, "a": {"y"}},
			universe: []string{"x", "y"}, want: []string{"a", "b"}},
		{name: "count falls below a tie", cutBy: map[string][]string{"a": {"x", "y"}, "b": {"y", "z"}, "c": {"x", "y", "w"}, "d": {"z", "v"}},
			universe: []string{"v", "w", "x", "y", "z"}, want: []string{"c", "d"}},
		{name: "protected never picked", cutBy: map[string][]string{"admin": {"x", "y"}, "b": {"y"}},
			universe: []string{"x", "y"}, protected: []string{"admin"}, want: []string{"b"}},
		{name: "outside the universe counts nothing", cutBy: map[string][]string{"a": {"q", "r", "s"}, "b": {"x"}},
			universe: []string{"x"}, want: []string{"b"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			uncovered, protected := setOf(tc.universe), setOf(tc.protected)
			got := greedyCover(tc.cutBy, uncovered, protected)
			if !slices.Equal(got, tc.want) {
				t.Fatalf("picks %v, want %v", got, tc.want)
			}
		})
	}
}

// TestGreedyCoverRandom compares the lazy cover with the plain scan on
// random instances, with many ties.
func TestGreedyCoverRandom(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 11))
	for round := range 500 {
		nb, nk := 1+r.IntN(40), 1+r.IntN(60)
		cutBy := map[string][]string{}
		protected := map[string]bool{}
		for b := range nb {
			id := fmt.Sprintf("b%02d", r.IntN(nb*2)) // some IDs repeat: fewer bindings
			for range r.IntN(6) {
				cutBy[id] = append(cutBy[id], fmt.Sprintf("k%02d", r.IntN(nk)))
			}
			if b%7 == 0 {
				protected[id] = true
			}
		}
		var universe []string
		for k := range nk {
			if r.IntN(4) > 0 {
				universe = append(universe, fmt.Sprintf("k%02d", k))
			}
		}
		a, b := setOf(universe), setOf(universe)
		got, want := greedyCover(cutBy, a, protected), plainGreedyCover(cutBy, b, protected)
		if !slices.Equal(got, want) {
			t.Fatalf("round %d: lazy picks %v, plain %v", round, got, want)
		}
		if len(a) != len(b) {
			t.Fatalf("round %d: %d left uncovered, plain %d", round, len(a), len(b))
		}
	}
}

func setOf(keys []string) map[string]bool {
	out := map[string]bool{}
	for _, k := range keys {
		out[k] = true
	}
	return out
}
