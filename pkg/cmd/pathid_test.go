package cmd

import (
	"encoding/json"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"sigs.k8s.io/yaml"
)

// TestStaleIDs: a baseline and accept entries with IDs of the previous
// scheme are reported once each on standard error, in every format, with
// what to do; they are not silently counted gone.
func TestStaleIDs(t *testing.T) {
	accept := filepath.Join(t.TempDir(), "accept.yaml")
	// 6b1df830b11c and 0ef54ab24afb are alice's and prometheus's paths in scheme 1.
	if err := os.WriteFile(accept, []byte("- {pathID: 6b1df830b11c, reason: r, owner: o, expires: 2099-01-01}\n- {pathID: 0ef54ab24afb, reason: r, owner: o, expires: 2099-01-01}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cluster := rv("cluster.yaml")
	for _, format := range []string{"table", "json", "sarif"} {
		t.Run(format, func(t *testing.T) {
			out, errOut, code := runCLIProcess(t, "", "scan", "-f", cluster, "-o", format,
				"--baseline", rv("baseline-scheme1.json"), "--accept", accept, "--fail-on", "new")
			if code != ExitGate {
				t.Fatalf("exit %d, want %d (every path is new against an old-scheme baseline)\n%s", code, ExitGate, errOut)
			}
			for _, want := range []string{
				"note: baseline " + rv("baseline-scheme1.json") + " has path IDs of scheme 1, this version writes scheme 2: its 8 paths match no current path by ID",
				"write a new baseline with `kubectl auth-paths scan -o json > ",
				"note: 2 accepted path ID(s) of " + accept + " match no current path",
				"gate --fail-on new failed: 8 new path(s) not accepted",
			} {
				if strings.Count(errOut, want) != 1 {
					t.Errorf("stderr has %d times %q:\n%s", strings.Count(errOut, want), want, errOut)
				}
			}
			if format == "json" && !strings.Contains(out, `"pathIDVersion": 2`) {
				t.Errorf("no pathIDVersion in the JSON:\n%s", out[:200])
			}
		})
	}
	// A baseline of this scheme: no note.
	_, errOut, code := runCLIProcess(t, "", "scan", "-f", cluster, "--baseline", rv("scan-new.json"), "--fail-on", "new")
	if code != ExitOK || strings.Contains(errOut, "note: baseline") {
		t.Errorf("current baseline: exit %d, stderr:\n%s", code, errOut)
	}
}

// TestPathIDsThroughTheBinary: on the demo, the review fixture and, when
// the shared corpus is checked out beside the repository, the Argo CD and
// cert-manager installers (whose distinct paths once shared IDs), no ID
// printed by scan or from names two distinct paths, and the same objects in
// reverse order from another file name give the same IDs.
func TestPathIDsThroughTheBinary(t *testing.T) {
	inputs := []string{filepath.Join("..", "..", "testdata", "demo", "cluster.yaml"), rv("cluster.yaml")}
	for _, name := range []string{"argo-cd.yaml", "cert-manager.yaml"} {
		if p := filepath.Join("..", "..", "..", "shared", "corpus", "real", name); fileExists(p) {
			inputs = append(inputs, p)
		}
	}
	for _, in := range inputs {
		t.Run(filepath.Base(filepath.Dir(in))+"/"+filepath.Base(in), func(t *testing.T) {
			ids := printedPathIDs(t, in)
			if len(ids) < 5 {
				t.Fatalf("only %d paths: %v", len(ids), ids)
			}
			if again := printedPathIDs(t, reversedCopy(t, in)); !maps.Equal(ids, again) {
				t.Errorf("IDs change with the order of the objects and the file name:\n%v\n%v", ids, again)
			}
		})
	}
}

type printedPath struct {
	ID      string `json:"id"`
	Subject struct {
		Kind, Name, Namespace string
	} `json:"subject"`
	Steps json.RawMessage `json:"steps"`
}

// printedPathIDs runs scan --expand-groups and from (up to 20 paths) for
// every subject scan lists, and maps every ID printed to its path's subject
// and steps, failing when one ID is printed for two distinct paths.
func printedPathIDs(t *testing.T, file string) map[string]string {
	t.Helper()
	run := func(args ...string) []printedPath {
		t.Helper()
		out, errOut, code := runCLIProcess(t, "", append(args, "-f", file, "--allow-incomplete", "all", "-o", "json")...)
		if code != ExitOK {
			t.Fatalf("%v: exit %d: %s", args, code, errOut)
		}
		var doc struct{ Paths []printedPath }
		if err := json.Unmarshal([]byte(out), &doc); err != nil {
			t.Fatal(err)
		}
		return doc.Paths
	}
	ids := map[string]string{}
	add := func(output string, ps []printedPath) {
		for _, p := range ps {
			key := p.Subject.Kind + ":" + p.Subject.Namespace + ":" + p.Subject.Name + " " + string(p.Steps)
			if prev, ok := ids[p.ID]; ok && prev != key {
				t.Errorf("%s: ID %s names two distinct paths:\n%s\n%s", output, p.ID, prev, key)
			}
			ids[p.ID] = key
		}
	}
	scan := run("scan", "--expand-groups")
	add("scan", scan)
	for _, p := range scan {
		s := p.Subject.Kind + ":" + p.Subject.Name
		if p.Subject.Namespace != "" {
			s = p.Subject.Kind + ":" + p.Subject.Namespace + ":" + p.Subject.Name
		}
		add("from "+s, run("from", s, "--max-paths", "20"))
	}
	return ids
}

// reversedCopy writes the objects of file (Lists expanded, documents split)
// in reverse order as one JSON List under another directory and name.
func reversedCopy(t *testing.T, file string) string {
	t.Helper()
	raw, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var items []json.RawMessage
	for _, doc := range strings.Split(string(raw), "\n---") {
		js, err := yaml.YAMLToJSON([]byte(doc))
		if err != nil {
			t.Fatal(err)
		}
		var h struct {
			Kind  string            `json:"kind"`
			Items []json.RawMessage `json:"items"`
		}
		if json.Unmarshal(js, &h) != nil || h.Kind == "" {
			continue
		}
		if h.Kind == "List" {
			items = append(items, h.Items...)
		} else {
			items = append(items, js)
		}
	}
	slices.Reverse(items)
	data, err := json.Marshal(map[string]any{"apiVersion": "v1", "kind": "List", "items": items})
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "elsewhere", "reversed.json")
	if err := os.MkdirAll(filepath.Dir(out), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(out, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return out
}

func fileExists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}
