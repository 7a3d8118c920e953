package cmd

import (
	"encoding/json"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// finding is every use of the word, with what stands before it.
var finding = regexp.MustCompile(`(?i)(.{0,8})findings?`)

// TestOneVocabulary: through the binary, a path to cluster-admin is a path
// and only a hygiene item is a finding, in the tables, -o json, SARIF and
// both report formats, of one cluster and of a fleet.
func TestOneVocabulary(t *testing.T) {
	demo := filepath.Join("..", "..", "testdata", "demo", "cluster.yaml")
	review := []string{"-f", rv("cluster.yaml"), "--baseline", rv("baseline-old.json"), "--accept", rv("accept.yaml")}
	fleet := []string{"--cluster-file", "demo=" + demo, "--cluster-file", "prod=" + rv("cluster.yaml")}
	runs := [][]string{
		{"scan", "-f", demo},
		append([]string{"scan"}, review...),
		{"scan", "-f", demo, "-o", "json"},
		{"scan", "-f", demo, "-o", "sarif"},
		append([]string{"scan", "-o", "sarif"}, review...),
		{"report", "-f", demo, "-o", "md"},
		append([]string{"report", "-o", "md"}, review...),
		append([]string{"report", "-o", "html"}, review...),
		append([]string{"scan"}, fleet...),
		append([]string{"scan", "-o", "json"}, fleet...),
		append([]string{"report", "-o", "md"}, fleet...),
		append([]string{"report", "-o", "html"}, fleet...),
	}
	hygiene := 0
	for _, args := range runs {
		out, errOut, code := runCLIProcess(t, "", args...)
		if code != ExitOK && code != ExitPartial {
			t.Errorf("%v: exit %d: %s", args, code, errOut)
			continue
		}
		for _, m := range finding.FindAllStringSubmatchIndex(out, -1) {
			before, after := out[m[2]:m[3]], out[m[1]:]
			switch {
			case strings.HasSuffix(strings.ToLower(before), "hygiene "):
				hygiene++
			case strings.HasSuffix(before, `"`) && strings.HasPrefix(after, `":`):
				// The JSON field of the hygiene findings: checked below.
			default:
				t.Errorf("%v: %q: a finding that is not a hygiene finding (paths are paths)", args, out[m[0]:m[1]])
			}
		}
		if slices.Contains(args, "json") {
			checkVocabularyJSON(t, args, out)
		}
		if args[0] == "scan" && slices.Contains(args, "--cluster-file") && !slices.Contains(args, "-o") {
			if !strings.Contains(out, "BY ESCALATION  PATHS  ACCEPTED") {
				t.Errorf("%v: the clusters' table counts the paths under PATHS:\n%s", args, out)
			}
		}
	}
	if hygiene == 0 {
		t.Error("no output said hygiene findings: the demo has some")
	}
}

// checkVocabularyJSON: "findings" holds hygiene findings only, and a
// fleet's clusters count their paths under "paths".
func checkVocabularyJSON(t *testing.T, args []string, out string) {
	t.Helper()
	var doc struct {
		Findings []map[string]any `json:"findings"`
		Clusters []map[string]any `json:"clusters"`
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatalf("%v: %v", args, err)
	}
	if len(doc.Findings) == 0 {
		t.Errorf("%v: no hygiene findings under \"findings\"", args)
	}
	for _, f := range doc.Findings {
		if f["id"] == nil || f["object"] == nil || f["message"] == nil || f["hops"] != nil || f["steps"] != nil {
			t.Errorf("%v: \"findings\" holds %v, not a hygiene finding", args, f)
		}
	}
	for _, c := range doc.Clusters {
		if _, ok := c["paths"]; !ok || c["findings"] != nil {
			t.Errorf("%v: cluster %v: want its paths counted under \"paths\"", args, c["name"])
		}
	}
}
