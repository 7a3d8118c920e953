package source

import (
	"fmt"
	"strings"
	"testing"
)

func TestDumpVersion(t *testing.T) {
	tests := []struct {
		name, head, want string
	}{
		{"dump header", "# kubectl auth-paths dump: the objects.\n" + DumpVersionComment("v1.37.2") + "apiVersion: v1\n", "v1.37.2"},
		{"after blank lines", "\n\n" + DumpVersionComment("v1.34.0") + "kind: List\n", "v1.34.0"},
		{"no trailing newline", "# Read from a cluster running v1.35.1.", "v1.35.1"},
		{"not in the leading comments", "apiVersion: v1\n" + DumpVersionComment("v1.37.2"), ""},
		{"other comments only", "# a file\n# of roles\nkind: List\n", ""},
		{"empty version", "# Read from a cluster running .\n", ""},
		{"text after the version", "# Read from a cluster running v1.37.2 yesterday.\n", ""},
		{"empty", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := dumpVersion([]byte(tt.head)); got != tt.want {
				t.Errorf("dumpVersion(%q) = %q, want %q", tt.head, got, tt.want)
			}
		})
	}
}

// TestLoadFilesDumpVersion: the version a YAML dump names is the inventory's
// server version; the first file that names one wins, a different one is a warning.
func TestLoadFilesDumpVersion(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) string { return writeFixture(t, dir, name, content) }
	ns := func(name string) string { return "apiVersion: v1\nkind: Namespace\nmetadata: {name: " + name + "}\n" }
	old := write("old.yaml", DumpVersionComment("v1.34.2")+ns("old"))
	cur := write("cur.yaml", DumpVersionComment("v1.37.2")+ns("cur"))
	plain := write("plain.yaml", ns("plain"))
	tests := []struct {
		name     string
		files    []string
		want     string
		warnings int
	}{
		{"dump", []string{cur}, "v1.37.2", 0},
		{"plain file", []string{plain}, "", 0},
		{"dump then plain file", []string{old, plain}, "v1.34.2", 0},
		{"plain file then dump", []string{plain, cur}, "v1.37.2", 0},
		{"two versions", []string{old, cur}, "v1.34.2", 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			inv, err := LoadFiles(FileOptions{Filenames: tt.files})
			if err != nil {
				t.Fatal(err)
			}
			if inv.ServerVersion != tt.want || len(inv.Warnings) != tt.warnings {
				t.Errorf("version %q, warnings %q; want %q and %d warning(s)", inv.ServerVersion, inv.Warnings, tt.want, tt.warnings)
			}
		})
	}
}

// TestLoadFilesServedGroups: the served API groups a YAML dump's header
// names are the inventory's, merged over several files.
func TestLoadFilesServedGroups(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) string { return writeFixture(t, dir, name, content) }
	const ns = "apiVersion: v1\nkind: Namespace\nmetadata: {name: a}\n"
	for _, tt := range []struct {
		name  string
		files []string
		want  string
	}{
		{"one dump", []string{"# dump\n" + DumpGroupsComment([]string{"apps", "argoproj.io"}) + ns}, "apps argoproj.io"},
		{"merged and sorted", []string{DumpGroupsComment([]string{"tekton.dev"}) + ns, DumpGroupsComment([]string{"apps", "tekton.dev"}) + ns}, "apps tekton.dev"},
		{"after the first object: ignored", []string{ns + "---\n" + DumpGroupsComment([]string{"apps"}) + ns}, ""},
		{"no header", []string{ns}, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var names []string
			for i, c := range tt.files {
				names = append(names, write(fmt.Sprintf("%s-%d.yaml", strings.ReplaceAll(tt.name, " ", "-"), i), c))
			}
			inv, err := LoadFiles(FileOptions{Filenames: names})
			if err != nil {
				t.Fatal(err)
			}
			if got := strings.Join(inv.ServedGroups, " "); got != tt.want {
				t.Fatalf("ServedGroups %q, want %q", got, tt.want)
			}
		})
	}
	if DumpGroupsComment(nil) != "" {
		t.Fatal("no groups: no comment line")
	}
}
