package cmd

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/auth-paths/kubectl-auth-paths/pkg/model"
	"github.com/auth-paths/kubectl-auth-paths/pkg/review"
	"github.com/auth-paths/kubectl-auth-paths/pkg/risk"
)

// ReviewFlags are the review-meeting and CI flags of scan and report.
type ReviewFlags struct {
	BaselineFile string
	AcceptFile   string
	FailOn       string
	// Now decides acceptance expiry (tests); zero means the current time.
	Now time.Time
	// Hygiene are scan's hygiene findings, passed through to -o json|yaml.
	Hygiene []risk.Finding
	// Keep and Filter are scan's listing filters (--entry, -n) and their
	// names (review.Options.Keep, review.Result.Filter); nil and "" for none.
	Keep   func(risk.Path) bool
	Filter string

	baseline    *review.Baseline
	acceptances []review.Acceptance
}

// AddFlags registers --baseline and --accept, and --fail-on when gate is set.
func (r *ReviewFlags) AddFlags(cmd *cobra.Command, gate bool) {
	cmd.Flags().StringVar(&r.BaselineFile, "baseline", "", "`FILE` written by an earlier scan -o json: mark each path new or unchanged and list the ones gone since")
	cmd.Flags().StringVar(&r.AcceptFile, "accept", "", "YAML `FILE` listing accepted risks {subject or pathID, reason, owner, expires: YYYY-MM-DD}: listed apart until they expire")
	if gate {
		cmd.Flags().StringVar(&r.FailOn, "fail-on", "", "CI gate: exit status 2 when there are `new|any` paths that are not accepted (new needs --baseline)")
	}
	_ = cmd.MarkFlagFilename("baseline", "json")
	_ = cmd.MarkFlagFilename("accept", "yaml", "yml")
}

// Active reports whether any review flag is set.
func (r *ReviewFlags) Active() bool {
	return r.BaselineFile != "" || r.AcceptFile != "" || r.FailOn != ""
}

// Validate checks the flags and reads the files (before the cluster is
// read), and the analysis' fleet flags: fleet says whether a fleet was asked
// for. A baseline made by a fleet run is refused for a single-cluster run
// and the reverse.
func (r *ReviewFlags) Validate(a *AnalysisOptions) (fleet bool, err error) {
	if err := r.load(); err != nil {
		return false, err
	}
	if fleet, err = a.ValidateFleet(); err != nil {
		return fleet, err
	}
	return fleet, review.CheckBaselineMode(r.baseline, fleet)
}

// load checks --fail-on and reads the baseline and the acceptances.
func (r *ReviewFlags) load() error {
	if err := review.ValidateGate(r.FailOn, r.BaselineFile != ""); err != nil {
		return err
	}
	if r.BaselineFile != "" {
		b, err := review.LoadBaseline(r.BaselineFile)
		if err != nil {
			return err
		}
		r.baseline = b
	}
	if r.AcceptFile != "" {
		as, err := review.LoadAcceptances(r.AcceptFile)
		if err != nil {
			return err
		}
		r.acceptances = as
	}
	return nil
}

// Apply marks the scan against the baseline and the acceptances.
func (r *ReviewFlags) Apply(res risk.ScanResult, inv *model.Inventory) review.Result {
	out := review.Apply(res, review.Options{Baseline: r.baseline, Acceptances: r.acceptances, Now: r.Now, Keep: r.Keep})
	out.Filter = r.Filter
	if inv != nil && len(inv.Missing) > 0 {
		out.Incomplete = inv.Missing
	}
	out.Findings = review.TagFindings("", r.Hygiene)
	return out
}

// ApplyFleet marks each member's scan against the baseline and the acceptances.
func (r *ReviewFlags) ApplyFleet(scans []review.ClusterScan) review.Result {
	out := review.ApplyFleet(scans, review.Options{Baseline: r.baseline, Acceptances: r.acceptances, Now: r.Now, Keep: r.Keep})
	out.Filter = r.Filter
	return out
}

// Run prints a reviewed scan and applies the gate: exit status 2 (after the
// result is printed) when it fails, else 3 when the input was partial.
func (r *ReviewFlags) Run(w, errOut io.Writer, format string, res risk.ScanResult, inv *model.Inventory) error {
	return r.Emit(w, errOut, format, r.Apply(res, inv), map[string]*model.Inventory{"": inv}, Partial(inv))
}

// Emit prints a reviewed result (invs: each cluster's inventory, "" outside
// fleets) and returns the gate's exit status, else incomplete.
func (r *ReviewFlags) Emit(w, errOut io.Writer, format string, rv review.Result, invs map[string]*model.Inventory, incomplete error) error {
	switch format {
	case OutputSARIF:
		data, err := review.SARIFFleet(rv, invs)
		if err != nil {
			return err
		}
		if _, err := fmt.Fprintf(w, "%s\n", data); err != nil {
			return err
		}
	case OutputJSON, OutputYAML:
		if err := printStructured(w, format, rv); err != nil {
			return err
		}
	default:
		printReviewTable(w, rv)
	}
	if err := r.Gate(errOut, rv); err != nil {
		return err
	}
	return incomplete
}

// Gate applies --fail-on: exit status 2, with the failing paths named on
// standard error, when it fails.
func (r *ReviewFlags) Gate(errOut io.Writer, rv review.Result) error {
	// IDs of the baseline or the accept file of another scheme: noted first.
	for _, n := range review.StaleIDNotes(rv, r.baseline) {
		fmt.Fprintln(errOut, n)
	}
	failing := rv.Gate(r.FailOn)
	if len(failing) == 0 {
		return nil
	}
	what := "path(s) not accepted"
	if r.FailOn == review.FailOnNew {
		what = "new path(s) not accepted"
	}
	ids := make([]string, 0, len(failing))
	for _, f := range failing {
		ids = append(ids, f.Subject.String()+" ["+f.ID+"]")
	}
	fmt.Fprintf(errOut, "gate --fail-on %s failed: %d %s: %s\n", r.FailOn, len(failing), what, strings.Join(ids, ", "))
	return WithExitCode(ExitGate, nil)
}
