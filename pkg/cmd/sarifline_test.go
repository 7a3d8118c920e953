package cmd

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestSARIFLinesInLists: the demo and dump's own output are one List; each
// SARIF result's region starts at the line of its binding inside the List,
// in YAML and in JSON, not at the List's first line.
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
		out, errOut, code := runCLIProcess(t, "", "scan", "-f", f, "-o", "sarif")
		if code != ExitOK {
			t.Fatalf("%s: exit %d: %s", f, code, errOut)
		}
		var doc struct {
			Runs []struct {
				Results []struct {
					Message   struct{ Text string } `json:"message"`
					Locations []struct {
						PhysicalLocation struct {
							Region struct {
								StartLine int `json:"startLine"`
							} `json:"region"`
						} `json:"physicalLocation"`
					} `json:"locations"`
				} `json:"results"`
			} `json:"runs"`
		}
		if err := json.Unmarshal([]byte(out), &doc); err != nil {
			t.Fatal(err)
		}
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		lines := strings.Split(string(data), "\n")
		n := 0
		for _, r := range doc.Runs[0].Results {
			for _, l := range r.Locations {
				n++
				line := l.PhysicalLocation.Region.StartLine
				if line <= 1 || line > len(lines) {
					t.Errorf("%s: %q at line %d", f, r.Message.Text, line)
					continue
				}
				// The line opens the binding's item.
				if text := lines[line-1]; !strings.Contains(text, "apiVersion") && !strings.Contains(text, "{") {
					t.Errorf("%s: line %d (%q) does not open an item", f, line, text)
				}
			}
		}
		if n == 0 {
			t.Errorf("%s: no SARIF locations", f)
		}
	}
}
