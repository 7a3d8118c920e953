package rbac_test

import (
	"bytes"
	"testing"

	"github.com/auth-paths/kubectl-auth-paths/hack/gen/cluster"
	"github.com/auth-paths/kubectl-auth-paths/pkg/model"
	"github.com/auth-paths/kubectl-auth-paths/pkg/rbac"
	"github.com/auth-paths/kubectl-auth-paths/pkg/source"
)

func benchInventory(b *testing.B) *model.Inventory {
	b.Helper()
	data := cluster.Bytes(cluster.BenchNamespaces())
	inv, err := source.LoadFiles(source.FileOptions{Filenames: []string{"-"}, Stdin: bytes.NewReader(data)})
	if err != nil {
		b.Fatal(err)
	}
	return inv
}

func BenchmarkNewEvaluator(b *testing.B) {
	inv := benchInventory(b)
	b.ReportAllocs()
	for b.Loop() {
		rbac.NewEvaluator(inv)
	}
}

// BenchmarkWhoCanAllNamespaces is `who-can get secrets -A`.
func BenchmarkWhoCanAllNamespaces(b *testing.B) {
	ev := rbac.NewEvaluator(benchInventory(b))
	req := rbac.Request{Verb: "get", Resource: "secrets"}
	b.ReportAllocs()
	for b.Loop() {
		if len(ev.WhoCan(req)) == 0 {
			b.Fatal("nobody")
		}
	}
}

// BenchmarkWhoCanNamespace is `who-can create pods/exec -n team-00007`.
func BenchmarkWhoCanNamespace(b *testing.B) {
	ev := rbac.NewEvaluator(benchInventory(b))
	req := rbac.Request{Verb: "create", Resource: "pods", Subresource: "exec", Namespace: "team-00007"}
	b.ReportAllocs()
	for b.Loop() {
		ev.WhoCan(req)
	}
}

func BenchmarkRulesFor(b *testing.B) {
	ev := rbac.NewEvaluator(benchInventory(b))
	subjects := ev.Subjects()
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		ev.RulesFor(subjects[i%len(subjects)])
		i++
	}
}

func BenchmarkAllows(b *testing.B) {
	ev := rbac.NewEvaluator(benchInventory(b))
	id := rbac.IdentityOf(rbac.Subject{Kind: "ServiceAccount", Namespace: "team-00003", Name: "app-0"})
	req := rbac.Request{Verb: "list", Resource: "pods", Namespace: "team-00003"}
	b.ReportAllocs()
	for b.Loop() {
		ev.Allows(id, req)
	}
}
