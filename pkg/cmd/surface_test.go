package cmd

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// cliCase is one run of the binary: its exit status and what its standard
// output and standard error contain.
type cliCase struct {
	name      string
	args      []string
	code      int
	stdout    []string
	notStdout []string
	stderr    []string
}

func runCLICases(t *testing.T, cases []cliCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			out, errOut, code := runCLIProcess(t, "", tc.args...)
			if code != tc.code {
				t.Errorf("%v: exit %d, want %d\nstderr: %s", tc.args, code, tc.code, errOut)
			}
			for _, w := range tc.stdout {
				if !strings.Contains(out, w) {
					t.Errorf("%v: stdout lacks %q:\n%s", tc.args, w, out)
				}
			}
			for _, w := range tc.notStdout {
				if strings.Contains(out, w) {
					t.Errorf("%v: stdout has %q:\n%s", tc.args, w, out)
				}
			}
			for _, w := range tc.stderr {
				if !strings.Contains(errOut, w) {
					t.Errorf("%v: stderr lacks %q:\n%s", tc.args, w, errOut)
				}
			}
		})
	}
}

// TestSimulateRemoveTakesKubectlNames: --simulate-remove names a binding as
// kubectl get does, or as the tool prints it; errors say what is wanted.
func TestSimulateRemoveTakesKubectlNames(t *testing.T) {
	f := rv("cluster.yaml")
	gone := "ServiceAccount:monitoring:prometheus"
	runCLICases(t, []cliCase{
		{name: "kubectl type", args: []string{"scan", "-f", f, "--simulate-remove", "clusterrolebinding/prometheus-secrets"}, notStdout: []string{gone}, stdout: []string{"User:alice"}},
		{name: "kind, as the tool prints it", args: []string{"scan", "-f", f, "--simulate-remove", "ClusterRoleBinding/prometheus-secrets"}, notStdout: []string{gone}},
		{name: "with the group", args: []string{"scan", "-f", f, "--simulate-remove", "clusterrolebindings.rbac.authorization.k8s.io/prometheus-secrets"}, notStdout: []string{gone}},
		{name: "rolebinding/NS/NAME", args: []string{"scan", "-f", f, "--simulate-remove", "rolebinding/ci/alice-reads-secrets"}, notStdout: []string{"User:alice"}, stdout: []string{"User:dave"}},
		{name: "rolebinding/NAME with -n", args: []string{"scan", "-f", f, "-n", "ci", "--simulate-remove", "rolebinding/alice-reads-secrets"}, notStdout: []string{"User:alice"}, stdout: []string{"User:dave"}},
		{name: "rolebinding/NAME without -n", args: []string{"scan", "-f", f, "--simulate-remove", "rolebinding/alice-reads-secrets"}, code: ExitError,
			stderr: []string{`error: --simulate-remove "rolebinding/alice-reads-secrets": a RoleBinding is namespaced: give -n NAMESPACE or rolebinding/NAMESPACE/alice-reads-secrets`}},
		{name: "not a binding", args: []string{"chokepoints", "-f", f, "--simulate-remove", "clusterrole/cluster-admin"}, code: ExitError,
			stderr: []string{`type "clusterrole" is not one of clusterrolebinding/NAME, rolebinding/NAME (with -n), rolebinding/NAMESPACE/NAME`}},
		{name: "no type", args: []string{"report", "-f", f, "--simulate-remove", "prometheus-secrets"}, code: ExitError,
			stderr: []string{`want TYPE/NAME, e.g. clusterrolebinding/NAME`}},
		{name: "singular with the group", args: []string{"scan", "-f", f, "--simulate-remove", "clusterrolebinding.rbac.authorization.k8s.io/prometheus-secrets"}, notStdout: []string{gone}},
		{name: "not in the input", args: []string{"from", "User:alice", "-f", f, "--simulate-remove", "clusterrolebinding/nope"}, code: ExitError,
			stderr: []string{"no such binding in the input: ClusterRoleBinding/nope"}},
		{name: "fix", args: []string{"fix", "-f", f, "--subject", gone, "--simulate-remove", "clusterrolebinding/prometheus-secrets"}, code: ExitError,
			stderr: []string{"subject " + gone + " has no path to cluster-admin in the input: nothing to fix"}},
	})
	// Every command that takes the flag reads it in Complete, the same way.
	runCLICases(t, flagCases("simulate-remove", []string{"--simulate-remove", "rolebinding/alice-reads-secrets"}, ExitError,
		`error: --simulate-remove "rolebinding/alice-reads-secrets": a RoleBinding is namespaced: give -n NAMESPACE or rolebinding/NAMESPACE/alice-reads-secrets`))
}

// flagCases is one case per command that has the flag: the command with
// args (and a SUBJECT where it takes one) exits code, stderr saying want.
func flagCases(flag string, args []string, code int, want string) []cliCase {
	root := newTestRoot()
	var cases []cliCase
	for _, p := range commandPaths(root) {
		c, _, err := root.Find(p)
		if err != nil || len(p) == 0 || c.Flags().Lookup(flag) == nil {
			continue
		}
		run := append([]string{}, p...)
		if strings.Contains(c.Use, "SUBJECT") {
			run = append(run, "User:alice")
		}
		run = append(run, "-f", rv("cluster.yaml"))
		cases = append(cases, cliCase{name: strings.Join(p, " "), args: append(run, args...), code: code, stderr: []string{want}})
	}
	return cases
}

// TestScanNamespace: scan -n lists only the paths that start in the namespace.
func TestScanNamespace(t *testing.T) {
	f := rv("cluster.yaml")
	runCLICases(t, []cliCase{
		{name: "table", args: []string{"scan", "-f", f, "-n", "ci"}, stdout: []string{"Paths that start in namespace ci (-n): 4", "ServiceAccount:ci:deployer", "Group:platform-oncall", "User:alice", "User:dave"},
			notStdout: []string{"ServiceAccount:monitoring:prometheus", "User:carol", "User:ops"}},
		{name: "root runs scan", args: []string{"-f", f, "-n", "monitoring"}, stdout: []string{"Paths that start in namespace monitoring (-n): 1", "ServiceAccount:monitoring:prometheus"},
			notStdout: []string{"User:alice"}},
		{name: "none", args: []string{"scan", "-f", f, "-n", "empty"}, stdout: []string{"Paths that start in namespace empty (-n): 0"}},
		{name: "with --baseline", args: []string{"scan", "-f", f, "-n", "ci", "--baseline", rv("baseline-old.json")}, code: ExitError,
			stderr: []string{"-n ci lists only the paths that start in the namespace; --baseline compares all of them"}},
		{name: "help says which paths", args: []string{"scan", "--help"}, stdout: []string{"scan lists only the paths that start in that namespace"}},
	})
	out, errOut, code := runCLIProcess(t, "", "scan", "-f", f, "-n", "ci", "-o", "json")
	var res struct {
		Namespace string `json:"namespace"`
		Paths     []struct {
			Subject struct{ Kind, Name string } `json:"subject"`
		} `json:"paths"`
	}
	if code != ExitOK || json.Unmarshal([]byte(out), &res) != nil || res.Namespace != "ci" || len(res.Paths) != 4 {
		t.Errorf("scan -n ci -o json: exit %d %s: namespace %q, %d paths", code, errOut, res.Namespace, len(res.Paths))
	}
}

func TestKubernetesVersionFlag(t *testing.T) {
	f := rv("cluster.yaml")
	var cases []cliCase
	for _, v := range []string{"v1.30", "1.30", "1.30.2"} {
		cases = append(cases, cliCase{name: v, args: []string{"explain", "User:alice", "-f", f, "--kubernetes-version", v}, stdout: []string{"User:alice"}})
	}
	for _, v := range []string{"banana", "1.3x"} {
		cases = append(cases, flagCases("kubernetes-version", []string{"--kubernetes-version", v}, ExitError,
			`error: --kubernetes-version "`+v+`": want a Kubernetes version such as v1.30, 1.30 or 1.30.2`)...)
	}
	if len(cases) < 3+2*9 {
		t.Fatalf("only %d cases: the commands lost --kubernetes-version?", len(cases))
	}
	runCLICases(t, cases)
}

func TestUnknownCommandsAndMissingArguments(t *testing.T) {
	runCLICases(t, []cliCase{
		{name: "scna", args: []string{"scna"}, code: ExitError, stderr: []string{`error: unknown command "scna" for "kubectl auth-paths"`, "Did you mean this?\n\tscan"}},
		{name: "rules lnt", args: []string{"rules", "lnt"}, code: ExitError, stderr: []string{`unknown command "lnt" for "kubectl auth-paths rules"`, "\tlint"}},
		{name: "completion zhs", args: []string{"completion", "zhs"}, code: ExitError, stderr: []string{`unknown command "zhs" for "kubectl auth-paths completion"`, "\tzsh"}},
		{name: "rules lint without argument", args: []string{"rules", "lint"}, code: ExitError,
			stderr: []string{"error: rules lint needs the rule packs to check: kubectl auth-paths rules lint PATH... (YAML files or directories of them)"}},
		{name: "rules alone", args: []string{"rules"}, stdout: []string{"Available Commands:"}},
	})
}

func TestRulesListOutput(t *testing.T) {
	out, errOut, code := runCLIProcess(t, "", "rules", "list", "-f", rv("cluster.yaml"), "-o", "json")
	var res struct {
		Packs []RulePackInfo `json:"packs"`
	}
	if code != ExitOK || json.Unmarshal([]byte(out), &res) != nil || len(res.Packs) == 0 {
		t.Fatalf("rules list -o json: exit %d %s\n%s", code, errOut, out)
	}
	for _, p := range res.Packs {
		if p.Name == "" || !strings.HasPrefix(p.Source, "embedded:") || p.Active == nil || p.Why == "" {
			t.Errorf("pack %+v: want name, source, active and why", p)
		}
	}
	runCLICases(t, []cliCase{
		{name: "yaml", args: []string{"rules", "list", "-o", "yaml"}, stdout: []string{"packs:\n- ", "source: embedded:"}, notStdout: []string{"active:"}},
		{name: "table", args: []string{"rules", "list"}, stdout: []string{"PACK  ", "SOURCE"}},
		{name: "bad format", args: []string{"rules", "list", "-o", "wide"}, code: ExitError, stderr: []string{`unsupported output format "wide": want one of table, json, yaml`}},
	})
}

// TestWhoCanTableSaysWhere: the table names the namespace the request was
// evaluated in, and why there.
func TestWhoCanTableSaysWhere(t *testing.T) {
	useTestKubeconfig(t)
	runCLICases(t, []cliCase{
		{name: "-n", args: []string{"who-can", "get", "pods", "-n", "dev", "-f", whoCanFixture}, stdout: []string{"Who can get pods, evaluated in namespace dev (-n):\n\nKIND"}},
		{name: "kubeconfig", args: []string{"who-can", "get", "secrets", "-f", whoCanFixture}, stdout: []string{"Who can get secrets, evaluated in namespace from-kubeconfig (the kubeconfig context's; -n or -A to choose):"}},
		{name: "-A", args: []string{"who-can", "get", "pods", "-A", "-f", whoCanFixture}, stdout: []string{"evaluated cluster-wide (-A: only ClusterRoleBindings apply):"}},
		{name: "cluster-scoped", args: []string{"who-can", "get", "nodes", "-f", whoCanFixture}, stdout: []string{"Who can get nodes, evaluated cluster-wide (nodes are cluster-scoped):"}},
		{name: "namespace object", args: []string{"who-can", "patch", "namespaces", "team-a", "-f", whoCanFixture}, stdout: []string{"Who can patch namespaces team-a, evaluated in namespace team-a (a request on a namespace is evaluated in it):"}},
		{name: "URL", args: []string{"who-can", "get", "/metrics", "-f", whoCanFixture}, stdout: []string{"Who can get /metrics, evaluated cluster-wide (a non-resource URL):"}},
	})
}

// TestOutputFormatsOneList: through the binary, each command's -o completes,
// documents and accepts the same list of formats (completion reads the
// list, not the help text).
func TestOutputFormatsOneList(t *testing.T) {
	root := newTestRoot()
	space := regexp.MustCompile(`\s+`)
	checked := 0
	for _, p := range commandPaths(root) {
		c, _, err := root.Find(p)
		if err != nil || len(p) == 0 || c.Flags().Lookup("output") == nil {
			continue
		}
		checked++
		name := strings.Join(p, " ")
		out, errOut, code := runCLIProcess(t, "", append(append([]string{"__complete"}, p...), "-o", "")...)
		lines := strings.Split(strings.TrimSpace(out), "\n")
		if code != ExitOK || len(lines) < 2 || lines[len(lines)-1] != ":4" {
			t.Errorf("%s: __complete -o: exit %d %s\n%s", name, code, errOut, out)
			continue
		}
		formats := lines[:len(lines)-1]
		help, _, _ := runCLIProcess(t, "", append(append([]string{}, p...), "--help")...)
		if want := "-o, --output FORMAT Output FORMAT: " + orList(formats); !strings.Contains(space.ReplaceAllString(help, " "), want) {
			t.Errorf("%s --help: no %q", name, want)
		}
		args := append([]string{}, p...)
		switch {
		case strings.Contains(c.Use, "SUBJECT"):
			args = append(args, "User:alice")
		case c.Name() == "who-can":
			args = append(args, "get", "pods")
		}
		if f := c.Flags().Lookup("filename"); f != nil && !f.Hidden {
			args = append(args, "-f", rv("cluster.yaml"))
		}
		_, errOut, code = runCLIProcess(t, "", append(args, "-o", "wide")...)
		if want := `error: unsupported output format "wide": want one of ` + strings.Join(formats, ", ") + "\n"; code != ExitError || errOut != want {
			t.Errorf("%s -o wide: exit %d, stderr %q, want %q", name, code, errOut, want)
		}
	}
	if checked < 12 {
		t.Errorf("only %d commands have -o", checked)
	}
}

// TestRulesLintSchemaThenLint: through the binary, rules lint reports the
// schema's violations by field, then what only Lint checks (an id used
// twice), and says ok for a good pack.
func TestRulesLintSchemaThenLint(t *testing.T) {
	dir := t.TempDir()
	write := func(name, rules string) string {
		p := filepath.Join(dir, name)
		pack := "apiVersion: auth-paths.io/v1alpha1\nkind: RulePack\nmetadata: {name: " + strings.TrimSuffix(name, ".yaml") + "}\nrules:\n" + rules
		if err := os.WriteFile(p, []byte(pack), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	const rule = "- id: %s\n  description: d\n  permission: {verbs: [create], resource: things, scope: %s}\n  gain: {type: %s}\n"
	bad := write("bad.yaml", fmt.Sprintf(rule, "r1", "cluster", "root")+fmt.Sprintf(rule, "r2", "cluster", "any-serviceaccount-in-namespace"))
	twice := write("twice.yaml", fmt.Sprintf(rule, "r1", "namespace", "any-serviceaccount-in-namespace")+fmt.Sprintf(rule, "r1", "namespace", "any-serviceaccount-in-namespace"))
	good := write("good.yaml", fmt.Sprintf(rule, "r1", "namespace", "any-serviceaccount-in-namespace"))
	runCLICases(t, []cliCase{
		{name: "schema", args: []string{"rules", "lint", bad}, code: ExitError, stderr: []string{
			"bad.yaml: does not match the rule-pack schema (plugins/rulepack.schema.json): ",
			`rules[0] (r1).gain.type: "root": value must be one of`,
			`rules[1] (r2).permission.scope: "cluster": any-serviceaccount-in-namespace needs permission.scope namespace`}},
		{name: "lint", args: []string{"rules", "lint", twice}, code: ExitError, stderr: []string{"twice.yaml: rules[1] (r1).id: duplicate id"}},
		{name: "ok", args: []string{"rules", "lint", good}, stdout: []string{`good.yaml: pack "good", 1 rule(s), 0 expected declaration(s): ok`}},
	})
}
