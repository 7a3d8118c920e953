package source

import (
	"context"
	"fmt"
	"sync"

	"k8s.io/client-go/rest"

	"github.com/auth-paths/kubectl-auth-paths/pkg/model"
)

// Member is one cluster of a fleet: a kubeconfig context read live (Config
// set) or files read offline (Files set), under the name that tags its results.
type Member struct {
	// Name is the context name, or the NAME of --cluster-file NAME=PATH.
	Name string
	// Server is the API server URL of a live member.
	Server string
	// Config reaches a live member; nil for files.
	Config *rest.Config
	// Files are the inputs of an offline member.
	Files FileOptions
}

// MemberInventory is what was read from one member: an inventory, or the
// error that kept it from being read.
type MemberInventory struct {
	Member
	Inventory *model.Inventory
	Err       error
}

// FleetOptions bound the fleet read.
type FleetOptions struct {
	// Parallel is the number of members read at once; 0 means 4. Each live
	// member also runs Live.Workers lists at once, so the product bounds the
	// requests in flight.
	Parallel int
	Live     LiveOptions
}

// LoadFleet reads every member, at most Parallel at once. A member that fails
// (unreachable, credentials rejected, a file that does not parse) does not
// stop the others: its error is returned in its slot. Results are in the
// order of members, whatever order the reads finish in.
func LoadFleet(ctx context.Context, members []Member, opts FleetOptions) []MemberInventory {
	parallel := opts.Parallel
	if parallel <= 0 {
		parallel = 4
	}
	out := make([]MemberInventory, len(members))
	sem := make(chan struct{}, parallel)
	var wg sync.WaitGroup
	for i, m := range members {
		out[i].Member = m
		wg.Add(1)
		go func() {
			defer wg.Done()
			select {
			case sem <- struct{}{}:
			case <-ctx.Done():
				out[i].Err = ctx.Err()
				return
			}
			defer func() { <-sem }()
			if err := ctx.Err(); err != nil {
				// Interrupted while waiting for a slot: start nothing more.
				out[i].Err = err
				return
			}
			out[i].Inventory, out[i].Err = loadMember(ctx, m, opts.Live)
		}()
	}
	wg.Wait()
	return out
}

func loadMember(ctx context.Context, m Member, live LiveOptions) (*model.Inventory, error) {
	if m.Config != nil {
		// One progress line cannot show several clusters at once.
		live.Progress = nil
		return LoadLive(ctx, m.Config, live)
	}
	if len(m.Files.Filenames) == 0 {
		return nil, fmt.Errorf("cluster %s: neither a kubeconfig context nor files to read", m.Name)
	}
	inv, err := LoadFiles(m.Files)
	if err != nil {
		return nil, err
	}
	// Judged as -f input is: no RBAC is nothing to analyse, a kind every
	// cluster has that is absent makes the member partial.
	if err := CheckRBAC(inv, m.Files.Filenames); err != nil {
		return nil, err
	}
	OfflineGaps(inv)
	return inv, nil
}
