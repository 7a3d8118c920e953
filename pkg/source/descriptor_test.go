package source

import (
	"encoding/json"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/auth-paths/kubectl-auth-paths/pkg/model"
)

// The descriptors (descriptor.go) and the lists (inventorylists.go) are the
// one description of what the loader keeps; these tests hold everything
// derived from them to them.

// minimalManifest is the smallest object of kind k in version v that its
// decoder keeps, in namespace ns1 (which a cluster-scoped kind drops).
func minimalManifest(t *testing.T, k *kindDescriptor, version, name string) string {
	t.Helper()
	av := version
	if k.group != "" {
		av = k.group + "/" + version
	}
	obj := map[string]any{"apiVersion": av, "kind": k.kind, "metadata": map[string]any{"name": name, "namespace": "ns1"}}
	// The only fields a kept kind's decoder requires or warns without.
	switch k.kind {
	case model.KindClusterRoleBinding, model.KindRoleBinding:
		obj["roleRef"] = map[string]any{"apiGroup": groupRBAC, "kind": model.KindClusterRole, "name": "r"}
	case model.KindValidatingAdmissionPolicyBinding:
		obj["spec"] = map[string]any{"policyName": "p"}
	}
	data, err := json.Marshal(obj)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

// TestEveryKeptKindRoundTripsThroughADump: an object of every described kind
// and version is kept, once, in its kind's list, and a dump writes it in the
// kind's own apiVersion and namespace scope and reads back the same.
func TestEveryKeptKindRoundTripsThroughADump(t *testing.T) {
	for _, k := range descriptors {
		for _, v := range k.versions {
			t.Run(k.kind+"/"+v, func(t *testing.T) {
				inv, err := loadString(t, "in.json", minimalManifest(t, k, v, "x"))
				if err != nil {
					t.Fatal(err)
				}
				if inv.Count() != 1 || k.objects().count(inv, k.kind) != 1 || len(inv.Others) != 0 || len(inv.Skipped) != 0 || len(inv.Warnings) != 0 {
					t.Fatalf("kept %d objects, %d of them in the kind's list (others %d, skipped %v, warnings %q), want 1 and 1",
						inv.Count(), k.objects().count(inv, k.kind), len(inv.Others), inv.Skipped, inv.Warnings)
				}
				js, err := MarshalDump(inv)
				if err != nil {
					t.Fatal(err)
				}
				var list struct {
					Items []typeMeta `json:"items"`
				}
				if err := json.Unmarshal(js, &list); err != nil {
					t.Fatal(err)
				}
				wantNS := ""
				if k.namespaced {
					wantNS = "ns1"
				}
				if len(list.Items) != 1 || list.Items[0].APIVersion != k.apiVersion() || list.Items[0].Kind != k.kind || list.Items[0].Metadata.Namespace != wantNS {
					t.Fatalf("dump items %+v, want one %s %s in namespace %q", list.Items, k.apiVersion(), k.kind, wantNS)
				}
				back, err := loadString(t, "dump.json", string(js))
				if err != nil {
					t.Fatal(err)
				}
				if got, want := contents(t, back), contents(t, inv); got != want {
					t.Errorf("inventory after the round trip differs:\n got %s\nwant %s", got, want)
				}
			})
		}
	}
}

// TestEveryInventoryListIsDescribedOnce: every list of model.Inventory is
// merged, dumped and sorted by exactly one described list, and counted by
// Inventory.Count unless it is Others.
func TestEveryInventoryListIsDescribedOnce(t *testing.T) {
	typ := reflect.TypeFor[model.Inventory]()
	var fields []int
	for i := range typ.NumField() {
		if ft := typ.Field(i).Type; ft.Kind() == reflect.Slice && ft.Elem().Kind() == reflect.Pointer {
			fields = append(fields, i)
		}
	}
	if len(fields) != int(numLists) {
		t.Errorf("model.Inventory has %d lists of records, inventoryLists describes %d", len(fields), numLists)
	}
	for _, i := range fields {
		f := typ.Field(i)
		t.Run(f.Name, func(t *testing.T) {
			src := &model.Inventory{Skipped: map[string]int{}}
			one := reflect.MakeSlice(f.Type, 1, 1)
			one.Index(0).Set(reflect.New(f.Type.Elem().Elem()))
			reflect.ValueOf(src).Elem().Field(i).Set(one)

			dst := &model.Inventory{Skipped: map[string]int{}}
			mergeInventory(dst, src)
			for _, j := range fields {
				want := 0
				if j == i {
					want = 1
				}
				if got := reflect.ValueOf(dst).Elem().Field(j).Len(); got != want {
					t.Errorf("after a merge %s has %d objects, want %d", typ.Field(j).Name, got, want)
				}
			}
			if n := len(NewDumpList(src).Items); n != 1 {
				t.Errorf("dump has %d items, want 1", n)
			}
			want := 1
			if f.Name == "Others" {
				want = 0 // objects of kinds the analysis does not use
			}
			if got := src.Count(); got != want {
				t.Errorf("Count() = %d, want %d", got, want)
			}
			sortInventory(src)
		})
	}
}

// TestLiveListsAndNamesFollowTheDescriptors: a live load lists every
// described kind, each list as its kind says (group, first version, scope
// for the namespace fallback), and --allow-incomplete names each kind.
func TestLiveListsAndNamesFollowTheDescriptors(t *testing.T) {
	listed := map[*kindDescriptor]int{}
	for _, r := range liveResources {
		k := r.kind
		if k == nil || kinds[k.kind] != k {
			t.Errorf("%s: lists no described kind", r.display())
			continue
		}
		listed[k]++
		if r.group != k.group || r.version != k.versions[0] || r.namespaced() != k.namespaced {
			t.Errorf("%s: group %q version %q namespaced %v, want those of %s (%q %q %v)",
				r.display(), r.group, r.version, r.namespaced(), k.kind, k.group, k.versions[0], k.namespaced)
		}
	}
	for _, k := range descriptors {
		if listed[k] != len(k.live) || len(k.live) == 0 {
			t.Errorf("%s: listed %d times live, described %d", k.kind, listed[k], len(k.live))
		}
		names := []string{k.kind, strings.ToLower(k.kind), k.resource()}
		if k.group != "" {
			names = append(names, k.resource()+"."+k.group)
		}
		for _, n := range names {
			if got, err := resourceName(n); err != nil || got != k.resource() {
				t.Errorf("--allow-incomplete %s: %q, %v; want %q", n, got, err, k.resource())
			}
		}
	}
	if got, want := len(kinds), len(descriptors); got != want {
		t.Errorf("%d kinds decoded, %d described", got, want)
	}
}

// TestOfflineGapsFollowTheDescriptors: the absence of every kind whose
// absence is recorded is reported under its resource, with its tier, and
// one object of it (or of a kind counted with it) is enough.
func TestOfflineGapsFollowTheDescriptors(t *testing.T) {
	evidenceByResource := map[string]evidence{}
	for _, e := range evidenceKinds {
		evidenceByResource[e.resource] = e
	}
	for _, k := range descriptors {
		shows := k
		if k.evidenceOf != "" {
			if shows = kinds[k.evidenceOf]; shows == nil || shows.list != k.list {
				t.Errorf("%s: counted with %q, which is no described kind of its list", k.kind, k.evidenceOf)
				continue
			}
		} else if k.absence == absenceUnchecked {
			if _, ok := evidenceByResource[k.resource()]; ok {
				t.Errorf("%s: absence unchecked, but %s is evidence", k.kind, k.resource())
			}
			continue
		}
		e, ok := evidenceByResource[shows.resource()]
		if !ok {
			t.Errorf("%s: no evidence %s", k.kind, shows.resource())
			continue
		}
		if e.required != (shows.absence == absenceMissing) {
			t.Errorf("%s: required %v, want %v", e.resource, e.required, shows.absence == absenceMissing)
		}
		inv, err := loadString(t, "in.json", minimalManifest(t, k, k.versions[0], "x"))
		if err != nil {
			t.Fatal(err)
		}
		if n := e.count(inv); n != 1 {
			t.Errorf("%s: one %s counts %d", e.resource, k.kind, n)
		}
	}
}

// useDescriptors makes ds the described kinds for the rest of the test, with
// everything derived from them. The package's tests do not run in parallel.
func useDescriptors(t *testing.T, ds []*kindDescriptor) {
	t.Helper()
	savedDescriptors, savedKinds, savedLive, savedEvidence := descriptors, kinds, liveResources, evidenceKinds
	t.Cleanup(func() {
		descriptors, kinds, liveResources, evidenceKinds = savedDescriptors, savedKinds, savedLive, savedEvidence
	})
	descriptors, kinds, liveResources, evidenceKinds = ds, byKind(ds), liveResourcesOf(ds), evidenceFor(ds)
}

// TestAddingADescriptorIsEnough: a kind described once (here Argo Rollouts,
// a workload with a pod template, in a version other than v1) is decoded,
// replaced when read again, sorted, dumped and read back, listed live with
// the namespace fallback, reported when absent and named by
// --allow-incomplete, with nothing else to edit.
func TestAddingADescriptorIsEnough(t *testing.T) {
	rollout := &kindDescriptor{kind: "Rollout", group: "argoproj.io", versions: []string{"v1alpha1"}, namespaced: true,
		decode: decodeWorkload, list: workloadList, absence: absenceNoted,
		live: one("rollouts", "modify-workload steps through Rollouts are not evaluated")}
	useDescriptors(t, append(slices.Clone(descriptors), rollout))

	inv, err := loadString(t, "in.yaml", `apiVersion: argoproj.io/v1alpha1
kind: Rollout
metadata: {name: web, namespace: shop}
spec: {template: {spec: {containers: [{name: c, image: old}]}}}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
---
apiVersion: argoproj.io/v1alpha1
kind: Rollout
metadata: {name: web, namespace: shop}
spec: {template: {spec: {serviceAccountName: deployer, containers: [{name: c, image: new}]}}}
`)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, w := range inv.Workloads {
		got = append(got, w.Group+" "+w.Kind+" "+w.Spec.ServiceAccountName+" "+strings.Join(w.Spec.Images, ","))
	}
	if want := []string{"apps Deployment default ", "argoproj.io Rollout deployer new"}; !slices.Equal(got, want) {
		t.Errorf("workloads %q, want %q", got, want)
	}
	if len(inv.Warnings) != 1 || !strings.HasPrefix(inv.Warnings[0], `Rollout "shop/web": also read from`) || len(inv.Skipped) != 0 {
		t.Errorf("warnings %q, skipped %v; want the duplicate Rollout only", inv.Warnings, inv.Skipped)
	}

	js, err := MarshalDump(inv)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(js), `"apiVersion": "argoproj.io/v1alpha1"`) {
		t.Errorf("the dump does not write the Rollout in its own apiVersion:\n%s", js)
	}
	back, err := loadString(t, "dump.json", string(js))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := contents(t, back), contents(t, inv); got != want {
		t.Errorf("inventory after the round trip differs:\n got %s\nwant %s", got, want)
	}

	if !slices.Contains(LiveResources(), "rollouts.argoproj.io") {
		t.Errorf("LiveResources() = %q, without rollouts", LiveResources())
	}
	var found bool
	for _, r := range liveLists(nil) {
		if r.path() == "/apis/argoproj.io/v1alpha1/rollouts" {
			found = true
			if !r.namespaced() {
				t.Error("rollouts have no namespace fallback")
			}
		}
	}
	if !found {
		t.Error("no live list of /apis/argoproj.io/v1alpha1/rollouts")
	}

	empty := &model.Inventory{Skipped: map[string]int{}}
	OfflineGaps(empty)
	if !slices.Contains(empty.NotSeen, "rollouts") {
		t.Errorf("NotSeen %q, without rollouts", empty.NotSeen)
	}
	if r, err := resourceName("Rollout"); err != nil || r != "rollouts" {
		t.Errorf("--allow-incomplete Rollout: %q, %v", r, err)
	}
	if !slices.Contains(KeptKinds(), "Rollout") {
		t.Errorf("KeptKinds() = %q, without Rollout", KeptKinds())
	}
}
