package e2e

import (
	"path/filepath"
	"strings"
	"testing"
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

	verify := e.run(t, "verify", "Group:developers", "--max-paths", "1")
	if verify.code != 0 || !strings.Contains(verify.stdout, "verified") {
		t.Errorf("verify: exit %d\n%s%s", verify.code, verify.stdout, verify.stderr)
	}
}
