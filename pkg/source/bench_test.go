package source_test

import (
	"bytes"
	"testing"

	"sigs.k8s.io/yaml"

	"github.com/auth-paths/kubectl-auth-paths/hack/gen/cluster"
	"github.com/auth-paths/kubectl-auth-paths/pkg/source"
)

// The benchmarks decode a generated cluster of cluster.BenchNamespaces()
// namespaces (AUTH_PATHS_BENCH_NAMESPACES, 300 by default) from memory.

func BenchmarkDecodeJSON(b *testing.B) {
	data := cluster.Bytes(cluster.BenchNamespaces())
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		inv, err := source.LoadFiles(source.FileOptions{Filenames: []string{"-"}, Stdin: bytes.NewReader(data)})
		if err != nil {
			b.Fatal(err)
		}
		if inv.Count() == 0 {
			b.Fatal("no objects")
		}
	}
}

func BenchmarkDecodeYAML(b *testing.B) {
	js := cluster.Bytes(max(1, cluster.BenchNamespaces()/10))
	data, err := yaml.JSONToYAML(js)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := source.LoadFiles(source.FileOptions{Filenames: []string{"-"}, Stdin: bytes.NewReader(data)}); err != nil {
			b.Fatal(err)
		}
	}
}
