package e2e

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

// missingForLimited are exactly the lists the limited user cannot read.
var missingForLimited = []string{
	"secrets (type=kubernetes.io/service-account-token)",
	"secrets (type=bootstrap.kubernetes.io/token)",
	"pods",
}

// TestLivePartialResult: a user who can read RBAC and most kinds but not
// Secrets or Pods gets the who-can answer, the unread kinds named on standard
// error and under "incomplete", and exit status 3 — whether the user runs the
// tool or the admin impersonates the user with --as.
func TestLivePartialResult(t *testing.T) {
	e := liveEnv(t)
	tests := []struct {
		name     string
		args     []string
		wantCode int
		missing  []string
	}{
		{name: "admin", args: []string{}, wantCode: 0},
		{name: "limited user", args: []string{"--kubeconfig=" + e.limitedKC}, wantCode: 3, missing: missingForLimited},
		{name: "admin as the limited user", args: []string{"--as=" + limitedUser}, wantCode: 3, missing: missingForLimited},
		{name: "context limited (current)", args: []string{"--kubeconfig=" + e.multiKC}, wantCode: 3, missing: missingForLimited},
		{name: "context admin", args: []string{"--kubeconfig=" + e.multiKC, "--context=admin"}, wantCode: 0},
	}
	var answers []string
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := append(append([]string{}, tt.args...), "who-can", "update", "configmaps", "-n", "team-a", "-o", "json")
			r := e.run(t, args...)
			if r.code != tt.wantCode {
				t.Fatalf("exit %d, want %d\nstderr: %s", r.code, tt.wantCode, r.stderr)
			}
			w := parseWhoCan(t, r)
			var got []string
			for _, m := range w.Incomplete {
				got = append(got, m.Resource)
				if m.Reason != "forbidden" || m.Impact == "" {
					t.Errorf("incomplete %+v", m)
				}
				if !strings.Contains(r.stderr, "warning: could not read "+m.Resource+" (forbidden)") {
					t.Errorf("stderr does not name %s:\n%s", m.Resource, r.stderr)
				}
			}
			if !reflect.DeepEqual(got, tt.missing) {
				t.Errorf("incomplete %q, want %q", got, tt.missing)
			}
			if tt.missing == nil && strings.Contains(r.stdout, "incomplete") {
				t.Errorf("complete result with an incomplete field:\n%s", r.stdout)
			}
			// RBAC was readable: alice and the deployer SA are found in every case.
			if !strings.Contains(r.stdout, `"name": "alice"`) || !strings.Contains(r.stdout, `"name": "deployer"`) {
				t.Errorf("subjects missing:\n%s", r.stdout)
			}
			answers = append(answers, string(mustJSON(t, w.Subjects)))
		})
	}
	for i := 1; i < len(answers); i++ {
		if answers[i] != answers[0] {
			t.Errorf("run %d found other subjects than run 0:\n%s\n%s", i, answers[i], answers[0])
		}
	}

	t.Run("table output", func(t *testing.T) {
		r := e.run(t, "--as="+limitedUser, "who-can", "get", "configmaps", "-n", "team-a")
		if r.code != 3 || !strings.Contains(r.stdout, "alice") || !strings.Contains(r.stderr, "warning: could not read pods (forbidden)") {
			t.Errorf("exit %d\nstdout: %s\nstderr: %s", r.code, r.stdout, r.stderr)
		}
	})
	t.Run("unknown user is rejected (exit 1)", func(t *testing.T) {
		r := e.run(t, "--token=not-a-valid-token", "who-can", "get", "pods")
		if r.code != 1 || !strings.Contains(r.stderr, "401") {
			t.Errorf("exit %d\nstderr: %s", r.code, r.stderr)
		}
	})
	t.Run("unreachable server (exit 1)", func(t *testing.T) {
		r := e.run(t, "--server=https://127.0.0.1:1", "who-can", "get", "pods")
		if r.code != 1 || !strings.Contains(r.stderr, "cannot reach the cluster") {
			t.Errorf("exit %d\nstderr: %s", r.code, r.stderr)
		}
	})
}

// TestLiveNamespace: -n (and the context's namespace) choose where the request is asked.
func TestLiveNamespace(t *testing.T) {
	e := liveEnv(t)
	tests := []struct {
		name    string
		args    []string
		want    string
		notWant string
	}{
		{name: "-n team-a", args: []string{"-n", "team-a"}, want: `"name": "alice"`, notWant: `"name": "developers"`},
		{name: "-n team-b", args: []string{"-n", "team-b"}, want: `"name": "developers"`, notWant: `"name": "alice"`},
		{name: "context admin defaults to team-b", args: []string{"--kubeconfig=" + e.multiKC, "--context=admin"}, want: `"name": "developers"`, notWant: `"name": "alice"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := append(append([]string{}, tt.args...), "who-can", "get", "configmaps", "-o", "json")
			r := e.run(t, args...)
			if r.code != 0 {
				t.Fatalf("exit %d: %s", r.code, r.stderr)
			}
			if !strings.Contains(r.stdout, tt.want) || strings.Contains(r.stdout, tt.notWant) {
				t.Errorf("want %s and not %s:\n%s", tt.want, tt.notWant, r.stdout)
			}
		})
	}
}

// TestLiveReaderRole: docs/rbac/auth-paths-reader.yaml is enough for a complete result.
func TestLiveReaderRole(t *testing.T) {
	e := liveEnv(t)
	e.applyReaderRole(t)
	if _, err := e.c.Kubectl("create", "clusterrolebinding", "auth-paths-reader-carol", "--clusterrole=auth-paths-reader", "--user=carol"); err != nil {
		t.Fatal(err)
	}
	// The aws-auth ConfigMap is granted by the file's Role in kube-system.
	if _, err := e.c.Kubectl("create", "rolebinding", "auth-paths-reader-carol", "-n", "kube-system", "--role=auth-paths-reader", "--user=carol"); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{
		{"--as=carol", "who-can", "get", "secrets", "-n", "team-a", "-o", "json"},
		{"--as=carol", "dump", "-o", "json"},
	} {
		r := e.run(t, args...)
		if r.code != 0 || strings.Contains(r.stderr, "warning: could not read") {
			t.Errorf("%v: exit %d, want a complete result (0)\nstderr: %s", args, r.code, r.stderr)
		}
	}
}

// nsUserBinding gives nsUser the reader ClusterRole in team-a only.
const nsUserBinding = `apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: auth-paths-reader-ns-user, namespace: team-a}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: auth-paths-reader}
subjects: [{kind: User, name: ns-user, apiGroup: rbac.authorization.k8s.io}]
`

// TestLiveNamespaceLimitedUser: a user who may list only in team-a gets the
// namespaced kinds of team-a (listed there after the cluster-wide list is
// refused), every kind named as partial with what is not seen, and exit 3 —
// with the namespace from -n, from the context, or as impersonated with --as.
func TestLiveNamespaceLimitedUser(t *testing.T) {
	e := liveEnv(t)
	e.applyReaderRole(t)
	if _, err := e.c.KubectlStdin(strings.NewReader(nsUserBinding), "apply", "-f", "-"); err != nil {
		t.Fatal(err)
	}
	// Read in team-a after the cluster-wide list is forbidden.
	namespaced := []string{"roles.rbac.authorization.k8s.io", "rolebindings.rbac.authorization.k8s.io", "serviceaccounts",
		"secrets (type=kubernetes.io/service-account-token)", "secrets (type=bootstrap.kubernetes.io/token)", "pods",
		"persistentvolumeclaims", "replicationcontrollers", "deployments.apps", "replicasets.apps", "statefulsets.apps",
		"daemonsets.apps", "jobs.batch", "cronjobs.batch", "resourcequotas"}
	// Not read at all.
	clusterScoped := []string{"clusterroles.rbac.authorization.k8s.io", "clusterrolebindings.rbac.authorization.k8s.io",
		"namespaces", "nodes", "persistentvolumes", "mutatingwebhookconfigurations.admissionregistration.k8s.io",
		"validatingwebhookconfigurations.admissionregistration.k8s.io", "validatingadmissionpolicies.admissionregistration.k8s.io",
		"validatingadmissionpolicybindings.admissionregistration.k8s.io", "certificatesigningrequests.certificates.k8s.io"}
	tests := []struct {
		name string
		args []string
		// inNS: the namespace read; "" when the namespaced lists are refused there too.
		inNS string
	}{
		{name: "context namespace", args: []string{"--kubeconfig=" + e.multiKC, "--context=ns-user"}, inNS: "team-a"},
		{name: "-n team-a", args: []string{"--kubeconfig=" + e.multiKC, "--context=ns-user", "-n", "team-a"}, inNS: "team-a"},
		{name: "--as ns-user -n team-a", args: []string{"--as=" + nsUser, "-n", "team-a"}, inNS: "team-a"},
		{name: "-n team-b, where nothing is granted", args: []string{"--as=" + nsUser, "-n", "team-b"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := append(append([]string{}, tt.args...), "who-can", "update", "configmaps", "-o", "json")
			r := e.run(t, args...)
			if r.code != 3 {
				t.Fatalf("exit %d, want 3 (partial)\nstderr: %s", r.code, r.stderr)
			}
			var w struct {
				Subjects   []map[string]any `json:"subjects"`
				Incomplete []struct {
					Resource        string `json:"resource"`
					Reason          string `json:"reason"`
					Impact          string `json:"impact"`
					ReadInNamespace string `json:"readInNamespace"`
				} `json:"incomplete"`
			}
			if err := json.Unmarshal([]byte(r.stdout), &w); err != nil {
				t.Fatalf("%v\n%s", err, r.stdout)
			}
			got := map[string]string{}
			for _, m := range w.Incomplete {
				got[m.Resource] = m.Reason + "|" + m.ReadInNamespace
				if !strings.Contains(r.stderr, "warning: could not read "+m.Resource+" ("+m.Reason+"): "+m.Impact) {
					t.Errorf("stderr does not name %s:\n%s", m.Resource, r.stderr)
				}
				if m.ReadInNamespace != "" && !strings.HasPrefix(m.Impact, "read in namespace "+m.ReadInNamespace+" only; in other namespaces: ") {
					t.Errorf("%s: impact %q does not say what is not seen", m.Resource, m.Impact)
				}
			}
			for _, res := range namespaced {
				want := "forbidden|"
				if tt.inNS != "" {
					want = "forbidden cluster-wide|" + tt.inNS
				}
				if got[res] != want {
					t.Errorf("%s: %q, want %q", res, got[res], want)
				}
			}
			for _, res := range clusterScoped {
				if got[res] != "forbidden|" {
					t.Errorf("%s: %q, want forbidden", res, got[res])
				}
			}
			// team-a's RoleBinding config-editor lets alice and the deployer
			// ServiceAccount update configmaps: seen only when team-a was read.
			names := string(mustJSON(t, w.Subjects))
			for _, who := range []string{`"name":"alice"`, `"name":"deployer"`} {
				if found := strings.Contains(names, who); found != (tt.inNS == "team-a") {
					t.Errorf("%s found: %v, want %v\n%s", who, found, tt.inNS == "team-a", names)
				}
			}
		})
	}
}
