package cmd

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"k8s.io/cli-runtime/pkg/genericiooptions"
)

// liveFake is a tiny apiserver: one ClusterRole and its binding, Secrets as a
// metadata list, and the paths in forbidden answered 403.
func liveFake(t *testing.T, forbidden ...string) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		for _, p := range forbidden {
			if r.URL.Path == p {
				w.WriteHeader(http.StatusForbidden)
				fmt.Fprintf(w, `{"kind":"Status","apiVersion":"v1","status":"Failure","reason":"Forbidden","code":403,"message":"%s is forbidden"}`, p)
				return
			}
		}
		switch r.URL.Path {
		case "/version":
			fmt.Fprint(w, `{"gitVersion":"v1.37.2"}`)
		case "/apis/rbac.authorization.k8s.io/v1/clusterroles":
			fmt.Fprint(w, `{"kind":"ClusterRoleList","apiVersion":"rbac.authorization.k8s.io/v1","metadata":{},"items":[
				{"metadata":{"name":"secret-reader"},"rules":[{"apiGroups":[""],"resources":["secrets"],"verbs":["get"]}]}]}`)
		case "/apis/rbac.authorization.k8s.io/v1/clusterrolebindings":
			fmt.Fprint(w, `{"kind":"ClusterRoleBindingList","apiVersion":"rbac.authorization.k8s.io/v1","metadata":{},"items":[
				{"metadata":{"name":"readers"},"roleRef":{"apiGroup":"rbac.authorization.k8s.io","kind":"ClusterRole","name":"secret-reader"},
				 "subjects":[{"kind":"User","name":"alice","apiGroup":"rbac.authorization.k8s.io"}]}]}`)
		case "/api/v1/secrets", "/apis/apiextensions.k8s.io/v1/customresourcedefinitions", "/api/v1/namespaces/kube-system/configmaps":
			// Secrets, and the objects rule packs activate on: metadata only.
			if !strings.Contains(r.Header.Get("Accept"), "as=PartialObjectMetadataList") {
				t.Errorf("%s listed with Accept %q", r.URL.Path, r.Header.Get("Accept"))
			}
			fmt.Fprint(w, `{"kind":"PartialObjectMetadataList","apiVersion":"meta.k8s.io/v1","metadata":{},"items":[]}`)
		default:
			parts := strings.Split(r.URL.Path, "/")
			fmt.Fprintf(w, `{"kind":"%sList","apiVersion":"v1","metadata":{},"items":[]}`, parts[len(parts)-1])
		}
	}))
	t.Cleanup(srv.Close)
	return srv
}

// runRoot runs the root command as Execute does and returns the exit status.
func runRoot(t *testing.T, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	t.Setenv("KUBECONFIG", filepath.Join(t.TempDir(), "none"))
	var out, errb bytes.Buffer
	streams := genericiooptions.IOStreams{In: strings.NewReader(""), Out: &out, ErrOut: &errb}
	root := NewCmdAuthPaths(streams)
	root.SetArgs(withDeclaredGaps(args))
	err := root.ExecuteContext(context.Background())
	code = ExitOK
	if err != nil {
		var ec ExitCoder
		if errors.As(err, &ec) {
			code = ec.ExitCode()
			if msg := err.Error(); msg != "" {
				fmt.Fprintf(&errb, "error: %s\n", msg)
			}
		} else {
			code = ExitError
			fmt.Fprintf(&errb, "error: %s\n", err)
		}
	}
	return out.String(), errb.String(), code
}

func TestLiveExitCodes(t *testing.T) {
	tests := []struct {
		name           string
		forbidden      []string
		args           []string
		wantCode       int
		wantIncomplete []string
		wantStderr     string
	}{
		{name: "complete", args: []string{"who-can", "get", "secrets", "-n", "x", "-o", "json"}, wantCode: 0},
		{name: "pods and secrets forbidden", forbidden: []string{"/api/v1/pods", "/api/v1/secrets"},
			args: []string{"who-can", "get", "secrets", "-n", "x", "-o", "json"}, wantCode: ExitPartial,
			wantIncomplete: []string{"secrets (type=kubernetes.io/service-account-token)", "secrets (type=bootstrap.kubernetes.io/token)", "pods"},
			wantStderr:     "warning: could not read pods (forbidden cluster-wide): read in namespace x only; in other namespaces: running pods are unknown"},
		{name: "pods forbidden cluster-wide and in -n", forbidden: []string{"/api/v1/pods", "/api/v1/namespaces/x/pods"},
			args: []string{"who-can", "get", "secrets", "-n", "x", "-o", "json"}, wantCode: ExitPartial,
			wantIncomplete: []string{"pods"},
			wantStderr:     "warning: could not read pods (forbidden): running pods are unknown"},
		{name: "pods forbidden cluster-wide, no -n: the context's namespace (default)", forbidden: []string{"/api/v1/pods"},
			args: []string{"who-can", "get", "secrets", "-o", "json"}, wantCode: ExitPartial,
			wantIncomplete: []string{"pods"},
			wantStderr:     "warning: could not read pods (forbidden cluster-wide): read in namespace default only"},
		{name: "table output, partial", forbidden: []string{"/api/v1/nodes"},
			args: []string{"who-can", "get", "secrets", "-n", "x"}, wantCode: ExitPartial, wantStderr: "warning: could not read nodes (forbidden)"},
		{name: "dump, partial", forbidden: []string{"/api/v1/nodes"}, args: []string{"dump"}, wantCode: ExitPartial,
			wantStderr: "warning: could not read nodes (forbidden)"},
		{name: "negative chunk size", args: []string{"who-can", "get", "pods", "--chunk-size=-1"}, wantCode: ExitError, wantStderr: "--chunk-size"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := liveFake(t, tt.forbidden...)
			stdout, stderr, code := runRoot(t, append([]string{"--server", srv.URL}, tt.args...)...)
			if code != tt.wantCode {
				t.Fatalf("exit %d, want %d\nstderr: %s", code, tt.wantCode, stderr)
			}
			if !strings.Contains(stderr, tt.wantStderr) {
				t.Errorf("stderr %q does not contain %q", stderr, tt.wantStderr)
			}
			if strings.Contains(stderr, "error:") && code == ExitPartial {
				t.Errorf("partial result printed an error: %s", stderr)
			}
			if len(tt.args) > 0 && tt.args[len(tt.args)-1] == "json" {
				var res WhoCanResult
				if err := json.Unmarshal([]byte(stdout), &res); err != nil {
					t.Fatal(err)
				}
				var got []string
				for _, m := range res.Incomplete {
					got = append(got, m.Resource)
				}
				if strings.Join(got, "|") != strings.Join(tt.wantIncomplete, "|") {
					t.Errorf("incomplete %q, want %q", got, tt.wantIncomplete)
				}
				if len(res.Subjects) == 0 {
					t.Error("no subjects")
				}
				if tt.wantIncomplete == nil && strings.Contains(stdout, "incomplete") {
					t.Errorf("complete result with incomplete: %s", stdout)
				}
			}
		})
	}
}

func TestLiveUnreachableIsError(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	url := srv.URL
	srv.Close()
	_, stderr, code := runRoot(t, "--server", url, "who-can", "get", "pods")
	if code != ExitError || !strings.Contains(stderr, "cannot reach the cluster") {
		t.Errorf("exit %d, stderr %q", code, stderr)
	}
}

func TestDumpCommand(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "in.yaml")
	if err := os.WriteFile(in, []byte(`apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: secret-reader}
rules: [{apiGroups: [""], resources: [secrets], verbs: [get]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: readers}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: secret-reader}
subjects: [{kind: User, name: alice, apiGroup: rbac.authorization.k8s.io}]
---
apiVersion: v1
kind: Secret
metadata: {name: s, namespace: x}
data: {password: aHVudGVyMg==}
`), 0o600); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "out.json")
	tests := []struct {
		name string
		args []string
		file string
	}{
		{name: "yaml to stdout", args: []string{"dump", "-f", in, "--allow-incomplete", "namespaces,serviceaccounts,pods,nodes"}},
		{name: "json to a file", args: []string{"dump", "-f", in, "-o", "json", "--output-file", out, "--allow-incomplete", "all"}, file: out},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			stdout, stderr, code := runRoot(t, tt.args...)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, stderr)
			}
			data := stdout
			if tt.file != "" {
				b, err := os.ReadFile(tt.file)
				if err != nil {
					t.Fatal(err)
				}
				data = string(b)
				if fi, _ := os.Stat(tt.file); fi.Mode().Perm() != 0o600 {
					t.Errorf("mode %v", fi.Mode())
				}
			}
			if !strings.Contains(data, "ClusterRoleBinding") || !strings.Contains(data, "Opaque") || strings.Contains(data, "aHVudGVyMg") {
				t.Errorf("dump:\n%s", data)
			}
			// The dump reads back.
			back := filepath.Join(t.TempDir(), "back.yaml")
			if err := os.WriteFile(back, []byte(data), 0o600); err != nil {
				t.Fatal(err)
			}
			stdout2, stderr2, code2 := runRoot(t, "who-can", "get", "secrets", "-n", "x", "-f", back, "-o", "json")
			if code2 != 0 || !strings.Contains(stdout2, `"alice"`) {
				t.Errorf("who-can on the dump: exit %d %s %s", code2, stdout2, stderr2)
			}
		})
	}
	if _, stderr, code := runRoot(t, "dump", "-f", in, "-o", "table"); code != ExitError || !strings.Contains(stderr, "unsupported output format") {
		t.Errorf("-o table: exit %d %s", code, stderr)
	}
}

func TestRootHelpListsExitCodes(t *testing.T) {
	stdout, _, code := runRoot(t, "--help")
	if code != 0 {
		t.Fatal(code)
	}
	for _, want := range []string{"Exit status (every command):", "2    a CI gate failed", "3    partial result", "4    verify", "130  interrupted"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("help lacks %q", want)
		}
	}
	if n := strings.Count(stdout, "Exit status"); n != 1 {
		t.Errorf("help has %d exit status sections, want 1:\n%s", n, stdout)
	}
}
