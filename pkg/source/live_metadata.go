package source

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/auth-paths/kubectl-auth-paths/pkg/model"
)

// Rule packs need to know that some objects exist, never their content:
// CustomResourceDefinitions (a pack activates on workflows.argoproj.io) and
// a few named ConfigMaps (kube-system/aws-auth). Live mode lists them as
// metadata only (PartialObjectMetadataList), the ConfigMaps one by one with a
// metadata.name field selector, so no ConfigMap data and no CRD schema is
// read; the items become the same model.Object a dump gives.

// metaKind is what a metadata-only list's items are.
type metaKind struct {
	apiVersion, kind string
}

// A CRD's name is <plural>.<group>, which is what pack activation matches.
var crdList = liveList{
	liveResource: liveResource{group: "apiextensions.k8s.io", version: "v1", resource: "customresourcedefinitions",
		impact: "rule packs do not activate on CRD presence (only on served groups, their objects or their controllers' identities); Kyverno policies and Gatekeeper constraints are not read"},
	meta: &metaKind{apiVersion: "apiextensions.k8s.io/v1", kind: "CustomResourceDefinition"}}

// liveLists are the requests of a live load, in merge order: the kept
// kinds, the CRDs, then the named objects.
func liveLists(objs []NamedObject) []liveList {
	out := make([]liveList, 0, len(liveResources)+1+len(objs))
	for _, r := range liveResources {
		out = append(out, liveList{liveResource: r})
	}
	out = append(out, crdList)
	for _, o := range objs {
		out = append(out, liveList{liveResource: liveResource{version: "v1", resource: "configmaps", impact: o.Impact},
			namespace: o.Namespace, name: o.Name, meta: &metaKind{apiVersion: "v1", kind: "ConfigMap"}})
	}
	return out
}

// engineLists are the lists of the policy engines whose CRDs the cluster
// serves (from the CRD list): Kyverno's ClusterPolicies and Policies, and
// every Gatekeeper constraint kind, in name order.
func engineLists(others []*model.Object) []liveList {
	var out []liveList
	for _, o := range others {
		if o.Kind != "CustomResourceDefinition" {
			continue
		}
		plural, group, ok := strings.Cut(o.Name, ".")
		if !ok {
			continue
		}
		var version string
		switch {
		case group == GroupKyverno && (plural == "clusterpolicies" || plural == "policies"):
			version = "v1"
		case group == GroupGatekeeper:
			version = "v1beta1"
		default:
			continue
		}
		out = append(out, liveList{liveResource: liveResource{group: group, version: version, resource: plural,
			impact: "these admission policies are not evaluated: steps they would block are kept"}})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].display() < out[j].display() })
	return out
}

// NamedObject is one object a live load reads by name: a ConfigMap (the only
// kind supported) a rule pack activates on.
type NamedObject struct {
	Namespace, Name string
	// Impact is what is lost when it cannot be read.
	Impact string
}

// decodeMetadataList keeps the items of a PartialObjectMetadataList as
// objects of kind mk. Anything but metadata in an item is refused.
func (d *decoder) decodeMetadataList(raw []byte, mk metaKind, src model.Source) error {
	var list struct {
		APIVersion string            `json:"apiVersion"`
		Kind       string            `json:"kind"`
		Items      []json.RawMessage `json:"items"`
	}
	if err := json.Unmarshal(raw, &list); err != nil {
		return &docError{src: src, msg: "malformed metadata list", err: err}
	}
	if list.Kind != "PartialObjectMetadataList" || list.APIVersion != "meta.k8s.io/v1" {
		return &docError{src: src, msg: fmt.Sprintf("expected a meta.k8s.io/v1 PartialObjectMetadataList of %s, got %s %q", mk.kind, list.APIVersion, list.Kind)}
	}
	for i, item := range list.Items {
		isrc := src
		isrc.Item = i + 1
		var fields map[string]json.RawMessage
		if err := json.Unmarshal(item, &fields); err != nil {
			return &docError{src: isrc, msg: "malformed item in metadata list", err: err}
		}
		for f := range fields {
			if !metadataOnlyFields[f] {
				return &docError{src: isrc, msg: fmt.Sprintf("%s metadata list item has field %q: refusing to read more than metadata", mk.kind, f)}
			}
		}
		obj, err := json.Marshal(map[string]json.RawMessage{"apiVersion": jsonString(mk.apiVersion), "kind": jsonString(mk.kind), "metadata": fields["metadata"]})
		if err != nil {
			return &docError{src: isrc, msg: "re-encoding a metadata item", err: err}
		}
		if err := d.decodeObject(obj, isrc, "", ""); err != nil {
			return err
		}
	}
	return nil
}

func jsonString(s string) json.RawMessage {
	b, _ := json.Marshal(s)
	return b
}
