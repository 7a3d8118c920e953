package cmd

import (
	"path/filepath"
	"slices"
	"strings"
)

// partialFixtures are the test inputs that are not whole clusters, with the
// kinds each leaves out on purpose (and every scenario of testdata/scenarios
// and testdata/plugins, which holds only what its story needs): the tests that read them are about
// something else (gates, SARIF, fix, names), so their runs pass
// --allow-incomplete with exactly these kinds (withDeclaredGaps). An input
// not listed here is analysed as given: a kind it lacks makes the run
// partial (exit 3), as TestIncompleteInput checks.
var partialFixtures = map[string]string{
	filepath.Join("..", "..", "testdata", "review", "cluster.yaml"):     "namespaces,nodes",
	filepath.Join("..", "..", "testdata", "review", "cluster-old.yaml"): "namespaces,nodes",
	filepath.Join("..", "..", "testdata", "fix", "cluster.yaml"):        "secrets,nodes",
}

// withDeclaredGaps adds --allow-incomplete for the partial fixtures args
// read (with -f or as the PATH of --cluster-file NAME=PATH), unless the args
// choose for themselves.
func withDeclaredGaps(args []string) []string {
	if slices.ContainsFunc(args, func(a string) bool { return strings.HasPrefix(a, "--allow-incomplete") }) {
		return args
	}
	var kinds []string
	for _, a := range args {
		// --cluster-file NAME=PATH reads PATH as -f does.
		if _, path, ok := strings.Cut(a, "="); ok && !strings.HasPrefix(a, "-") {
			a = path
		}
		a = filepath.Clean(a)
		if k, ok := partialFixtures[a]; ok {
			kinds = append(kinds, k)
		}
		// Scenarios hold only the objects their story needs.
		for _, set := range []string{"scenarios", "plugins"} {
			if strings.HasPrefix(a, filepath.Join("..", "..", "testdata", set)+string(filepath.Separator)) {
				kinds = append(kinds, "all")
			}
		}
	}
	if len(kinds) == 0 {
		return args
	}
	return append(slices.Clone(args), "--allow-incomplete", strings.Join(kinds, ","))
}
