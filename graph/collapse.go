package graph

import (
	"fmt"
	"slices"
	"strings"
)

// Collapse merges, in a set of edges to draw, the identities that start
// paths the same way: no drawn edge enters them, and their only drawn edge
// has the same primitive, hops and target as theirs. At least min such
// identities of one kind become one node labelled with their count ("412
// ServiceAccounts in 206 namespaces") and one edge, whose grants are the
// first member's with the number of others; the onward path is drawn once.
// Identities that enter or leave the picture in more than one way are kept
// as they are. min < 2 returns edges unchanged. The result is deterministic:
// members are taken in key order.
func Collapse(edges []*Edge, min int) []*Edge {
	if min < 2 {
		return edges
	}
	entered := map[*Node]bool{}
	out := map[*Node][]*Edge{}
	for _, e := range edges {
		entered[e.To] = true
		out[e.From] = append(out[e.From], e)
	}
	type groupKey struct {
		kind      NodeKind
		primitive string
		to        *Node
		hops      int
	}
	groups := map[groupKey][]*Edge{}
	for n, es := range out {
		if !isIdentity(n) || entered[n] || len(es) != 1 {
			continue
		}
		e := es[0]
		k := groupKey{n.Kind, e.Primitive, e.To, e.Hops}
		groups[k] = append(groups[k], e)
	}
	replaced := map[*Edge]*Edge{}
	drop := map[*Edge]bool{}
	for k, members := range groups {
		if len(members) < min {
			continue
		}
		slices.SortFunc(members, func(a, b *Edge) int { return strings.Compare(a.From.Key, b.From.Key) })
		first := members[0]
		merged := *first
		merged.From = collapsedNode(k.kind, k.primitive, k.to, members)
		// A provenance is shared: the merged edge gets its own.
		merged.Provenance = &Provenance{
			GrantedBy: append(slices.Clone(first.GrantedBy()), fmt.Sprintf("(and the grants of %d more %s)", len(members)-1, plural(k.kind))),
			Bindings:  first.Bindings(),
			Data:      first.Data(),
		}
		replaced[first] = &merged
		for _, m := range members[1:] {
			drop[m] = true
		}
	}
	if len(replaced) == 0 {
		return edges
	}
	result := make([]*Edge, 0, len(edges))
	for _, e := range edges {
		switch {
		case drop[e]:
		case replaced[e] != nil:
			result = append(result, replaced[e])
		default:
			result = append(result, e)
		}
	}
	return result
}

// collapsedNode stands for the members' identities: in their namespace when
// they share one, else with the number of namespaces.
func collapsedNode(kind NodeKind, primitive string, to *Node, members []*Edge) *Node {
	namespaces := map[string]bool{}
	for _, m := range members {
		if m.From.Namespace != "" {
			namespaces[m.From.Namespace] = true
		}
	}
	label := fmt.Sprintf("%d %s", len(members), plural(kind))
	ns := ""
	switch len(namespaces) {
	case 0:
	case 1:
		ns = members[0].From.Namespace
	default:
		label += fmt.Sprintf("\nin %d namespaces", len(namespaces))
	}
	label += fmt.Sprintf("\ne.g. %s", members[0].From.Name)
	return &Node{Key: "Collapsed:" + string(kind) + ":" + primitive + ":" + to.Key, Kind: kind, Name: fmt.Sprintf("%d %s", len(members), plural(kind)),
		Namespace: ns, Label: label}
}

func isIdentity(n *Node) bool {
	switch n.Kind {
	case KindUser, KindGroup, KindServiceAccount, KindNode:
		return true
	}
	return false
}

func plural(k NodeKind) string {
	if k == KindNode {
		return "Nodes"
	}
	return string(k) + "s"
}
