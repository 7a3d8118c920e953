package source_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/auth-paths/kubectl-auth-paths/pkg/source"
)

// TestLoadFleet: members keep their order whatever order they finish in, and
// one that fails does not stop the others.
func TestLoadFleet(t *testing.T) {
	members := []source.Member{
		{Name: "prod", Files: source.FileOptions{Filenames: []string{"../../testdata/review/cluster.yaml"}}},
		{Name: "broken", Files: source.FileOptions{Filenames: []string{"../../testdata/review/fleet/broken.yaml"}}},
		{Name: "empty"},
		{Name: "staging", Files: source.FileOptions{Filenames: []string{"../../testdata/review/cluster-old.yaml"}}},
	}
	for _, parallel := range []int{0, 1, 3} {
		got := source.LoadFleet(context.Background(), members, source.FleetOptions{Parallel: parallel})
		if len(got) != len(members) {
			t.Fatalf("parallel %d: %d results", parallel, len(got))
		}
		for i, g := range got {
			if g.Name != members[i].Name {
				t.Errorf("parallel %d: result %d is %s, want %s", parallel, i, g.Name, members[i].Name)
			}
		}
		if got[0].Err != nil || len(got[0].Inventory.ClusterRoleBindings) != 4 {
			t.Fatalf("prod: %v", got[0].Err)
		}
		if got[1].Err == nil || !strings.Contains(got[1].Err.Error(), "broken.yaml: document 1") {
			t.Errorf("broken: %v", got[1].Err)
		}
		if got[2].Err == nil || !strings.Contains(got[2].Err.Error(), "cluster empty: neither a kubeconfig context nor files") {
			t.Errorf("empty: %v", got[2].Err)
		}
		if got[3].Err != nil || got[3].Inventory == nil {
			t.Errorf("staging: %v", got[3].Err)
		}
	}
}

// TestLoadFleetCancelled: a cancelled context fails the members not yet started.
func TestLoadFleetCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	file := source.FileOptions{Filenames: []string{"../../testdata/review/cluster.yaml"}}
	members := []source.Member{{Name: "a", Files: file}, {Name: "b", Files: file}, {Name: "c", Files: file}}
	for _, g := range source.LoadFleet(ctx, members, source.FleetOptions{Parallel: 1}) {
		if !errors.Is(g.Err, context.Canceled) || g.Inventory != nil {
			t.Errorf("%s: read after cancel (err %v)", g.Name, g.Err)
		}
	}
}
