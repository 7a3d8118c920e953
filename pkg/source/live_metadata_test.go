package source

import (
	"context"
	"reflect"
	"testing"

	"github.com/auth-paths/kubectl-auth-paths/pkg/model"
)

// TestLoadLiveRulePackObjects: CRDs and the named ConfigMaps come back as
// the same identity-only objects a dump holds, read as metadata only (the
// fake server checks the Accept header and the metadata.name selector), and
// a ConfigMap not asked for is never read.
func TestLoadLiveRulePackObjects(t *testing.T) {
	f := newFakeAPI(t)
	f.objects[crdList.path()] = []map[string]any{
		{"metadata": map[string]any{"name": "workflows.argoproj.io"}, "spec": map[string]any{"group": "argoproj.io"}},
	}
	// The fake serves a namespace's list from the cluster-wide one.
	f.objects["/api/v1/configmaps"] = []map[string]any{
		{"metadata": map[string]any{"name": "aws-auth", "namespace": "kube-system"}, "data": map[string]any{"mapRoles": "- rolearn: x"}},
		{"metadata": map[string]any{"name": "other", "namespace": "kube-system"}, "data": map[string]any{"k": "v"}},
	}
	_, cfg := f.start()
	inv, err := LoadLive(context.Background(), cfg, LiveOptions{Objects: []NamedObject{{Namespace: "kube-system", Name: "aws-auth", Impact: "x"}}})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, o := range inv.Others {
		got = append(got, o.APIVersion+" "+o.Kind+" "+o.Namespace+"/"+o.Name)
	}
	want := []string{"apiextensions.k8s.io/v1 CustomResourceDefinition /workflows.argoproj.io", "v1 ConfigMap kube-system/aws-auth"}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("others %q, want %q", got, want)
	}
	if len(inv.Missing) != 0 {
		t.Fatalf("missing %+v", inv.Missing)
	}
}

func TestLoadLiveRulePackObjectsForbidden(t *testing.T) {
	f := newFakeAPI(t)
	f.status["/api/v1/namespaces/kube-system/configmaps"] = 403
	f.status[crdList.path()] = 403
	_, cfg := f.start()
	impact := "rule pack eks-aws-auth cannot activate through it: aws-auth mapping rules not evaluated"
	inv, err := LoadLive(context.Background(), cfg, LiveOptions{Objects: []NamedObject{{Namespace: "kube-system", Name: "aws-auth", Impact: impact}}})
	if err != nil {
		t.Fatal(err)
	}
	want := []model.MissingKind{
		{Resource: "customresourcedefinitions.apiextensions.k8s.io", Reason: "forbidden", Impact: crdList.impact},
		{Resource: "configmaps kube-system/aws-auth", Reason: "forbidden", Impact: impact},
	}
	if !reflect.DeepEqual(inv.Missing, want) {
		t.Fatalf("missing %+v\nwant %+v", inv.Missing, want)
	}
}

func TestDecodeMetadataListRefusesContent(t *testing.T) {
	d := newDecoder("")
	raw := []byte(`{"apiVersion":"meta.k8s.io/v1","kind":"PartialObjectMetadataList","items":[{"metadata":{"name":"aws-auth"},"data":{"k":"v"}}]}`)
	if err := d.decodeMetadataList(raw, metaKind{apiVersion: "v1", kind: "ConfigMap"}, model.Source{File: "cluster:configmaps"}); err == nil {
		t.Fatal("an item with data must be refused")
	}
	plain := []byte(`{"apiVersion":"v1","kind":"ConfigMapList","items":[]}`)
	if err := d.decodeMetadataList(plain, metaKind{apiVersion: "v1", kind: "ConfigMap"}, model.Source{File: "cluster:configmaps"}); err == nil {
		t.Fatal("a full ConfigMapList must be refused")
	}
}
