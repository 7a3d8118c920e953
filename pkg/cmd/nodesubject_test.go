package cmd

import (
	"os"
	"path/filepath"
	"testing"
)

// TestNodeSubjects: the Node:NAME rows scan prints are subjects every other
// command takes: from, explain, graph --subject, and an accept entry (the
// path is set apart as accepted and leaves the gate).
func TestNodeSubjects(t *testing.T) {
	demo := filepath.Join("..", "..", "testdata", "demo", "cluster.yaml")
	accept := filepath.Join(t.TempDir(), "accept.yaml")
	if err := os.WriteFile(accept, []byte("- {subject: Node:cp-1, reason: control-plane node, owner: platform, expires: 2999-01-01}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	runCLICases(t, []cliCase{
		{name: "scan prints them", args: []string{"-f", demo}, stdout: []string{"Node:worker-1", "Node:cp-1"}},
		{name: "from", args: []string{"from", "Node:worker-1", "-f", demo}, stdout: []string{"Path 1: Node:worker-1 → cluster-admin in 2 hop(s)", "Node:worker-1 ─node-compromise→ ServiceAccount:monitoring:prometheus"}},
		{name: "explain", args: []string{"explain", "Node:cp-1", "-f", demo}, stdout: []string{"Node:cp-1 ─node-compromise→ cluster-admin"}},
		{name: "graph --subject", args: []string{"graph", "--subject", "Node:cp-1", "-f", demo}, stdout: []string{`"Node:cp-1"`}},
		{name: "accepted", args: []string{"scan", "-f", demo, "--accept", accept},
			stdout:    []string{"Accepted (1):\n", "  Node:cp-1  1     -       d1dbb80209f1  platform  2999-01-01  control-plane node\n", "7 path(s), 1 accepted;"},
			notStdout: []string{"\nNode:cp-1 ", "matches no current path"}},
		{name: "accepted, gate", args: []string{"scan", "-f", demo, "--accept", accept, "--fail-on", "any"}, code: ExitGate,
			stderr: []string{"gate --fail-on any failed: 7 path(s) not accepted"}},
		{name: "not a node name", args: []string{"from", "Node:", "-f", demo}, code: ExitError, stderr: []string{`subject "Node:": want Node:NAME`}},
	})
}
