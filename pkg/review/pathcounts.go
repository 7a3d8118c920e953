package review

import (
	"container/heap"
	"sort"
)

// pathCounts counts, per binding, the shortest paths it is on, and keeps
// the bindings in a heap by that count (most first, then the ID that sorts
// first), one entry per binding, moved where its count ranks it on each
// change. graphCut changes counts by the thousand per pick (every identity
// below a cut edge counts its new path): pushing an entry per change, and
// skipping stale ones when popped, held hundreds of millions of entries on
// a cluster where thousands of ServiceAccounts reach cluster-admin through
// one namespace.
type pathCounts struct {
	ids   []string       // by index, in ID order
	index map[string]int // ID → index
	count []int
	pos   []int // position in heap, -1 when not in it
	heap  []int
}

// newPathCounts makes the counts of the bindings, all 0.
func newPathCounts(bindings []string) *pathCounts {
	ids := append([]string(nil), bindings...)
	sort.Strings(ids)
	c := &pathCounts{ids: ids, index: make(map[string]int, len(ids)), count: make([]int, len(ids)), pos: make([]int, len(ids))}
	for i, b := range ids {
		c.index[b] = i
		c.pos[i] = -1
	}
	return c
}

// add changes the count of binding b, one of the bindings, by d, and puts
// it where its count ranks it: in the heap while it counts some path, out
// of it at 0.
func (c *pathCounts) add(b string, d int) {
	i, ok := c.index[b]
	if !ok {
		panic("pathCounts: binding " + b + " not counted")
	}
	c.count[i] += d
	switch {
	case c.pos[i] >= 0 && c.count[i] > 0:
		heap.Fix(c, c.pos[i])
	case c.pos[i] >= 0:
		heap.Remove(c, c.pos[i])
	case c.count[i] > 0:
		heap.Push(c, i)
	}
}

// take removes and returns the binding on most paths (ties: the ID that
// sorts first), or "" when none is on any.
func (c *pathCounts) take() string {
	if len(c.heap) == 0 {
		return ""
	}
	return c.ids[heap.Pop(c).(int)]
}

// heap.Interface over c.heap.
func (c *pathCounts) Len() int { return len(c.heap) }
func (c *pathCounts) Less(x, y int) bool {
	i, j := c.heap[x], c.heap[y]
	if c.count[i] != c.count[j] {
		return c.count[i] > c.count[j]
	}
	return i < j // indexes are in ID order
}
func (c *pathCounts) Swap(x, y int) {
	c.heap[x], c.heap[y] = c.heap[y], c.heap[x]
	c.pos[c.heap[x]], c.pos[c.heap[y]] = x, y
}
func (c *pathCounts) Push(v any) {
	i := v.(int)
	c.pos[i] = len(c.heap)
	c.heap = append(c.heap, i)
}
func (c *pathCounts) Pop() any {
	i := c.heap[len(c.heap)-1]
	c.heap = c.heap[:len(c.heap)-1]
	c.pos[i] = -1
	return i
}
