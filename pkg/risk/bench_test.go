package risk_test

import (
	"bytes"
	"testing"
	"time"

	"github.com/auth-paths/kubectl-auth-paths/hack/gen/cluster"
	"github.com/auth-paths/kubectl-auth-paths/pkg/model"
	"github.com/auth-paths/kubectl-auth-paths/pkg/rbac"
	"github.com/auth-paths/kubectl-auth-paths/pkg/risk"
	"github.com/auth-paths/kubectl-auth-paths/pkg/source"
)

func benchInventory(b *testing.B) *model.Inventory {
	b.Helper()
	return benchInventoryN(b, cluster.BenchNamespaces())
}

// benchInventoryN is a generated cluster of n namespaces.
func benchInventoryN(tb testing.TB, n int) *model.Inventory {
	tb.Helper()
	data := cluster.Bytes(n)
	inv, err := source.LoadFiles(source.FileOptions{Filenames: []string{"-"}, Stdin: bytes.NewReader(data)})
	if err != nil {
		tb.Fatal(err)
	}
	return inv
}

// BenchmarkAnalyze builds the evaluator, the principals and the escalation graph.
func BenchmarkAnalyze(b *testing.B) {
	inv := benchInventory(b)
	b.ReportAllocs()
	for b.Loop() {
		risk.Analyze(inv, risk.Options{})
	}
}

// BenchmarkScan is the reverse search from cluster-admin and the path results.
func BenchmarkScan(b *testing.B) {
	a := risk.Analyze(benchInventory(b), risk.Options{})
	b.ReportAllocs()
	for b.Loop() {
		if res := a.Scan(false); len(res.Paths) == 0 {
			b.Fatal("no paths")
		}
	}
}

// BenchmarkFrom is Yen's k shortest paths from one subject (as `from`).
func BenchmarkFrom(b *testing.B) {
	subj := rbac.Subject{Kind: "User", Name: "iam-bot@example.com"}
	a := risk.Analyze(benchInventory(b), risk.Options{Identities: []rbac.Subject{subj}})
	n := a.Graph.Node(risk.SubjectKey(subj))
	if n == nil {
		b.Fatal("subject not in graph")
	}
	b.ReportAllocs()
	for b.Loop() {
		a.From(n, 3, -1)
	}
}

// BenchmarkFindings is every hygiene finding, the object-creation one included
// (one pass over the bindings per resource, then a merge per namespace).
func BenchmarkFindings(b *testing.B) {
	a := risk.Analyze(benchInventory(b), risk.Options{})
	now := time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC)
	b.ReportAllocs()
	for b.Loop() {
		if len(a.Findings(now)) == 0 {
			b.Fatal("no findings")
		}
	}
}
