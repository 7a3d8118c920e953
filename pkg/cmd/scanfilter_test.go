package cmd

import (
	"path/filepath"
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
