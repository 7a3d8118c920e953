package e2e

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	data, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// roundTripRequests are asked live and of the dump.
var roundTripRequests = [][]string{
	{"get", "secrets", "-n", "team-a"},
	{"get", "secrets", "app-password", "-n", "team-a"},
	{"update", "configmaps", "-n", "team-a"},
	{"list", "pods", "-n", "team-b"},
	{"create", "pods/exec", "-n", "kube-system"},
	{"impersonate", "users", "-A"},
	{"escalate", "clusterroles.rbac.authorization.k8s.io"},
	{"create", "certificatesigningrequests.certificates.k8s.io/approval"},
	{"patch", "namespaces", "team-b"},
	{"get", "/metrics"},
	{"get", "/healthz"},
}

// TestLiveDumpRoundTrip: live who-can, dump, who-can -f on the dump: the same
// JSON for every request; the dump has no secret values, and merging dumps
// with -f gives the same dump.
func TestLiveDumpRoundTrip(t *testing.T) {
	e := liveEnv(t)
	dir := t.TempDir()
	tests := []struct {
		name, format, file string
		asUser             string
		wantCode           int
	}{
		{name: "admin yaml", format: "yaml", file: "admin.yaml"},
		{name: "admin json", format: "json", file: "admin.json"},
		{name: "limited yaml", format: "yaml", file: "limited.yaml", asUser: limitedUser, wantCode: 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var who []string
			if tt.asUser != "" {
				who = []string{"--as=" + tt.asUser}
			}
			dump := filepath.Join(dir, tt.file)
			r := e.run(t, append(who, "dump", "-o", tt.format, "--output-file", dump)...)
			if r.code != tt.wantCode {
				t.Fatalf("dump exit %d, want %d: %s", r.code, tt.wantCode, r.stderr)
			}
			data, err := os.ReadFile(dump)
			if err != nil {
				t.Fatal(err)
			}
			for _, v := range secretValues {
				if strings.Contains(string(data), v) {
					t.Errorf("dump holds the secret value %q", v)
				}
			}
			if tt.wantCode == 3 && tt.format == "yaml" && !strings.Contains(string(data), "# INCOMPLETE") {
				t.Errorf("partial YAML dump without the INCOMPLETE header")
			}
			for _, q := range roundTripRequests {
				live := e.run(t, append(append(who, "who-can"), append(q, "-o", "json")...)...)
				off := e.run(t, append([]string{"who-can"}, append(q, "-o", "json", "-f", dump)...)...)
				// The dump's header carries what could not be read: offline
				// is as partial as live.
				if live.code != tt.wantCode || off.code != tt.wantCode {
					t.Fatalf("%v: live exit %d (%s), offline exit %d (%s)", q, live.code, live.stderr, off.code, off.stderr)
				}
				lw, ow := parseWhoCan(t, live), parseWhoCan(t, off)
				if l, o := string(mustJSON(t, lw.Subjects)), string(mustJSON(t, ow.Subjects)); l != o {
					t.Errorf("%v: live and dump answers differ\nlive: %s\ndump: %s", q, l, o)
				}
				if l, o := string(mustJSON(t, lw.Request)), string(mustJSON(t, ow.Request)); l != o {
					t.Errorf("%v: requests differ: %s / %s", q, l, o)
				}
			}
		})
	}
	t.Run("offline merge", func(t *testing.T) {
		r := e.run(t, "dump", "-o", "json", "-f", filepath.Join(dir, "admin.yaml"), "-f", filepath.Join(dir, "admin.json"))
		if r.code != 0 {
			t.Fatalf("exit %d: %s", r.code, r.stderr)
		}
		want, err := os.ReadFile(filepath.Join(dir, "admin.json"))
		if err != nil {
			t.Fatal(err)
		}
		if r.stdout != string(want) {
			got, wnt := strings.Split(r.stdout, "\n"), strings.Split(string(want), "\n")
			for i := 0; i < len(got) || i < len(wnt); i++ {
				var g, w string
				if i < len(got) {
					g = got[i]
				}
				if i < len(wnt) {
					w = wnt[i]
				}
				if g != w {
					t.Errorf("dump of the merged dumps differs from the live dump at line %d:\nmerged: %s\nlive:   %s", i+1, g, w)
					break
				}
			}
		}
	})
}
