package source

import (
	"maps"
	"reflect"
	"slices"
	"testing"
	"unsafe"

	rbacv1 "k8s.io/api/rbac/v1"

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

// TestStrtabMetaKeepsItsOwn checks that what meta keeps of an object is its
// own (not the decoder's strings and slices) and that owner references'
// controller values are shared.
func TestStrtabMetaKeepsItsOwn(t *testing.T) {
	var tab strtab
	yes, no := true, false
	in := model.Meta{Name: string([]byte("web-1")), UID: string([]byte("9f59ef85-6bde-63cc-062a-ef856bde63cc")), ResourceVersion: string([]byte("101578")),
		OwnerReferences: []model.OwnerReference{{APIVersion: "apps/v1", Kind: "ReplicaSet", Name: string([]byte("web-abc")), Controller: &yes}, {Kind: "Other", Name: "o", Controller: &no}, {Kind: "Unset", Name: "u"}}}
	want := in
	want.OwnerReferences = slices.Clone(in.OwnerReferences)
	got := tab.meta(in)
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("meta changed values:\n got %+v\nwant %+v", got, want)
	}
	for _, f := range []struct{ got, in string }{{got.Name, in.Name}, {got.UID, in.UID}, {got.ResourceVersion, in.ResourceVersion}, {got.OwnerReferences[0].Name, in.OwnerReferences[0].Name}} {
		if unsafe.StringData(f.got) == unsafe.StringData(f.in) {
			t.Errorf("%q is the decoder's string, not a copy", f.got)
		}
	}
	if &got.OwnerReferences[0] == &in.OwnerReferences[0] || cap(got.OwnerReferences) != len(got.OwnerReferences) {
		t.Error("owner references are the decoder's slice, or may be appended into")
	}
	if got.OwnerReferences[0].Controller != &isController || got.OwnerReferences[1].Controller != &notController || got.OwnerReferences[2].Controller != nil {
		t.Error("controller values are not the shared ones")
	}
	// The same owner's name is one copy across objects.
	again := tab.meta(model.Meta{Name: "web-2", OwnerReferences: []model.OwnerReference{{Kind: "ReplicaSet", Name: string([]byte("web-abc"))}}})
	if unsafe.StringData(again.OwnerReferences[0].Name) != unsafe.StringData(got.OwnerReferences[0].Name) {
		t.Error("equal owner names are not one copy")
	}
}

// TestStrtabLists checks that equal lists are one shared list that an append
// copies, and that rules and subjects keep their values.
func TestStrtabLists(t *testing.T) {
	var tab strtab
	a := tab.list([]string{"get", "list", string([]byte("watch"))})
	b := tab.list([]string{"get", "list", "watch"})
	if !slices.Equal(a, []string{"get", "list", "watch"}) || &a[0] != &b[0] {
		t.Fatalf("equal lists not shared: %q %q", a, b)
	}
	if cap(a) != len(a) {
		t.Errorf("a shared list has room to append into (cap %d, len %d)", cap(a), len(a))
	}
	grown := append(a, "delete")
	if &grown[0] == &a[0] {
		t.Error("append wrote into the shared list")
	}
	for _, l := range [][]string{{"get", "list"}, {"getlist"}, {"get", "list", "watch", ""}, {"get\x00", "list"}} {
		if got := tab.list(slices.Clone(l)); !slices.Equal(got, l) || &got[0] == &a[0] {
			t.Errorf("list(%q) = %q, shared with %q", l, got, a)
		}
	}
	if got := tab.list(nil); got != nil {
		t.Errorf("list(nil) = %#v", got)
	}
	if got := tab.list([]string{}); got == nil {
		t.Error("list(empty) = nil, want empty")
	}

	rules := []rbacv1.PolicyRule{
		{Verbs: []string{"get", "list", "watch"}, APIGroups: []string{""}, Resources: []string{"pods"}, ResourceNames: []string{"web"}},
		{Verbs: []string{"get"}, NonResourceURLs: []string{"/healthz"}},
	}
	want := []rbacv1.PolicyRule{
		{Verbs: []string{"get", "list", "watch"}, APIGroups: []string{""}, Resources: []string{"pods"}, ResourceNames: []string{"web"}},
		{Verbs: []string{"get"}, NonResourceURLs: []string{"/healthz"}},
	}
	got := tab.policyRules(rules)
	if !reflect.DeepEqual(got, want) || &got[0] == &rules[0] || &got[0].Verbs[0] != &a[0] {
		t.Errorf("policyRules = %+v (the decoder's slice: %v; verbs shared: %v)", got, &got[0] == &rules[0], &got[0].Verbs[0] == &a[0])
	}
	if got := tab.policyRules(nil); got != nil {
		t.Errorf("policyRules(nil) = %#v", got)
	}
	subjects := []rbacv1.Subject{{Kind: "ServiceAccount", Name: string([]byte("web")), Namespace: "shop"}, {Kind: "Group", APIGroup: "rbac.authorization.k8s.io", Name: "devs"}}
	gotS := tab.subjectList(subjects)
	if !reflect.DeepEqual(gotS, subjects) || &gotS[0] == &subjects[0] {
		t.Errorf("subjectList = %+v", gotS)
	}
	if again := tab.subjectList([]rbacv1.Subject{{Kind: "ServiceAccount", Name: string([]byte("web")), Namespace: "shop"}}); unsafe.StringData(again[0].Name) != unsafe.StringData(gotS[0].Name) {
		t.Error("equal subject names are not one copy")
	}
}
