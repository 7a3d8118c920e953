package cmd

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/spf13/cobra"
	"k8s.io/cli-runtime/pkg/genericclioptions"
	"k8s.io/cli-runtime/pkg/genericiooptions"
)

// completionFixture has subjects of every kind and namespaces that appear only
// as the namespace of an object (team-c).
const completionFixture = `apiVersion: v1
kind: Namespace
metadata: {name: team-a}
---
apiVersion: v1
kind: Namespace
metadata: {name: team-b}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: reader}
rules:
- apiGroups: [""]
  resources: [pods]
  verbs: [get]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: readers}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: reader}
subjects:
- {apiGroup: rbac.authorization.k8s.io, kind: User, name: alice}
- {apiGroup: rbac.authorization.k8s.io, kind: Group, name: devs}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: builder, namespace: team-c}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: reader}
subjects:
- {kind: ServiceAccount, name: builder, namespace: team-a}
`

func writeFixture(t *testing.T) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "cluster.yaml")
	if err := os.WriteFile(p, []byte(completionFixture), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// unreachableKubeconfig names a cluster on a port nothing listens on.
const unreachableKubeconfig = `apiVersion: v1
kind: Config
clusters:
- name: nowhere
  cluster: {server: "https://127.0.0.1:1"}
users:
- name: nobody
  user: {token: none}
contexts:
- name: nowhere
  context: {cluster: nowhere, user: nobody}
current-context: nowhere
`

// isolateKubeconfig points KUBECONFIG at a cluster that does not answer, so no
// test reads the developer's clusters.
func isolateKubeconfig(t *testing.T) {
	t.Helper()
	p := filepath.Join(t.TempDir(), "kubeconfig")
	if err := os.WriteFile(p, []byte(unreachableKubeconfig), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("KUBECONFIG", p)
}

// runComplete runs cobra's hidden __complete command in process and returns the
// candidates (without descriptions) and the directive.
func runComplete(t *testing.T, root *cobra.Command, args ...string) ([]string, int) {
	t.Helper()
	var out, errb bytes.Buffer
	root.SetOut(&out)
	root.SetErr(&errb)
	root.SetArgs(append([]string{cobra.ShellCompNoDescRequestCmd}, args...))
	if err := root.ExecuteContext(context.Background()); err != nil {
		t.Fatalf("__complete %q: %v\n%s", args, err, errb.String())
	}
	lines := strings.Split(strings.TrimRight(out.String(), "\n"), "\n")
	last := lines[len(lines)-1]
	if !strings.HasPrefix(last, ":") {
		t.Fatalf("__complete %q: no directive line in %q", args, out.String())
	}
	directive, err := strconv.Atoi(last[1:])
	if err != nil {
		t.Fatal(err)
	}
	return lines[:len(lines)-1], directive
}

func newTestRoot() *cobra.Command {
	return NewCmdAuthPaths(genericiooptions.IOStreams{In: strings.NewReader(""), Out: &bytes.Buffer{}, ErrOut: &bytes.Buffer{}})
}

func assertContains(t *testing.T, what string, got []string, want ...string) {
	t.Helper()
	set := map[string]bool{}
	for _, g := range got {
		set[g] = true
	}
	for _, w := range want {
		if !set[w] {
			t.Errorf("%s: %q missing from %q", what, w, got)
		}
	}
}

func assertExactly(t *testing.T, what string, got []string, want ...string) {
	t.Helper()
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("%s: got %q, want %q", what, got, want)
	}
}

func TestCompleteSubcommands(t *testing.T) {
	isolateKubeconfig(t)
	got, _ := runComplete(t, newTestRoot(), "")
	assertContains(t, "subcommands", got, "who-can", "version", "completion")
	got, _ = runComplete(t, newTestRoot(), "completion", "")
	assertExactly(t, "completion shells", got, "bash", "fish", "kubectl", "powershell", "zsh")
}

// subjectRoot is a root with a stand-in "from SUBJECT" command, wired as
// NewCmdAuthPaths wires its own: the real `from` and `explain` may not exist yet.
func subjectRoot() *cobra.Command {
	cf := genericclioptions.NewConfigFlags(true)
	input := NewInputOptions(cf)
	root := &cobra.Command{Use: "auth-paths"}
	cf.AddFlags(root.PersistentFlags())
	from := &cobra.Command{Use: "from SUBJECT", RunE: func(*cobra.Command, []string) error { return nil }}
	input.AddFlags(from)
	root.AddCommand(from)
	registerCompletions(root, input)
	return root
}

func TestCompleteSubjects(t *testing.T) {
	isolateKubeconfig(t)
	f := writeFixture(t)
	want := []string{"Group:devs", "ServiceAccount:team-a:builder", "User:alice"}
	got, directive := runComplete(t, subjectRoot(), "from", "-f", f, "")
	assertExactly(t, "subjects", got, want...)
	if directive != int(cobra.ShellCompDirectiveNoFileComp) {
		t.Errorf("directive %d, want NoFileComp", directive)
	}
	got, _ = runComplete(t, subjectRoot(), "from", "-f", f, "Serv")
	assertExactly(t, "subjects with a prefix", got, "ServiceAccount:team-a:builder")
	got, _ = runComplete(t, subjectRoot(), "from", "-f", f, "User:alice", "")
	assertExactly(t, "second argument", got)

	// The real commands.
	for _, name := range []string{"from", "explain", "verify"} {
		root := newTestRoot()
		if c, _, err := root.Find([]string{name}); err != nil || c.Name() != name {
			continue
		}
		got, _ := runComplete(t, root, name, "-f", f, "")
		assertContains(t, name+" subjects", got, want...)
	}
}

func TestCompleteNamespaces(t *testing.T) {
	isolateKubeconfig(t)
	f := writeFixture(t)
	got, directive := runComplete(t, newTestRoot(), "who-can", "-f", f, "-n", "")
	assertExactly(t, "namespaces", got, "team-a", "team-b", "team-c")
	if directive != int(cobra.ShellCompDirectiveNoFileComp) {
		t.Errorf("directive %d, want NoFileComp", directive)
	}
	got, _ = runComplete(t, newTestRoot(), "who-can", "-f", f, "--namespace", "team-")
	assertExactly(t, "namespaces with a prefix", got, "team-a", "team-b", "team-c")
	got, _ = runComplete(t, newTestRoot(), "who-can", "-f", f, "patch", "namespaces", "")
	assertExactly(t, "who-can patch namespaces NAME", got, "team-a", "team-b", "team-c")

	// Without -f and without a usable cluster: an error directive, no candidates.
	got, directive = runComplete(t, newTestRoot(), "who-can", "-n", "")
	if len(got) != 0 || directive != int(cobra.ShellCompDirectiveError) {
		t.Errorf("no cluster: got %q directive %d, want none and ShellCompDirectiveError", got, directive)
	}
}

func TestCompleteWhoCanArgs(t *testing.T) {
	isolateKubeconfig(t)
	got, _ := runComplete(t, newTestRoot(), "who-can", "")
	assertContains(t, "verbs", got, "get", "list", "create", "escalate", "bind", "impersonate", "*")
	got, _ = runComplete(t, newTestRoot(), "who-can", "get", "sec")
	assertExactly(t, "resources", got, "secrets")
	got, _ = runComplete(t, newTestRoot(), "who-can", "create", "")
	assertContains(t, "resources", got, "pods", "clusterroles", "deployments", "events", "events.events.k8s.io")
	got, _ = runComplete(t, newTestRoot(), "who-can", "create", "pods/")
	assertContains(t, "subresources", got, "pods/exec", "pods/attach", "pods/portforward")
	got, _ = runComplete(t, newTestRoot(), "who-can", "get", "/m")
	assertExactly(t, "non-resource URLs", got, "/metrics")
	got, _ = runComplete(t, newTestRoot(), "who-can", "-o", "")
	assertExactly(t, "who-can -o", got, "table", "json", "yaml")
	got, _ = runComplete(t, newTestRoot(), "version", "-o", "")
	assertExactly(t, "version -o", got, "json", "yaml")
	got, _ = runComplete(t, newTestRoot(), "who-can", "--context", "")
	assertExactly(t, "--context", got, "nowhere")
}

func TestCompleteFlagValues(t *testing.T) {
	isolateKubeconfig(t)
	root := newTestRoot()
	has := func(cmd, flag string) bool {
		c, _, err := root.Find([]string{cmd})
		return err == nil && c.Name() == cmd && c.Flags().Lookup(flag) != nil
	}
	if has("scan", "output") {
		got, _ := runComplete(t, newTestRoot(), "scan", "-o", "")
		assertContains(t, "scan -o", got, "table", "json", "yaml")
	}
	if has("scan", "entry") {
		got, _ := runComplete(t, newTestRoot(), "scan", "--entry", "")
		assertContains(t, "scan --entry", got, "anonymous", "pod")
	}
	// Each command's -o completes exactly its own list of formats.
	for _, tc := range []struct {
		cmd     string
		formats []string
	}{{"scan", scanFormats}, {"report", reportFormats}, {"graph", graphFormats}, {"dump", dumpFormats}, {"who-can", tableFormats}, {"version", versionFormats}} {
		got, directive := runComplete(t, newTestRoot(), tc.cmd, "-o", "")
		if !slices.Equal(got, tc.formats) || directive&int(cobra.ShellCompDirectiveNoFileComp) == 0 {
			t.Errorf("%s -o: got %q directive %d, want %q without files", tc.cmd, got, directive, tc.formats)
		}
	}
	// The report's file is --output-file: .md and .html file names are completed there.
	if got, directive := runComplete(t, newTestRoot(), "report", "--output-file", ""); !slices.Equal(got, reportFormats) || directive != int(cobra.ShellCompDirectiveFilterFileExt) {
		t.Errorf("report --output-file: got %q directive %d, want files named *.md or *.html", got, directive)
	}
}

func TestCompletionScriptsNameTheExecutable(t *testing.T) {
	for _, shell := range []string{"bash", "zsh", "fish", "powershell"} {
		var out bytes.Buffer
		root := NewCmdAuthPaths(genericiooptions.IOStreams{In: strings.NewReader(""), Out: &out, ErrOut: &bytes.Buffer{}})
		root.SetArgs([]string{"completion", shell})
		if err := root.Execute(); err != nil {
			t.Fatalf("completion %s: %v", shell, err)
		}
		if !strings.Contains(out.String(), BinaryName) {
			t.Errorf("completion %s does not complete %s", shell, BinaryName)
		}
		if root.Use != "auth-paths" {
			t.Errorf("completion %s left the root named %q", shell, root.Use)
		}
	}
	var out bytes.Buffer
	root := NewCmdAuthPaths(genericiooptions.IOStreams{In: strings.NewReader(""), Out: &out, ErrOut: &bytes.Buffer{}})
	root.SetArgs([]string{"completion", "--help"})
	if err := root.Execute(); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "kubectl auth-paths completion") {
		t.Errorf("completion help does not name kubectl auth-paths:\n%s", out.String())
	}
}

func TestKubectlCompletionHookFileMatches(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("..", "..", "krew", KubectlCompletionHookName))
	if err != nil {
		t.Fatal(err)
	}
	if string(data) != KubectlCompletionHook {
		t.Errorf("krew/%s differs from KubectlCompletionHook:\n%s", KubectlCompletionHookName, data)
	}
	if runtime.GOOS != "windows" {
		st, err := os.Stat(filepath.Join("..", "..", "krew", KubectlCompletionHookName))
		if err != nil {
			t.Fatal(err)
		}
		if st.Mode().Perm()&0o111 == 0 {
			t.Errorf("krew/%s is not executable", KubectlCompletionHookName)
		}
	}
}

// TestPluginHelperProcess is the plugin binary for TestKubectlPluginCompletion:
// the kubectl-auth_paths on its PATH runs this test binary with this test and
// the plugin's arguments after "--".
func TestPluginHelperProcess(t *testing.T) {
	if os.Getenv("AUTH_PATHS_PLUGIN_HELPER") != "1" {
		t.Skip("helper process for TestKubectlPluginCompletion")
	}
	args := os.Args
	for i, a := range args {
		if a == "--" {
			args = args[i+1:]
			break
		}
	}
	root := NewCmdAuthPaths(genericiooptions.IOStreams{In: os.Stdin, Out: os.Stdout, ErrOut: os.Stderr})
	root.SetArgs(args)
	code := 0
	if err := root.Execute(); err != nil {
		code = 1
	}
	os.Exit(code)
}

// TestKubectlPluginCompletion runs the shipped kubectl_complete-auth_paths
// through kubectl's plugin completion (kubectl >= 1.26): `kubectl __complete
// auth-paths …` must come back with our candidates. $KUBECTL, else kubectl on
// PATH; skipped without one.
func TestKubectlPluginCompletion(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("the hook is a POSIX shell script")
	}
	kubectl := os.Getenv("KUBECTL")
	if kubectl == "" {
		var err error
		if kubectl, err = exec.LookPath("kubectl"); err != nil {
			t.Skip("no kubectl on PATH and no $KUBECTL")
		}
	}
	if minor := kubectlClientMinor(t, kubectl); minor < 26 {
		t.Skipf("kubectl 1.%d has no plugin completion (1.26+)", minor)
	}
	isolateKubeconfig(t)
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	plugin := "#!/bin/sh\nexec " + strconv.Quote(self) + " -test.run='^TestPluginHelperProcess$' -- \"$@\"\n"
	if err := os.WriteFile(filepath.Join(dir, BinaryName), []byte(plugin), 0o755); err != nil {
		t.Fatal(err)
	}
	hook, err := os.ReadFile(filepath.Join("..", "..", "krew", KubectlCompletionHookName))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, KubectlCompletionHookName), hook, 0o755); err != nil {
		t.Fatal(err)
	}
	f := writeFixture(t)
	run := func(args ...string) []string {
		t.Helper()
		c := exec.Command(kubectl, append([]string{"__complete", "auth-paths"}, args...)...)
		c.Env = append(os.Environ(), "PATH="+dir+string(os.PathListSeparator)+os.Getenv("PATH"), "AUTH_PATHS_PLUGIN_HELPER=1")
		var out, errb bytes.Buffer
		c.Stdout, c.Stderr = &out, &errb
		if err := c.Run(); err != nil {
			t.Fatalf("kubectl __complete auth-paths %q: %v\n%s", args, err, errb.String())
		}
		var cands []string
		for _, l := range strings.Split(out.String(), "\n") {
			if l == "" || strings.HasPrefix(l, ":") {
				continue
			}
			cands = append(cands, strings.SplitN(l, "\t", 2)[0])
		}
		return cands
	}
	assertContains(t, "kubectl auth-paths <TAB>", run(""), "who-can", "version", "completion")
	assertExactly(t, "kubectl auth-paths who-can -f F -n <TAB>", run("who-can", "-f", f, "-n", ""), "team-a", "team-b", "team-c")
	assertExactly(t, "kubectl auth-paths who-can get sec<TAB>", run("who-can", "get", "sec"), "secrets")
}

func kubectlClientMinor(t *testing.T, kubectl string) int {
	t.Helper()
	out, err := exec.Command(kubectl, "version", "--client", "-o", "json").Output()
	if err != nil {
		t.Skipf("%s version: %v", kubectl, err)
	}
	var v struct {
		ClientVersion struct {
			Minor string `json:"minor"`
		} `json:"clientVersion"`
	}
	if err := json.Unmarshal(out, &v); err != nil {
		t.Skipf("%s version: %v", kubectl, err)
	}
	minor, _ := strconv.Atoi(strings.TrimRight(v.ClientVersion.Minor, "+"))
	return minor
}
