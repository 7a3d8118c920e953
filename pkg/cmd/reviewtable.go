package cmd

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/auth-paths/kubectl-auth-paths/pkg/review"
)

func printReviewTable(w io.Writer, rv review.Result) {
	fleet := rv.Clusters != nil
	cluster := func(c string) string {
		if fleet {
			return c + "\t"
		}
		return ""
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	if fleet {
		printClusters(w, rv.Clusters)
	}
	if len(rv.Paths) > 0 {
		fmt.Fprintln(tw, cluster("CLUSTER")+"SUBJECT\tENTRY\tHOPS\tSTATUS\tFIRST STEP\tTO\tID\tNOTE")
		for _, f := range rv.Paths {
			first := firstStep(f.Path)
			fmt.Fprintf(tw, "%s%s\t%s\t%d\t%s\t%s\t%s\t%s\t%s\n", cluster(f.Cluster), f.Subject, dash(f.Exposure), f.Hops, dash(f.Status), first.Primitive, first.To, f.ID, f.Note)
		}
		_ = tw.Flush()
	} else {
		fmt.Fprintln(w, "No path to cluster-admin that is not accepted.")
	}
	if len(rv.Gone) > 0 {
		fmt.Fprintf(w, "\nGone since the baseline (%d):\n", len(rv.Gone))
		for _, p := range rv.Gone {
			fmt.Fprintf(tw, "  %s%s\t%d\t%s\t%s\n", cluster(p.Cluster), p.Subject, p.Hops, firstStep(p.Path).Primitive, p.ID)
		}
		_ = tw.Flush()
	}
	if len(rv.Accepted) > 0 {
		fmt.Fprintf(w, "\nAccepted (%d):\n", len(rv.Accepted))
		fmt.Fprintln(tw, "  "+cluster("CLUSTER")+"SUBJECT\tHOPS\tSTATUS\tID\tOWNER\tEXPIRES\tREASON")
		for _, f := range rv.Accepted {
			fmt.Fprintf(tw, "  %s%s\t%d\t%s\t%s\t%s\t%s\t%s\n", cluster(f.Cluster), f.Subject, f.Hops, dash(f.Status), f.ID, f.Acceptance.Owner, f.Acceptance.Expires, f.Acceptance.Reason)
		}
		_ = tw.Flush()
	}
	for _, a := range rv.UnusedAcceptances {
		fmt.Fprintf(w, "note: accept entry %d (%s) matches no current path\n", a.Entry, a.Target())
	}
	printHygiene(w, rv.Findings)
	fmt.Fprintln(w)
	s := rv.Summary
	fmt.Fprintf(w, "%d path(s), %d accepted; %d already cluster-admin, %d by escalation, %d identities analysed", len(rv.Paths), len(rv.Accepted), s.AlreadyAdmin, s.ByEscalation, s.Identities)
	if fleet {
		fmt.Fprintf(w, " in %d cluster(s)", len(rv.Clusters))
	}
	if s.ThroughGroups > 0 {
		fmt.Fprintf(w, " (%d reach it through a listed group; --expand-groups lists them)", s.ThroughGroups)
	}
	fmt.Fprintln(w)
	if rv.Filter != "" {
		listed := len(rv.Paths) + len(rv.Accepted)
		fmt.Fprintf(w, "%s lists %d of the %d paths (accepted included); the identity counts above are of every identity\n", rv.Filter, listed, listed+rv.FilteredOut)
	}
	if b := rv.Baseline; b != nil {
		of := ""
		if rv.Filter != "" {
			of = " (listed paths only)"
		}
		fmt.Fprintf(w, "Since %s%s: %d new, %d unchanged, %d gone\n", b.File, of, b.New, b.Unchanged, b.Gone)
		if len(b.NotScanned) > 0 {
			fmt.Fprintf(w, "Not compared (in the baseline, not read now): %s\n", strings.Join(b.NotScanned, ", "))
		}
	}
}

// printClusters lists a fleet's members and how reading each went.
func printClusters(w io.Writer, cs []review.Cluster) {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "CLUSTER\tSTATUS\tSOURCE\tIDENTITIES\tBY ESCALATION\tPATHS\tACCEPTED\tDETAIL")
	for _, c := range cs {
		src := c.Server
		if len(c.Files) > 0 {
			src = strings.Join(c.Files, ",")
		}
		detail := c.Error
		if len(c.Incomplete) > 0 {
			var kinds []string
			for _, m := range c.Incomplete {
				kinds = append(kinds, m.Resource+" ("+m.Reason+")")
			}
			detail = "could not read " + strings.Join(kinds, ", ")
		}
		if c.Summary == nil {
			fmt.Fprintf(tw, "%s\t%s\t%s\t-\t-\t-\t-\t%s\n", c.Name, c.Status, dash(src), detail)
			continue
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%d\t%d\t%d\t%s\n", c.Name, c.Status, dash(src), c.Summary.Identities, c.Summary.ByEscalation, c.Paths, c.Accepted, detail)
	}
	_ = tw.Flush()
	fmt.Fprintln(w)
}

// printHygiene lists the hygiene findings, with their cluster in a fleet.
func printHygiene(w io.Writer, findings []review.HygieneFinding) {
	if len(findings) == 0 {
		return
	}
	fmt.Fprintf(w, "\nHygiene findings (%d):\n", len(findings))
	for _, f := range findings {
		where := ""
		if f.Cluster != "" {
			where = "[" + f.Cluster + "] "
		}
		fmt.Fprintf(w, "  %s%s  %s: %s\n", where, f.ID, f.Object, f.Message)
		if f.Expected != nil {
			fmt.Fprintf(w, "      %s\n", f.Expected.Label)
		}
	}
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
