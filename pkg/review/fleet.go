package review

import (
	"fmt"
	"sort"
	"strings"

	"github.com/auth-paths/kubectl-auth-paths/pkg/model"
	"github.com/auth-paths/kubectl-auth-paths/pkg/risk"
)

// Cluster states in a fleet run.
const (
	ClusterOK      = "ok"
	ClusterPartial = "partial"
	ClusterFailed  = "failed"
)

// Cluster is one member of a fleet run: where it was read from and how that went.
type Cluster struct {
	// Name is the kubeconfig context (or the NAME of --cluster-file); it
	// prefixes the member's path IDs.
	Name   string   `json:"name"`
	Server string   `json:"server,omitempty"`
	Files  []string `json:"files,omitempty"`
	// Status is ok, partial (some kinds could not be read) or failed.
	Status     string              `json:"status"`
	Error      string              `json:"error,omitempty"`
	Incomplete []model.MissingKind `json:"incomplete,omitempty"`
	// Summary counts the member's identities (not for failed members).
	Summary *risk.ScanSummary `json:"summary,omitempty"`
	// Paths (not accepted), Accepted, New and Gone count the member's paths
	// by review state; its hygiene findings are in the result's "findings".
	Paths    int `json:"paths"`
	Accepted int `json:"accepted"`
	New      int `json:"new,omitempty"`
	Gone     int `json:"gone,omitempty"`
}

// ClusterScan is what one fleet member contributes: its scan, its hygiene
// findings and the inventory the scan was made from (nil when it failed).
type ClusterScan struct {
	Cluster   Cluster
	Scan      risk.ScanResult
	Findings  []risk.Finding
	Inventory *model.Inventory
}

// ClusterMissing is a kind a fleet member could not be read.
type ClusterMissing struct {
	Cluster string `json:"cluster"`
	model.MissingKind
}

// FleetID is a path's ID in a fleet: the cluster name, a slash, and the
// single-cluster ID. The same RBAC path in two clusters gets two IDs; a
// single-cluster run keeps the bare ID, so its baselines stay valid.
func FleetID(cluster, id string) string { return cluster + "/" + id }

// LocalID is the single-cluster part of a path ID (the ID itself outside
// fleets). The single-cluster ID is hex, so the last slash separates it even
// when a context name contains slashes (EKS context ARNs do).
func LocalID(id string) string { return id[strings.LastIndex(id, "/")+1:] }

// ApplyFleet applies the baseline and the acceptances to each member read
// and merges the results, members in the given order. Only members that were
// read can have gone paths: the baseline paths of a failed or absent member
// are counted under Baseline.NotScanned instead. An acceptance is unused when
// it matches no path in any member.
func ApplyFleet(scans []ClusterScan, o Options) Result {
	res := Result{PathIDVersion: risk.PathIDVersion, Paths: []ReviewedPath{}, Clusters: []Cluster{}}
	if o.Baseline != nil {
		res.Baseline = &BaselineStats{File: o.Baseline.File}
	}
	unusedIn := map[int]int{}
	read := map[string]bool{}
	var incomplete []ClusterMissing
	for _, cs := range scans {
		c := cs.Cluster
		if c.Status == ClusterFailed {
			res.Clusters = append(res.Clusters, c)
			continue
		}
		read[c.Name] = true
		scan := risk.ScanResult{Summary: cs.Scan.Summary, Paths: make([]risk.Path, 0, len(cs.Scan.Paths))}
		for _, p := range cs.Scan.Paths {
			p.ID = FleetID(c.Name, p.ID)
			scan.Paths = append(scan.Paths, p)
		}
		sub := o
		sub.Cluster = c.Name
		r := Apply(scan, sub)
		res.Paths = append(res.Paths, r.Paths...)
		res.Accepted = append(res.Accepted, r.Accepted...)
		res.Gone = append(res.Gone, r.Gone...)
		res.FilteredOut += r.FilteredOut
		res.Findings = append(res.Findings, TagFindings(c.Name, cs.Findings)...)
		addSummary(&res.Summary, cs.Scan.Summary)
		for _, a := range r.UnusedAcceptances {
			unusedIn[a.Entry]++
		}
		summary := cs.Scan.Summary
		c.Summary = &summary
		c.Paths, c.Accepted = len(r.Paths), len(r.Accepted)
		if b := r.Baseline; b != nil {
			res.Baseline.New += b.New
			res.Baseline.Unchanged += b.Unchanged
			res.Baseline.Gone += b.Gone
			c.New, c.Gone = b.New, b.Gone
		}
		for _, m := range c.Incomplete {
			incomplete = append(incomplete, ClusterMissing{Cluster: c.Name, MissingKind: m})
		}
		res.Clusters = append(res.Clusters, c)
	}
	for _, a := range o.Acceptances {
		if unusedIn[a.Entry] == len(read) {
			res.UnusedAcceptances = append(res.UnusedAcceptances, a)
		}
	}
	if o.Baseline != nil {
		seen := map[string]bool{}
		for _, cl := range o.Baseline.ClusterOf {
			if !read[cl] && !seen[cl] {
				seen[cl] = true
				res.Baseline.NotScanned = append(res.Baseline.NotScanned, cl)
			}
		}
		sort.Strings(res.Baseline.NotScanned)
	}
	if len(incomplete) > 0 {
		res.Incomplete = incomplete
	}
	return res
}

func addSummary(to *risk.ScanSummary, s risk.ScanSummary) {
	to.Identities += s.Identities
	to.AlreadyAdmin += s.AlreadyAdmin
	to.ByEscalation += s.ByEscalation
	to.ThroughGroups += s.ThroughGroups
}

// CheckBaselineMode refuses a baseline of the other kind: a single-cluster
// baseline for a fleet run (or the reverse) would mark every path new and
// every old one gone, and fail a `--fail-on new` gate for no change.
func CheckBaselineMode(b *Baseline, fleet bool) error {
	if b == nil || len(b.Paths) == 0 || b.Fleet() == fleet {
		return nil
	}
	if fleet {
		return fmt.Errorf("baseline %s is a single-cluster scan (its paths have no \"cluster\"); a fleet run needs the `-o json` of a fleet run as its baseline", b.File)
	}
	return fmt.Errorf("baseline %s is a fleet scan (its paths have a \"cluster\"); give the same --context values (or --cluster-file) as the run that wrote it", b.File)
}

// ForCluster is the part of a fleet result that belongs to one cluster: its
// paths, accepted and gone paths, hygiene findings and figures (a report section).
func (r Result) ForCluster(c Cluster) Result {
	out := Result{Paths: []ReviewedPath{}}
	if c.Summary != nil {
		out.Summary = *c.Summary
	}
	pick := func(fs []ReviewedPath) []ReviewedPath {
		var kept []ReviewedPath
		for _, f := range fs {
			if f.Cluster == c.Name {
				kept = append(kept, f)
			}
		}
		return kept
	}
	out.Paths = append(out.Paths, pick(r.Paths)...)
	out.Accepted = pick(r.Accepted)
	out.Gone = pick(r.Gone)
	for _, f := range r.Findings {
		if f.Cluster == c.Name {
			out.Findings = append(out.Findings, f)
		}
	}
	if r.Baseline != nil {
		b := &BaselineStats{File: r.Baseline.File, New: c.New, Gone: c.Gone}
		for _, f := range append(append([]ReviewedPath(nil), out.Paths...), out.Accepted...) {
			if f.Status == StatusUnchanged {
				b.Unchanged++
			}
		}
		out.Baseline = b
	}
	return out
}
