package cmd

import (
	"path/filepath"
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
