package cmd

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
)

// TestFixThroughTheCLI: fix's formats, its proof on stderr, and its refusals.
func TestFixThroughTheCLI(t *testing.T) {
	in := filepath.Join("..", "..", "testdata", "fix", "cluster.yaml")
	out, stderr, code := runCLIProcess(t, "", "fix", "-f", in, "--kubernetes-version", "1.35")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for _, w := range []string{"update role/dev-tools -n ci", "update clusterrole/debugger-exec", "Closes 3 of 3", "User:bob loses create pods in ci"} {
		if !strings.Contains(out, w) {
			t.Errorf("table lacks %q:\n%s", w, out)
		}
	}
	out, stderr, code = runCLIProcess(t, "", "fix", "-f", in, "--kubernetes-version", "1.35", "--subject", "User:eve", "-o", "kubectl")
	if code != 0 || !strings.HasPrefix(strings.SplitN(out, "\n", 2)[1], "kubectl patch clusterrole/debugger-exec --type=json -p '") || !strings.Contains(stderr, "# Closes 1 of 1") {
		t.Errorf("-o kubectl: exit %d\n%s\n%s", code, out, stderr)
	}
	out, _, code = runCLIProcess(t, "", "fix", "-f", in, "--kubernetes-version", "1.35", "--subject", "ServiceAccount:ci:deployer", "-o", "patch")
	var patches []map[string]any
	if err := json.Unmarshal([]byte(out), &patches); err != nil || code != 0 || len(patches) != 1 || patches[0]["action"] != "delete" || patches[0]["name"] != "deployer-admin" {
		t.Errorf("-o patch: exit %d %v\n%s", code, err, out)
	}
	for _, bad := range [][]string{{"--subject", "User:nobody"}, {"--subject", "User:eve", "--chokepoints"}, {"-o", "html"}, {"--path", "000000000000"}} {
		_, stderr, code := runCLIProcess(t, "", append([]string{"fix", "-f", in}, bad...)...)
		if code == 0 || stderr == "" {
			t.Errorf("fix %v: exit %d, stderr %q", bad, code, stderr)
		}
	}
}
