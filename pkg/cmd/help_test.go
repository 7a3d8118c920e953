package cmd

import (
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	"k8s.io/cli-runtime/pkg/genericclioptions"
)

// commandPaths lists every available command and subcommand of the root.
func commandPaths(root *cobra.Command) [][]string {
	var out [][]string
	var walk func(c *cobra.Command, path []string)
	walk = func(c *cobra.Command, path []string) {
		out = append(out, path)
		for _, sub := range c.Commands() {
			if sub.IsAvailableCommand() {
				walk(sub, append(append([]string{}, path...), sub.Name()))
			}
		}
	}
	walk(root, nil)
	return out
}

// flagLine is a line of a Flags section: the flag column is the flag's
// names and value name, before the description.
var flagLine = regexp.MustCompile(`^ {2,6}(-[^-], )?--[a-z0-9-]+(\[=[^]]*\])?( [^ ]+)?`)

// TestHelpFitsAndNamesValues renders every command's --help through the
// binary: no line over helpWidth columns, and no back quote in the flag
// column (pflag takes a back-quoted word of a usage string as the value
// name; a quoted command there once pushed every description to column 150).
func TestHelpFitsAndNamesValues(t *testing.T) {
	paths := commandPaths(newTestRoot())
	if len(paths) < 12 {
		t.Fatalf("only %d commands found", len(paths))
	}
	for _, p := range paths {
		name := strings.Join(append([]string{"kubectl auth-paths"}, p...), " ")
		out, stderr, code := runCLIProcess(t, "", append(append([]string{}, p...), "--help")...)
		if code != 0 || !strings.Contains(out, "Usage:") {
			t.Errorf("%s --help: exit %d, stderr %s", name, code, stderr)
			continue
		}
		flags := 0
		for i, line := range strings.Split(out, "\n") {
			if n := utf8.RuneCountInString(line); n > helpWidth {
				t.Errorf("%s --help line %d is %d columns (max %d): %q", name, i+1, n, helpWidth, line)
			}
			if col := flagLine.FindString(line); col != "" {
				flags++
				if strings.Contains(col, "`") || strings.Contains(col, "'") {
					t.Errorf("%s --help: quote in the flag column %q", name, col)
				}
			}
		}
		if flags == 0 {
			t.Errorf("%s --help lists no flag (the layout of a flag line changed?)\n%s", name, out)
		}
	}
}

// TestOwnFlagsNameTheirValue: every flag of this plugin that takes a value
// names it deliberately (`FILE`, `N`, `FORMAT`…) instead of pflag's type
// guess; kubectl's own connection flags keep theirs.
func TestOwnFlagsNameTheirValue(t *testing.T) {
	kubectlFlags := map[string]bool{"help": true}
	cf := pflag.NewFlagSet("kubectl", pflag.ContinueOnError)
	genericclioptions.NewConfigFlags(true).AddFlags(cf)
	cf.VisitAll(func(f *pflag.Flag) { kubectlFlags[f.Name] = true })
	delete(kubectlFlags, "context") // ours: repeatable for fleets
	valueName := regexp.MustCompile(`^[A-Z][A-Z0-9_]*(=[A-Z][A-Z0-9_]*)?$|^[A-Z][A-Za-z/]*$|^[a-z]+(\|[a-z]+)+$`)
	root := newTestRoot()
	for _, p := range commandPaths(root) {
		c, _, err := root.Find(p)
		if err != nil {
			t.Fatal(err)
		}
		c.Flags().VisitAll(func(f *pflag.Flag) {
			if kubectlFlags[f.Name] {
				return
			}
			name, _ := pflag.UnquoteUsage(f)
			switch f.Value.Type() {
			case "bool", "count":
				if name != "" && name != f.Value.Type() {
					t.Errorf("%s --%s: a switch takes no value, usage names %q", c.CommandPath(), f.Name, name)
				}
				return
			}
			if !strings.Contains(f.Usage, "`") || !valueName.MatchString(name) {
				t.Errorf("%s --%s: value name %q is not a deliberate one (back-quote FILE, N, FORMAT… in the usage)", c.CommandPath(), f.Name, name)
			}
		})
	}
}
