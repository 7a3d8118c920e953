package cmd

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"

	"k8s.io/cli-runtime/pkg/genericiooptions"
	"sigs.k8s.io/yaml"
)

// whoCanFixture is the RBAC every who-can test reads.
var whoCanFixture = filepath.Join("..", "..", "testdata", "input", "whocan.yaml")

// kubeconfigWithNamespace's current context has namespace from-kubeconfig and
// a server that does not answer: offline tests never reach a cluster.
const kubeconfigWithNamespace = `apiVersion: v1
kind: Config
clusters:
- name: c
  cluster: {server: "https://127.0.0.1:1"}
users:
- name: u
  user: {token: t}
contexts:
- name: ctx
  context: {cluster: c, user: u, namespace: from-kubeconfig}
current-context: ctx
`

func useTestKubeconfig(t *testing.T) {
	t.Helper()
	p := filepath.Join(t.TempDir(), "kubeconfig")
	if err := os.WriteFile(p, []byte(kubeconfigWithNamespace), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("KUBECONFIG", p)
}

// runCLI runs the root command in process with test streams.
func runCLI(t *testing.T, stdin string, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	streams, in, out, errOut := genericiooptions.NewTestIOStreams()
	in.WriteString(stdin)
	root := NewCmdAuthPaths(streams)
	root.SetArgs(withDeclaredGaps(args))
	err = root.ExecuteContext(context.Background())
	return out.String(), errOut.String(), err
}

func whoCanJSON(t *testing.T, args ...string) WhoCanResult {
	t.Helper()
	out, stderr, err := runCLI(t, "", append([]string{"who-can", "-f", whoCanFixture, "-o", "json"}, args...)...)
	if err != nil {
		t.Fatalf("who-can %v: %v\n%s", args, err, stderr)
	}
	var res WhoCanResult
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatalf("who-can %v: output is not JSON: %v\n%s", args, err, out)
	}
	return res
}

func subjectIDs(res WhoCanResult) []string {
	var out []string
	for _, s := range res.Subjects {
		id := s.Kind + ":" + s.Name
		if s.Namespace != "" {
			id = s.Kind + ":" + s.Namespace + ":" + s.Name
		}
		out = append(out, id)
	}
	return out
}

func TestWhoCanRequests(t *testing.T) {
	useTestKubeconfig(t)
	cases := []struct {
		name      string
		args      []string
		namespace string
		subjects  []string
	}{
		{"namespace from -n", []string{"get", "pods", "-n", "dev"}, "dev",
			[]string{"Group:admins", "Group:system:masters", "ServiceAccount:dev:app", "User:alice"}},
		{"namespace from the kubeconfig", []string{"get", "pods"}, "from-kubeconfig",
			[]string{"Group:admins", "Group:system:masters"}},
		{"-A asks cluster-wide", []string{"list", "pods", "-A"}, "",
			[]string{"Group:admins", "Group:system:masters"}},
		{"subresource", []string{"get", "pods/log", "-n", "dev"}, "dev",
			[]string{"Group:admins", "Group:system:masters", "ServiceAccount:dev:app", "User:alice"}},
		{"subresource not granted", []string{"create", "pods/exec", "-n", "dev"}, "dev",
			[]string{"Group:admins", "Group:system:masters"}},
		{"resource name granted", []string{"get", "secrets", "db", "-n", "prod"}, "prod",
			[]string{"Group:admins", "Group:system:masters", "ServiceAccount:prod:api"}},
		{"other resource name", []string{"get", "secrets", "other", "-n", "prod"}, "prod",
			[]string{"Group:admins", "Group:system:masters"}},
		{"list never matches resourceNames", []string{"list", "secrets", "-n", "prod"}, "prod",
			[]string{"Group:admins", "Group:system:masters"}},
		{"namespaces NAME is evaluated in NAME", []string{"patch", "namespaces", "team-a"}, "team-a",
			[]string{"Group:admins", "Group:system:masters", "Group:team-a"}},
		{"namespaces NAME with the same -n", []string{"patch", "ns", "team-a", "-n", "team-a"}, "team-a",
			[]string{"Group:admins", "Group:system:masters", "Group:team-a"}},
		{"other namespace object", []string{"patch", "namespaces", "team-b"}, "team-b",
			[]string{"Group:admins", "Group:system:masters"}},
		{"cluster-scoped resource ignores -n", []string{"get", "nodes", "-n", "dev"}, "",
			[]string{"Group:admins", "Group:system:masters"}},
		{"non-resource URL", []string{"get", "/metrics"}, "",
			[]string{"Group:admins", "Group:system:masters", "User:prometheus"}},
		{"non-resource URL prefix", []string{"get", "/debug/pprof/heap"}, "",
			[]string{"Group:admins", "Group:system:masters", "User:prometheus"}},
		{"non-resource URL ignores RoleBindings and -n", []string{"get", "/metrics", "-n", "dev"}, "",
			[]string{"Group:admins", "Group:system:masters", "User:prometheus"}},
		{"grouped resource", []string{"update", "deployments.apps/scale", "web", "-n", "dev"}, "dev",
			[]string{"Group:admins", "Group:system:masters"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res := whoCanJSON(t, tc.args...)
			if res.Request.Namespace != tc.namespace {
				t.Errorf("request namespace = %q, want %q", res.Request.Namespace, tc.namespace)
			}
			if got := subjectIDs(res); !reflect.DeepEqual(got, tc.subjects) {
				t.Errorf("subjects = %q, want %q", got, tc.subjects)
			}
		})
	}
}

func TestWhoCanJSONShape(t *testing.T) {
	useTestKubeconfig(t)
	out, _, err := runCLI(t, "", "who-can", "get", "pods", "-n", "dev", "-f", whoCanFixture, "-o", "json")
	if err != nil {
		t.Fatal(err)
	}
	var generic map[string]any
	if err := json.Unmarshal([]byte(out), &generic); err != nil {
		t.Fatal(err)
	}
	if keys := sortedKeys(generic); !reflect.DeepEqual(keys, []string{"request", "subjects"}) {
		t.Errorf("top-level keys = %v", keys)
	}
	req := generic["request"].(map[string]any)
	if !reflect.DeepEqual(req, map[string]any{"verb": "get", "resource": "pods", "namespace": "dev"}) {
		t.Errorf("request = %v", req)
	}
	for _, s := range generic["subjects"].([]any) {
		m := s.(map[string]any)
		want := []string{"grantedBy", "kind", "name"}
		if m["kind"] == "ServiceAccount" {
			want = []string{"grantedBy", "kind", "name", "namespace"}
		}
		if keys := sortedKeys(m); !reflect.DeepEqual(keys, want) {
			t.Errorf("subject %v keys = %v, want %v", m, keys, want)
		}
		if g, ok := m["grantedBy"].([]any); !ok || len(g) == 0 {
			t.Errorf("subject %v: grantedBy = %v", m, m["grantedBy"])
		}
	}
	want := `{
  "request": {
    "verb": "get",
    "resource": "pods",
    "namespace": "dev"
  },
  "subjects": [
    {
      "kind": "Group",
      "name": "admins",
      "grantedBy": [
        "ClusterRoleBinding \"admins\" of ClusterRole \"cluster-admin\" rules[0] to Group \"admins\""
      ]
    },
    {
      "kind": "Group",
      "name": "system:masters",
      "grantedBy": [
        "Group \"system:masters\" is the superuser group: it bypasses RBAC authorization"
      ]
    },
    {
      "kind": "ServiceAccount",
      "name": "app",
      "namespace": "dev",
      "grantedBy": [
        "RoleBinding \"dev/dev-readers\" of ClusterRole \"pod-reader\" rules[0] to ServiceAccount \"dev/app\""
      ]
    },
    {
      "kind": "User",
      "name": "alice",
      "grantedBy": [
        "RoleBinding \"dev/dev-readers\" of ClusterRole \"pod-reader\" rules[0] to User \"alice\""
      ]
    }
  ]
}
`
	if out != want {
		t.Errorf("-o json =\n%s\nwant\n%s", out, want)
	}
	// Non-resource requests: path, no resource fields, no namespace.
	res := whoCanJSON(t, "get", "/metrics")
	b, _ := json.Marshal(res.Request)
	if string(b) != `{"verb":"get","path":"/metrics"}` {
		t.Errorf("non-resource request = %s", b)
	}
	// Nobody but system:masters: subjects is still a list.
	noGrants := filepath.Join(t.TempDir(), "role.yaml")
	if err := os.WriteFile(noGrants, []byte("apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: {name: unbound}\nrules: [{apiGroups: [\"\"], resources: [pods], verbs: [get]}]\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	out, _, err = runCLI(t, "", "who-can", "impersonate", "users", "-A", "-f", noGrants, "-o", "json")
	if err != nil || !strings.Contains(out, `"subjects": [`) || strings.Contains(out, "null") {
		t.Errorf("no grants: %v\n%s", err, out)
	}
}

func sortedKeys(m map[string]any) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func TestWhoCanYAML(t *testing.T) {
	useTestKubeconfig(t)
	jsonOut, _, err := runCLI(t, "", "who-can", "get", "secrets", "db", "-n", "prod", "-f", whoCanFixture, "-o", "json")
	if err != nil {
		t.Fatal(err)
	}
	yamlOut, _, err := runCLI(t, "", "who-can", "get", "secrets", "db", "-n", "prod", "-f", whoCanFixture, "-o", "yaml")
	if err != nil {
		t.Fatal(err)
	}
	if strings.HasPrefix(strings.TrimSpace(yamlOut), "{") || !strings.Contains(yamlOut, "subjects:\n") {
		t.Errorf("-o yaml is not YAML:\n%s", yamlOut)
	}
	var fromJSON, fromYAML WhoCanResult
	if err := json.Unmarshal([]byte(jsonOut), &fromJSON); err != nil {
		t.Fatal(err)
	}
	if err := yaml.Unmarshal([]byte(yamlOut), &fromYAML); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(fromJSON, fromYAML) {
		t.Errorf("yaml and json differ:\n%+v\n%+v", fromJSON, fromYAML)
	}
}

func TestWhoCanTable(t *testing.T) {
	useTestKubeconfig(t)
	out, stderr, err := runCLI(t, "", "who-can", "get", "pods", "-n", "dev", "-f", whoCanFixture)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimRight(out, "\n"), "\n")
	if len(lines) < 2 || lines[0] != "Who can get pods, evaluated in namespace dev (-n):" || lines[1] != "" {
		t.Fatalf("the table does not start by saying where the request was evaluated:\n%s", out)
	}
	lines = lines[2:]
	if len(lines) != 5 {
		t.Fatalf("table has %d lines, want header + 4:\n%s", len(lines), out)
	}
	if f := strings.Fields(lines[0]); !reflect.DeepEqual(f, []string{"KIND", "NAMESPACE", "NAME", "GRANTED", "BY"}) {
		t.Errorf("header = %q", lines[0])
	}
	col := strings.Index(lines[0], "GRANTED BY")
	for _, l := range lines[1:] {
		if len(l) <= col || l[col-1] != ' ' {
			t.Errorf("column not aligned: %q", l)
		}
	}
	for _, want := range []string{
		`ServiceAccount  dev        app             RoleBinding "dev/dev-readers" of ClusterRole "pod-reader" rules[0] to ServiceAccount "dev/app"`,
		`User                       alice           RoleBinding "dev/dev-readers"`,
		`Group                      system:masters  Group "system:masters" is the superuser group`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("table lacks %q:\n%s", want, out)
		}
	}
	// One warning (the dangling binding), summarized without -v, listed with -v.
	if !strings.Contains(stderr, "note: 1 input warning(s)") {
		t.Errorf("stderr = %q", stderr)
	}
	_, stderr, err = runCLI(t, "", "who-can", "get", "pods", "-n", "dev", "-f", whoCanFixture, "-v")
	if err != nil || !strings.Contains(stderr, `warning: RoleBinding "dev/dangling" references Role "gone" in namespace dev, which does not exist`) || !strings.Contains(stderr, "read 12 objects") {
		t.Errorf("-v stderr = %q (%v)", stderr, err)
	}
}

func TestWhoCanSeveralGrantsPerSubject(t *testing.T) {
	useTestKubeconfig(t)
	out, _, err := runCLI(t, "", "who-can", "get", "/metrics", "-f", whoCanFixture)
	if err != nil {
		t.Fatal(err)
	}
	// cluster-admin grants URLs through its rules[1] only.
	if !strings.Contains(out, `ClusterRoleBinding "admins" of ClusterRole "cluster-admin" rules[1] to Group "admins"`) {
		t.Errorf("table:\n%s", out)
	}
	if strings.Contains(out, "not-prometheus") {
		t.Errorf("a RoleBinding granted a non-resource URL:\n%s", out)
	}
}

func TestWhoCanFromStdin(t *testing.T) {
	useTestKubeconfig(t)
	data, err := os.ReadFile(whoCanFixture)
	if err != nil {
		t.Fatal(err)
	}
	out, _, err := runCLI(t, string(data), "who-can", "get", "pods", "-n", "dev", "-f", "-", "-o", "json")
	if err != nil || !strings.Contains(out, `"name": "alice"`) {
		t.Errorf("stdin: %v\n%s", err, out)
	}
}

func TestWhoCanUsageErrors(t *testing.T) {
	useTestKubeconfig(t)
	cases := []struct {
		name string
		args []string
		want string
	}{
		{"bad -o", []string{"get", "pods", "-o", "xml"}, `unsupported output format "xml": want one of table, json, yaml`},
		{"-A with -n", []string{"get", "pods", "-A", "-n", "dev"}, "-A and -n are mutually exclusive"},
		{"namespaces NAME with another -n", []string{"patch", "namespaces", "team-a", "-n", "dev"}, `requests on namespaces/team-a are evaluated in namespace "team-a", not "dev": drop -n`},
		{"non-resource URL with a name", []string{"get", "/metrics", "x"}, `a non-resource URL takes no NAME (got "x")`},
		{"bad resource", []string{"get", "pods/"}, "invalid subresource"},
		{"empty resource", []string{"get", "/exec"}, ""},
		{"too few arguments", []string{"get"}, "accepts between 2 and 3 arg(s), received 1"},
		{"too many arguments", []string{"get", "pods", "a", "b"}, "accepts between 2 and 3 arg(s), received 4"},
		{"empty verb", []string{"", "pods"}, "VERB must not be empty"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			out, _, err := runCLI(t, "", append([]string{"who-can", "-f", whoCanFixture}, tc.args...)...)
			if tc.want == "" {
				return // only: no panic
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %v, want %q", err, tc.want)
			}
			if out != "" {
				t.Errorf("printed a result on error:\n%s", out)
			}
		})
	}
}
