package source

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestBadInputFailsWithOneClearError: each bad input gives one error, on one
// line, that names the file, the document (and item) and what is wrong.
func TestBadInputFailsWithOneClearError(t *testing.T) {
	cases := []struct {
		name  string
		files []string
		opts  func(*FileOptions)
		want  []string
	}{
		{"truncated YAML", []string{in("bad", "truncated.yaml")}, nil,
			[]string{in("bad", "truncated.yaml") + ": document 2 (line 6): invalid YAML: line 10: found unexpected end of stream"}},
		{"invalid JSON", []string{in("bad", "invalid.json")}, nil,
			[]string{in("bad", "invalid.json") + ": document 2 (line 2): invalid JSON: line 4, column 28: invalid character '}'"}},
		{"truncated JSON", []string{in("bad", "truncated.json")}, nil,
			[]string{in("bad", "truncated.json") + ": document 2 (line 2): invalid JSON: unexpected end of input at line 2: the document is truncated"}},
		{"List with one bad item", []string{in("bad", "list-bad-item.yaml")}, nil,
			[]string{in("bad", "list-bad-item.yaml") + ": document 1: items[1] (line 8): ClusterRole \"bad-rules\": field rules: got JSON string, want a list"}},
		{"unknown apiVersion of ClusterRole", []string{in("bad", "rbac-v9.yaml")}, nil,
			[]string{in("bad", "rbac-v9.yaml") + `: document 1 (line 1): ClusterRole "future": unsupported apiVersion "rbac.authorization.k8s.io/v9" (want rbac.authorization.k8s.io/v1 or rbac.authorization.k8s.io/v1beta1)`}},
		{"apps/v1beta2 Deployment", []string{in("bad", "deployment-v1beta2.yaml")}, nil,
			[]string{in("bad", "deployment-v1beta2.yaml") + `: document 2 (line 6): Deployment "old": unsupported apiVersion "apps/v1beta2" (want apps/v1)`}},
		{"binary garbage", []string{in("bad", "garbage.bin")}, nil,
			[]string{in("bad", "garbage.bin") + ": document 1 (line 1): binary data: not YAML or JSON"}},
		{"empty file", []string{in("bad", "empty.yaml")}, nil,
			[]string{in("bad", "empty.yaml") + ": no Kubernetes objects found"}},
		{"only comments", []string{in("bad", "comments.yaml")}, nil,
			[]string{in("bad", "comments.yaml") + ": no Kubernetes objects found (empty file or only comments)"}},
		{"missing file", []string{in("bad", "does-not-exist.yaml")}, nil,
			[]string{in("bad", "does-not-exist.yaml") + ": no such file or directory"}},
		{"directory without manifests", []string{in("bad", "no-manifests")}, nil,
			[]string{in("bad", "no-manifests") + ": directory contains no .yaml, .yml or .json files (use -R to read subdirectories)"}},
		{"directory without manifests, recursive", []string{in("bad", "no-manifests")}, func(o *FileOptions) { o.Recursive = true },
			[]string{in("bad", "no-manifests") + ": directory contains no .yaml, .yml or .json files"}},
		{"bad roleRef.kind", []string{in("bad", "bad-roleref.yaml")}, nil,
			[]string{in("bad", "bad-roleref.yaml") + `: document 1 (line 1): RoleBinding "dev/weird": roleRef.kind "Group": want Role or ClusterRole`}},
		{"YAML scalar document", []string{in("bad", "scalar.yaml")}, nil,
			[]string{in("bad", "scalar.yaml") + ": document 2 (line 6): not a Kubernetes object: got a string, want a mapping with apiVersion and kind"}},
		{"YAML list document", []string{in("bad", "list-doc.yaml")}, nil,
			[]string{in("bad", "list-doc.yaml") + ": document 1 (line 1): not a Kubernetes object: got a list, want a mapping with apiVersion and kind"}},
		{"first bad file stops the load", []string{in("good", "multi.yaml"), in("bad", "rbac-v9.yaml"), in("bad", "garbage.bin")}, nil,
			[]string{in("bad", "rbac-v9.yaml") + ": document 1"}},
		{"no input", nil, nil, []string{"no input: give -f FILE"}},
		{"URL", []string{"https://example.com/x.yaml"}, nil, []string{"https://example.com/x.yaml: URLs are not read"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			opts := FileOptions{Filenames: tc.files}
			if tc.opts != nil {
				tc.opts(&opts)
			}
			inv, err := LoadFiles(opts)
			if err == nil {
				t.Fatalf("no error; inventory %+v", inv)
			}
			msg := err.Error()
			if strings.Contains(msg, "\n") {
				t.Errorf("error spans lines: %q", msg)
			}
			for _, w := range tc.want {
				if !strings.Contains(msg, w) {
					t.Errorf("error %q\ndoes not contain %q", msg, w)
				}
			}
			if len(tc.files) == 1 && !strings.HasPrefix(msg, tc.files[0]) && !strings.HasPrefix(msg, filepath.Dir(tc.files[0])) {
				t.Errorf("error does not start with the file: %q", msg)
			}
		})
	}
}

// TestObjectErrors covers problems inside well-formed documents.
func TestObjectErrors(t *testing.T) {
	cases := []struct{ name, doc, want string }{
		{"missing kind", "apiVersion: v1\nmetadata: {name: x}\n", "document 1 (line 1): missing kind"},
		{"missing apiVersion", "kind: ServiceAccount\nmetadata: {name: x}\n", "document 1 (line 1): ServiceAccount: missing apiVersion"},
		{"missing name", "apiVersion: v1\nkind: ServiceAccount\nmetadata: {namespace: x}\n", "ServiceAccount: missing metadata.name"},
		{"metadata not a mapping", "apiVersion: v1\nkind: ServiceAccount\nmetadata: x\n", "malformed object: field metadata: got JSON string, want an object"},
		{"name not a string", "apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: [a]}\n", "field metadata.name: got JSON array, want a string"},
		{"kind not a string", "apiVersion: v1\nkind: 7\n", "malformed object: field kind: got JSON number, want a string"},
		{"List item without kind", "apiVersion: v1\nkind: List\nitems:\n- metadata: {name: x}\n", "items[0] (line 4): missing kind"},
		{"List item scalar", "apiVersion: v1\nkind: List\nitems: [3]\n", "items[0] (line 1): malformed object"},
		{"extensions Deployment", "apiVersion: extensions/v1beta1\nkind: Deployment\nmetadata: {name: d}\n", `Deployment "d": unsupported apiVersion "extensions/v1beta1" (want apps/v1)`},
		{"batch/v1beta1 CronJob", "apiVersion: batch/v1beta1\nkind: CronJob\nmetadata: {name: c}\n", `CronJob "c": unsupported apiVersion "batch/v1beta1" (want batch/v1)`},
		{"v2 ServiceAccount", "apiVersion: v2\nkind: ServiceAccount\nmetadata: {name: s}\n", `ServiceAccount "s": unsupported apiVersion "v2" (want v1)`},
		{"roleRef without name", "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\nmetadata: {name: b}\nroleRef: {kind: ClusterRole}\n", `ClusterRoleBinding "b": roleRef.name is required`},
		{"ClusterRoleBinding to a Role", "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\nmetadata: {name: b}\nroleRef: {kind: Role, name: r}\n", "a ClusterRoleBinding can only reference a ClusterRole"},
		{"bad subject kind", "apiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata: {name: b, namespace: ns1}\nroleRef: {kind: Role, name: r}\nsubjects: [{kind: Robot, name: r2}]\n", `RoleBinding "ns1/b": subjects[0].kind "Robot": want User, Group or ServiceAccount`},
		{"subject without name", "apiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata: {name: b, namespace: ns1}\nroleRef: {kind: Role, name: r}\nsubjects: [{kind: User}]\n", "subjects[0].name is required"},
		{"ServiceAccount without namespace in a ClusterRoleBinding", "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\nmetadata: {name: b}\nroleRef: {kind: ClusterRole, name: r}\nsubjects: [{kind: ServiceAccount, name: s}]\n", `ClusterRoleBinding "b": subjects[0].namespace is required for a ServiceAccount in a ClusterRoleBinding`},
		{"rules not a list", "apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata: {name: r, namespace: ns1}\nrules: {verbs: [get]}\n", `Role "ns1/r": field rules: got JSON object, want a list`},
		{"verbs not strings", "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: {name: r}\nrules: [{verbs: [1]}]\n", `ClusterRole "r": field rules.verbs`},
		{"tab indentation", "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n\tname: a\n", "invalid YAML: "},
		{"YAML error line is the file's line", "apiVersion: v1\nkind: Namespace\nmetadata: {name: a}\n---\n# comment\napiVersion: v1\nkind: [\n", "document 2 (line 5): invalid YAML: line 7: "},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p := filepath.Join(t.TempDir(), "in.yaml")
			if err := os.WriteFile(p, []byte(tc.doc), 0o600); err != nil {
				t.Fatal(err)
			}
			_, err := LoadFiles(FileOptions{Filenames: []string{p}})
			if err == nil {
				t.Fatal("no error")
			}
			msg := err.Error()
			if !strings.HasPrefix(msg, p+": ") || strings.Contains(msg, "\n") || !strings.Contains(msg, tc.want) {
				t.Errorf("error %q\nwant one line starting with the file and containing %q", msg, tc.want)
			}
			for _, goType := range []string{"[]v1.", "model.", "struct {", "*json."} {
				if strings.Contains(msg, goType) {
					t.Errorf("error shows Go types: %q", msg)
				}
			}
		})
	}
}

func TestYAMLErrorLineIsTheFileLine(t *testing.T) {
	doc := "apiVersion: v1\nkind: Namespace\nmetadata: {name: a}\n---\napiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: b\n  labels: {a: b\n"
	_, err := loadString(t, "l.yaml", doc)
	if err == nil || !strings.Contains(err.Error(), "document 2 (line 5)") {
		t.Fatalf("err = %v", err)
	}
	// The parser reports a line inside the document; it must be shifted to the file's numbering.
	if strings.Contains(err.Error(), "line 4:") || strings.Contains(err.Error(), "line 5:") {
		t.Errorf("line not shifted: %v", err)
	}
}

func TestEncodingProblemsAreNamed(t *testing.T) {
	utf16 := []byte{0xFF, 0xFE}
	for _, r := range "apiVersion: v1\nkind: Namespace\n" {
		utf16 = append(utf16, byte(r), 0)
	}
	cases := []struct {
		name string
		data []byte
		want string
	}{
		{"UTF-16 with BOM", utf16, "document 1 (line 1): UTF-16 text: save the file as UTF-8"},
		{"Latin-1", []byte("apiVersion: v1\nkind: Namespace\nmetadata:\n  name: a # caf\xe9\n"), "document 1 (line 1): line 4 is not valid UTF-8"},
		{"Latin-1 in the second document", []byte("apiVersion: v1\nkind: Namespace\nmetadata: {name: a}\n---\n# a comment\nkind: Namespace # \xe9\n"), "document 2 (line 5): line 6 is not valid UTF-8"},
		{"NUL bytes", []byte("apiVersion: v1\x00\x00\n"), "document 1 (line 1): binary data: not YAML or JSON"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := loadString(t, "enc.yaml", string(tc.data))
			if err == nil || !strings.Contains(err.Error(), tc.want) || strings.Contains(err.Error(), "\n") {
				t.Errorf("err = %v, want %q", err, tc.want)
			}
		})
	}
}
