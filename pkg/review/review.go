package review

import (
	"encoding/json"
	"fmt"
	"os"
	"time"

	"github.com/auth-paths/kubectl-auth-paths/pkg/risk"
)

// Path statuses against a baseline.
const (
	StatusNew       = "new"
	StatusUnchanged = "unchanged"
)

// Gate values of --fail-on.
const (
	FailOnNew = "new"
	FailOnAny = "any"
)

// ReviewedPath is a path of the current scan with its review state.
type ReviewedPath struct {
	// Cluster is the fleet member the path was found in (fleet runs only).
	Cluster string `json:"cluster,omitempty"`
	risk.Path
	// Status is new or unchanged when a baseline was given.
	Status string `json:"status,omitempty"`
	// Acceptance is the entry that accepts the path (also when expired).
	Acceptance *Acceptance `json:"acceptance,omitempty"`
	// Note explains an expired acceptance.
	Note string `json:"note,omitempty"`
}

// Result is a scan with baseline and acceptances applied: the -o json|yaml of
// `scan --baseline/--accept`. Paths not accepted stay under "paths" so that a
// result can serve as the next baseline; accepted ones move to "accepted".
type Result struct {
	// PathIDVersion is the scheme of the path IDs (risk.PathIDVersion), so
	// that a later run can tell a baseline of another scheme from gone paths.
	PathIDVersion int              `json:"pathIDVersion"`
	Summary       risk.ScanSummary `json:"summary"`
	Paths         []ReviewedPath   `json:"paths"`
	Accepted      []ReviewedPath   `json:"accepted,omitempty"`
	// Gone are paths of the baseline that no longer exist.
	Gone     []ReviewedPath `json:"gone,omitempty"`
	Baseline *BaselineStats `json:"baseline,omitempty"`
	// UnusedAcceptances match no current path (the risk is gone, or a typo).
	UnusedAcceptances []Acceptance `json:"unusedAcceptances,omitempty"`
	// Filter names the listing's filters (scan --entry, -n), "" when none.
	Filter string `json:"filter,omitempty"`
	// FilteredOut counts the current paths the filters leave out of Paths
	// and Accepted; Summary still counts every identity.
	FilteredOut int `json:"filteredOut,omitempty"`
	// Findings are scan's hygiene findings, passed through unchanged.
	Findings   []HygieneFinding `json:"findings,omitempty"`
	Incomplete any              `json:"incomplete,omitempty"`
	// Clusters are the members of a fleet run, read or not (fleet runs only).
	Clusters []Cluster `json:"clusters,omitempty"`
}

// HygieneFinding is a hygiene finding of scan, tagged with its cluster in
// fleet runs.
type HygieneFinding struct {
	Cluster string `json:"cluster,omitempty"`
	risk.Finding
}

// TagFindings tags hygiene findings with a cluster ("" outside fleets).
func TagFindings(cluster string, fs []risk.Finding) []HygieneFinding {
	out := make([]HygieneFinding, 0, len(fs))
	for _, f := range fs {
		out = append(out, HygieneFinding{Cluster: cluster, Finding: f})
	}
	return out
}

// BaselineStats counts the diff.
type BaselineStats struct {
	File      string `json:"file"`
	New       int    `json:"new"`
	Unchanged int    `json:"unchanged"`
	Gone      int    `json:"gone"`
	// NotScanned are clusters of a fleet baseline that this run did not read
	// (failed, or not asked for): their paths are neither gone nor unchanged.
	NotScanned []string `json:"notScanned,omitempty"`
}

// Baseline is a previous `scan -o json` (plain or with review fields).
type Baseline struct {
	File  string
	Paths []risk.Path
	// PathIDVersion is the ID scheme the baseline was written with (1 for
	// baselines written before the scheme was recorded).
	PathIDVersion int
	// ClusterOf maps a path ID to its cluster in a fleet baseline.
	ClusterOf map[string]string
}

// Fleet reports whether the baseline is the output of a fleet run.
func (b *Baseline) Fleet() bool { return len(b.ClusterOf) > 0 }

// LoadBaseline reads a previous `scan -o json`.
func LoadBaseline(file string) (*Baseline, error) {
	raw, err := os.ReadFile(file)
	if err != nil {
		return nil, fmt.Errorf("--baseline: %w", err)
	}
	return ParseBaseline(file, raw)
}

// ParseBaseline parses a previous `scan -o json`; both its paths and its
// accepted paths count as known.
func ParseBaseline(file string, raw []byte) (*Baseline, error) {
	type taggedPath struct {
		Cluster string `json:"cluster"`
		risk.Path
	}
	var doc struct {
		PathIDVersion int           `json:"pathIDVersion"`
		Paths         *[]taggedPath `json:"paths"`
		Accepted      []taggedPath  `json:"accepted"`
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		return nil, fmt.Errorf("baseline %s: not the JSON of `kubectl auth-paths scan -o json`: %v", file, err)
	}
	if doc.Paths == nil {
		return nil, fmt.Errorf("baseline %s: no \"paths\" field: not the output of `kubectl auth-paths scan -o json`", file)
	}
	b := &Baseline{File: file, ClusterOf: map[string]string{}, PathIDVersion: doc.PathIDVersion}
	if b.PathIDVersion == 0 {
		b.PathIDVersion = 1
	}
	all := append(append([]taggedPath(nil), *doc.Paths...), doc.Accepted...)
	for i, p := range all {
		if p.ID == "" {
			return nil, fmt.Errorf("baseline %s: path %d has no \"id\"", file, i+1)
		}
		if (p.Cluster == "") != (all[0].Cluster == "") {
			return nil, fmt.Errorf("baseline %s: path %d (%s): some paths have a \"cluster\" and some not: not the output of one `kubectl auth-paths scan -o json`", file, i+1, p.ID)
		}
		if p.Cluster != "" {
			b.ClusterOf[p.ID] = p.Cluster
		}
		b.Paths = append(b.Paths, p.Path)
	}
	return b, nil
}

// Options of Apply.
type Options struct {
	Baseline    *Baseline
	Acceptances []Acceptance
	// Now decides expiry (time.Now when zero).
	Now time.Time
	// Cluster is the fleet member being applied ("" outside fleets): entries
	// naming another cluster do not match, and only the baseline paths of
	// this cluster can be gone.
	Cluster string
	// Keep, when set, is the listing's filter (scan --entry, -n): paths it
	// rejects, current or of the baseline, are neither listed nor counted
	// new, unchanged or gone (they are counted in Result.FilteredOut), but
	// acceptances are still matched against every path, so an entry that
	// matches a filtered path is not reported unused.
	Keep func(risk.Path) bool
}

// Apply marks each path new or unchanged against the baseline, lists the gone
// ones and sets accepted paths apart. An expired acceptance leaves its path
// among the paths, with a note.
func Apply(scan risk.ScanResult, o Options) Result {
	now := o.Now
	if now.IsZero() {
		now = time.Now()
	}
	res := Result{PathIDVersion: risk.PathIDVersion, Summary: scan.Summary, Paths: []ReviewedPath{}}
	known := map[string]bool{}
	var baseline []risk.Path
	if o.Baseline != nil {
		for _, p := range o.Baseline.Paths {
			if o.Baseline.ClusterOf[p.ID] == o.Cluster {
				baseline = append(baseline, p)
				known[p.ID] = true
			}
		}
		res.Baseline = &BaselineStats{File: o.Baseline.File}
	}
	current := map[string]bool{}
	used := make([]bool, len(o.Acceptances))
	keep := func(p risk.Path) bool { return o.Keep == nil || o.Keep(p) }
	for _, p := range scan.Paths {
		current[p.ID] = true
		idx := matchAcceptance(o.Acceptances, o.Cluster, p, now)
		if idx >= 0 {
			used[idx] = true
		}
		if !keep(p) {
			res.FilteredOut++
			continue
		}
		f := ReviewedPath{Cluster: o.Cluster, Path: p}
		if o.Baseline != nil {
			if known[p.ID] {
				f.Status = StatusUnchanged
				res.Baseline.Unchanged++
			} else {
				f.Status = StatusNew
				res.Baseline.New++
			}
		}
		if idx >= 0 {
			acc := o.Acceptances[idx]
			f.Acceptance = &acc
			if acc.Expired(now) {
				f.Note = fmt.Sprintf("acceptance expired %s (entry %d of %s, owner %s: %s)", acc.Expires, acc.Entry, acc.File, acc.Owner, acc.Reason)
			} else {
				res.Accepted = append(res.Accepted, f)
				continue
			}
		}
		res.Paths = append(res.Paths, f)
	}
	if o.Baseline != nil {
		seen := map[string]bool{}
		var gone []risk.Path
		for _, p := range baseline {
			if !current[p.ID] && !seen[p.ID] && keep(p) {
				seen[p.ID] = true
				gone = append(gone, p)
			}
		}
		risk.SortPaths(gone)
		for _, p := range gone {
			res.Gone = append(res.Gone, ReviewedPath{Cluster: o.Cluster, Path: p})
		}
		res.Baseline.Gone = len(res.Gone)
	}
	for i, a := range o.Acceptances {
		if !used[i] {
			res.UnusedAcceptances = append(res.UnusedAcceptances, a)
		}
	}
	return res
}

// matchAcceptance prefers an entry naming the path's ID, then one naming its
// subject; among those, a live one over an expired one.
func matchAcceptance(as []Acceptance, cluster string, p risk.Path, now time.Time) int {
	best, bestScore := -1, -1
	for i, a := range as {
		if a.Cluster != cluster && a.Cluster != "" || !a.Matches(p) {
			continue
		}
		score := 0
		if a.PathID != "" {
			score += 2
		}
		if !a.Expired(now) {
			score++
		}
		if score > bestScore {
			best, bestScore = i, score
		}
	}
	return best
}

// Gate returns the paths that fail `--fail-on gate` (nil when it passes).
func (r Result) Gate(gate string) []ReviewedPath {
	var out []ReviewedPath
	for _, f := range r.Paths {
		switch gate {
		case FailOnAny:
			out = append(out, f)
		case FailOnNew:
			if f.Status == StatusNew {
				out = append(out, f)
			}
		}
	}
	return out
}

// ValidateGate checks --fail-on against the other flags.
func ValidateGate(gate string, haveBaseline bool) error {
	switch gate {
	case "":
		return nil
	case FailOnAny:
		return nil
	case FailOnNew:
		if !haveBaseline {
			return fmt.Errorf("--fail-on new needs --baseline FILE (a previous `scan -o json`) to tell new paths from known ones")
		}
		return nil
	}
	return fmt.Errorf("--fail-on %q: want new or any", gate)
}
