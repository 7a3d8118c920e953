package remediate_test

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/auth-paths/kubectl-auth-paths/pkg/remediate"
	"github.com/auth-paths/kubectl-auth-paths/pkg/risk"
	"github.com/auth-paths/kubectl-auth-paths/pkg/source"
)

// rb is a RoleBinding in ci of roleKind/role to the subjects (YAML flow maps).
func rb(name, roleKind, role string, subjects ...string) string {
	return fmt.Sprintf("---\napiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata: {name: %s, namespace: ci}\nroleRef: {apiGroup: rbac.authorization.k8s.io, kind: %s, name: %s}\nsubjects: [%s]\n",
		name, roleKind, role, strings.Join(subjects, ", "))
}

// TestPlanObjectBindings: fix --chokepoints edits only the cut's bindings;
// a binding in the cut that a step acts on (the binding of the role eve
// escalates, the RoleBinding rita adds herself to) is taken away: eve leaves
// hers, and the one rita may add herself to is deleted.
func TestPlanObjectBindings(t *testing.T) {
	eve, rita, team := "{kind: User, name: eve}", "{kind: User, name: rita}", "{kind: Group, name: team}"
	tests := []struct {
		name     string
		docs     string
		bindings []string
		changes  []string
		closed   []string
	}{
		{
			name:     "the binding of an escalated role",
			docs:     rb("ed-1", "Role", "role-editor", eve) + rb("ed-2", "Role", "role-editor", eve) + rb("eve-small", "Role", "small", eve, team),
			bindings: []string{"RoleBinding/ci/eve-small"},
			changes:  []string{"update RoleBinding ci/eve-small"},
			closed:   []string{"User:eve"},
		},
		{
			name:     "a RoleBinding someone adds itself to",
			docs:     rb("rw-1", "ClusterRole", "rewriter", rita) + rb("rw-2", "ClusterRole", "rewriter", rita) + rb("team-admins", "ClusterRole", "ns-admin", team),
			bindings: []string{"RoleBinding/ci/team-admins"},
			changes:  []string{"delete RoleBinding ci/team-admins"},
			closed:   []string{"Group:team", "User:rita"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "in.yaml")
			if err := os.WriteFile(path, []byte(tt.docs), 0o600); err != nil {
				t.Fatal(err)
			}
			// Namespace ci holds cluster-admin's token; eve may escalate Role
			// small, rita may add herself to RoleBindings of ns-admin.
			base := filepath.Join("..", "..", "testdata", "review", "token-in-ci.yaml")
			inv, err := source.LoadFiles(source.FileOptions{Filenames: []string{base, path}})
			if err != nil {
				t.Fatal(err)
			}
			res, err := remediate.Plan(inv, opts, remediate.Target{Bindings: tt.bindings})
			if err != nil {
				t.Fatal(err)
			}
			var changes, closed []string
			for _, c := range res.Changes {
				changes = append(changes, fmt.Sprintf("%s %s %s/%s", c.Action, c.Kind, c.Namespace, c.Name))
			}
			for _, g := range res.Goals {
				if !g.Closed {
					t.Errorf("%s open: %s", g.Subject, g.Reason)
					continue
				}
				closed = append(closed, g.Subject)
			}
			slices.Sort(closed)
			closed = slices.Compact(closed)
			if !slices.Equal(changes, tt.changes) || !slices.Equal(closed, tt.closed) {
				t.Errorf("changes %q closing %v, want %q closing %v", changes, closed, tt.changes, tt.closed)
			}
			for _, p := range risk.Analyze(res.After(), opts).Scan(true).Paths {
				if slices.Contains(tt.closed, p.Subject.String()) {
					t.Errorf("%s still has path %s", p.Subject, p.ID)
				}
			}
		})
	}
}
