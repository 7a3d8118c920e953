package source

import (
	"maps"
	"reflect"
	"testing"
	"unsafe"

	"github.com/auth-paths/kubectl-auth-paths/pkg/model"
)

func TestStrtabMaps(t *testing.T) {
	var tab strtab
	same := func(a, b map[string]string) bool {
		return reflect.ValueOf(a).UnsafePointer() == reflect.ValueOf(b).UnsafePointer()
	}
	a := tab.stringMap(map[string]string{"app": "web", "pod-template-hash": "abc"})
	b := tab.stringMap(map[string]string{"pod-template-hash": "abc", "app": "web"})
	if !same(a, b) || !maps.Equal(a, map[string]string{"app": "web", "pod-template-hash": "abc"}) {
		t.Errorf("equal maps not shared: %v %v", a, b)
	}
	for _, m := range []map[string]string{
		{"app": "web"},
		{"app": "web", "pod-template-hash": "abd"},
		// A value holding what would separate entries cannot pass for two.
		{"app": "web\x00pod-template-hash\x00abc"},
		{"app": ""},
	} {
		got := tab.stringMap(maps.Clone(m))
		if same(got, a) || !maps.Equal(got, m) {
			t.Errorf("stringMap(%q) = %q, shared with %q", m, got, a)
		}
	}
	if got := tab.stringMap(nil); got != nil {
		t.Errorf("stringMap(nil) = %v", got)
	}
	if got := tab.stringMap(map[string]string{}); got == nil || len(got) != 0 {
		t.Errorf("stringMap(empty) = %#v, want an empty map", got)
	}
}

func TestStrtabMetaAndSpec(t *testing.T) {
	var tab strtab
	ctl := true
	m1 := model.Meta{Namespace: string([]byte("team-a")), Name: "p1", UID: "u1", Labels: map[string]string{"app": "x"},
		OwnerReferences: []model.OwnerReference{{APIVersion: "apps/v1", Kind: "ReplicaSet", Name: "rs", Controller: &ctl}}}
	m2 := m1
	m2.Namespace, m2.Name = string([]byte("team-a")), "p2"
	m2.OwnerReferences = []model.OwnerReference{{APIVersion: string([]byte("apps/v1")), Kind: "ReplicaSet", Name: "rs"}}
	want1, want2 := m1, m2
	got1, got2 := tab.meta(m1), tab.meta(m2)
	if !reflect.DeepEqual(got1, want1) || !reflect.DeepEqual(got2, want2) {
		t.Fatalf("meta changed values:\n%+v\n%+v", got1, got2)
	}
	if unsafe.StringData(got1.Namespace) != unsafe.StringData(got2.Namespace) ||
		unsafe.StringData(got1.OwnerReferences[0].APIVersion) != unsafe.StringData(got2.OwnerReferences[0].APIVersion) {
		t.Error("equal namespaces or owner apiVersions are not one copy")
	}
	s := model.PodSpec{ServiceAccountName: "sa", NodeName: "n1", Images: []string{"img:1", string([]byte("img:1"))}, Capabilities: []string{"NET_ADMIN"}}
	got := tab.podSpec(s)
	if got.ServiceAccountName != "sa" || got.NodeName != "n1" || got.Images[0] != "img:1" || got.Capabilities[0] != "NET_ADMIN" {
		t.Errorf("podSpec changed values: %+v", got)
	}
	if unsafe.StringData(got.Images[0]) != unsafe.StringData(got.Images[1]) {
		t.Error("equal images are not one copy")
	}
}
