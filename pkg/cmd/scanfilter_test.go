package cmd

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestScanFilterSummary: with --entry or -n the table says how many paths it
// lists of how many, and that the counts are of every identity.
func TestScanFilterSummary(t *testing.T) {
	demo := filepath.Join("..", "..", "testdata", "demo", "cluster.yaml")
	runCLICases(t, []cliCase{
		{name: "entry", args: []string{"-f", demo, "--entry", "pod"}, stdout: []string{"--entry pod lists 2 of the 8 paths; the counts above are of every identity"}},
		{name: "namespace", args: []string{"-f", demo, "-n", "monitoring"}, stdout: []string{"-n monitoring lists 1 of the 8 paths"}},
		{name: "none", args: []string{"-f", demo}, notStdout: []string{"lists", "of the 8 paths"}},
	})
}

// TestScanFilterWithReview: --entry with --baseline and --accept matches
// both against every path and then lists and counts only the kept ones: a
// path the filter leaves out is neither "gone" nor a stale acceptance, the
// baseline counts are of the listed paths, and the summary says so.
func TestScanFilterWithReview(t *testing.T) {
	accept := filepath.Join(t.TempDir(), "accept.yaml")
	// prometheus's path is new since baseline-old.json, deployer's unchanged: both enter by token.
	if err := os.WriteFile(accept, []byte("- {subject: ServiceAccount:monitoring:prometheus, reason: r, owner: o, expires: 2099-01-01}\n"+
		"- {subject: ServiceAccount:ci:deployer, reason: r, owner: o, expires: 2099-01-01}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	args := []string{"scan", "-f", rv("cluster.yaml"), "--baseline", rv("baseline-old.json"), "--accept", accept}
	runCLICases(t, []cliCase{
		{name: "unfiltered", args: args, stdout: []string{
			"6 path(s), 2 accepted;", "Since " + rv("baseline-old.json") + ": 2 new, 6 unchanged, 2 gone"}},
		{name: "entry user", args: append(slices.Clone(args), "--entry", "user"),
			stdout: []string{
				"Gone since the baseline (2):\n  User:carol ", "5 path(s), 0 accepted;",
				"--entry user lists 5 of the 8 paths (accepted included); the identity counts above are of every identity",
				"Since " + rv("baseline-old.json") + " (listed paths only): 1 new, 4 unchanged, 2 gone"},
			notStdout: []string{"ServiceAccount:monitoring", "Accepted (", "matches no current path"}},
		{name: "entry token", args: append(slices.Clone(args), "--entry", "token"),
			stdout:    []string{"Accepted (1):", "ServiceAccount:ci:deployer", "--entry token lists 2 of the 8 paths", "(listed paths only): 0 new, 2 unchanged, 0 gone"},
			notStdout: []string{"User:", "Gone since", "matches no current path"}},
		{name: "entry user, gate", args: append(slices.Clone(args), "--entry", "user", "--fail-on", "new"), code: ExitGate},
	})
	// The JSON says what was filtered.
	out, _, code := runCLIProcess(t, "", append(slices.Clone(args), "--entry", "token", "-o", "json")...)
	if code != ExitOK || !strings.Contains(out, `"filter": "--entry token"`) || !strings.Contains(out, `"filteredOut": 6`) {
		t.Errorf("-o json: exit %d:\n%s", code, out)
	}
}

// TestGraphDrawsNoOrphanScope: the demo's graph of paths draws the "any
// node" scope only where a step enters it, never as
// a start of its own; the whole graph (--all) draws it with the steps into it,
// and neither view draws it when no step enters it.
func TestGraphDrawsNoOrphanScope(t *testing.T) {
	demo := filepath.Join("..", "..", "testdata", "demo", "cluster.yaml")
	runCLICases(t, []cliCase{
		{name: "all paths: no step enters the scope", args: []string{"graph", "-f", demo}, notStdout: []string{`"Scope:any-node"`}},
		{name: "the whole graph: steps enter it", args: []string{"graph", "--all", "-f", demo}, stdout: []string{`-> "Scope:any-node"`, `"Scope:any-node" -> "Node:`}},
	})
	// Nodes on a path, nobody who can enter the scope: not drawn, in either view.
	noScope := []string{"-f", rv("graph-no-scope.yaml"), "--allow-incomplete", "all"}
	for _, view := range [][]string{{"graph"}, {"graph", "--all"}} {
		runCLICases(t, []cliCase{{name: strings.Join(view, " ") + " of graph-no-scope.yaml", args: append(view, noScope...),
			stdout: []string{`"Node:worker-1" -> "ServiceAccount:ops:admin-bot"`}, notStdout: []string{"Scope:any-node", "Node:worker-2"}}})
	}
}
