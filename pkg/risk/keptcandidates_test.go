package risk_test

import (
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/auth-paths/kubectl-auth-paths/hack/gen/cluster"
	"github.com/auth-paths/kubectl-auth-paths/pkg/model"
	"github.com/auth-paths/kubectl-auth-paths/pkg/risk"
)

// TestKeepingCandidatesChangesNoStep: an analysis that keeps every
// evaluated step (explain's) has the same graph, step data and warnings as
// one that does not. The primitives visit less when nothing is kept: the
// pods of a namespace whose shared scope has every pod's steps (exec,
// attach, replacing a pod's image), the controllers of a namespace past the
// first that gives its steps. What they leave out must be failed steps
// only. Compared on generated clusters with one namespace of many pods and
// ServiceAccounts (ShapeMonolith; with a legacy token Secret for each, read
// and minted by name, ShapeLegacyTokens; with no token mounted,
// ShapeHardened), the hostile shape, operators bound
// cluster-wide (ShapeOperators) and rules naming objects of every namespace
// (ShapeWide), and on every scenario's input.
func TestKeepingCandidatesChangesNoStep(t *testing.T) {
	same := func(t *testing.T, inv *model.Inventory, opts risk.Options, least int) {
		t.Helper()
		plain := fullDump(risk.Analyze(inv, opts))
		opts.KeepCandidates = true
		// The kept steps come last in the dump.
		kept, _, found := strings.Cut(fullDump(risk.Analyze(inv, opts)), "\ncandidate ")
		if found {
			kept += "\n"
		}
		if len(plain) < least {
			t.Fatalf("the analysis is %d bytes: too small a world to compare", len(plain))
		}
		if kept != plain {
			t.Errorf("keeping candidates changes the analysis:\n%s", firstDiff(kept, plain))
		}
	}
	for _, tc := range []struct {
		shape      string
		namespaces int
	}{{cluster.ShapeMonolith, 30}, {cluster.ShapeLegacyTokens, 30}, {cluster.ShapeHardened, 30}, {cluster.ShapeHostile, 40}, {cluster.ShapeOperators, 40}, {cluster.ShapeWide, 40}} {
		t.Run(fmt.Sprintf("%s %d", tc.shape, tc.namespaces), func(t *testing.T) {
			same(t, shapeInventory(t, tc.namespaces, 5, tc.shape), risk.Options{}, 10000)
		})
	}
	// Hardened namespaces: no pod mounts a token, so the scopes of every
	// pod there pick nothing, and holders of exec, attach or image changes
	// on every pod visit none of them.
	t.Run("hostile 40, every other namespace hardened", func(t *testing.T) {
		inv := shapeInventory(t, 40, 5, cluster.ShapeHostile)
		off := false
		hardened := 0
		for _, pod := range inv.Pods {
			if n := pod.Namespace; len(n) > 0 && n[len(n)-1]%2 == 0 {
				pod.Spec.AutomountServiceAccountToken, pod.Spec.ProjectedToken = &off, false
				pod.Spec.Stdin = []string{"shell"}
				hardened++
			}
		}
		if hardened < 100 {
			t.Fatalf("%d pods hardened: too few to compare", hardened)
		}
		same(t, inv, risk.Options{}, 10000)
	})
	// Rules that allow get on pods/exec and pods/attach, not create: from
	// v1.35 they give only failed steps, and the primitives visit no pod
	// for them; before, they exec and attach.
	for _, version := range []string{"v1.34", "v1.35"} {
		t.Run("monolith 30, get-only exec and attach, "+version, func(t *testing.T) {
			inv := shapeInventory(t, 30, 5, cluster.ShapeMonolith)
			changed := 0
			for _, r := range inv.Roles {
				for i := range r.Rules {
					if slices.Contains(r.Rules[i].Resources, "pods/exec") || slices.Contains(r.Rules[i].Resources, "pods/attach") {
						r.Rules[i].Verbs = []string{"get"}
						changed++
					}
				}
			}
			if changed < 2 {
				t.Fatalf("%d exec rules made get-only: too few to compare", changed)
			}
			same(t, inv, risk.Options{KubernetesVersion: version}, 10000)
		})
	}
	for _, dir := range caseDirs(t, "scenarios") {
		t.Run(filepath.Base(dir), func(t *testing.T) {
			var spec scenarioSpec
			readSpec(t, filepath.Join(dir, "scenario.yaml"), &spec)
			same(t, loadInput(t, dir), risk.Options{KubernetesVersion: spec.KubernetesVersion, PodSecurityDefault: spec.PodSecurityDefault, NoCSRAutoApproval: spec.NoCSRAutoApproval}, 0)
		})
	}
}
