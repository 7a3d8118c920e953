package cmd

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestStaleIDs: a baseline and accept entries with IDs of the previous
// scheme are reported once each on standard error, in every format, with
// what to do; they are not silently counted gone.
func TestStaleIDs(t *testing.T) {
	accept := filepath.Join(t.TempDir(), "accept.yaml")
	// 6b1df830b11c and 0ef54ab24afb are alice's and prometheus's paths in scheme 1.
	if err := os.WriteFile(accept, []byte("- {pathID: 6b1df830b11c, reason: r, owner: o, expires: 2099-01-01}\n- {pathID: 0ef54ab24afb, reason: r, owner: o, expires: 2099-01-01}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cluster := rv("cluster.yaml")
	for _, format := range []string{"table", "json", "sarif"} {
		t.Run(format, func(t *testing.T) {
			out, errOut, code := runCLIProcess(t, "", "scan", "-f", cluster, "-o", format,
				"--baseline", rv("baseline-scheme1.json"), "--accept", accept, "--fail-on", "new")
			if code != ExitGate {
				t.Fatalf("exit %d, want %d (every path is new against an old-scheme baseline)\n%s", code, ExitGate, errOut)
			}
			for _, want := range []string{
				"note: baseline " + rv("baseline-scheme1.json") + " has path IDs of scheme 1, this version writes scheme 2: its 8 paths match no current path by ID",
				"write a new baseline with `kubectl auth-paths scan -o json > ",
				"note: 2 accepted path ID(s) of " + accept + " match no current path",
				"gate --fail-on new failed: 8 new path(s) not accepted",
			} {
				if strings.Count(errOut, want) != 1 {
					t.Errorf("stderr has %d times %q:\n%s", strings.Count(errOut, want), want, errOut)
				}
			}
			if format == "json" && !strings.Contains(out, `"pathIDVersion": 2`) {
				t.Errorf("no pathIDVersion in the JSON:\n%s", out[:200])
			}
		})
	}
	// A baseline of this scheme: no note.
	_, errOut, code := runCLIProcess(t, "", "scan", "-f", cluster, "--baseline", rv("scan-new.json"), "--fail-on", "new")
	if code != ExitOK || strings.Contains(errOut, "note: baseline") {
		t.Errorf("current baseline: exit %d, stderr:\n%s", code, errOut)
	}
}
