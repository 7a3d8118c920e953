package remediate_test

import (
	"bytes"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/auth-paths/kubectl-auth-paths/pkg/model"
	"github.com/auth-paths/kubectl-auth-paths/pkg/rbac"
	"github.com/auth-paths/kubectl-auth-paths/pkg/remediate"
	"github.com/auth-paths/kubectl-auth-paths/pkg/risk"
	"github.com/auth-paths/kubectl-auth-paths/pkg/source"
)

func load(t testing.TB) *model.Inventory {
	t.Helper()
	inv, err := source.LoadFiles(source.FileOptions{Filenames: []string{filepath.Join("..", "..", "testdata", "fix", "cluster.yaml")}})
	if err != nil {
		t.Fatal(err)
	}
	return inv
}

var opts = risk.Options{KubernetesVersion: "v1.35", PodSecurityDefault: risk.LevelPrivileged}

func TestPlan(t *testing.T) {
	inv := load(t)
	sub := func(s string) rbac.Subject {
		x, err := rbac.ParseSubject(s)
		if err != nil {
			t.Fatal(err)
		}
		return x
	}
	tests := []struct {
		name    string
		target  remediate.Target
		changes []string
		removed []string
		open    []string
	}{
		{"every path: one request out of a shared rule, an aggregated role through its source", remediate.Target{},
			[]string{"update Role ci/dev-tools", "update ClusterRole /debugger-exec"},
			[]string{"User:alice loses create pods in ci", "User:bob loses create pods in ci", "User:eve loses create pods/exec in ci"}, nil},
		{"one subject", remediate.Target{Subjects: []rbac.Subject{sub("User:eve")}},
			[]string{"update ClusterRole /debugger-exec"}, []string{"User:eve loses create pods/exec in ci"}, nil},
		{"admin outright: the binding goes, the reconciled role stays", remediate.Target{Subjects: []rbac.Subject{sub("ServiceAccount:ci:deployer")}},
			[]string{"delete ClusterRoleBinding /deployer-admin"}, []string{"ServiceAccount:ci:deployer loses * *.* cluster-wide", "ServiceAccount:ci:deployer loses * * cluster-wide"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := remediate.Plan(inv, opts, tt.target)
			if err != nil {
				t.Fatal(err)
			}
			var changes []string
			for _, c := range res.Changes {
				changes = append(changes, fmt.Sprintf("%s %s %s/%s", c.Action, c.Kind, c.Namespace, c.Name))
			}
			if !slices.Equal(changes, tt.changes) {
				t.Errorf("changes %q, want %q", changes, tt.changes)
			}
			var removed []string
			for _, l := range res.Removed {
				removed = append(removed, l.String())
			}
			for _, w := range tt.removed {
				if !slices.Contains(removed, w) {
					t.Errorf("removed %q lacks %q", removed, w)
				}
			}
			var open []string
			for _, g := range res.Goals {
				if !g.Closed {
					open = append(open, g.Subject)
					if g.Reason == "" {
						t.Errorf("%s open without a reason", g.Subject)
					}
				}
			}
			if !slices.Equal(open, tt.open) {
				t.Errorf("open %v, want %v", open, tt.open)
			}
			// The proof: the changed input, analysed again, has no path of a closed goal.
			after := risk.Analyze(res.After(), opts)
			for _, p := range after.Scan(true).Paths {
				for _, g := range res.Goals {
					if g.Closed && p.Subject.String() == g.Subject {
						t.Errorf("%s still has path %s", g.Subject, p.ID)
					}
				}
			}
		})
	}
}

func TestEmit(t *testing.T) {
	res, err := remediate.Plan(load(t), opts, remediate.Target{Subjects: []rbac.Subject{{Kind: "User", Name: "alice"}}})
	if err != nil {
		t.Fatal(err)
	}
	var y, k bytes.Buffer
	if err := remediate.WriteYAML(&y, res); err != nil {
		t.Fatal(err)
	}
	if err := remediate.WriteKubectl(&k, res); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"apiVersion: rbac.authorization.k8s.io/v1", "kind: Role", "namespace: ci", `resourceVersion: "41"`,
		"  resources:\n  - pods\n  - configmaps\n  verbs:\n  - get\n  - list\n- apiGroups:", "  resources:\n  - configmaps\n  verbs:\n  - get\n  - list\n  - create\n"} {
		if !strings.Contains(y.String(), want) {
			t.Errorf("yaml lacks %q:\n%s", want, y.String())
		}
	}
	wantCmd := `kubectl patch role/dev-tools -n ci --type=json -p '[{"op":"test","path":"/rules","value":[{"verbs":["get","list","create"],"apiGroups":[""],"resources":["pods","configmaps"]}]},{"op":"replace","path":"/rules","value":[{"verbs":["get","list"],"apiGroups":[""],"resources":["pods","configmaps"]},{"verbs":["get","list","create"],"apiGroups":[""],"resources":["configmaps"]}]}]'`
	if !strings.Contains(k.String(), wantCmd) {
		t.Errorf("kubectl:\n%s\nwant %s", k.String(), wantCmd)
	}
}

// TestPlanRoundLimit: with more goals than rounds, each needing an edit of
// its own, the planner closes one per round and says of the others that it
// did not come to them, not that it could not close them.
func TestPlanRoundLimit(t *testing.T) {
	var b strings.Builder
	b.WriteString(`apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: masters-impersonator}
rules:
- {apiGroups: [""], resources: [users], verbs: [impersonate], resourceNames: ["nobody"]}
- {apiGroups: [""], resources: [groups], verbs: [impersonate], resourceNames: ["system:masters"]}
`)
	users := remediate.MaxRounds + 6
	for i := range users {
		fmt.Fprintf(&b, `---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: imp-%03d}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: masters-impersonator}
subjects:
- {apiGroup: rbac.authorization.k8s.io, kind: User, name: user-%03d}
`, i, i)
	}
	inv, err := source.LoadFiles(source.FileOptions{Filenames: []string{"-"}, Stdin: strings.NewReader(b.String())})
	if err != nil {
		t.Fatal(err)
	}
	res, err := remediate.Plan(inv, opts, remediate.Target{})
	if err != nil {
		t.Fatal(err)
	}
	closed, notAttempted := 0, 0
	for _, g := range res.Goals {
		switch {
		case g.Closed:
			closed++
		case strings.HasPrefix(g.Reason, "not attempted: the planner stops after 64 rounds"):
			notAttempted++
		default:
			t.Errorf("%s: open, %q", g.Subject, g.Reason)
		}
	}
	if len(res.Goals) != users || closed != remediate.MaxRounds || notAttempted != users-remediate.MaxRounds {
		t.Errorf("%d goals, %d closed, %d not attempted; want %d, %d, %d", len(res.Goals), closed, notAttempted, users, remediate.MaxRounds, users-remediate.MaxRounds)
	}
	if len(res.Changes) != remediate.MaxRounds {
		t.Errorf("%d changes, want one binding deleted per round (%d)", len(res.Changes), remediate.MaxRounds)
	}
}
