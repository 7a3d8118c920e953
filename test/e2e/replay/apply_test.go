package replay

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"k8s.io/client-go/discovery"
	"k8s.io/client-go/discovery/cached/memory"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/restmapper"
)

// fieldManager names the replay's writes in managedFields.
const fieldManager = "auth-paths-replay"

// applier writes a scenario's objects as they are written in its file.
type applier struct {
	dyn    dynamic.Interface
	mapper *restmapper.DeferredDiscoveryRESTMapper
}

func newApplier(cfg *rest.Config) (*applier, error) {
	dyn, err := dynamic.NewForConfig(cfg)
	if err != nil {
		return nil, err
	}
	dc, err := discovery.NewDiscoveryClientForConfig(cfg)
	if err != nil {
		return nil, err
	}
	return &applier{dyn: dyn, mapper: restmapper.NewDeferredDiscoveryRESTMapper(memory.NewMemCacheClient(dc))}, nil
}

// readObjects reads every object of a YAML or JSON file, List items expanded,
// in file order.
func readObjects(path string) ([]*unstructured.Unstructured, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close() //nolint:errcheck // read-only file
	dec := utilyaml.NewYAMLOrJSONDecoder(f, 4096)
	var out []*unstructured.Unstructured
	for doc := 1; ; doc++ {
		var m map[string]any
		if err := dec.Decode(&m); err != nil {
			if errors.Is(err, io.EOF) {
				return out, nil
			}
			return nil, fmt.Errorf("%s: document %d: %w", path, doc, err)
		}
		if len(m) == 0 {
			continue
		}
		u := &unstructured.Unstructured{Object: m}
		if !u.IsList() {
			out = append(out, u)
			continue
		}
		items, _, _ := unstructured.NestedSlice(m, "items")
		for i, it := range items {
			im, ok := it.(map[string]any)
			if !ok {
				return nil, fmt.Errorf("%s: document %d: items[%d] is not an object", path, doc, i)
			}
			out = append(out, &unstructured.Unstructured{Object: im})
		}
	}
}

// applyRank orders kinds so that what others refer to by UID (ServiceAccounts
// for their token Secrets, owners for what they own) is created first.
var applyRank = map[string]int{
	"Namespace":                0,
	"CustomResourceDefinition": 1,
	"ServiceAccount":           2,
	"Node":                     3,
	"CronJob":                  4,
	"Deployment":               4,
	"StatefulSet":              4,
	"DaemonSet":                4,
	"ReplicationController":    4,
	"Job":                      5,
	"ReplicaSet":               5,
	"Pod":                      7,
}

func rank(kind string) int {
	if r, ok := applyRank[kind]; ok {
		return r
	}
	return 6
}

// applyScenario creates every object of the file; an object that exists (a
// bootstrap object the scenario redefines) is replaced, as a later copy of an
// object replaces an earlier one offline. Status is written through the
// status subresource. The apiserver gives every object a new UID: UIDs the
// file refers to (a token Secret's ServiceAccount UID, owner references) are
// rewritten to the new ones, so that the cluster holds the same relations as
// the file. It returns the number of objects written.
func (a *applier) applyScenario(ctx context.Context, path string) (int, error) {
	objs, err := readObjects(path)
	if err != nil {
		return 0, err
	}
	sort.SliceStable(objs, func(i, j int) bool { return rank(objs[i].GetKind()) < rank(objs[j].GetKind()) })
	uids := map[string]string{}
	for i, o := range objs {
		if err := a.apply(ctx, o, uids); err != nil {
			return i, fmt.Errorf("%s: %s %s: %w", path, o.GetKind(), objName(o), err)
		}
	}
	return len(objs), nil
}

func objName(o *unstructured.Unstructured) string {
	if o.GetNamespace() != "" {
		return o.GetNamespace() + "/" + o.GetName()
	}
	return o.GetName()
}

func (a *applier) apply(ctx context.Context, in *unstructured.Unstructured, uids map[string]string) error {
	obj, err := withUIDs(in, uids)
	if err != nil {
		return err
	}
	status, hasStatus := obj.Object["status"].(map[string]any)
	delete(obj.Object, "status")
	// Fields only the apiserver sets.
	obj.SetUID("")
	obj.SetResourceVersion("")
	obj.SetCreationTimestamp(metav1.Time{})
	obj.SetGeneration(0)
	obj.SetManagedFields(nil)

	gvk := obj.GroupVersionKind()
	m, err := a.mapper.RESTMapping(gvk.GroupKind(), gvk.Version)
	if meta.IsNoMatchError(err) {
		a.mapper.Reset() // a kind served since the last discovery (a CRD of the scenario)
		m, err = a.mapper.RESTMapping(gvk.GroupKind(), gvk.Version)
	}
	if err != nil {
		return err
	}
	var ri dynamic.ResourceInterface = a.dyn.Resource(m.Resource)
	if m.Scope.Name() == meta.RESTScopeNameNamespace {
		if obj.GetNamespace() == "" {
			obj.SetNamespace("default")
		}
		ri = a.dyn.Resource(m.Resource).Namespace(obj.GetNamespace())
	}
	out, err := ri.Create(ctx, obj, metav1.CreateOptions{FieldManager: fieldManager})
	if apierrors.IsAlreadyExists(err) {
		cur, gerr := ri.Get(ctx, obj.GetName(), metav1.GetOptions{})
		if gerr != nil {
			return gerr
		}
		obj.SetResourceVersion(cur.GetResourceVersion())
		out, err = ri.Update(ctx, obj, metav1.UpdateOptions{FieldManager: fieldManager})
	}
	if err != nil {
		return err
	}
	if uid := in.GetUID(); uid != "" {
		uids[string(uid)] = string(out.GetUID())
	}
	// The apiserver keeps its own status of a CRD; other kinds take the file's.
	if !hasStatus || len(status) == 0 || obj.GetKind() == "CustomResourceDefinition" {
		return nil
	}
	out.Object["status"] = status
	if _, err := ri.UpdateStatus(ctx, out, metav1.UpdateOptions{FieldManager: fieldManager}); err != nil {
		return fmt.Errorf("status: %w", err)
	}
	return nil
}

// withUIDs returns a copy of o with every UID of uids replaced by its new value.
func withUIDs(o *unstructured.Unstructured, uids map[string]string) (*unstructured.Unstructured, error) {
	raw, err := json.Marshal(o.Object)
	if err != nil {
		return nil, err
	}
	if len(uids) > 0 {
		pairs := make([]string, 0, 2*len(uids))
		for old, repl := range uids {
			pairs = append(pairs, `"`+old+`"`, `"`+repl+`"`)
		}
		raw = []byte(strings.NewReplacer(pairs...).Replace(string(raw)))
	}
	out := &unstructured.Unstructured{}
	if err := out.UnmarshalJSON(raw); err != nil {
		return nil, err
	}
	return out, nil
}
