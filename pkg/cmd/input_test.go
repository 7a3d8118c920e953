package cmd

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

var inputDir = filepath.Join("..", "..", "testdata", "input")

// TestCLIMainProcess is not a test: runCLIProcess re-executes the test binary
// with it to run Execute() as main does, with the arguments after "--".
func TestCLIMainProcess(t *testing.T) {
	if os.Getenv("AUTH_PATHS_CLI_MAIN") != "1" {
		t.Skip("helper process for runCLIProcess")
	}
	args := os.Args
	for i, a := range args {
		if a == "--" {
			args = args[i+1:]
			break
		}
	}
	os.Args = append([]string{"kubectl-auth_paths"}, args...)
	os.Exit(Execute())
}

// runCLIProcess runs the command as a separate process: real exit status, real stderr.
func runCLIProcess(t *testing.T, stdin string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	cmd := exec.Command(os.Args[0], append([]string{"-test.run=^TestCLIMainProcess$", "--"}, withDeclaredGaps(args)...)...)
	cmd.Env = append(os.Environ(), "AUTH_PATHS_CLI_MAIN=1")
	cmd.Stdin = strings.NewReader(stdin)
	var out, errb bytes.Buffer
	cmd.Stdout = &out
	cmd.Stderr = &errb
	err := cmd.Run()
	var ee *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &ee):
		code = ee.ExitCode()
	default:
		t.Fatal(err)
	}
	return out.String(), errb.String(), code
}

// badInputs are the files of testdata/input/bad with what their one error line says.
var badInputs = []struct {
	name string
	path string
	want string
}{
	{"truncated YAML", "truncated.yaml", ": document 2 (line 6): invalid YAML: line 10: found unexpected end of stream"},
	{"invalid JSON", "invalid.json", ": document 2 (line 2): invalid JSON: line 4, column 28: invalid character '}'"},
	{"truncated JSON", "truncated.json", ": document 2 (line 2): invalid JSON: unexpected end of input at line 2"},
	{"List with a bad item", "list-bad-item.yaml", `: document 1: items[1] (line 8): ClusterRole "bad-rules": field rules: got JSON string, want a list`},
	{"rbac v9", "rbac-v9.yaml", `: document 1 (line 1): ClusterRole "future": unsupported apiVersion "rbac.authorization.k8s.io/v9"`},
	{"apps/v1beta2", "deployment-v1beta2.yaml", `: document 2 (line 6): Deployment "old": unsupported apiVersion "apps/v1beta2" (want apps/v1)`},
	{"binary garbage", "garbage.bin", ": document 1 (line 1): binary data: not YAML or JSON"},
	{"empty file", "empty.yaml", ": no Kubernetes objects found"},
	{"only comments", "comments.yaml", ": no Kubernetes objects found (empty file or only comments)"},
	{"missing file", "missing.yaml", ": no such file or directory"},
	{"directory without manifests", "no-manifests", ": directory contains no .yaml, .yml or .json files"},
	{"bad roleRef.kind", "bad-roleref.yaml", `: document 1 (line 1): RoleBinding "dev/weird": roleRef.kind "Group": want Role or ClusterRole`},
	{"YAML scalar", "scalar.yaml", ": document 2 (line 6): not a Kubernetes object: got a string"},
	{"YAML list", "list-doc.yaml", ": document 1 (line 1): not a Kubernetes object: got a list"},
}

func TestBadInputInProcess(t *testing.T) {
	useTestKubeconfig(t)
	for _, tc := range badInputs {
		t.Run(tc.name, func(t *testing.T) {
			p := filepath.Join(inputDir, "bad", tc.path)
			out, stderr, err := runCLI(t, "", "who-can", "get", "pods", "-f", p)
			if err == nil {
				t.Fatalf("no error; output:\n%s", out)
			}
			if msg := err.Error(); !strings.HasPrefix(msg, p+tc.want) || strings.Contains(msg, "\n") {
				t.Errorf("error = %q\nwant one line starting %q", msg, p+tc.want)
			}
			if out != "" || stderr != "" {
				t.Errorf("printed something before failing:\nstdout %q\nstderr %q", out, stderr)
			}
		})
	}
}

func TestBadInputExitStatusAndOneLineOnStderr(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the command as a process")
	}
	useTestKubeconfig(t)
	for _, tc := range badInputs {
		t.Run(tc.name, func(t *testing.T) {
			p := filepath.Join(inputDir, "bad", tc.path)
			stdout, stderr, code := runCLIProcess(t, "", "who-can", "get", "pods", "-f", p)
			if code != ExitError {
				t.Errorf("exit status %d, want %d", code, ExitError)
			}
			if stdout != "" {
				t.Errorf("stdout = %q", stdout)
			}
			want := "error: " + p + tc.want
			if !strings.HasPrefix(stderr, want) || strings.Count(stderr, "\n") != 1 || !strings.HasSuffix(stderr, "\n") {
				t.Errorf("stderr = %q\nwant one line starting %q", stderr, want)
			}
		})
	}
	t.Run("stdin", func(t *testing.T) {
		_, stderr, code := runCLIProcess(t, "{\"apiVersion\": \"v1\", \"kind\": \"ServiceAccount\",\n", "who-can", "get", "pods", "-f", "-")
		if code != ExitError || stderr != "error: <stdin>: document 1 (line 1): invalid JSON: unexpected end of input at line 2: the document is truncated\n" {
			t.Errorf("exit %d, stderr %q", code, stderr)
		}
	})
	t.Run("bad flag value", func(t *testing.T) {
		_, stderr, code := runCLIProcess(t, "", "who-can", "get", "pods", "-o", "xml", "-f", whoCanFixture)
		if code != ExitError || stderr != "error: unsupported output format \"xml\": want one of table, json, yaml\n" {
			t.Errorf("exit %d, stderr %q", code, stderr)
		}
	})
	t.Run("good input", func(t *testing.T) {
		stdout, stderr, code := runCLIProcess(t, "", "who-can", "get", "pods", "-n", "dev", "-f", whoCanFixture)
		if code != ExitOK || !strings.Contains(stdout, "alice") || strings.Contains(stderr, "error") {
			t.Errorf("exit %d\nstdout %s\nstderr %s", code, stdout, stderr)
		}
	})
}

func TestGoodInputsThroughTheCLI(t *testing.T) {
	useTestKubeconfig(t)
	good := filepath.Join(inputDir, "good")
	cases := []struct {
		name string
		args []string
		want string
	}{
		{"multi-document YAML", []string{"-f", filepath.Join(good, "multi.yaml"), "-n", "default", "get", "pods"}, "ServiceAccount  default    app"},
		{"JSON object (binding to a role not in the input)", []string{"-f", filepath.Join(good, "single.json"), "delete", "nodes", "n1"}, "system:masters"},
		{"JSON stream", []string{"-f", filepath.Join(good, "stream.json"), "-A", "get", "namespaces"}, "system:masters"},
		{"List", []string{"-f", filepath.Join(good, "list.yaml"), "get", "secrets", "-A"}, "alice"},
		{"typed List", []string{"-f", filepath.Join(good, "typed-list.json"), "get", "pods"}, "system:masters"},
		{"several -f and a directory", []string{"-f", filepath.Join(good, "multi.yaml"), "-f", filepath.Join(good, "dir"), "-R", "-n", "default", "get", "pods"}, "ServiceAccount  default    app"},
		{"-n gives namespaceless objects their namespace", []string{"-f", filepath.Join(good, "multi.yaml"), "-n", "team", "get", "pods"}, "ServiceAccount  team       app"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			out, stderr, err := runCLI(t, "", append([]string{"who-can"}, tc.args...)...)
			if err != nil {
				t.Fatalf("%v\n%s", err, stderr)
			}
			if !strings.Contains(out, tc.want) {
				t.Errorf("output lacks %q:\n%s", tc.want, out)
			}
		})
	}
}
