package graph

import (
	"slices"
	"sync"
)

// treeChildren lists, per node, the nodes whose first step in a Tree leads
// to it: the tree downwards, in flat arrays (one pair per tree, made once
// and read by every core).
type treeChildren struct {
	once  sync.Once
	start []int32 // node i's children are flat[start[i]:start[i+1]]
	flat  []*Node
}

func (t *Tree) children() *treeChildren {
	c := &t.kids
	c.once.Do(func() {
		g := t.g
		c.start = make([]int32, len(g.nodes)+1)
		for _, e := range t.next {
			if e != nil {
				c.start[e.To.index+1]++
			}
		}
		for i := 1; i < len(c.start); i++ {
			c.start[i] += c.start[i-1]
		}
		c.flat = make([]*Node, c.start[len(g.nodes)])
		fill := slices.Clone(c.start[:len(g.nodes)])
		for _, u := range g.nodes { // graph order: children in graph order
			if e := t.next[u.index]; e != nil {
				c.flat[fill[e.To.index]] = u
				fill[e.To.index]++
			}
		}
	})
	return c
}

// LostWithout returns the nodes that reach the target and lose every way
// once gone edges are left out, in the graph's order; sources must hold
// every node a gone edge leaves (others may be there too). Only a node
// whose path in the tree takes a gone edge can lose its way: those are the
// subtrees below the sources whose first step is gone. Of them, a node
// keeps a way when a step left leads to a node outside them that reaches
// the target, or to one of them that keeps a way. The result is exactly
// what a whole search without the gone edges loses (ReachWithout), at the
// cost of the subtrees and their steps: the choke points ask it for every
// binding on a path, and most cut a few nodes of a large graph.
func (t *Tree) LostWithout(sources []*Node, gone func(*Edge) bool) []*Node {
	kids := t.children()
	// The nodes at stake: every subtree below a gone first step.
	const (
		outside = iota
		atStake
		keeps
	)
	state := map[*Node]uint8{}
	var stake []*Node
	for _, s := range sources {
		if e := t.next[s.index]; e == nil || !gone(e) || state[s] != outside {
			continue
		}
		state[s] = atStake
		stack := []*Node{s}
		for len(stack) > 0 {
			x := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			stake = append(stake, x)
			for _, c := range kids.flat[kids.start[x.index]:kids.start[x.index+1]] {
				if state[c] == outside { // a node is in one subtree; a source may sit below another
					state[c] = atStake
					stack = append(stack, c)
				}
			}
		}
	}
	if len(stake) == 0 {
		return nil
	}
	// Those with a step left to a node that keeps its tree path keep a way,
	// and so does every node at stake with a step left to one that keeps.
	var found []*Node
	for _, x := range stake {
		for _, e := range t.g.out[x.index] {
			if w := e.To; state[w] == outside && t.dist[w.index] != Unreachable && !gone(e) {
				state[x] = keeps
				found = append(found, x)
				break
			}
		}
	}
	for len(found) > 0 {
		y := found[len(found)-1]
		found = found[:len(found)-1]
		for _, e := range t.g.in[y.index] {
			if x := e.From; state[x] == atStake && !gone(e) {
				state[x] = keeps
				found = append(found, x)
			}
		}
	}
	var lost []*Node
	for _, x := range stake {
		if state[x] == atStake {
			lost = append(lost, x)
		}
	}
	slices.SortFunc(lost, func(a, b *Node) int { return a.index - b.index })
	return lost
}
