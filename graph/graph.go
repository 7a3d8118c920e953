// Package graph is the escalation graph: identities connected by the steps
// that let one become another, ending in the cluster-admin sink. It knows
// nothing of Kubernetes clients; nodes and edges are plain values, and the
// algorithms (reverse 0-1 BFS, Yen's k shortest paths, DOT) run on gonum.
package graph

import (
	"cmp"
	"fmt"
	"hash/maphash"
	"slices"
	"strings"

	"github.com/auth-paths/kubectl-auth-paths/internal/slab"
)

// NodeKind is the kind of a node.
type NodeKind string

// Node kinds.
const (
	KindUser           NodeKind = "User"
	KindGroup          NodeKind = "Group"
	KindServiceAccount NodeKind = "ServiceAccount"
	// KindNode is a node's kubelet identity (system:node:NAME).
	KindNode NodeKind = "Node"
	// KindScope is a set of permissions gained without a new identity, e.g.
	// "every permission inside namespace X" after binding admin there.
	KindScope NodeKind = "Scope"
	// KindSink is cluster-admin equivalence.
	KindSink NodeKind = "ClusterAdmin"
)

// SinkKey is the key of the cluster-admin sink.
const SinkKey = "cluster-admin"

// Node is an identity, a scope or the sink.
type Node struct {
	// Key is unique and stable: "User:alice", "ServiceAccount:ns:name", "Node:n1".
	Key       string
	Kind      NodeKind
	Name      string
	Namespace string
	// Label is an optional display text.
	Label string

	index int
}

// Edge is one step: holding From, one can act as To. Hops is 0 for
// membership (a user is in its groups) and admin-equivalent rules, 1 for an
// escalation step.
type Edge struct {
	From      *Node
	To        *Node
	Primitive string
	Hops      int
	// Provenance is what grants the step (nil: nothing, as for a group
	// membership or a pick out of a scope). Edges that rest on the same
	// grants share one: read it with GrantedBy, Bindings and Data.
	Provenance *Provenance
	// Condition says what in the cluster makes the step real. A builder may
	// leave it empty and set Later instead: read it with When.
	Condition string
	// Later is the condition kept as its parts, rendered when read (When):
	// on a large cluster most steps each name one pod or ServiceAccount in
	// their condition, and few of them are ever printed.
	Later fmt.Stringer
	// Assumed is set when the step rests on an assumption about what the
	// input cannot show (a controller's flags, a node's file modes, a name
	// being free), not on RBAC and the cluster's objects alone: at equal
	// hops, paths with fewer assumed steps rank first.
	Assumed bool
	// index is the edge's position in its frozen graph (EdgeMask); it
	// sits in the padding after Assumed.
	index int32
}

// Provenance is what grants a step. It sits behind a pointer, which edges
// on the same grants may share (a builder decides: the risk analysis
// shares one per grant and request), and which the edges no rule grants
// (picks, memberships, a node's pods: most of a large cluster's millions)
// leave nil. Never change one an edge holds.
type Provenance struct {
	// GrantedBy names the bindings (and roles and rules) that make the step possible.
	GrantedBy []string
	// Bindings are stable IDs of the bindings involved (for choke points).
	Bindings []string
	// Data is what the builder attaches (e.g. the authorization requests a
	// step needs); the graph does not look at it.
	Data any
}

// GrantedBy names the bindings (and roles and rules) that make the step possible.
func (e *Edge) GrantedBy() []string {
	if e.Provenance == nil {
		return nil
	}
	return e.Provenance.GrantedBy
}

// Bindings returns the stable IDs of the bindings involved (for choke points).
func (e *Edge) Bindings() []string {
	if e.Provenance == nil {
		return nil
	}
	return e.Provenance.Bindings
}

// Data returns what the builder attached to the step, or nil.
func (e *Edge) Data() any {
	if e.Provenance == nil {
		return nil
	}
	return e.Provenance.Data
}

// When returns the edge's condition: Condition, or else Later rendered.
func (e *Edge) When() string {
	if e.Condition == "" && e.Later != nil {
		return e.Later.String()
	}
	return e.Condition
}

// Graph holds nodes and edges; call Freeze before querying.
type Graph struct {
	nodes []*Node
	byKey map[string]*Node
	edges []*Edge
	// seen finds an edge by its de-duplication key while edges are added
	// (made when the first is, dropped by Freeze).
	seen edgeIndex
	seed maphash.Seed
	// Nodes and edges are allocated in blocks: a large cluster's graph has
	// millions, made among the garbage of the analysis (see slab).
	nodeSlab slab.Slab[Node]
	edgeSlab slab.Slab[Edge]
	out      [][]*Edge
	in       [][]*Edge
	frozen   bool
	// freezes counts the freezes that changed the graph: an edge's index
	// is valid for the count it was given at (EdgeMask).
	freezes int
	// assumed: some edge is Assumed (set by Freeze).
	assumed bool
	// seeds are nodes g holds but makes only when asked for (Seed).
	seeds     *Seeds
	seedsGone map[int32]bool
}

// New returns an empty graph with the sink.
func New() *Graph { return NewSized(0) }

// NewSized is New with room for n nodes, for a caller that knows about how
// many it will add (a re-analysis of an input makes every identity of it).
func NewSized(n int) *Graph {
	g := &Graph{byKey: make(map[string]*Node, n), nodes: make([]*Node, 0, n), seed: maphash.MakeSeed()}
	g.AddNode(Node{Key: SinkKey, Kind: KindSink, Name: "cluster-admin"})
	return g
}

// AddNode adds a node, or returns the existing node with that key.
func (g *Graph) AddNode(n Node) *Node {
	if existing, ok := g.byKey[n.Key]; ok {
		return existing
	}
	if g.seeds != nil {
		if i, ok := g.seeds.index[n.Key]; ok && !g.seedsGone[i] {
			// The seed's node is the one held: as if made first.
			n = g.seeds.nodes[i]
		}
	}
	nn := g.nodeSlab.New(n)
	g.nodes = append(g.nodes, nn)
	g.byKey[n.Key] = nn
	g.frozen = false
	return nn
}

// Node returns the node with the key, or nil; a seed's node is made when
// first asked for (Seed).
func (g *Graph) Node(key string) *Node {
	if n := g.byKey[key]; n != nil {
		return n
	}
	return g.seedNode(key)
}

// Sink returns the cluster-admin node.
func (g *Graph) Sink() *Node { return g.byKey[SinkKey] }

// AddEdge adds an edge unless an identical one exists. Self-loops are ignored.
//
// Of parallel edges that differ only in their condition and data (the same
// grants let a principal change any of several pods that run as the same
// ServiceAccount), the graph keeps one: the one whose condition sorts first,
// which is the one every path search would take, since edges are ordered by
// their condition after every other field. The others could only appear in
// alternative paths identical to it in every step but the wording of one
// condition, and they made the graph grow as principals × objects.
func (g *Graph) AddEdge(e Edge) {
	if e.From == nil || e.To == nil || e.From == e.To {
		return
	}
	if g.seen.slots == nil {
		g.index()
	}
	h := g.hash(&e)
	if old := g.find(h, &e); old != nil {
		if c, oc := e.When(), old.When(); c < oc || (c == oc && compareJoined(e.Bindings(), old.Bindings()) < 0) {
			*old = e
			g.frozen = false
		}
		return
	}
	stored := g.edgeSlab.New(e)
	g.edges = append(g.edges, stored)
	g.remember(h, len(g.edges)-1)
	g.frozen = false
}

// Freeze sorts nodes and edges so that every result is deterministic, and
// builds the adjacency lists.
func (g *Graph) Freeze() {
	if g.frozen {
		return
	}
	slices.SortFunc(g.nodes, func(a, b *Node) int { return strings.Compare(a.Key, b.Key) })
	for i, n := range g.nodes {
		n.index = i
	}
	slices.SortStableFunc(g.edges, compareEdges)
	for i, e := range g.edges {
		e.index = int32(i)
	}
	// Every node's lists are cut from two arrays of exactly the edges.
	outs, ins := make([]int, len(g.nodes)), make([]int, len(g.nodes))
	g.assumed = false
	for _, e := range g.edges {
		g.assumed = g.assumed || e.Assumed
		outs[e.From.index]++
		ins[e.To.index]++
	}
	g.out, g.in = adjacency(outs), adjacency(ins)
	for _, e := range g.edges {
		g.out[e.From.index] = append(g.out[e.From.index], e)
		g.in[e.To.index] = append(g.in[e.To.index], e)
	}
	g.seen = edgeIndex{}
	g.frozen = true
	g.freezes++
}

func compareEdges(a, b *Edge) int {
	// Nodes are sorted by key when edges are: their indexes order them so.
	if a.From != b.From {
		return cmp.Compare(a.From.index, b.From.index)
	}
	if a.Hops != b.Hops {
		return cmp.Compare(a.Hops, b.Hops)
	}
	if a.To != b.To {
		return cmp.Compare(a.To.index, b.To.index)
	}
	if a.Primitive != b.Primitive {
		return strings.Compare(a.Primitive, b.Primitive)
	}
	if c := compareJoined(a.GrantedBy(), b.GrantedBy()); c != 0 {
		return c
	}
	// Steps that differ only in their condition (e.g. get, list or watch of
	// the same Secret) must not keep their insertion order: every field of the
	// de-duplication key takes part, so any input order gives the same result.
	if ca, cb := a.When(), b.When(); ca != cb {
		return strings.Compare(ca, cb)
	}
	return compareJoined(a.Bindings(), b.Bindings())
}

// Nodes returns all nodes sorted by key (of a seeded graph, the seeds'
// made so far: see Seeds).
func (g *Graph) Nodes() []*Node {
	g.Freeze()
	return g.nodes
}

// Unordered returns the nodes in no particular order, without freezing the
// graph: for a caller that sorts the few it needs itself while the graph is
// still being built. The slice must not be changed.
func (g *Graph) Unordered() []*Node { return g.nodes }

// Edges returns all edges in a stable order.
func (g *Graph) Edges() []*Edge {
	g.Freeze()
	return g.edges
}

// From returns the edges leaving n, in a stable order.
func (g *Graph) From(n *Node) []*Edge {
	g.Freeze()
	return g.out[n.index]
}

// To returns the edges entering n, in a stable order.
func (g *Graph) To(n *Node) []*Edge {
	g.Freeze()
	return g.in[n.index]
}

// Hops is the number of escalation steps of a path.
func Hops(path []*Edge) int {
	h := 0
	for _, e := range path {
		h += e.Hops
	}
	return h
}

// AssumedSteps returns the number of assumed steps of a path.
func AssumedSteps(path []*Edge) int {
	n := 0
	for _, e := range path {
		n += assumedCost(e)
	}
	return n
}
