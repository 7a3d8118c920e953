package risk_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"sigs.k8s.io/yaml"

	"github.com/auth-paths/kubectl-auth-paths/hack/gen/cluster"
	"github.com/auth-paths/kubectl-auth-paths/pkg/model"
	"github.com/auth-paths/kubectl-auth-paths/pkg/risk"
	"github.com/auth-paths/kubectl-auth-paths/pkg/rules"
	"github.com/auth-paths/kubectl-auth-paths/pkg/source"
)

// TestPathIDs is the property of path IDs over every testdata input that
// loads and a generated cluster: in every output (scan with groups expanded,
// and from with up to 5 paths for each identity that has one) no two
// distinct paths share an ID, and the same objects in another order, from
// another file, give the same IDs.
func TestPathIDs(t *testing.T) {
	var inputs []string
	err := filepath.WalkDir("../../testdata", func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(p, ".yaml") {
			inputs = append(inputs, p)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	// The shared corpus (real installers, KubeHound's fixtures) when it is
	// checked out next to the repository.
	for _, set := range []string{"real", "kubehound"} {
		files, _ := filepath.Glob(filepath.Join("..", "..", "..", "shared", "corpus", set, "*.yaml"))
		inputs = append(inputs, files...)
	}
	gen := filepath.Join(t.TempDir(), "generated.json")
	var buf bytes.Buffer
	if err := cluster.Write(&buf, 12, 7, "json"); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(gen, buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	inputs = append(inputs, gen)
	packs, err := rules.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	loaded := 0
	for _, in := range inputs {
		inv, err := source.LoadFiles(source.FileOptions{Filenames: []string{in}})
		if err != nil || inv.Count() == 0 {
			continue // not Kubernetes objects (scenario specs, bad inputs)
		}
		loaded++
		t.Run(strings.TrimPrefix(strings.TrimPrefix(in, "../../../"), "../../"), func(t *testing.T) {
			ids := pathIDsOf(t, inv, packs)
			shuffled := shuffledCopy(t, in, inv.ServerVersion)
			inv2, err := source.LoadFiles(source.FileOptions{Filenames: []string{shuffled}})
			if err != nil {
				t.Fatalf("shuffled copy: %v", err)
			}
			ids2 := pathIDsOf(t, inv2, packs)
			if a, b := strings.Join(ids, "\n"), strings.Join(ids2, "\n"); a != b {
				t.Errorf("IDs change when the documents are shuffled:\n%s\n--- shuffled:\n%s", a, b)
			}
		})
	}
	if loaded < 100 {
		t.Fatalf("only %d inputs loaded: the walk is wrong", loaded)
	}
}

// pathIDsOf returns "output ID" for every path of scan and from, sorted,
// after checking that no two distinct paths of one output share an ID.
func pathIDsOf(t *testing.T, inv *model.Inventory, packs []*rules.Pack) []string {
	t.Helper()
	a := risk.Analyze(inv, risk.Options{Extra: rules.Primitives(packs, inv)})
	var out []string
	check := func(output string, paths []risk.Path) {
		seen := map[string]string{}
		for _, p := range paths {
			b, err := json.Marshal(struct {
				S risk.SubjectRef
				T []risk.Step
			}{p.Subject, p.Steps})
			if err != nil {
				t.Fatal(err)
			}
			if prev, ok := seen[p.ID]; ok && prev != string(b) {
				t.Errorf("%s: two distinct paths share ID %s:\n%s\n%s", output, p.ID, prev, b)
			}
			seen[p.ID] = string(b)
			out = append(out, output+" "+p.ID)
		}
	}
	scan := a.Scan(true)
	check("scan", scan.Paths)
	for _, p := range scan.Paths {
		n := a.Graph.Node(p.Subject.String())
		if n == nil {
			t.Fatalf("no node %s", p.Subject)
		}
		check("from "+p.Subject.String(), a.From(n, 5, -1))
	}
	sort.Strings(out)
	return out
}

// shuffledCopy writes the objects of a file, Lists expanded, as one JSON
// List in a random order in a file of another name and directory.
func shuffledCopy(t *testing.T, file, version string) string {
	t.Helper()
	raw, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var items []json.RawMessage
	for _, doc := range splitDocs(raw) {
		js, err := yaml.YAMLToJSON(doc)
		if err != nil {
			t.Fatal(err)
		}
		var h struct {
			Kind  string            `json:"kind"`
			Items []json.RawMessage `json:"items"`
		}
		if err := json.Unmarshal(js, &h); err != nil || h.Kind == "" {
			continue
		}
		if strings.HasSuffix(h.Kind, "List") && h.Items != nil {
			items = append(items, h.Items...)
			continue
		}
		items = append(items, js)
	}
	r := rand.New(rand.NewPCG(uint64(len(items)), 42))
	r.Shuffle(len(items), func(i, j int) { items[i], items[j] = items[j], items[i] })
	list, err := json.Marshal(map[string]any{"apiVersion": "v1", "kind": "List", "items": items})
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if version != "" {
		b.WriteString(source.DumpVersionComment(version))
	}
	b.Write(list)
	out := filepath.Join(t.TempDir(), "elsewhere", fmt.Sprintf("copy-%d.yaml", len(items)))
	if err := os.MkdirAll(filepath.Dir(out), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(out, b.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	return out
}

func splitDocs(raw []byte) [][]byte {
	var docs [][]byte
	var cur bytes.Buffer
	for _, line := range bytes.SplitAfter(raw, []byte("\n")) {
		if bytes.HasPrefix(line, []byte("---")) && len(bytes.TrimSpace(line[3:])) == 0 {
			docs = append(docs, bytes.Clone(cur.Bytes()))
			cur.Reset()
			continue
		}
		cur.Write(line)
	}
	return append(docs, cur.Bytes())
}
