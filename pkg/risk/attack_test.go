package risk_test

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/auth-paths/kubectl-auth-paths/pkg/risk"
)

var colorRE = regexp.MustCompile(`^#[0-9a-f]{6}$`)

// TestPrimitivesDescribeThemselves: every built-in primitive and structural
// step has a colour and known ATT&CK techniques, so that a new primitive
// cannot be drawn black or published in SARIF without a technique.
func TestPrimitivesDescribeThemselves(t *testing.T) {
	noTechnique := map[string]bool{"member-of": true, "pick-node": true, "pick-serviceaccount": true, "pick-identity": true, "pick-namespace": true, "pick-workload": true, "pick-exec-scope": true}
	for _, p := range append(risk.Primitives(), risk.Structural()...) {
		t.Run(p.ID(), func(t *testing.T) {
			if !colorRE.MatchString(p.Color()) {
				t.Errorf("Color() = %q, want #rrggbb", p.Color())
			}
			if len(p.Techniques()) == 0 && !noTechnique[p.ID()] {
				t.Errorf("no ATT&CK technique")
			}
			if err := risk.CheckTechniques(p.Techniques()); err != nil {
				t.Error(err)
			}
			if got, ok := risk.LookupPrimitive(p.ID(), nil); !ok || got.ID() != p.ID() {
				t.Errorf("LookupPrimitive(%q) = %v, %v", p.ID(), got, ok)
			}
		})
	}
}

func TestCheckTechniques(t *testing.T) {
	for _, tc := range []struct {
		ids  []string
		want string
	}{
		{nil, ""},
		{[]string{"T1611", "T1552.007"}, ""},
		{[]string{"T1161"}, `technique "T1161" is not an ATT&CK for Containers technique`},
		{[]string{"T1003"}, `technique "T1003" is not an ATT&CK for Containers technique`}, // an Enterprise technique outside the Containers platform
		{[]string{"T1611", "T1611"}, `technique "T1611" is listed twice`},
	} {
		err := risk.CheckTechniques(tc.ids)
		got := ""
		if err != nil {
			got = err.Error()
		}
		if (tc.want == "") != (got == "") || !strings.HasPrefix(got, tc.want) {
			t.Errorf("CheckTechniques(%v) = %q, want prefix %q", tc.ids, got, tc.want)
		}
	}
}

func TestTechniqueURL(t *testing.T) {
	for id, want := range map[string]string{
		"T1611":     "https://attack.mitre.org/techniques/T1611/",
		"T1552.007": "https://attack.mitre.org/techniques/T1552/007/",
	} {
		tech, ok := risk.LookupTechnique(id)
		if !ok || tech.URL() != want {
			t.Errorf("LookupTechnique(%s).URL() = %q (%v), want %q", id, tech.URL(), ok, want)
		}
	}
}

func ExampleLookupTechnique() {
	t, _ := risk.LookupTechnique("T1611")
	fmt.Println(t.Name, t.Tactics, t.URL())
	// Output: Escape to Host [privilege-escalation] https://attack.mitre.org/techniques/T1611/
}

// TestTechniquesDocumented: docs/primitives.md's ATT&CK table lists every
// primitive with exactly the techniques the code gives it.
func TestTechniquesDocumented(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("..", "..", "docs", "primitives.md"))
	if err != nil {
		t.Fatal(err)
	}
	_, section, ok := strings.Cut(string(data), "\n## ATT&CK for Containers\n")
	if !ok {
		t.Fatal("docs/primitives.md has no ATT&CK for Containers section")
	}
	documented := map[string]string{}
	for _, line := range strings.Split(section, "\n") {
		cells := strings.Split(line, "|")
		if len(cells) < 4 || !strings.HasPrefix(strings.TrimSpace(cells[1]), "`") {
			continue
		}
		documented[strings.Trim(strings.TrimSpace(cells[1]), "`")] = strings.TrimSpace(cells[2])
	}
	for _, p := range append(risk.Primitives(), risk.Structural()...) {
		want := strings.Join(p.Techniques(), ", ")
		if want == "" {
			want = "none"
		}
		if got, ok := documented[p.ID()]; !ok || got != want {
			t.Errorf("docs/primitives.md: %s has %q, the code %q", p.ID(), got, want)
		}
	}
}
