package cmd

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// TestExitCodesPerCommand: the one table of exit codes, command by command,
// through the binary: 0 clean, 1 error, 2 gate failed, 3 partial, 4 not
// verified. (3 for every analysing command and 1 for input without RBAC:
// TestIncompleteInput; 4 for verify: TestVerifyUncheckedStepsFail; fix
// --dry-run=server: TestFixDryRunFlag; whoami: TestWhoAmI*.)
func TestExitCodesPerCommand(t *testing.T) {
	demo := filepath.Join("..", "..", "testdata", "demo", "cluster.yaml")
	missing := filepath.Join(t.TempDir(), "missing.yaml")
	report := filepath.Join(t.TempDir(), "review.md")
	var cases []cliCase
	for _, args := range [][]string{
		{"scan"}, {"from", "Group:dev-team"}, {"explain", "Group:dev-team"}, {"graph"}, {"chokepoints"},
		{"report", "-o", "md"}, {"dump"}, {"fix"}, {"who-can", "create", "pods", "-n", "ci"},
	} {
		name := args[0]
		cases = append(cases,
			cliCase{name: name + " clean", args: append(slices.Clone(args), "-f", demo), code: ExitOK},
			cliCase{name: name + " missing file", args: append(slices.Clone(args), "-f", missing), code: ExitError, stderr: []string{"error: " + missing + ": no such file or directory"}},
			cliCase{name: name + " bad flag", args: append(slices.Clone(args), "-f", demo, "--no-such-flag"), code: ExitError, stderr: []string{"unknown flag: --no-such-flag"}})
	}
	cases = append(cases,
		cliCase{name: "scan gate", args: []string{"scan", "-f", demo, "--fail-on", "any"}, code: ExitGate, stderr: []string{"gate --fail-on any failed: 8 path(s) not accepted"}},
		cliCase{name: "report gate", args: []string{"report", "-f", demo, "--fail-on", "any", "--output-file", report}, code: ExitGate, stderr: []string{"gate --fail-on any failed: 8 path(s) not accepted"}},
		cliCase{name: "from bad subject", args: []string{"from", "Bad:x", "-f", demo}, code: ExitError, stderr: []string{`subject "Bad:x": want User:NAME`}},
		cliCase{name: "verify bad subject", args: []string{"verify", "Bad:x", "-f", demo}, code: ExitError, stderr: []string{`subject "Bad:x": want User:NAME`}},
		cliCase{name: "verify unreachable", args: []string{"verify", "Group:dev-team", "-f", demo, "--server", "https://127.0.0.1:1", "--request-timeout", "5s"}, code: ExitUnverified},
	)
	runCLICases(t, cases)
}

// TestReadmeExitCodes: the README's table has the codes the help prints,
// in the same order, and says a gate never passes on a partial result.
func TestReadmeExitCodes(t *testing.T) {
	readme, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	_, section, ok := strings.Cut(string(readme), "\n## Exit codes\n")
	if !ok {
		t.Fatal("README has no Exit codes section")
	}
	section, _, _ = strings.Cut(section, "\n## ")
	var inReadme []string
	for _, m := range regexp.MustCompile(`(?m)^\| (\d+) \|`).FindAllStringSubmatch(section, -1) {
		inReadme = append(inReadme, m[1])
	}
	var inHelp []string
	for _, m := range regexp.MustCompile(`(?m)^  (\d+) +\S`).FindAllStringSubmatch(exitCodesHelp, -1) {
		inHelp = append(inHelp, m[1])
	}
	if !slices.Equal(inReadme, inHelp) || len(inHelp) < 6 {
		t.Errorf("README exit codes %v, help %v", inReadme, inHelp)
	}
	if !strings.Contains(section, "A gate never passes on a partial result") {
		t.Errorf("README exit codes lack the gate rule:\n%s", section)
	}
}
