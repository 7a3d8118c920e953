package cmd

import (
	"encoding/json"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestATTACKThroughTheCLI: the techniques of built-in and rule-pack steps
// reach scan's JSON (per step), SARIF (rule and result tags) and rules list.
func TestATTACKThroughTheCLI(t *testing.T) {
	argo := filepath.Join("..", "..", "testdata", "plugins", "argo-workflows-submit", "input.yaml")
	alice := filepath.Join("..", "..", "testdata", "review", "cluster.yaml")
	t.Run("json steps", func(t *testing.T) {
		for file, want := range map[string]map[string][]string{
			alice: {"read-secrets": {"T1552.007", "T1528"}, "admin-rules": {"T1078"}},
			argo:  {"argo-workflows-submit": {"T1610"}},
		} {
			out, stderr, code := runCLIProcess(t, "", "scan", "-f", file, "-o", "json")
			if code != 0 {
				t.Fatalf("scan %s: exit %d: %s", file, code, stderr)
			}
			var res struct {
				Paths []struct {
					Steps []struct {
						Primitive  string   `json:"primitive"`
						Techniques []string `json:"techniques"`
					} `json:"steps"`
				} `json:"paths"`
			}
			if err := json.Unmarshal([]byte(out), &res); err != nil {
				t.Fatal(err)
			}
			seen := map[string]bool{}
			for _, p := range res.Paths {
				for _, s := range p.Steps {
					if w, ok := want[s.Primitive]; ok {
						seen[s.Primitive] = true
						if !slices.Equal(s.Techniques, w) {
							t.Errorf("%s: step %s techniques %v, want %v", file, s.Primitive, s.Techniques, w)
						}
					}
				}
			}
			for p := range want {
				if !seen[p] {
					t.Errorf("%s: no %s step", file, p)
				}
			}
		}
	})
	t.Run("sarif tags", func(t *testing.T) {
		out, stderr, code := runCLIProcess(t, "", "scan", "-f", argo, "-o", "sarif")
		if code != 0 {
			t.Fatalf("exit %d: %s", code, stderr)
		}
		var doc struct {
			Runs []struct {
				Tool struct {
					Driver struct {
						Rules []struct {
							ID         string `json:"id"`
							Properties struct {
								Tags []string `json:"tags"`
							} `json:"properties"`
						} `json:"rules"`
					} `json:"driver"`
				} `json:"tool"`
				Results []struct {
					RuleID     string `json:"ruleId"`
					Properties struct {
						Tags []string `json:"tags"`
					} `json:"properties"`
				} `json:"results"`
			} `json:"runs"`
		}
		if err := json.Unmarshal([]byte(out), &doc); err != nil {
			t.Fatal(err)
		}
		tags := map[string][]string{}
		for _, r := range doc.Runs[0].Tool.Driver.Rules {
			tags[r.ID] = r.Properties.Tags
		}
		for rule, tag := range map[string]string{"argo-workflows-submit": "external/mitre-attack/T1610", "node-escape": "external/mitre-attack/T1611", "exec-pod": "external/mitre-attack/T1609"} {
			if !slices.Contains(tags[rule], tag) {
				t.Errorf("rule %s tags %v lack %s", rule, tags[rule], tag)
			}
		}
		found := false
		for _, r := range doc.Runs[0].Results {
			if r.RuleID == "argo-workflows-submit" {
				found = true
				if !slices.Equal(r.Properties.Tags, []string{"external/mitre-attack/T1610", "external/mitre-attack/T1078"}) {
					t.Errorf("result tags %v, want the path's steps' techniques", r.Properties.Tags)
				}
			}
		}
		if !found {
			t.Error("no argo-workflows-submit result")
		}
	})
	t.Run("rules list", func(t *testing.T) {
		out, stderr, code := runCLIProcess(t, "", "rules", "list")
		if code != 0 {
			t.Fatalf("exit %d: %s", code, stderr)
		}
		got := map[string]string{}
		for _, line := range strings.Split(out, "\n") {
			if f := strings.Fields(line); len(f) > 2 {
				got[f[0]] = f[2]
			}
		}
		for pack, want := range map[string]string{"PACK": "ATT&CK", "argo-workflows": "T1610,T1053.007", "eks-defaults": "-"} {
			if got[pack] != want {
				t.Errorf("rules list: %s has %q in the ATT&CK column, want %q:\n%s", pack, got[pack], want, out)
			}
		}
	})
}
