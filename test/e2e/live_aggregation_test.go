package e2e

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

// aggregationFixture: ClusterRole agg-e2e-monitoring aggregates the roles
// labelled agg-e2e/aggregate=true; agg-e2e-base, so labelled, gives read
// access and escalate + update on ClusterRole agg-e2e-dashboards alone
// (which is bound to nobody); User agg-e2e-dave is bound to the aggregated
// role. User agg-e2e-erin is bound to a role with update and patch on
// agg-e2e-dashboards but no escalate.
const aggregationFixture = `apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: agg-e2e-monitoring}
aggregationRule:
  clusterRoleSelectors:
  - matchLabels: {agg-e2e/aggregate: "true"}
rules: []
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: agg-e2e-base
  labels: {agg-e2e/aggregate: "true"}
rules:
- {apiGroups: [""], resources: [pods], verbs: [get, list]}
- {apiGroups: [rbac.authorization.k8s.io], resources: [clusterroles], resourceNames: [agg-e2e-dashboards], verbs: [escalate, update]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: agg-e2e-dashboards}
rules:
- {apiGroups: [""], resources: [configmaps], verbs: [get]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: agg-e2e-dave}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: agg-e2e-monitoring}
subjects: [{apiGroup: rbac.authorization.k8s.io, kind: User, name: agg-e2e-dave}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: agg-e2e-writer}
rules:
- {apiGroups: [rbac.authorization.k8s.io], resources: [clusterroles], resourceNames: [agg-e2e-dashboards], verbs: [get, update, patch]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: agg-e2e-erin}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: agg-e2e-writer}
subjects: [{apiGroup: rbac.authorization.k8s.io, kind: User, name: agg-e2e-erin}]
`

// aggregationUpdate is the write the escalate step describes: * and the
// label the aggregationRule selects, into ClusterRole agg-e2e-dashboards. It
// is sent as the bare update (PUT) the step requires: kubectl patch and
// apply would read the role first, which the step does not need.
const aggregationUpdate = `{"apiVersion":"rbac.authorization.k8s.io/v1","kind":"ClusterRole","metadata":{"name":"agg-e2e-dashboards","labels":{"agg-e2e/aggregate":"true"}},"rules":[{"apiGroups":["*"],"resources":["*"],"verbs":["*"]},{"nonResourceURLs":["*"],"verbs":["*"]}]}`

const dashboardsURI = "/apis/rbac.authorization.k8s.io/v1/clusterroles/agg-e2e-dashboards"

// TestLiveEscalateThroughAnotherClusterRole: the step the analysis finds
// for a user bound to an aggregated ClusterRole who may escalate and update
// another ClusterRole is real on the apiserver and its aggregation
// controller: the write is admitted, the controller copies * into the bound
// role, and the user can then do everything. Without escalate the same write
// is refused, and the analysis finds no step.
func TestLiveEscalateThroughAnotherClusterRole(t *testing.T) {
	e := liveEnv(t)
	if _, err := e.c.KubectlStdin(strings.NewReader(aggregationFixture), "apply", "-f", "-"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_, _ = e.c.KubectlStdin(strings.NewReader(aggregationFixture), "delete", "--ignore-not-found", "-f", "-")
	})
	canAll := func(user string) bool {
		out, _ := e.c.Kubectl("auth", "can-i", "*", "*", "--all-namespaces", "--as", user)
		return strings.TrimSpace(out) == "yes"
	}
	// The controller has aggregated agg-e2e-base into the bound role.
	waitFor(t, "agg-e2e-monitoring to aggregate agg-e2e-base", func() bool {
		out, _ := e.c.Kubectl("auth", "can-i", "update", "clusterroles/agg-e2e-dashboards", "--as", "agg-e2e-dave")
		return strings.TrimSpace(out) == "yes"
	})
	if canAll("agg-e2e-dave") {
		t.Fatal("agg-e2e-dave is cluster-admin before the step")
	}

	r := e.run(t, "scan", "-o", "json")
	var scan struct {
		Paths []struct {
			Subject struct{ Kind, Name string }
			Steps   []struct{ Primitive, Condition string }
		}
	}
	if err := json.Unmarshal([]byte(r.stdout), &scan); err != nil {
		t.Fatalf("scan JSON: %v\n%s", err, r.stderr)
	}
	found := map[string]string{}
	for _, p := range scan.Paths {
		if strings.HasPrefix(p.Subject.Name, "agg-e2e-") && len(p.Steps) > 0 {
			found[p.Subject.Name] = p.Steps[0].Primitive + ": " + p.Steps[0].Condition
		}
	}
	if got := found["agg-e2e-dave"]; !strings.Contains(got, `escalate: update ClusterRole "agg-e2e-dashboards" with * and labels {agg-e2e/aggregate=true}`) {
		t.Errorf("live scan, agg-e2e-dave: %q, want the escalate step through agg-e2e-dashboards", got)
	}
	if got, ok := found["agg-e2e-erin"]; ok {
		t.Errorf("live scan, agg-e2e-erin (no escalate): unexpected path %q", got)
	}

	// Without escalate the write is refused.
	put := func(user string) (string, error) {
		return e.c.KubectlStdin(strings.NewReader(aggregationUpdate), "replace", "--raw", dashboardsURI, "-f", "-", "--as", user)
	}
	if out, err := put("agg-e2e-erin"); err == nil || !strings.Contains(out+err.Error(), "forbidden") {
		t.Errorf("agg-e2e-erin's write of * was not refused: %v %s", err, out)
	}
	// With it, the write is admitted and the controller does the rest.
	if out, err := put("agg-e2e-dave"); err != nil {
		t.Fatalf("agg-e2e-dave's write refused: %v %s", err, out)
	}
	waitFor(t, "the controller to copy * into agg-e2e-monitoring", func() bool { return canAll("agg-e2e-dave") })
	if canAll("agg-e2e-erin") {
		t.Error("agg-e2e-erin became cluster-admin")
	}
}

func waitFor(t *testing.T, what string, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(250 * time.Millisecond)
	}
}
