package source

import (
	"os"
	"path/filepath"
	"slices"
	"testing"

	"sigs.k8s.io/yaml"
)

func TestYAMLItemLines(t *testing.T) {
	tests := []struct {
		name string
		doc  string
		want []int
	}{
		{"compact", "apiVersion: v1\nkind: List\nitems:\n- kind: A\n  spec:\n  - x\n  - y\n- kind: B\nmetadata: {}\n", []int{4, 8}},
		{"indented", "apiVersion: v1\nitems:\n  - kind: A\n    list:\n    - 1\n  # a comment\n  - kind: B\nkind: List\n", []int{3, 7}},
		{"block scalar", "items:\n- kind: A\n  script: |\n    - not an item\n    echo\n- kind: B\n", []int{2, 6}},
		{"flow item", "items:\n- {kind: A}\n-\n  kind: B\n", []int{2, 3}},
		{"no items", "kind: Pod\nmetadata:\n  name: x\n", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := yamlItemLines([]byte(tt.doc), 1)
			if !slices.Equal(got, tt.want) {
				t.Errorf("yamlItemLines = %v, want %v", got, tt.want)
			}
			if got == nil {
				return
			}
			// As many lines as the YAML has items.
			var l struct{ Items []any }
			if err := yaml.Unmarshal([]byte(tt.doc), &l); err != nil || len(l.Items) != len(got) {
				t.Errorf("%d items, %d lines (%v)", len(l.Items), len(got), err)
			}
		})
	}
}

func TestJSONItemLines(t *testing.T) {
	tests := []struct {
		name  string
		doc   string
		first int
		want  []int
	}{
		{"indented", "{\n  \"apiVersion\": \"v1\",\n  \"items\": [\n    {\n      \"kind\": \"A\"\n    },\n    {\"kind\": \"B\", \"x\": [1,\n 2]},\n    {}\n  ],\n  \"kind\": \"List\"\n}", 1, []int{4, 7, 9}},
		{"one line", `{"kind":"List","items":[{"kind":"A"},{"kind":"B"}]}`, 5, []int{5, 5}},
		{"items after other keys with arrays", "{\"metadata\": {\"a\": [1]},\n\"items\": [\n{}]}", 3, []int{5}},
		{"no items", `{"kind":"Pod"}`, 1, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := jsonItemLines([]byte(tt.doc), tt.first); !slices.Equal(got, tt.want) {
				t.Errorf("jsonItemLines = %v, want %v", got, tt.want)
			}
		})
	}
}

// TestListItemSources: each item of a List, YAML or JSON (as kubectl get and
// dump write them), has its own line, where its text starts.
func TestListItemSources(t *testing.T) {
	dir := t.TempDir()
	files := map[string]string{
		"list.yaml": "# a dump\napiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: Namespace\n  metadata: {name: a}\n- apiVersion: v1\n  kind: Namespace\n  metadata:\n    name: b\n---\napiVersion: v1\nkind: Namespace\nmetadata: {name: c}\n",
		"list.json": "{\n \"apiVersion\": \"v1\",\n \"kind\": \"List\",\n \"items\": [\n  {\"apiVersion\": \"v1\", \"kind\": \"Namespace\", \"metadata\": {\"name\": \"a\"}},\n\n  {\"apiVersion\": \"v1\", \"kind\": \"Namespace\",\n   \"metadata\": {\"name\": \"b\"}}\n ]\n}\n",
	}
	want := map[string]map[string]int{
		"list.yaml": {"a": 5, "b": 8, "c": 13},
		"list.json": {"a": 5, "b": 7},
	}
	for name, data := range files {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(data), 0o600); err != nil {
			t.Fatal(err)
		}
		inv, err := LoadFiles(FileOptions{Filenames: []string{p}})
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]int{}
		for _, ns := range inv.Namespaces {
			got[ns.Name] = ns.Source.Line
		}
		for ns, line := range want[name] {
			if got[ns] != line {
				t.Errorf("%s: Namespace %s at line %d, want %d", name, ns, got[ns], line)
			}
		}
	}
}
