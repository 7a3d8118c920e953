package cmd

import (
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// rbacOnly is what `kubectl get clusterroles,clusterrolebindings -o yaml`
// gives: RBAC and nothing the other primitives need.
const rbacOnly = `apiVersion: v1
kind: List
items:
- apiVersion: rbac.authorization.k8s.io/v1
  kind: ClusterRole
  metadata: {name: pod-exec}
  rules: [{apiGroups: [""], resources: [pods/exec], verbs: [create]}]
- apiVersion: rbac.authorization.k8s.io/v1
  kind: ClusterRoleBinding
  metadata: {name: dev-exec}
  roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: pod-exec}
  subjects: [{kind: Group, name: dev, apiGroup: rbac.authorization.k8s.io}]
`

// TestIncompleteInput: an offline input without a kind every cluster has is
// a partial result (exit 3, warnings on standard error, "incomplete" in
// JSON), also under a --fail-on gate and after a dump round trip, unless
// --allow-incomplete names the kinds; input without RBAC is an error naming
// the file; who-can, which reads RBAC only, is complete on RBAC alone.
func TestIncompleteInput(t *testing.T) {
	dir := t.TempDir()
	rbac := filepath.Join(dir, "rbac.yaml")
	cms := filepath.Join(dir, "configmaps.yaml")
	for name, data := range map[string]string{
		rbac: rbacOnly,
		cms:  "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c, namespace: default}\ndata: {k: v}\n",
	} {
		if err := os.WriteFile(name, []byte(data), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	demo := filepath.Join("..", "..", "testdata", "demo", "cluster.yaml")
	missing := []string{"the input has no namespaces", "the input has no serviceaccounts", "the input has no secrets", "the input has no pods", "the input has no nodes"}
	runCLICases(t, []cliCase{
		{name: "rbac only", args: []string{"-f", rbac}, code: ExitPartial, stderr: missing},
		{name: "rbac only, gate", args: []string{"scan", "-f", rbac, "--fail-on", "any"}, code: ExitPartial, stderr: missing},
		{name: "rbac only, kinds allowed", args: []string{"scan", "-f", rbac, "--allow-incomplete", "namespaces,serviceaccounts,Secret,pods,nodes"}, code: ExitOK},
		{name: "rbac only, all allowed", args: []string{"scan", "-f", rbac, "--allow-incomplete", "all"}, code: ExitOK},
		{name: "rbac only, some allowed", args: []string{"scan", "-f", rbac, "--allow-incomplete", "pods"}, code: ExitPartial, stderr: []string{"the input has no nodes"}},
		{name: "unknown kind", args: []string{"scan", "-f", rbac, "--allow-incomplete", "banana"}, code: ExitError, stderr: []string{`"banana" is not a kind the analysis reads`}},
		{name: "no RBAC", args: []string{"scan", "-f", cms}, code: ExitError, stderr: []string{"no ClusterRole, ClusterRoleBinding, Role or RoleBinding in " + cms}},
		{name: "no RBAC, gate", args: []string{"scan", "-f", cms, "--fail-on", "any"}, code: ExitError},
		{name: "who-can reads RBAC only", args: []string{"who-can", "create", "pods/exec", "-A", "-f", rbac}, code: ExitOK, stdout: []string{"Group"}},
		{name: "demo is complete", args: []string{"-f", demo}, code: ExitOK, stderr: []string{"note: the input has no persistentvolumes"}},
		// A fleet read from files judges each member as -f does.
		{name: "fleet member rbac only", args: []string{"scan", "--cluster-file", "prod=" + rbac, "--cluster-file", "demo=" + demo}, code: ExitPartial,
			stderr: []string{"cluster prod: warning: the input has no pods", "cluster prod: warning: the input has no nodes"}},
		{name: "fleet member rbac only, gate", args: []string{"scan", "--cluster-file", "prod=" + rbac, "--fail-on", "any", "-o", "json"}, code: ExitPartial,
			stdout: []string{`"incomplete"`, `"resource": "pods"`}},
		{name: "fleet member rbac only, allowed", args: []string{"scan", "--cluster-file", "prod=" + rbac, "--allow-incomplete", "all"}, code: ExitOK},
		{name: "fleet member without RBAC", args: []string{"scan", "--cluster-file", "prod=" + cms, "--cluster-file", "demo=" + demo}, code: ExitPartial,
			stderr: []string{"warning: cluster prod could not be read: no ClusterRole, ClusterRoleBinding, Role or RoleBinding in " + cms}},
		{name: "fleet, only member without RBAC", args: []string{"scan", "--cluster-file", "prod=" + cms}, code: ExitError,
			stderr: []string{"error: no cluster could be read: prod: no ClusterRole, ClusterRoleBinding, Role or RoleBinding in " + cms}},
	})

	// Every command that analyses the input says so the same way.
	var perCommand []cliCase
	for _, args := range [][]string{
		{"scan"}, {"from", "Group:dev"}, {"explain", "Group:dev"}, {"graph"}, {"chokepoints"},
		{"report", "-o", "md"}, {"dump"}, {"fix"}, {"scan", "-o", "sarif"}, {"scan", "-o", "yaml"},
	} {
		perCommand = append(perCommand,
			cliCase{name: strings.Join(args, " ") + " partial", args: append(slices.Clone(args), "-f", rbac), code: ExitPartial, stderr: []string{"the input has no pods"}},
			cliCase{name: strings.Join(args, " ") + " allowed", args: append(slices.Clone(args), "-f", rbac, "--allow-incomplete", "all"), code: ExitOK},
			cliCase{name: strings.Join(args, " ") + " no RBAC", args: append(slices.Clone(args), "-f", cms), code: ExitError, stderr: []string{"nothing to analyse"}})
	}
	runCLICases(t, perCommand)

	// Every format carries what is missing on standard output too.
	runCLICases(t, []cliCase{
		{name: "yaml names them", args: []string{"scan", "-f", rbac, "-o", "yaml"}, code: ExitPartial,
			stdout: []string{"incomplete:\n- impact: Pod Security levels of namespaces are unknown\n  reason: none in the input\n  resource: namespaces\n", "resource: nodes\n"}},
		{name: "sarif names them", args: []string{"scan", "-f", rbac, "-o", "sarif"}, code: ExitPartial,
			stdout: []string{`"incomplete input: pods (none in the input): running pods are unknown: exec and node steps are not evaluated"`, `"incomplete"`}},
		{name: "report names them", args: []string{"report", "-o", "md", "-f", rbac}, code: ExitPartial,
			stdout: []string{"**Incomplete input**: some kinds could not be read: namespaces (none in the input); serviceaccounts (none in the input); secrets (none in the input); pods (none in the input); nodes (none in the input)"}},
		{name: "allowed: not named", args: []string{"scan", "-f", rbac, "-o", "yaml", "--allow-incomplete", "all"}, code: ExitOK, notStdout: []string{"incomplete"}},
	})

	// JSON names what is missing.
	out, _, code := runCLIProcess(t, "", "scan", "-f", rbac, "-o", "json")
	if code != ExitPartial {
		t.Fatalf("-o json: exit %d", code)
	}
	var res struct {
		Incomplete []struct{ Resource, Reason, Impact string } `json:"incomplete"`
	}
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, m := range res.Incomplete {
		got = append(got, m.Resource+" ("+m.Reason+")")
	}
	if want := "namespaces (none in the input), serviceaccounts (none in the input), secrets (none in the input), pods (none in the input), nodes (none in the input)"; strings.Join(got, ", ") != want {
		t.Errorf("incomplete = %s, want %s", strings.Join(got, ", "), want)
	}

	// A dump keeps it: its header names what could not be read, and what was.
	partial, _, code := runCLIProcess(t, "", "dump", "-f", rbac)
	if code != ExitPartial || !strings.Contains(partial, "# INCOMPLETE: these kinds could not be read:\n#   namespaces: none in the input") {
		t.Fatalf("dump of the RBAC-only input: exit %d:\n%s", code, partial)
	}
	full, _, code := runCLIProcess(t, "", "dump", "-f", demo)
	if code != ExitOK || !strings.Contains(full, "# Read in full: namespaces serviceaccounts secrets pods nodes\n") {
		t.Fatalf("dump of the demo: exit %d:\n%.400s", code, full)
	}
	for name, tc := range map[string]struct {
		data string
		code int
	}{"partial.yaml": {partial, ExitPartial}, "full.yaml": {full, ExitOK}} {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(tc.data), 0o600); err != nil {
			t.Fatal(err)
		}
		if _, errOut, code := runCLIProcess(t, "", "scan", "-f", p); code != tc.code {
			t.Errorf("scan of %s: exit %d, want %d\n%s", name, code, tc.code, errOut)
		}
	}
}

// TestVerifyUncheckedStepsFail: verify with -f and no reachable cluster
// prints every step as unchecked and exits ExitUnverified, not 0.
func TestVerifyUncheckedStepsFail(t *testing.T) {
	demo := filepath.Join("..", "..", "testdata", "demo", "cluster.yaml")
	out, errOut, code := runCLIProcess(t, "", "verify", "Group:dev-team", "-f", demo, "--server", "https://127.0.0.1:1", "--request-timeout", "5s")
	if code != ExitUnverified {
		t.Errorf("exit %d, want %d\nstdout: %s\nstderr: %s", code, ExitUnverified, out, errOut)
	}
	if !strings.Contains(out, "unchecked") || !strings.Contains(errOut, "could not be checked: the paths are not verified") {
		t.Errorf("stdout:\n%s\nstderr:\n%s", out, errOut)
	}
	// A check the apiserver never answered is not a denial.
	if !strings.Contains(out, "create pods -n ci not answered\n        could not ask the apiserver: ") || strings.Contains(out, " denied\n") {
		t.Errorf("unanswered checks read as denials:\n%s", out)
	}
	out, _, code = runCLIProcess(t, "", "verify", "Group:dev-team", "-f", demo, "--server", "https://127.0.0.1:1", "--request-timeout", "5s", "-o", "json")
	if code != ExitUnverified || !strings.Contains(out, `"unchecked": true`) || strings.Contains(out, `"status": "verified"`) {
		t.Errorf("-o json: exit %d\n%.600s", code, out)
	}
	// With no kubeconfig at all, the same (kubectl's default server is refused).
	cmd := exec.Command(os.Args[0], "-test.run=^TestCLIMainProcess$", "--", "verify", "Group:dev-team", "-f", demo, "--request-timeout", "5s")
	cmd.Env = append(os.Environ(), "AUTH_PATHS_CLI_MAIN=1", "KUBECONFIG=/dev/null", "HOME="+t.TempDir())
	var stderr strings.Builder
	cmd.Stderr = &stderr
	err := cmd.Run()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() == ExitOK || ee.ExitCode() == ExitPartial {
		t.Errorf("KUBECONFIG=/dev/null: %v, want a failing exit status\n%s", err, stderr.String())
	}
}

// TestCRDsNoted: an input without CustomResourceDefinitions is noted (rule
// packs activate on some), not partial; one with a CRD, as the README's
// plain-kubectl recipe gives it, is not noted and keeps the CRD's name only
// through dump.
func TestCRDsNoted(t *testing.T) {
	demo := filepath.Join("..", "..", "testdata", "demo", "cluster.yaml")
	raw, err := os.ReadFile(demo)
	if err != nil {
		t.Fatal(err)
	}
	const crd = "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata: {name: workflows.argoproj.io}\n" +
		"spec:\n  group: argoproj.io\n  names: {kind: Workflow, plural: workflows}\n  scope: Namespaced\n" +
		"  versions: [{name: v1alpha1, served: true, storage: true, schema: {openAPIV3Schema: {type: object, description: SCHEMA-TEXT}}}]\n"
	withCRD := filepath.Join(t.TempDir(), "with-crd.yaml")
	if err := os.WriteFile(withCRD, append(append(raw, "\n---\n"...), crd...), 0o600); err != nil {
		t.Fatal(err)
	}
	runCLICases(t, []cliCase{
		{name: "no CRD: noted", args: []string{"-f", demo}, code: ExitOK, stderr: []string{"resourcequotas, customresourcedefinitions: steps through them are not evaluated"}},
		{name: "a CRD: not noted", args: []string{"-f", withCRD}, code: ExitOK, stdout: []string{"6 by escalation"}},
		{name: "allowed", args: []string{"-f", demo, "--allow-incomplete", "customresourcedefinitions"}, code: ExitOK},
	})
	_, errOut, _ := runCLIProcess(t, "", "-f", withCRD)
	if strings.Contains(errOut, "customresourcedefinitions") {
		t.Errorf("noted although the input has a CRD:\n%s", errOut)
	}
	out, _, code := runCLIProcess(t, "", "dump", "-f", withCRD)
	if code != ExitOK || !strings.Contains(out, "kind: CustomResourceDefinition\n  metadata:\n    name: workflows.argoproj.io\n") || strings.Contains(out, "SCHEMA-TEXT") {
		t.Errorf("dump of the CRD: exit %d\n%s", code, out)
	}
}
