package graph_test

import (
	"bytes"
	"fmt"
	"math/rand"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/auth-paths/kubectl-auth-paths/graph"
)

// spec is a graph described by keys, so it can be built in any order.
type spec struct {
	nodes []graph.Node
	edges []edgeSpec
}

type edgeSpec struct {
	from, to, prim string
	hops           int
	grantedBy      []string
	cond           string
}

// sample is a small escalation graph with parallel steps, a 0-hop
// membership, ties between equally short paths and an unreachable node.
func sample() spec {
	return spec{
		nodes: []graph.Node{
			{Key: "User:alice", Kind: graph.KindUser, Name: "alice"},
			{Key: "User:bob", Kind: graph.KindUser, Name: "bob"},
			{Key: "Group:dev", Kind: graph.KindGroup, Name: "dev"},
			{Key: "ServiceAccount:ci:deployer", Kind: graph.KindServiceAccount, Name: "deployer", Namespace: "ci"},
			{Key: "ServiceAccount:ci:builder", Kind: graph.KindServiceAccount, Name: "builder", Namespace: "ci"},
			{Key: "Node:cp-1", Kind: graph.KindNode, Name: "cp-1"},
			{Key: "Scope:namespace-admin:ci", Kind: graph.KindScope, Name: "namespace-admin", Namespace: "ci", Label: "Scope\nall permissions in namespace ci"},
			{Key: "User:nobody", Kind: graph.KindUser, Name: "nobody"},
		},
		edges: []edgeSpec{
			{"User:alice", "Group:dev", "member-of", 0, nil, "group membership given with --groups"},
			{"Group:dev", "Scope:namespace-admin:ci", "bind", 1, []string{`RoleBinding "ci/dev" rules[0]`}, "create a RoleBinding in ci"},
			{"Scope:namespace-admin:ci", "ServiceAccount:ci:deployer", "create-workload", 1, []string{"held by an earlier step of the path"}, "create pods in ci as deployer"},
			{"Scope:namespace-admin:ci", "ServiceAccount:ci:deployer", "token-request", 1, []string{"held by an earlier step of the path"}, "create serviceaccounts/token"},
			{"ServiceAccount:ci:deployer", graph.SinkKey, "admin-rules", 0, []string{`ClusterRoleBinding "deployer" rules[0]`}, "rules cover everything"},
			{"User:bob", "ServiceAccount:ci:builder", "impersonate", 1, []string{`ClusterRoleBinding "bob" rules[0]`}, "impersonate ServiceAccount ci/builder"},
			// Same endpoints, primitive and grants; only the condition differs.
			{"User:bob", "ServiceAccount:ci:builder", "impersonate", 1, []string{`ClusterRoleBinding "bob" rules[0]`}, "impersonate any ServiceAccount with group dev"},
			{"ServiceAccount:ci:builder", "Node:cp-1", "node-escape", 1, []string{`RoleBinding "ci/builder" rules[0]`}, "a privileged pod on cp-1"},
			{"ServiceAccount:ci:builder", "Node:cp-1", "node-escape", 1, []string{`RoleBinding "ci/builder" rules[1]`}, "a privileged pod on cp-1"},
			{"Node:cp-1", graph.SinkKey, "node-compromise", 1, nil, "cp-1 is a control-plane node"},
			{"User:bob", "User:bob", "impersonate", 1, nil, "a self-loop is ignored"},
		},
	}
}

// build adds the nodes and the edges in the order given by the permutations.
func build(s spec, nodeOrder, edgeOrder []int) *graph.Graph {
	g := graph.New()
	for _, i := range nodeOrder {
		g.AddNode(s.nodes[i])
	}
	for _, i := range edgeOrder {
		e := s.edges[i]
		g.AddEdge(graph.Edge{From: g.Node(e.from), To: g.Node(e.to), Primitive: e.prim, Hops: e.hops, Condition: e.cond, Provenance: &graph.Provenance{GrantedBy: e.grantedBy}})
	}
	return g
}

func identity(n int) []int {
	out := make([]int, n)
	for i := range out {
		out[i] = i
	}
	return out
}

func render(t *testing.T, g *graph.Graph) string {
	t.Helper()
	var b strings.Builder
	dot, err := graph.DOT(g.Edges(), graph.DOTOptions{Title: "t", Legend: true, EdgeColor: func(p string) string {
		if p == "member-of" {
			return "#64748b"
		}
		return ""
	}})
	if err != nil {
		t.Fatal(err)
	}
	b.Write(dot)
	tree := g.ShortestTo(g.Sink())
	for _, n := range g.Nodes() {
		fmt.Fprintf(&b, "\n%s hops=%d:", n.Key, tree.Hops(n))
		for _, e := range tree.Path(n) {
			fmt.Fprintf(&b, " [%s %s→%s %q]", e.Primitive, e.From.Key, e.To.Key, e.When())
		}
		for i, p := range g.KShortestPaths(n, g.Sink(), 5, -1) {
			fmt.Fprintf(&b, "\n  k%d:", i)
			for _, e := range p {
				fmt.Fprintf(&b, " [%s %s→%s %q %v]", e.Primitive, e.From.Key, e.To.Key, e.When(), e.GrantedBy())
			}
		}
	}
	return b.String()
}

func TestNewHasOnlySink(t *testing.T) {
	g := graph.New()
	if len(g.Nodes()) != 1 || g.Sink() == nil || g.Sink().Kind != graph.KindSink || g.Node(graph.SinkKey) != g.Sink() {
		t.Fatalf("New: want only the sink, got %v", g.Nodes())
	}
	if len(g.Edges()) != 0 {
		t.Fatalf("New: want no edges, got %d", len(g.Edges()))
	}
}

func TestAddNodeReturnsExisting(t *testing.T) {
	g := graph.New()
	a := g.AddNode(graph.Node{Key: "User:alice", Kind: graph.KindUser, Name: "alice"})
	b := g.AddNode(graph.Node{Key: "User:alice", Kind: graph.KindUser, Name: "other", Label: "ignored"})
	if a != b || b.Name != "alice" {
		t.Fatalf("AddNode with an existing key must return the first node, got %+v", b)
	}
	if g.Node("User:nobody") != nil {
		t.Fatal("Node of an unknown key must be nil")
	}
}

func TestAddEdgeDeduplicatesAndIgnoresSelfLoopsAndNil(t *testing.T) {
	g := graph.New()
	a := g.AddNode(graph.Node{Key: "User:a", Kind: graph.KindUser, Name: "a"})
	e := graph.Edge{From: a, To: g.Sink(), Primitive: "impersonate", Hops: 1, Condition: "c", Provenance: &graph.Provenance{GrantedBy: []string{"x"}}}
	g.AddEdge(e)
	g.AddEdge(e)
	g.AddEdge(graph.Edge{From: a, To: a, Primitive: "impersonate", Hops: 1})
	g.AddEdge(graph.Edge{From: a, To: nil, Primitive: "impersonate", Hops: 1})
	if n := len(g.Edges()); n != 1 {
		t.Fatalf("want 1 edge, got %d", n)
	}
	// A different condition alone is the same step: the condition that
	// sorts first is kept, whichever came first.
	e.Condition = "d"
	g.AddEdge(e)
	e.Condition = "b"
	g.AddEdge(e)
	if n := len(g.Edges()); n != 1 || g.Edges()[0].Condition != "b" {
		t.Fatalf("want 1 edge with condition b, got %d (%q)", n, g.Edges()[0].Condition)
	}
	// A different grant, hop count or assumption is a different step.
	e.Provenance = &graph.Provenance{GrantedBy: []string{"y"}}
	g.AddEdge(e)
	e.Assumed = true
	g.AddEdge(e)
	if n := len(g.Edges()); n != 3 {
		t.Fatalf("want 3 edges, got %d", n)
	}
	if len(g.From(a)) != 3 || len(g.To(g.Sink())) != 3 || len(g.To(a)) != 0 {
		t.Fatalf("adjacency: from=%d to(sink)=%d to(a)=%d", len(g.From(a)), len(g.To(g.Sink())), len(g.To(a)))
	}
}

func TestShortestToCountsOnlyEscalationSteps(t *testing.T) {
	s := sample()
	g := build(s, identity(len(s.nodes)), identity(len(s.edges)))
	tree := g.ShortestTo(g.Sink())
	want := map[string]int{
		graph.SinkKey:                0,
		"ServiceAccount:ci:deployer": 0, // admin-rules costs nothing
		"Scope:namespace-admin:ci":   1,
		"Group:dev":                  2,
		"User:alice":                 2, // membership costs nothing
		"Node:cp-1":                  1,
		"ServiceAccount:ci:builder":  2,
		"User:bob":                   3,
		"User:nobody":                graph.Unreachable,
	}
	for key, hops := range want {
		if got := tree.Hops(g.Node(key)); got != hops {
			t.Errorf("%s: hops %d, want %d", key, got, hops)
		}
	}
	if p := tree.Path(g.Node("User:nobody")); p != nil {
		t.Errorf("unreachable node: want nil path, got %v", p)
	}
	if p := tree.Path(g.Sink()); p == nil || len(p) != 0 {
		t.Errorf("sink: want an empty path, got %v", p)
	}
	p := tree.Path(g.Node("User:alice"))
	var prims []string
	for _, e := range p {
		prims = append(prims, e.Primitive)
	}
	// Between the parallel create-workload and token-request steps, the first in stable order wins.
	if got := strings.Join(prims, ","); got != "member-of,bind,create-workload,admin-rules" {
		t.Errorf("alice's path: %s", got)
	}
	if graph.Hops(p) != 2 {
		t.Errorf("Hops(alice's path) = %d, want 2", graph.Hops(p))
	}
}

func TestKShortestPathsParallelStepsAndLimits(t *testing.T) {
	s := sample()
	g := build(s, identity(len(s.nodes)), identity(len(s.edges)))
	bob := g.Node("User:bob")
	// Two impersonate steps that differ only in their condition are one
	// step; two node-escape steps with different grants are two.
	paths := g.KShortestPaths(bob, g.Sink(), 10, -1)
	if len(paths) != 2 {
		t.Fatalf("want 2 distinct paths through parallel steps, got %d", len(paths))
	}
	for _, p := range paths {
		if graph.Hops(p) != 3 || len(p) != 3 {
			t.Errorf("path of %d hops, %d steps, want 3 and 3", graph.Hops(p), len(p))
		}
	}
	if got := g.KShortestPaths(bob, g.Sink(), 2, -1); len(got) != 2 {
		t.Errorf("k=2: got %d paths", len(got))
	}
	if got := g.KShortestPaths(bob, g.Sink(), 10, 2); len(got) != 0 {
		t.Errorf("maxHops=2: got %d paths, want none", len(got))
	}
	if got := g.KShortestPaths(bob, g.Sink(), 0, -1); got != nil {
		t.Errorf("k=0: got %v", got)
	}
	if got := g.KShortestPaths(g.Node("User:nobody"), g.Sink(), 3, -1); len(got) != 0 {
		t.Errorf("unreachable: got %v", got)
	}
	if got := g.KShortestPaths(nil, g.Sink(), 3, -1); got != nil {
		t.Errorf("nil from: got %v", got)
	}
	alice := g.KShortestPaths(g.Node("User:alice"), g.Sink(), 10, -1)
	if len(alice) != 2 || graph.Hops(alice[0]) != 2 || alice[0][0].Primitive != "member-of" {
		t.Errorf("alice: want 2 paths of 2 hops starting with member-of, got %d", len(alice))
	}
}

// TestDeterministicInAnyOrder builds the same graph from nodes and edges added
// in shuffled orders: the DOT, the shortest paths and the k shortest paths
// must be byte-identical.
func TestDeterministicInAnyOrder(t *testing.T) {
	s := sample()
	want := render(t, build(s, identity(len(s.nodes)), identity(len(s.edges))))
	rng := rand.New(rand.NewSource(1))
	for i := 0; i < 50; i++ {
		got := render(t, build(s, rng.Perm(len(s.nodes)), rng.Perm(len(s.edges))))
		if got != want {
			t.Fatalf("shuffle %d: result differs:\n--- want\n%s\n--- got\n%s", i, want, got)
		}
	}
	// Reversed order, the worst case for a stable sort.
	rev := identity(len(s.edges))
	for i, j := 0, len(rev)-1; i < j; i, j = i+1, j-1 {
		rev[i], rev[j] = rev[j], rev[i]
	}
	if got := render(t, build(s, identity(len(s.nodes)), rev)); got != want {
		t.Fatalf("reversed: result differs:\n--- want\n%s\n--- got\n%s", want, got)
	}
}

func TestDOTRendersNodesEdgesAndLegend(t *testing.T) {
	s := sample()
	g := build(s, identity(len(s.nodes)), identity(len(s.edges)))
	dot, err := graph.DOT(g.Edges(), graph.DOTOptions{Name: "g", Title: `say "hi"`, Legend: true})
	if err != nil {
		t.Fatal(err)
	}
	out := string(dot)
	for _, want := range []string{
		"digraph g {",
		`label="say \"hi\""`,
		`subgraph "cluster_ns_ci"`,
		`"ServiceAccount:ci:deployer" [`,
		`label="ServiceAccount\nci/deployer"`,
		`label="Scope\nall permissions in namespace ci"`,
		"shape=doubleoctagon",
		"style=dashed", // 0-hop edges
		`tooltip="RoleBinding \"ci/builder\" rules[0]"`,
		"subgraph cluster_legend",
		`"legend_node-escape_a" -> "legend_node-escape_b"`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("DOT lacks %s:\n%s", want, out)
		}
	}
	if strings.Contains(out, "User:nobody") {
		t.Error("DOT must contain only the end nodes of the given edges")
	}
	empty, err := graph.DOT(nil, graph.DOTOptions{Legend: true})
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(empty, []byte("digraph auth_paths {")) || bytes.Contains(empty, []byte("legend")) {
		t.Errorf("empty DOT: %s", empty)
	}
}

func TestNodesAndEdgesAreSorted(t *testing.T) {
	s := sample()
	g := build(s, []int{7, 6, 5, 4, 3, 2, 1, 0}, identity(len(s.edges)))
	var keys []string
	for _, n := range g.Nodes() {
		keys = append(keys, n.Key)
	}
	sorted := append([]string(nil), keys...)
	for i := 1; i < len(sorted); i++ {
		if sorted[i-1] > sorted[i] {
			t.Fatalf("nodes not sorted: %v", keys)
		}
	}
	g2 := build(s, identity(len(s.nodes)), identity(len(s.edges)))
	var e1, e2 []string
	for _, e := range g.Edges() {
		e1 = append(e1, e.From.Key+e.To.Key+e.Primitive+e.Condition+strings.Join(e.GrantedBy(), ","))
	}
	for _, e := range g2.Edges() {
		e2 = append(e2, e.From.Key+e.To.Key+e.Primitive+e.Condition+strings.Join(e.GrantedBy(), ","))
	}
	if !reflect.DeepEqual(e1, e2) {
		t.Fatalf("edge order depends on node insertion order:\n%v\n%v", e1, e2)
	}
}

func TestDOTEdgeNoteDrawsNotedEdgesDotted(t *testing.T) {
	g := graph.New()
	a := g.AddNode(graph.Node{Key: "User:a", Kind: graph.KindUser, Name: "a"})
	b := g.AddNode(graph.Node{Key: "User:b", Kind: graph.KindUser, Name: "b"})
	g.AddEdge(graph.Edge{From: a, To: g.Sink(), Primitive: "admin-rules", Hops: 0})
	g.AddEdge(graph.Edge{From: b, To: g.Sink(), Primitive: "impersonate", Hops: 1})
	g.Freeze()
	note := func(e *graph.Edge) string {
		if e.From == a {
			return "expected (EKS default)"
		}
		return ""
	}
	data, err := graph.DOT(g.Edges(), graph.DOTOptions{Name: "t", EdgeNote: note})
	if err != nil {
		t.Fatal(err)
	}
	out := string(data)
	if !strings.Contains(out, `label="admin-rules\nexpected (EKS default)"`) || !strings.Contains(out, "style=dotted") {
		t.Errorf("noted edge not labelled and dotted:\n%s", out)
	}
	if strings.Count(out, "style=dotted") != 1 || !strings.Contains(out, `label="impersonate"`) {
		t.Errorf("edge without a note changed:\n%s", out)
	}
}

// TestShortestToWithout: the search leaves out the steps skip rejects, also
// when it re-chooses among equally short paths by assumed steps.
func TestShortestToWithout(t *testing.T) {
	s := sample()
	g := build(s, identity(len(s.nodes)), identity(len(s.edges)))
	prim := func(names ...string) func(*graph.Edge) bool {
		return func(e *graph.Edge) bool { return slices.Contains(names, e.Primitive) }
	}
	tests := []struct {
		name string
		skip func(*graph.Edge) bool
		from string
		hops int
		path string
	}{
		{"nil skips nothing", nil, "User:alice", 2, "member-of,bind,create-workload,admin-rules"},
		{"a parallel step takes over", prim("create-workload"), "User:alice", 2, "member-of,bind,token-request,admin-rules"},
		{"both parallel steps gone", prim("create-workload", "token-request"), "User:alice", graph.Unreachable, ""},
		{"the only escape gone", prim("node-escape"), "User:bob", graph.Unreachable, ""},
		{"other steps stay", prim("node-escape"), "User:alice", 2, "member-of,bind,create-workload,admin-rules"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tree := g.ShortestToWithout(g.Sink(), tc.skip)
			n := g.Node(tc.from)
			if got := tree.Hops(n); got != tc.hops {
				t.Fatalf("hops %d, want %d", got, tc.hops)
			}
			var prims []string
			for _, e := range tree.Path(n) {
				prims = append(prims, e.Primitive)
			}
			if got := strings.Join(prims, ","); got != tc.path {
				t.Errorf("path %q, want %q", got, tc.path)
			}
		})
	}

	// Two paths of one hop; the one without assumed steps is left out.
	g2 := graph.New()
	x := g2.AddNode(graph.Node{Key: "User:x", Kind: graph.KindUser, Name: "x"})
	g2.AddEdge(graph.Edge{From: x, To: g2.Sink(), Primitive: "a-assumed", Hops: 1, Assumed: true})
	g2.AddEdge(graph.Edge{From: x, To: g2.Sink(), Primitive: "b-proven", Hops: 1})
	if p := g2.ShortestTo(g2.Sink()).Path(x); len(p) != 1 || p[0].Primitive != "b-proven" {
		t.Fatalf("without skip: %v", p)
	}
	if p := g2.ShortestToWithout(g2.Sink(), prim("b-proven")).Path(x); len(p) != 1 || p[0].Primitive != "a-assumed" {
		t.Errorf("the proven step is skipped, yet the path is %v", p)
	}
}

// TestReachWithout: the nodes ReachWithout finds are those ShortestToWithout
// gives a distance, on the sample with each skip of TestShortestToWithout
// and on random graphs with random steps left out.
func TestReachWithout(t *testing.T) {
	s := sample()
	g := build(s, identity(len(s.nodes)), identity(len(s.edges)))
	for _, skipped := range [][]string{nil, {"create-workload"}, {"create-workload", "token-request"}, {"node-escape"}} {
		skip := func(e *graph.Edge) bool { return slices.Contains(skipped, e.Primitive) }
		sameReach(t, fmt.Sprintf("sample without %v", skipped), g, skip)
	}
	if r := g.ReachWithout(g.Sink(), nil); r.Has(nil) {
		t.Error("a nil node reaches the target")
	}
	rng := rand.New(rand.NewSource(7))
	for round := range 50 {
		g, _ := randomGraph(rng, 30, 60, 5)
		left := fmt.Sprintf("p%d", rng.Intn(5))
		sameReach(t, fmt.Sprintf("random graph %d without %s", round, left), g, func(e *graph.Edge) bool { return e.Primitive == left })
	}
}

func sameReach(t *testing.T, name string, g *graph.Graph, skip func(*graph.Edge) bool) {
	t.Helper()
	tree, r := g.ShortestToWithout(g.Sink(), skip), g.ReachWithout(g.Sink(), skip)
	reached := 0
	for _, n := range g.Nodes() {
		if want := tree.Hops(n) != graph.Unreachable; r.Has(n) != want {
			t.Errorf("%s: %s reaches the target %v, want %v", name, n.Key, r.Has(n), want)
		}
		if r.Has(n) {
			reached++
		}
	}
	if reached < 1 {
		t.Errorf("%s: not even the target reaches it", name)
	}
}

// TestSeeds: a seeded graph makes a seed's node when it is asked for by
// key, as the seed is (whatever AddNode is given), never a gone seed's, and
// Materialize makes the rest; the result is the graph of the same nodes
// added at once.
func TestSeeds(t *testing.T) {
	seeds := graph.NewSeeds([]graph.Node{
		{Key: "Group:dev", Kind: graph.KindGroup, Name: "dev"},
		{Key: "ServiceAccount:ci:deployer", Kind: graph.KindServiceAccount, Name: "deployer", Namespace: "ci"},
		{Key: "User:alice", Kind: graph.KindUser, Name: "alice"},
		{Key: "User:gone", Kind: graph.KindUser, Name: "gone"},
	})
	g := graph.New()
	g.Seed(seeds, map[int32]bool{3: true})
	keys := func() []string {
		var out []string
		for _, n := range g.Nodes() {
			out = append(out, n.Key)
		}
		return out
	}
	if got := keys(); !slices.Equal(got, []string{"cluster-admin"}) {
		t.Fatalf("nodes before any is asked for: %v", got)
	}
	alice := g.AddNode(graph.Node{Key: "User:alice", Kind: graph.KindUser, Name: "alice again"})
	if alice.Name != "alice" || g.Node("User:alice") != alice {
		t.Errorf("AddNode of a seed's key made %+v, want the seed", alice)
	}
	dev := g.Node("Group:dev")
	if dev == nil || dev.Name != "dev" || g.Node("Group:dev") != dev {
		t.Errorf("Node of a seed's key = %+v, want the seed, once", dev)
	}
	if g.Node("User:gone") != nil || g.Node("User:nobody") != nil {
		t.Error("a gone seed or an unknown key has a node")
	}
	if got := keys(); !slices.Equal(got, []string{"Group:dev", "User:alice", "cluster-admin"}) {
		t.Errorf("nodes once two are asked for: %v", got)
	}
	all := g.Materialize()
	var made []string
	for _, n := range all {
		made = append(made, n.Key)
	}
	if !slices.Equal(made, []string{"Group:dev", "ServiceAccount:ci:deployer", "User:alice"}) || all[0] != dev || all[2] != alice {
		t.Errorf("Materialize = %v, want every seed but the gone one, the nodes made kept", made)
	}
	if got := keys(); !slices.Equal(got, []string{"Group:dev", "ServiceAccount:ci:deployer", "User:alice", "cluster-admin"}) {
		t.Errorf("nodes after Materialize: %v", got)
	}
	// A gone seed's key is an ordinary node when added.
	if n := g.AddNode(graph.Node{Key: "User:gone", Kind: graph.KindUser, Name: "made anew"}); n.Name != "made anew" {
		t.Errorf("AddNode of a gone seed's key = %+v", n)
	}
}

// randomGraph is a graph of the sink and users u00…, with edges random
// steps between them (none out of the sink) of primitives p0…, 0 or 1 hop;
// nodes[0] is the sink.
func randomGraph(rng *rand.Rand, users, edges, prims int) (*graph.Graph, []*graph.Node) {
	g := graph.New()
	nodes := []*graph.Node{g.Sink()}
	for i := range users {
		nodes = append(nodes, g.AddNode(graph.Node{Key: fmt.Sprintf("User:u%02d", i), Kind: graph.KindUser}))
	}
	for range edges {
		g.AddEdge(graph.Edge{From: nodes[1+rng.Intn(users)], To: nodes[rng.Intn(users+1)], Primitive: fmt.Sprintf("p%d", rng.Intn(prims)), Hops: rng.Intn(2)})
	}
	return g, nodes
}

// TestTreeLostWithout: the nodes a tree says lose every way without some
// steps are what a whole search without them loses, on random graphs, for
// gone steps out of one to four nodes (sources may include nodes no gone
// step leaves, and nodes below others in the tree), with assumed steps.
func TestTreeLostWithout(t *testing.T) {
	rng := rand.New(rand.NewSource(17))
	cut, kept := 0, 0
	for round := range 300 {
		g, nodes := randomGraph(rng, 20, 30+rng.Intn(40), 3)
		for range rng.Intn(8) { // assumed steps: the tree re-chooses among tight ones
			g.AddEdge(graph.Edge{From: nodes[1+rng.Intn(20)], To: nodes[rng.Intn(21)], Primitive: fmt.Sprintf("p%d", rng.Intn(3)), Hops: rng.Intn(2), Assumed: true})
		}
		way, all := g.ShortestTo(g.Sink()), g.ReachWithout(g.Sink(), nil)
		for range 10 {
			var srcs []*graph.Node
			for range 1 + rng.Intn(4) {
				srcs = append(srcs, nodes[1+rng.Intn(20)])
			}
			prim := fmt.Sprintf("p%d", rng.Intn(3))
			leaving := srcs[:1+rng.Intn(len(srcs))] // the others leave no gone step
			gone := func(e *graph.Edge) bool { return slices.Contains(leaving, e.From) && e.Primitive == prim }
			after := g.ReachWithout(g.Sink(), gone)
			var want, got []string
			for _, n := range g.Nodes() {
				if all.Has(n) && !after.Has(n) {
					want = append(want, n.Key)
				}
			}
			for _, n := range way.LostWithout(srcs, gone) {
				got = append(got, n.Key)
			}
			if !slices.Equal(got, want) {
				t.Fatalf("round %d: without the %s steps of %v: lost %v, want %v", round, prim, leaving, got, want)
			}
			if len(want) > 0 {
				cut++
			} else {
				kept++
			}
		}
	}
	if cut < 300 || kept < 300 {
		t.Errorf("%d cuts, %d without: the random graphs miss a case", cut, kept)
	}
}

// later is a condition rendered when read; renders counts the reads.
type later struct {
	text    string
	renders *int
}

func (l later) String() string { *l.renders++; return l.text }

func TestLaterConditionsAreComparedAsRendered(t *testing.T) {
	g := graph.New()
	a := g.AddNode(graph.Node{Key: "User:a", Kind: graph.KindUser, Name: "a"})
	renders := 0
	add := func(cond string, lazy bool) {
		e := graph.Edge{From: a, To: g.Sink(), Primitive: "node-compromise", Hops: 1}
		if lazy {
			e.Later = later{cond, &renders}
		} else {
			e.Condition = cond
		}
		g.AddEdge(e)
	}
	add("pod ns/m", true)
	if renders != 0 {
		t.Fatalf("a condition kept for later was rendered %d times on the first add", renders)
	}
	// Of the same step, the condition that sorts first is kept, whether it
	// was given as text or for later.
	add("pod ns/z", false)
	add("pod ns/b", true)
	add("pod ns/c", false)
	es := g.Edges()
	if len(es) != 1 || es[0].When() != "pod ns/b" || es[0].Condition != "" {
		t.Fatalf("want one edge whose condition is rendered later as %q, got %d: %q (Condition %q)", "pod ns/b", len(es), es[0].When(), es[0].Condition)
	}
	// Condition, when set, is the condition: Later is not read.
	e := graph.Edge{Condition: "now", Later: later{"later", &renders}}
	before := renders
	if got := e.When(); got != "now" || renders != before {
		t.Fatalf("When() = %q after %d renders, want %q and none", got, renders-before, "now")
	}
}
