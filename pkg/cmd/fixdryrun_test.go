package cmd

import (
	"context"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	rbacv1 "k8s.io/api/rbac/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/kubernetes/fake"
	k8stesting "k8s.io/client-go/testing"

	"github.com/auth-paths/kubectl-auth-paths/pkg/model"
	"github.com/auth-paths/kubectl-auth-paths/pkg/remediate"
	"github.com/auth-paths/kubectl-auth-paths/pkg/risk"
	"github.com/auth-paths/kubectl-auth-paths/pkg/source"
)

// fixPlan plans the fix of every path of testdata/fix/cluster.yaml: an update
// of Role ci/dev-tools (resourceVersion 41 in the input) and of ClusterRole
// debugger-exec.
func fixPlan(t *testing.T) (*model.Inventory, *remediate.Result) {
	t.Helper()
	inv, err := source.LoadFiles(source.FileOptions{Filenames: []string{filepath.Join("..", "..", "testdata", "fix", "cluster.yaml")}})
	if err != nil {
		t.Fatal(err)
	}
	res, err := remediate.Plan(inv, risk.Options{KubernetesVersion: "v1.35", PodSecurityDefault: risk.LevelPrivileged}, remediate.Target{})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Changes) != 2 {
		t.Fatalf("want 2 changes, got %d", len(res.Changes))
	}
	return inv, res
}

// clusterOf is a fake cluster holding the changed objects as the input has
// them (resourceVersion "41" where the input gives none, so that every object
// has one).
func clusterOf(t *testing.T, res *remediate.Result) *fake.Clientset {
	t.Helper()
	var objs []runtime.Object
	for _, c := range res.Changes {
		o := c.Typed().(runtime.Object)
		m := o.(metav1.Object)
		if m.GetResourceVersion() == "" {
			m.SetResourceVersion("7")
		}
		objs = append(objs, o)
	}
	return fake.NewClientset(objs...)
}

// dryRunOnly answers updates and deletes sent with dryRun=All without storing
// them, as the apiserver does, and fails the test on any write without it.
func dryRunOnly(t *testing.T, cs *fake.Clientset, refuse func(k8stesting.Action) error) {
	cs.PrependReactor("*", "*", func(a k8stesting.Action) (bool, runtime.Object, error) {
		var dry []string
		switch x := a.(type) {
		case k8stesting.UpdateActionImpl:
			dry = x.UpdateOptions.DryRun
		case k8stesting.DeleteActionImpl:
			dry = x.DeleteOptions.DryRun
		default:
			return false, nil, nil
		}
		if !slices.Equal(dry, []string{metav1.DryRunAll}) {
			t.Errorf("%s %s without dryRun=All: %v", a.GetVerb(), a.GetResource().Resource, dry)
		}
		if refuse != nil {
			if err := refuse(a); err != nil {
				return true, nil, err
			}
		}
		return true, nil, nil
	})
}

func TestServerDryRun(t *testing.T) {
	_, res := fixPlan(t)
	roles := schema.GroupResource{Group: rbacv1.GroupName, Resource: "roles"}
	tests := []struct {
		name      string
		refuse    func(k8stesting.Action) error
		mutate    bool
		accepted  []bool
		reason    string
		unchanged bool
	}{
		{"every change accepted", nil, false, []bool{true, true}, "", true},
		{"the runner may not narrow the role: the apiserver's refusal is the reason",
			func(a k8stesting.Action) error {
				if a.GetResource().Resource == "roles" {
					return apierrors.NewForbidden(roles, "dev-tools", nil)
				}
				return nil
			}, false, []bool{false, true}, "forbidden", true},
		{"the role changed since the input was read",
			func(a k8stesting.Action) error {
				if a.GetResource().Resource == "roles" {
					return apierrors.NewConflict(roles, "dev-tools", nil)
				}
				return nil
			}, false, []bool{false, true}, "changed since the input was read", true},
		{"a server that stores a dry run is caught by the resourceVersions", nil, true, []bool{true, true}, "resourceVersion", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cs := clusterOf(t, res)
			dryRunOnly(t, cs, tt.refuse)
			if tt.mutate {
				cs.PrependReactor("update", "clusterroles", func(a k8stesting.Action) (bool, runtime.Object, error) {
					o := a.(k8stesting.UpdateActionImpl).Object.DeepCopyObject().(*rbacv1.ClusterRole)
					o.ResourceVersion = "8"
					return true, o, cs.Tracker().Update(a.GetResource(), o, "")
				})
			}
			d := serverDryRun(context.Background(), cs, res)
			var got []bool
			reasons := ""
			for _, c := range d.Server {
				got = append(got, c.Accepted)
				reasons += c.Reason
			}
			if !slices.Equal(got, tt.accepted) {
				t.Errorf("accepted %v, want %v (%+v)", got, tt.accepted, d.Server)
			}
			if tt.reason != "" && !strings.Contains(reasons, tt.reason) {
				t.Errorf("reasons %q lack %q", reasons, tt.reason)
			}
			if d.Unchanged != tt.unchanged {
				t.Errorf("unchanged %v, want %v", d.Unchanged, tt.unchanged)
			}
		})
	}
}

// TestServerDryRunObjectNotInTheCluster: a change of an object the cluster
// does not have (the input is another cluster's dump) is not accepted.
func TestServerDryRunObjectNotInTheCluster(t *testing.T) {
	_, res := fixPlan(t)
	cs := fake.NewClientset()
	dryRunOnly(t, cs, func(a k8stesting.Action) error {
		return apierrors.NewNotFound(a.GetResource().GroupResource(), "x")
	})
	d := serverDryRun(context.Background(), cs, res)
	if d.rejected() != 2 || !strings.Contains(d.Server[0].Reason, "not in the cluster") || d.Unread != 2 {
		t.Errorf("%+v", d.Server)
	}
	if !strings.Contains(dryRunText(d), "0 of 2 change(s) accepted") {
		t.Errorf("text:\n%s", dryRunText(d))
	}
}

// TestProposedStepChecks: the closed paths' requests are allowed on the
// input's RBAC and denied on the proposed RBAC.
func TestProposedStepChecks(t *testing.T) {
	inv, res := fixPlan(t)
	checks := proposedStepChecks(inv, res)
	var flipped []string
	for _, c := range checks {
		if c.Before && !c.After {
			flipped = append(flipped, c.From+" "+c.Request.String())
		}
	}
	for _, w := range []string{"User:alice create pods -n ci", "User:bob create pods -n ci", "User:eve create pods/exec -n ci"} {
		if !slices.Contains(flipped, w) {
			t.Errorf("%q does not flip to denied: %q", w, flipped)
		}
	}
}

// TestFixDryRunFlag: the flag's values, and a server that cannot be reached
// is a change not proven (exit 4), not a pass.
func TestFixDryRunFlag(t *testing.T) {
	in := filepath.Join("..", "..", "testdata", "fix", "cluster.yaml")
	_, stderr, code := runCLIProcess(t, "", "fix", "-f", in, "--dry-run", "maybe")
	if code != ExitError || !strings.Contains(stderr, `--dry-run "maybe"`) {
		t.Errorf("--dry-run maybe: exit %d %s", code, stderr)
	}
	out, _, code := runCLIProcess(t, "", "fix", "-f", in, "--kubernetes-version", "1.35", "--dry-run=client")
	if code != 0 || !strings.Contains(out, "Closes 3 of 3") || strings.Contains(out, "Server dry run") {
		t.Errorf("--dry-run=client: exit %d\n%s", code, out)
	}
	out, stderr, code = runCLIProcess(t, "", "fix", "-f", in, "--kubernetes-version", "1.35", "--dry-run=server", "--server", "https://127.0.0.1:1", "--request-timeout", "5s")
	if code != ExitUnverified || !strings.Contains(out, "0 of 2 change(s) accepted") || !strings.Contains(stderr, "not proven") {
		t.Errorf("--dry-run=server, no server: exit %d\n%s\n%s", code, out, stderr)
	}
}
