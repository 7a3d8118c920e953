package e2e

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/auth-paths/kubectl-auth-paths/test/e2e/cluster"
)

// TestLiveReadme runs the live commands the README shows (with
// AUTH_PATHS_E2E_TRANSCRIPT=FILE their real output is written there): a scan,
// the same scan by a user limited to one namespace (partial, exit 3), a dump
// analysed offline (same answer), and verify of a path.
func TestLiveReadme(t *testing.T) {
	e := liveEnv(t)
	e.applyReaderRole(t)
	if _, err := e.c.KubectlStdin(strings.NewReader(verifyFixture), "apply", "-f", "-"); err != nil {
		t.Fatal(err)
	}
	if _, err := e.c.KubectlStdin(strings.NewReader(nsUserBinding), "apply", "-f", "-"); err != nil {
		t.Fatal(err)
	}
	scan := e.run(t)
	if scan.code != 0 || !strings.Contains(scan.stdout, "verify-team/admin-bot") {
		t.Fatalf("scan: exit %d\n%s%s", scan.code, scan.stdout, scan.stderr)
	}

	limited := e.run(t, "--kubeconfig="+e.multiKC, "--context=ns-user")
	if limited.code != 3 || !strings.Contains(limited.stderr, "warning: could not read pods (forbidden cluster-wide): read in namespace team-a only") ||
		!strings.Contains(limited.stderr, "warning: could not read clusterrolebindings.rbac.authorization.k8s.io (forbidden)") {
		t.Errorf("scan as a namespace-limited user: exit %d, want 3\n%s", limited.code, limited.stderr)
	}

	dump := filepath.Join(t.TempDir(), "cluster.yaml")
	if r := e.run(t, "dump", "--output-file", dump); r.code != 0 {
		t.Fatalf("dump: exit %d: %s", r.code, r.stderr)
	}
	offline := e.run(t, "-f", dump)
	if offline.code != 0 || offline.stdout != scan.stdout {
		t.Errorf("scan of the dump (exit %d) differs from the live scan:\n%s\nlive:\n%s", offline.code, offline.stdout, scan.stdout)
	}

	// The README's plain-kubectl recipe, run as written (kubectl and the
	// plugin on PATH): the same answer as the dump, no secret value on disk.
	// Every cluster has a Node, and the recipe's dump says so when none is
	// there (exit 3): give this one a Node while the recipe runs.
	const node = "apiVersion: v1\nkind: Node\nmetadata: {name: readme-worker}\n"
	if _, err := e.c.KubectlStdin(strings.NewReader(node), "apply", "-f", "-"); err != nil {
		t.Fatal(err)
	}
	defer func() {
		if _, err := e.c.KubectlStdin(strings.NewReader(node), "delete", "--ignore-not-found", "-f", "-"); err != nil {
			t.Errorf("cleanup: %v", err)
		}
	}()
	withNode := e.run(t)
	recipe := readmeRecipe(t)
	dir := t.TempDir()
	sh := exec.Command("bash", "-o", "pipefail", "-c", recipe)
	sh.Dir = dir
	sh.Env = append(os.Environ(), "KUBECONFIG="+e.c.Kubeconfig, "KUBECACHEDIR="+filepath.Join(dir, "cache"),
		"PATH="+filepath.Dir(e.plugin)+string(os.PathListSeparator)+filepath.Dir(e.c.Bin.Kubectl)+string(os.PathListSeparator)+os.Getenv("PATH"))
	if out, err := sh.CombinedOutput(); err != nil {
		t.Fatalf("README recipe %q: %v\n%s", recipe, err, out)
	}
	data, err := os.ReadFile(filepath.Join(dir, "cluster.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range secretValues {
		if strings.Contains(string(data), v) {
			t.Errorf("the README recipe wrote the secret value %q", v)
		}
	}
	viaKubectl := e.run(t, "-f", filepath.Join(dir, "cluster.yaml"))
	if withNode.code != 0 || viaKubectl.code != 0 || viaKubectl.stdout != withNode.stdout {
		t.Errorf("scan of the README recipe's file (exit %d) differs from the live scan (exit %d):\n%s%s\nlive:\n%s%s", viaKubectl.code, withNode.code, viaKubectl.stdout, viaKubectl.stderr, withNode.stdout, withNode.stderr)
	}

	verify := e.run(t, "verify", "Group:developers", "--max-paths", "1")
	if verify.code != 0 || !strings.Contains(verify.stdout, "verified") {
		t.Errorf("verify: exit %d\n%s%s", verify.code, verify.stdout, verify.stderr)
	}
}

// readmeRecipe is the README's plain-kubectl dump command: the code block
// that pipes kubectl get into kubectl auth-paths dump, continuation lines
// joined.
func readmeRecipe(t *testing.T) string {
	t.Helper()
	root, err := cluster.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(filepath.Join(root, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	for _, block := range strings.Split(string(data), "```") {
		if strings.Contains(block, "| kubectl auth-paths dump -f -") {
			return strings.TrimSpace(strings.ReplaceAll(block, "\\\n", ""))
		}
	}
	t.Fatal("README: no kubectl get … | kubectl auth-paths dump -f - block")
	return ""
}
