package risk_test

import (
	"encoding/json"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/auth-paths/kubectl-auth-paths/pkg/rbac"
	"github.com/auth-paths/kubectl-auth-paths/pkg/risk"
)

// entryCaseSpec is testdata/entries/NAME/case.yaml: what the case proves
// about entry points and hygiene findings.
type entryCaseSpec struct {
	Description string `json:"description"`
	// Subject is the identity whose entries are checked (optional).
	Subject string `json:"subject"`
	// Entries must be among the subject's path entries; NoEntries must not
	// (a subject without a path has none).
	Entries   []string `json:"entries"`
	NoEntries []string `json:"noEntries"`
	// Findings must be reported (by ID); NoFindings must not.
	Findings   []string `json:"findings"`
	NoFindings []string `json:"noFindings"`
	// Groups is the --groups file's content: user → groups.
	Groups map[string][]string `json:"groups"`
}

// entryCaseNow is the clock of every case: legacy tokens are judged unused
// against it.
var entryCaseNow = time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC)

// entryCaseResult is expected.json: every path's entries and every finding.
type entryCaseResult struct {
	Paths    []entryCasePath `json:"paths"`
	Findings []risk.Finding  `json:"findings"`
}

type entryCasePath struct {
	Subject  string       `json:"subject"`
	Hops     int          `json:"hops"`
	Exposure string       `json:"exposure"`
	Entries  []risk.Entry `json:"entries"`
}

// TestEntryCases runs every case of testdata/entries: the expectations of
// case.yaml must hold and the entries and findings must match expected.json
// (rewrite it with -update). Every entry kind and finding ID must have a
// positive and a negative case.
func TestEntryCases(t *testing.T) {
	positive, negative := map[string]bool{}, map[string]bool{}
	for _, dir := range caseDirs(t, "entries") {
		var spec entryCaseSpec
		readSpec(t, filepath.Join(dir, "case.yaml"), &spec)
		for _, k := range append(spec.Entries, spec.Findings...) {
			positive[k] = true
		}
		for _, k := range append(spec.NoEntries, spec.NoFindings...) {
			negative[k] = true
		}
		t.Run(filepath.Base(dir), func(t *testing.T) {
			if spec.Description == "" {
				t.Error("case.yaml: description is required")
			}
			opts := risk.Options{Groups: spec.Groups}
			var subj rbac.Subject
			if spec.Subject != "" {
				var err error
				if subj, err = rbac.ParseSubject(spec.Subject); err != nil {
					t.Fatal(err)
				}
				opts.Identities = []rbac.Subject{subj}
			} else if len(spec.Entries)+len(spec.NoEntries) > 0 {
				t.Fatal("case.yaml: entries and noEntries need a subject")
			}
			a := risk.Analyze(loadInput(t, dir), opts)
			res := a.Scan(true)
			a.AddEntries(res.Paths)
			got := entryCaseResult{Paths: []entryCasePath{}, Findings: a.Findings(entryCaseNow)}
			if got.Findings == nil {
				got.Findings = []risk.Finding{}
			}
			var subjectEntries []risk.Entry
			for _, p := range res.Paths {
				got.Paths = append(got.Paths, entryCasePath{Subject: p.Subject.String(), Hops: p.Hops, Exposure: p.Exposure, Entries: p.Entries})
				// A node path names Node:NAME, the key of User:system:node:NAME.
				if spec.Subject != "" && p.Subject.String() == risk.SubjectKey(subj) {
					subjectEntries = p.Entries
				}
			}
			for _, k := range spec.Entries {
				if !risk.HasEntry(subjectEntries, k) {
					t.Errorf("%s: no %s entry in %+v", spec.Subject, k, subjectEntries)
				}
			}
			for _, k := range spec.NoEntries {
				if risk.HasEntry(subjectEntries, k) {
					t.Errorf("%s: unexpected %s entry in %+v", spec.Subject, k, subjectEntries)
				}
			}
			ids := map[string]bool{}
			for _, f := range got.Findings {
				ids[f.ID] = true
				if f.Object == "" || f.Message == "" || f.Reference == "" {
					t.Errorf("incomplete finding %+v", f)
				}
			}
			for _, id := range spec.Findings {
				if !ids[id] {
					t.Errorf("no %s finding in %+v", id, got.Findings)
				}
			}
			for _, id := range spec.NoFindings {
				if ids[id] {
					t.Errorf("unexpected %s finding in %+v", id, got.Findings)
				}
			}
			out, err := json.MarshalIndent(got, "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			golden(t, filepath.Join(dir, "expected.json"), append(out, '\n'))
		})
	}
	for _, k := range append(risk.EntryKinds(), risk.FindingIDs()...) {
		if !positive[k] || !negative[k] {
			t.Errorf("%s: positive case %v, negative case %v; testdata/entries needs both", k, positive[k], negative[k])
		}
	}
	for k := range merge(positive, negative) {
		if !slices.Contains(risk.EntryKinds(), k) && !slices.Contains(risk.FindingIDs(), k) {
			t.Errorf("case.yaml names %q, which is neither an entry kind nor a finding ID", k)
		}
	}
}

func merge(a, b map[string]bool) map[string]bool {
	out := map[string]bool{}
	for k := range a {
		out[k] = true
	}
	for k := range b {
		out[k] = true
	}
	return out
}
