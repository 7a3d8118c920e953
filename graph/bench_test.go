package graph_test

import (
	"bytes"
	"testing"

	"github.com/auth-paths/kubectl-auth-paths/graph"
	"github.com/auth-paths/kubectl-auth-paths/hack/gen/cluster"
	"github.com/auth-paths/kubectl-auth-paths/pkg/risk"
	"github.com/auth-paths/kubectl-auth-paths/pkg/source"
)

// benchAnalysis is the escalation graph of a generated cluster.
func benchAnalysis(b *testing.B) *risk.Analysis {
	b.Helper()
	data := cluster.Bytes(cluster.BenchNamespaces())
	inv, err := source.LoadFiles(source.FileOptions{Filenames: []string{"-"}, Stdin: bytes.NewReader(data)})
	if err != nil {
		b.Fatal(err)
	}
	return risk.Analyze(inv, risk.Options{})
}

func BenchmarkShortestTo(b *testing.B) {
	a := benchAnalysis(b)
	b.ReportAllocs()
	for b.Loop() {
		a.Graph.ShortestTo(a.Sink())
	}
}

func BenchmarkKShortestPaths(b *testing.B) {
	a := benchAnalysis(b)
	n := a.Graph.Node("User:iam-bot@example.com")
	if n == nil {
		b.Fatal("no node")
	}
	b.ReportAllocs()
	for b.Loop() {
		a.Graph.KShortestPaths(n, a.Sink(), 3, -1)
	}
}

// BenchmarkDOT renders the paths-to-admin view (the `graph` command's default).
func BenchmarkDOT(b *testing.B) {
	a := benchAnalysis(b)
	edges := a.PathEdges()
	opts := graph.DOTOptions{Name: "auth_paths", Title: "Paths to cluster-admin", Legend: true,
		EdgeColor: a.StepColor}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := graph.DOT(edges, opts); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDOTAll renders every edge (`graph --all`).
func BenchmarkDOTAll(b *testing.B) {
	a := benchAnalysis(b)
	edges := a.Graph.Edges()
	opts := graph.DOTOptions{Name: "auth_paths", Title: "Escalation graph", Legend: true}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := graph.DOT(edges, opts); err != nil {
			b.Fatal(err)
		}
	}
}
