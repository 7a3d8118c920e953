package source

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// corpusDir is the shared corpus next to the repository (../shared/corpus
// from the repository root).
var corpusDir = filepath.Join("..", "..", "..", "shared", "corpus")

// countDocuments counts the non-blank documents of a YAML stream.
func countDocuments(data []byte) int {
	n := 0
	for _, part := range bytes.Split(data, []byte("\n---")) {
		if !isBlankYAML(part) {
			n++
		}
	}
	return n
}

// TestCorpusLoads: every manifest of the shared corpus (real projects'
// RBAC, KubeHound's attack fixtures) loads, and every document is accounted for.
func TestCorpusLoads(t *testing.T) {
	for _, set := range []string{"real", "kubehound"} {
		dir := filepath.Join(corpusDir, set)
		files, _ := filepath.Glob(filepath.Join(dir, "*.yaml"))
		if len(files) == 0 {
			if _, err := os.Stat(dir); err != nil {
				t.Skipf("corpus directory %s is absent (%v): the shared corpus is not checked out next to the repository", dir, err)
			}
			t.Fatalf("no .yaml files in %s", dir)
		}
		totalRBAC, totalSAs := 0, 0
		for _, f := range files {
			t.Run(set+"/"+filepath.Base(f), func(t *testing.T) {
				data, err := os.ReadFile(f)
				if err != nil {
					t.Fatal(err)
				}
				inv, err := LoadFiles(FileOptions{Filenames: []string{f}})
				if err != nil {
					t.Fatalf("load: %v", err)
				}
				skipped := 0
				for _, n := range inv.Skipped {
					skipped += n
				}
				docs := countDocuments(data)
				if got := inv.Count() + skipped + len(inv.Warnings); got != docs {
					t.Errorf("%d documents, but %d kept + %d skipped + %d duplicates", docs, inv.Count(), skipped, len(inv.Warnings))
				}
				rbacObjects := len(inv.ClusterRoles) + len(inv.Roles) + len(inv.ClusterRoleBindings) + len(inv.RoleBindings)
				if rbacObjects == 0 || len(inv.ClusterRoles) == 0 {
					t.Errorf("%d RBAC objects, %d ClusterRoles: the corpus files are RBAC scenarios", rbacObjects, len(inv.ClusterRoles))
				}
				totalSAs += len(inv.ServiceAccounts)
				totalRBAC += rbacObjects
				for _, b := range append(inv.ClusterRoleBindings, inv.RoleBindings...) {
					if b.Kind == "" || b.RoleRef.Name == "" {
						t.Errorf("binding %s decoded without kind or roleRef", b.ID())
					}
				}
				for _, w := range inv.Workloads {
					if w.Kind == "" || w.Spec.ServiceAccountName == "" {
						t.Errorf("workload %s/%s has kind %q and SA %q", w.Namespace, w.Name, w.Kind, w.Spec.ServiceAccountName)
					}
				}
				for _, s := range inv.Secrets {
					if s.Type == "" {
						t.Errorf("secret %s has no type", s.Name)
					}
				}
			})
		}
		if totalRBAC < 2*len(files) || totalSAs < len(files) {
			t.Errorf("%s: only %d RBAC objects and %d ServiceAccounts in %d files", set, totalRBAC, totalSAs, len(files))
		}
	}
}

// TestCorpusAllAtOnce reads the whole corpus as one input, as -R would.
func TestCorpusAllAtOnce(t *testing.T) {
	dir := filepath.Join(corpusDir, "real")
	if _, err := os.Stat(dir); err != nil {
		t.Skipf("corpus directory %s is absent: %v", dir, err)
	}
	inv, err := LoadFiles(FileOptions{Filenames: []string{dir}, Recursive: true})
	if err != nil {
		t.Fatal(err)
	}
	// Every scenario adds cluster-admin and the default namespaces: duplicates, later wins.
	if len(inv.Warnings) == 0 {
		t.Error("no duplicate warnings for objects every scenario repeats")
	}
	seen := map[string]bool{}
	for _, r := range inv.ClusterRoles {
		if seen[r.Name] {
			t.Errorf("ClusterRole %s kept twice", r.Name)
		}
		seen[r.Name] = true
	}
	if !seen["cluster-admin"] || len(inv.ClusterRoles) < 20 || len(inv.ClusterRoleBindings) < 20 {
		t.Errorf("%d ClusterRoles, %d ClusterRoleBindings", len(inv.ClusterRoles), len(inv.ClusterRoleBindings))
	}
}
