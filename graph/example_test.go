package graph_test

import (
	"fmt"

	"github.com/auth-paths/kubectl-auth-paths/graph"
)

// A graph starts with the cluster-admin sink.
func ExampleNew() {
	g := graph.New()
	for _, n := range g.Nodes() {
		fmt.Println(n.Key, n.Kind)
	}
	// Output:
	// cluster-admin ClusterAdmin
}

// AddNode is idempotent: the key identifies the node.
func ExampleGraph_AddNode() {
	g := graph.New()
	a := g.AddNode(graph.Node{Key: "User:alice", Kind: graph.KindUser, Name: "alice"})
	b := g.AddNode(graph.Node{Key: "User:alice", Kind: graph.KindUser, Name: "alice"})
	sa := g.AddNode(graph.Node{Key: "ServiceAccount:ci:deployer", Kind: graph.KindServiceAccount, Name: "deployer", Namespace: "ci"})
	fmt.Println(a == b, len(g.Nodes()))
	fmt.Printf("%q\n", sa.DisplayName())
	// Output:
	// true 3
	// "ServiceAccount\nci/deployer"
}

// AddEdge ignores identical steps and self-loops.
func ExampleGraph_AddEdge() {
	g := graph.New()
	alice := g.AddNode(graph.Node{Key: "User:alice", Kind: graph.KindUser, Name: "alice"})
	step := graph.Edge{From: alice, To: g.Sink(), Primitive: "bind", Hops: 1, Condition: "bind cluster-admin", Provenance: &graph.Provenance{GrantedBy: []string{`ClusterRoleBinding "delegators" rules[0]`}}}
	g.AddEdge(step)
	g.AddEdge(step)
	g.AddEdge(graph.Edge{From: alice, To: alice, Primitive: "impersonate", Hops: 1})
	for _, e := range g.From(alice) {
		fmt.Println(e.From.Key, "-"+e.Primitive+"->", e.To.Key, e.Hops)
	}
	// Output:
	// User:alice -bind-> cluster-admin 1
}

// ShortestTo answers every node at once: membership and admin-equivalent
// rules cost 0 hops, escalation steps 1.
func ExampleGraph_ShortestTo() {
	g := graph.New()
	alice := g.AddNode(graph.Node{Key: "User:alice", Kind: graph.KindUser, Name: "alice"})
	dev := g.AddNode(graph.Node{Key: "Group:dev", Kind: graph.KindGroup, Name: "dev"})
	sa := g.AddNode(graph.Node{Key: "ServiceAccount:ci:deployer", Kind: graph.KindServiceAccount, Name: "deployer", Namespace: "ci"})
	bob := g.AddNode(graph.Node{Key: "User:bob", Kind: graph.KindUser, Name: "bob"})
	g.AddEdge(graph.Edge{From: alice, To: dev, Primitive: "member-of", Hops: 0})
	g.AddEdge(graph.Edge{From: dev, To: sa, Primitive: "token-request", Hops: 1})
	g.AddEdge(graph.Edge{From: sa, To: g.Sink(), Primitive: "admin-rules", Hops: 0})
	tree := g.ShortestTo(g.Sink())
	for _, n := range []*graph.Node{alice, dev, sa, bob} {
		if tree.Hops(n) == graph.Unreachable {
			fmt.Println(n.Key, "unreachable")
			continue
		}
		fmt.Print(n.Key, " ", tree.Hops(n), ":")
		for _, e := range tree.Path(n) {
			fmt.Print(" ", e.Primitive)
		}
		fmt.Println()
	}
	// Output:
	// User:alice 1: member-of token-request admin-rules
	// Group:dev 1: token-request admin-rules
	// ServiceAccount:ci:deployer 0: admin-rules
	// User:bob unreachable
}

// KShortestPaths (Yen) lists alternatives, fewest hops first (paths of equal
// length in Yen's order, which is stable); parallel steps through different
// bindings are different paths.
func ExampleGraph_KShortestPaths() {
	g := graph.New()
	alice := g.AddNode(graph.Node{Key: "User:alice", Kind: graph.KindUser, Name: "alice"})
	sa := g.AddNode(graph.Node{Key: "ServiceAccount:ci:deployer", Kind: graph.KindServiceAccount, Name: "deployer", Namespace: "ci"})
	g.AddEdge(graph.Edge{From: alice, To: g.Sink(), Primitive: "bind", Hops: 1, Provenance: &graph.Provenance{GrantedBy: []string{"binding a"}}})
	g.AddEdge(graph.Edge{From: alice, To: g.Sink(), Primitive: "bind", Hops: 1, Provenance: &graph.Provenance{GrantedBy: []string{"binding b"}}})
	g.AddEdge(graph.Edge{From: alice, To: sa, Primitive: "impersonate", Hops: 1})
	g.AddEdge(graph.Edge{From: sa, To: g.Sink(), Primitive: "escalate", Hops: 1})
	for _, p := range g.KShortestPaths(alice, g.Sink(), 5, -1) {
		fmt.Print(graph.Hops(p), ":")
		for _, e := range p {
			fmt.Print(" ", e.Primitive, e.GrantedBy())
		}
		fmt.Println()
	}
	fmt.Println(len(g.KShortestPaths(alice, g.Sink(), 5, 1)), "paths of at most 1 hop")
	// Output:
	// 1: bind[binding b]
	// 1: bind[binding a]
	// 2: impersonate[] escalate[]
	// 2 paths of at most 1 hop
}

// DOT renders a set of edges with their end nodes; 0-hop steps are dashed.
func ExampleDOT() {
	g := graph.New()
	sa := g.AddNode(graph.Node{Key: "ServiceAccount:ci:deployer", Kind: graph.KindServiceAccount, Name: "deployer", Namespace: "ci"})
	g.AddEdge(graph.Edge{From: sa, To: g.Sink(), Primitive: "admin-rules", Hops: 0, Provenance: &graph.Provenance{GrantedBy: []string{`ClusterRoleBinding "deployer"`}}})
	dot, err := graph.DOT(g.Edges(), graph.DOTOptions{Name: "example"})
	if err != nil {
		panic(err)
	}
	fmt.Println(string(dot))
	// Output:
	// digraph example {
	//   graph [
	//     rankdir=LR
	//     fontname=Helvetica
	//     labelloc=t
	//   ];
	//   node [
	//     fontname=Helvetica
	//     style=filled
	//   ];
	//   edge [
	//     fontname=Helvetica
	//     fontsize=10
	//   ];
	//
	//   subgraph "cluster_ns_ci" {
	//     graph [
	//       label="namespace ci"
	//       style=rounded
	//       color="#94a3b8"
	//     ];
	//
	//     // Node definitions.
	//     "ServiceAccount:ci:deployer";
	//   }
	//   // Node definitions.
	//   "ServiceAccount:ci:deployer" [
	//     label="ServiceAccount\nci/deployer"
	//     shape=ellipse
	//     fillcolor="#dcfce7"
	//   ];
	//   "cluster-admin" [
	//     label="cluster-admin"
	//     shape=doubleoctagon
	//     fillcolor="#fecaca"
	//   ];
	//
	//   // Edge definitions.
	//   "ServiceAccount:ci:deployer" -> "cluster-admin" [
	//     label="admin-rules"
	//     color="black"
	//     fontcolor="black"
	//     style=dashed
	//     tooltip="ClusterRoleBinding \"deployer\""
	//   ];
	// }
}

// LostWithout tells, from one tree of shortest ways, who loses every way
// when some steps go: here the deployer's token is the only way of alice
// and of the dev group, while bob also has a step of his own.
func ExampleTree_LostWithout() {
	g := graph.New()
	alice := g.AddNode(graph.Node{Key: "User:alice", Kind: graph.KindUser, Name: "alice"})
	bob := g.AddNode(graph.Node{Key: "User:bob", Kind: graph.KindUser, Name: "bob"})
	dev := g.AddNode(graph.Node{Key: "Group:dev", Kind: graph.KindGroup, Name: "dev"})
	sa := g.AddNode(graph.Node{Key: "ServiceAccount:ci:deployer", Kind: graph.KindServiceAccount, Name: "deployer", Namespace: "ci"})
	g.AddEdge(graph.Edge{From: alice, To: dev, Primitive: "member-of", Hops: 0})
	g.AddEdge(graph.Edge{From: bob, To: dev, Primitive: "member-of", Hops: 0})
	g.AddEdge(graph.Edge{From: bob, To: g.Sink(), Primitive: "escalate", Hops: 1})
	g.AddEdge(graph.Edge{From: dev, To: sa, Primitive: "token-request", Hops: 1})
	g.AddEdge(graph.Edge{From: sa, To: g.Sink(), Primitive: "admin-rules", Hops: 0})
	tree := g.ShortestTo(g.Sink())
	lost := tree.LostWithout([]*graph.Node{dev}, func(e *graph.Edge) bool { return e.Primitive == "token-request" })
	for _, n := range lost {
		fmt.Println("lost:", n.Key)
	}
	// Output:
	// lost: Group:dev
	// lost: User:alice
}
