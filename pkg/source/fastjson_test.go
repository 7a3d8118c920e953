package source

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"sigs.k8s.io/yaml"

	"github.com/auth-paths/kubectl-auth-paths/hack/gen/cluster"
	"github.com/auth-paths/kubectl-auth-paths/pkg/model"
)

// exactDecode reads data with the exact decoder only.
func exactDecode(t testing.TB, file string, data []byte) (*model.Inventory, error) {
	t.Helper()
	d := newDecoder("ns")
	if _, err := d.decodeStream(file, bytes.NewReader(data)); err != nil {
		return nil, err
	}
	return d.finish(), nil
}

// fastDecode reads data with the fast path only.
func fastDecode(file string, data []byte) (*model.Inventory, error) {
	d := newDecoder("ns")
	if _, err := d.decodeJSONListFast(file, bytes.NewReader(data)); err != nil {
		return nil, err
	}
	return d.finish(), nil
}

// asJSONList turns every object of a YAML or JSON input into one kubectl-style List.
func asJSONList(t *testing.T, data []byte) []byte {
	t.Helper()
	var items []json.RawMessage
	for _, doc := range strings.Split(string(data), "\n---") {
		js, err := yaml.YAMLToJSON([]byte(doc))
		if err != nil || isNullJSON(js) {
			continue
		}
		var h struct {
			Kind  string            `json:"kind"`
			Items []json.RawMessage `json:"items"`
		}
		if json.Unmarshal(js, &h) == nil && strings.HasSuffix(h.Kind, "List") && h.Items != nil {
			items = append(items, h.Items...)
			continue
		}
		items = append(items, js)
	}
	// kubectl writes the List's kind after its items.
	out, err := json.Marshal(struct {
		APIVersion string            `json:"apiVersion"`
		Items      []json.RawMessage `json:"items"`
		Kind       string            `json:"kind"`
		Metadata   map[string]string `json:"metadata"`
	}{"v1", items, "List", map[string]string{"resourceVersion": ""}})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestFastPathMatchesExactDecoder: every testdata input, as a JSON List, gives
// the same inventory through both paths.
func TestFastPathMatchesExactDecoder(t *testing.T) {
	var files []string
	for _, pattern := range []string{"scenarios/*/input.yaml", "plugins/*/input.yaml", "demo/*.yaml", "input/good/*.yaml", "input/good/*.json"} {
		m, err := filepath.Glob(filepath.Join("..", "..", "testdata", pattern))
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, m...)
	}
	if len(files) < 100 {
		t.Fatalf("found only %d testdata inputs", len(files))
	}
	fast := 0
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		list := asJSONList(t, data)
		want, werr := exactDecode(t, "list.json", list)
		got, gerr := fastDecode("list.json", list)
		switch {
		case werr != nil && gerr == nil:
			t.Errorf("%s: the fast path accepted what the exact decoder refuses: %v", f, werr)
		case gerr == nil:
			fast++
			if !reflect.DeepEqual(got, want) {
				t.Errorf("%s: the fast path's inventory differs from the exact decoder's", f)
			}
		}
	}
	if fast < len(files)*9/10 {
		t.Errorf("the fast path took only %d of %d inputs", fast, len(files))
	}
}

// TestFastPathGeneratedCluster: the benchmark's input shape goes through the
// fast path with the exact decoder's result, from a file and from stdin.
func TestFastPathGeneratedCluster(t *testing.T) {
	data := cluster.Bytes(40)
	want, err := exactDecode(t, "gen.json", data)
	if err != nil {
		t.Fatal(err)
	}
	got, err := fastDecode("gen.json", data)
	if err != nil {
		t.Fatalf("fast path refused the generated cluster: %v", err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatal("fast path and exact decoder differ on the generated cluster")
	}
	if len(data) < fastPathMinBytes {
		t.Fatalf("generated input of %d bytes is below the fast path's threshold", len(data))
	}
	file := filepath.Join(t.TempDir(), "gen.json")
	if err := os.WriteFile(file, data, 0o600); err != nil {
		t.Fatal(err)
	}
	fromFile, err := LoadFiles(FileOptions{Filenames: []string{file}, DefaultNamespace: "ns"})
	if err != nil {
		t.Fatal(err)
	}
	for i := range fromFile.Pods {
		fromFile.Pods[i].Source.File = "gen.json"
	}
	if len(fromFile.Pods) != len(want.Pods) || !reflect.DeepEqual(fromFile.Pods, want.Pods) {
		t.Error("LoadFiles on a large file differs from the exact decoder")
	}
	fromStdin, err := LoadFiles(FileOptions{Filenames: []string{"-"}, Stdin: bytes.NewReader(data), DefaultNamespace: "ns"})
	if err != nil {
		t.Fatal(err)
	}
	if fromStdin.Count() != want.Count() {
		t.Errorf("stdin: %d objects, want %d", fromStdin.Count(), want.Count())
	}
}

// TestFastPathFallsBack: inputs the fast path does not take leave the decoder
// exactly as it was, and LoadFiles gives the exact decoder's result or error.
func TestFastPathFallsBack(t *testing.T) {
	big := cluster.Bytes(40)
	body := bytes.TrimSuffix(bytes.TrimSpace(big), []byte("}"))
	cases := map[string]struct {
		data    []byte
		wantErr string
	}{
		"second document": {data: append(append([]byte{}, big...), []byte(`{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"extra"}}`)...)},
		"YAML separator":  {data: append(append([]byte{}, big...), []byte("\n---\napiVersion: v1\nkind: Namespace\nmetadata: {name: extra}\n")...)},
		"truncated":       {data: big[:len(big)-100], wantErr: "invalid JSON"},
		// An earlier copy of an object, then an item the fast path leaves:
		// the copy's drop is rolled back with the rest.
		"duplicate item, then a second document": {data: append(bytes.Replace(big, []byte(`"items":[`), []byte(`"items":[{"kind":"Node","apiVersion":"v1","metadata":{"name":"node-0000"}},`), 1),
			[]byte(`{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"extra"}}`)...)},
		"bad item": {data: append(body, []byte(`,"items2":[{"kind":"Role","apiVersion":"rbac.authorization.k8s.io/v1","metadata":{"name":"r","namespace":"a"},"rules":"x"}]}`)...)},
		"control character in a string": {
			data:    bytes.Replace(big, []byte(`"name":`), []byte("\"na\x01me\":"), 1),
			wantErr: "invalid JSON",
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			pre := newDecoder("ns")
			if _, err := pre.decodeStream("pre.yaml", strings.NewReader("apiVersion: v1\nkind: Namespace\nmetadata: {name: before}\n")); err != nil {
				t.Fatal(err)
			}
			before := *pre.inv
			seen := len(pre.seen)
			_, _ = pre.decodeJSONListFast("x.json", bytes.NewReader(tc.data))
			if len(pre.inv.Namespaces) != len(before.Namespaces) || len(pre.inv.Pods) != 0 || len(pre.seen) != seen || len(pre.drops) != 0 {
				// Only a fully read List may change the decoder.
				if _, err := exactDecode(t, "x.json", tc.data); err != nil || name != "bad item" {
					t.Fatalf("fast path changed the decoder on input it did not take: %d namespaces, %d pods, %d seen", len(pre.inv.Namespaces), len(pre.inv.Pods), len(pre.seen))
				}
			}
			file := filepath.Join(t.TempDir(), "x.json")
			if err := os.WriteFile(file, tc.data, 0o600); err != nil {
				t.Fatal(err)
			}
			got, gerr := LoadFiles(FileOptions{Filenames: []string{file}, DefaultNamespace: "ns"})
			want, werr := exactDecode(t, file, tc.data)
			if (gerr == nil) != (werr == nil) || (gerr != nil && gerr.Error() != werr.Error()) {
				t.Fatalf("LoadFiles error %v, exact decoder %v", gerr, werr)
			}
			if tc.wantErr != "" && (gerr == nil || !strings.Contains(gerr.Error(), tc.wantErr)) {
				t.Fatalf("error %v, want one containing %q", gerr, tc.wantErr)
			}
			if gerr == nil && got.Count() != want.Count() {
				t.Fatalf("LoadFiles read %d objects, the exact decoder %d", got.Count(), want.Count())
			}
		})
	}
}

// FuzzFastPath: whatever the fast path accepts, the exact decoder reads the
// same way; whatever it refuses leaves the decoder untouched.
func FuzzFastPath(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add([]byte(s))
	}
	f.Add([]byte(`{"apiVersion":"v1","kind":"List","items":[{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p","namespace":"a"},"spec":{"nodeName":"n","hostPID":true}}]}`))
	f.Add([]byte(`{"items":[{"apiVersion":"rbac.authorization.k8s.io/v1","kind":"ClusterRole","metadata":{"name":"x"},"rules":[{"verbs":["*"],"apiGroups":["*"],"resources":["*"]}]}],"kind":"List","apiVersion":"v1"}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		d := newDecoder("ns")
		_, err := d.decodeJSONListFast("f.json", bytes.NewReader(data))
		if err != nil {
			if d.inv.Count() != 0 || len(d.seen) != 0 || len(d.drops) != 0 || len(d.inv.Skipped) != 0 || len(d.inv.Others) != 0 || len(d.inv.Warnings) != 0 {
				t.Fatalf("refused input left state behind: %d objects", d.inv.Count())
			}
			return
		}
		want, werr := exactDecode(t, "f.json", data)
		if werr != nil {
			t.Fatalf("fast path accepted what the exact decoder refuses: %v", werr)
		}
		if got := d.finish(); !reflect.DeepEqual(got, want) {
			t.Fatal("fast path and exact decoder differ")
		}
	})
}

// TestFastPathLeavesOddListsToTheExactDecoder: spellings that encoding/json
// reads differently from a byte-exact reader go to the exact decoder.
func TestFastPathLeavesOddListsToTheExactDecoder(t *testing.T) {
	item := `{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"a"}}`
	for name, in := range map[string]string{
		"Kind after kind":       `{"items":[` + item + `],"kind":"List","Kind":"NamespaceList","apiVersion":"v1"}`,
		"Items":                 `{"Items":[` + item + `],"kind":"List","apiVersion":"v1"}`,
		"invalid UTF-8 in item": `{"items":[{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"a\x80"}}],"kind":"List","apiVersion":"v1"}`,
		"invalid UTF-8 in kind": `{"items":[` + item + `],"kind":"List\x80","apiVersion":"v1"}`,
	} {
		if _, err := fastDecode("x.json", []byte(in)); err == nil {
			t.Errorf("%s: the fast path took it", name)
		}
	}
	if _, err := fastDecode("x.json", []byte(`{"items":[`+item+`],"kind":"List","apiVersion":"v1","metadata":{}}`)); err != nil {
		t.Errorf("plain List refused: %v", err)
	}
}
