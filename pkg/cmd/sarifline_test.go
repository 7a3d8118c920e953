package cmd

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestSARIFLinesInLists: the demo and dump's own output are one List; each
// SARIF result's region, and each choke point's source line, is the line
// that opens its binding's item inside the List, in YAML and in JSON, not
// the List's first line.
func TestSARIFLinesInLists(t *testing.T) {
	demo := filepath.Join("..", "..", "testdata", "demo", "cluster.yaml")
	js, _, code := runCLIProcess(t, "", "dump", "-f", demo, "-o", "json")
	if code != ExitOK {
		t.Fatalf("dump: exit %d", code)
	}
	dumpJSON := filepath.Join(t.TempDir(), "dump.json")
	if err := os.WriteFile(dumpJSON, []byte(js), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{demo, dumpJSON} {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		lines := strings.Split(string(data), "\n")
		// opens checks that line starts the item of binding (Kind/[ns/]name):
		// an item opener, then the binding's kind and name before the next item.
		opens := func(what, binding string, line int) {
			t.Helper()
			if line <= 1 || line > len(lines) {
				t.Errorf("%s: %s: %s at line %d", f, what, binding, line)
				return
			}
			if text := strings.TrimSpace(lines[line-1]); !strings.HasPrefix(text, "- ") && text != "{" {
				t.Errorf("%s: %s: line %d (%q) does not open an item", f, what, line, text)
				return
			}
			parts := strings.Split(binding, "/")
			kind, name := parts[0], parts[len(parts)-1]
			var item []string
			for i := line; i <= len(lines) && i < line+12; i++ {
				if i > line && (strings.HasPrefix(strings.TrimSpace(lines[i-1]), "- ") || strings.TrimSpace(lines[i-1]) == "{") {
					break
				}
				item = append(item, lines[i-1])
			}
			text := strings.Join(item, "\n")
			if !strings.Contains(text, "kind: "+kind) && !strings.Contains(text, `"kind": "`+kind+`"`) ||
				!strings.Contains(text, "name: "+name) && !strings.Contains(text, `"name": "`+name+`"`) {
				t.Errorf("%s: %s: line %d opens another item than %s:\n%s", f, what, line, binding, text)
			}
		}

		out, errOut, code := runCLIProcess(t, "", "scan", "-f", f, "-o", "sarif")
		if code != ExitOK {
			t.Fatalf("%s: exit %d: %s", f, code, errOut)
		}
		var doc struct {
			Runs []struct {
				Results []struct {
					Locations []struct {
						PhysicalLocation struct {
							Region struct {
								StartLine int `json:"startLine"`
							} `json:"region"`
						} `json:"physicalLocation"`
						LogicalLocations []struct {
							FullyQualifiedName string `json:"fullyQualifiedName"`
						} `json:"logicalLocations"`
					} `json:"locations"`
				} `json:"results"`
			} `json:"runs"`
		}
		if err := json.Unmarshal([]byte(out), &doc); err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, r := range doc.Runs[0].Results {
			for _, l := range r.Locations {
				if len(l.LogicalLocations) == 0 {
					t.Errorf("%s: a SARIF location without its binding", f)
					continue
				}
				n++
				opens("SARIF", l.LogicalLocations[0].FullyQualifiedName, l.PhysicalLocation.Region.StartLine)
			}
		}
		if n < 5 {
			t.Errorf("%s: %d SARIF locations, want one per binding path (5)", f, n)
		}

		out, errOut, code = runCLIProcess(t, "", "chokepoints", "-f", f, "-o", "json")
		if code != ExitOK {
			t.Fatalf("%s: chokepoints: exit %d: %s", f, code, errOut)
		}
		var chokes struct {
			ChokePoints []struct {
				Binding string `json:"binding"`
				Source  struct {
					Line int `json:"line"`
				} `json:"source"`
			} `json:"chokePoints"`
		}
		if err := json.Unmarshal([]byte(out), &chokes); err != nil {
			t.Fatal(err)
		}
		if len(chokes.ChokePoints) < 5 {
			t.Errorf("%s: %d choke points, want 5", f, len(chokes.ChokePoints))
		}
		for _, c := range chokes.ChokePoints {
			opens("chokepoints", c.Binding, c.Source.Line)
		}
	}
	// The table names the line and the item.
	runCLICases(t, []cliCase{{name: "chokepoints table", args: []string{"chokepoints", "-f", demo},
		stdout: []string{"ClusterRoleBinding/ci-deployer  (" + demo + ":111 (item 19))", "RoleBinding/ci/dev-team-edit  (" + demo + ":139 (item 24))"}}})
}
