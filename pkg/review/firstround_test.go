package review_test

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/auth-paths/kubectl-auth-paths/pkg/model"
	"github.com/auth-paths/kubectl-auth-paths/pkg/review"
	"github.com/auth-paths/kubectl-auth-paths/pkg/risk"
	"github.com/auth-paths/kubectl-auth-paths/pkg/source"
)

// withTokenInCI loads testdata/review/token-in-ci.yaml (namespace ci holds
// cluster-admin's token; the roles the tests bind) and the documents.
func withTokenInCI(t *testing.T, docs string) *model.Inventory {
	t.Helper()
	path := filepath.Join(t.TempDir(), "in.yaml")
	if err := os.WriteFile(path, []byte(docs), 0o600); err != nil {
		t.Fatal(err)
	}
	inv, err := source.LoadFiles(source.FileOptions{Filenames: []string{fixture("token-in-ci.yaml"), path}})
	if err != nil {
		t.Fatal(err)
	}
	return inv
}

// readers binds secret-reader in ci to users.
func readers(name string, users ...string) string {
	var b strings.Builder
	b.WriteString("---\napiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata: {name: " + name + ", namespace: ci}\n")
	b.WriteString("roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: secret-reader}\nsubjects:\n")
	for _, u := range users {
		b.WriteString("- {apiGroup: rbac.authorization.k8s.io, kind: User, name: " + u + "}\n")
	}
	return b.String()
}

// TestCoverFirstRound: the cover's second phase starts by cutting on the
// input's graph with phase 1's bindings masked. The graph records one grant
// per step, so masking can cut an identity that another binding still lets
// through (and must then be refuted by re-analysis), and the round's picks
// are kept only when they cut someone phase 1 did not.
func TestCoverFirstRound(t *testing.T) {
	cases := []struct {
		name     string
		bindings string
		cover    []string
		cut      []string
	}{
		{
			// erin's only binding is also dave's first: phase 1 takes it,
			// and the masked graph then cuts dave, whom b-dave still lets
			// through. The rounds start from a re-analysis without a-shared.
			name:     "the masked graph cuts everyone left",
			bindings: readers("a-shared", "dave", "erin") + readers("b-dave", "dave"),
			cover:    []string{"RoleBinding/ci/a-shared", "RoleBinding/ci/b-dave"},
			cut:      []string{"User:dave", "User:erin"},
		},
		{
			// frank's step records a-frank, which the masked graph keeps:
			// the first round picks it, and the re-analysis finds frank cut.
			name:     "the first round cuts someone sure to be left",
			bindings: readers("a-frank", "frank") + readers("b-shared", "frank", "gina"),
			cover:    []string{"RoleBinding/ci/b-shared", "RoleBinding/ci/a-frank"},
			cut:      []string{"User:frank", "User:gina"},
		},
		{
			// Both at once: the first round's picks cut frank; dave, whom
			// the masked graph cut, is cut by the next round.
			name:     "both",
			bindings: readers("a-shared", "dave", "erin") + readers("b-dave", "dave") + readers("a-frank", "frank") + readers("b-shared", "frank", "gina"),
			cover:    []string{"RoleBinding/ci/a-shared", "RoleBinding/ci/b-shared", "RoleBinding/ci/a-frank", "RoleBinding/ci/b-dave"},
			cut:      []string{"User:dave", "User:erin", "User:frank", "User:gina"},
		},
		{
			// Two bindings for one user, neither a choke point: nothing in
			// phase 1; the first round picks the one the graph records, the
			// re-analysis finds the other (a round that cuts no one), and
			// the next round's pick makes both needed.
			name:     "a first round that cuts no one",
			bindings: readers("a-hal", "hal") + readers("b-hal", "hal"),
			cover:    []string{"RoleBinding/ci/a-hal", "RoleBinding/ci/b-hal"},
			cut:      []string{"User:hal"},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			inv := withTokenInCI(t, tc.bindings)
			c := review.ChokepointsOf(risk.Analyze(inv, risk.Options{})).Cover
			if !slices.Equal(c.Bindings, tc.cover) || !slices.Equal(c.Cut, tc.cut) || len(c.Remaining) != 0 || !c.Verified {
				t.Errorf("cover %v cutting %v (remaining %v), want %v cutting %v", c.Bindings, c.Cut, c.Remaining, tc.cover, tc.cut)
			}
			// Every binding of the cover is needed: with any one of them
			// put back, someone keeps a path.
			for i := range c.Bindings {
				rest := slices.Delete(slices.Clone(c.Bindings), i, i+1)
				after, err := review.WithoutBindings(inv, rest)
				if err != nil {
					t.Fatal(err)
				}
				escalating := 0
				for _, p := range risk.Analyze(after, risk.Options{}).Scan(true).Paths {
					if p.Hops > 0 {
						escalating++
					}
				}
				if escalating == 0 {
					t.Errorf("%s is not needed: the rest of the cover cuts everyone", c.Bindings[i])
				}
			}
		})
	}
}
