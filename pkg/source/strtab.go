package source

import (
	"slices"

	rbacv1 "k8s.io/api/rbac/v1"

	"github.com/auth-paths/kubectl-auth-paths/internal/slab"
	"github.com/auth-paths/kubectl-auth-paths/pkg/model"
)

// strtab keeps one copy of what the objects of an input repeat: their
// namespace, the keys and values of labels and annotations (and whole
// label maps: the pods of one ReplicaSet carry the same), owner kinds and
// names, ServiceAccount and node names, and whole string lists (rules'
// verbs and resources, images). Decoding makes a new string for
// every occurrence; on a 20,000-namespace input the copies were a third
// of the inventory and the collector traced every one of them for the
// whole analysis. Names, UIDs and resourceVersions, unique per object, are
// copied among the kept strings, not looked up. The table lives as long as
// the decoder.
type strtab struct {
	strs  map[string]string
	maps  map[string]map[string]string
	lists map[string][]string
	key   []byte
	keys  []string
	// chars and the slabs below are where what the inventory keeps is
	// made: strings, objects and lists decoded each in its own allocation
	// sat among the decoder's garbage and kept its pages (see slab).
	chars     slab.Strings
	owners    slab.Slab[model.OwnerReference]
	pods      slab.Slab[model.Pod]
	workloads slab.Slab[model.Workload]
	bindings  slab.Slab[model.Binding]
	subjects  slab.Slab[rbacv1.Subject]
	accounts  slab.Slab[model.ServiceAccount]
	secrets   slab.Slab[model.Secret]
	roles     slab.Slab[model.Role]
	rules     slab.Slab[rbacv1.PolicyRule]
	names     slab.Slab[string]
}

// isController and notController are the values of every owner
// reference's controller field that is set (decoded, each was an
// allocation of its own among the garbage). Never written.
var isController, notController = true, false

// own returns a copy of s among the table's kept strings.
func (t *strtab) own(s string) string { return t.chars.Copy(s) }

// str returns the table's copy of s.
func (t *strtab) str(s string) string {
	if s == "" {
		return s
	}
	if v, ok := t.strs[s]; ok {
		return v
	}
	if t.strs == nil {
		t.strs = map[string]string{}
	}
	s = t.own(s)
	t.strs[s] = s
	return s
}

// stringMap returns a map equal to m: the one already returned for an
// equal map, else a copy of m with the table's strings. The maps are
// shared: nothing may change them (nothing in the analysis writes to an
// object's labels or annotations).
func (t *strtab) stringMap(m map[string]string) map[string]string {
	if len(m) == 0 {
		return m
	}
	t.keys = t.keys[:0]
	for k := range m {
		t.keys = append(t.keys, k)
	}
	slices.Sort(t.keys)
	t.key = t.key[:0]
	for _, k := range t.keys {
		// A key cannot hold 0 (a label's or annotation's key is a
		// qualified name); a value may, so its length comes first.
		t.key = append(t.key, k...)
		t.key = append(t.key, 0)
		v := m[k]
		t.key = append(t.key, byte(len(v)), byte(len(v)>>8), byte(len(v)>>16), byte(len(v)>>24))
		t.key = append(t.key, v...)
	}
	if shared, ok := t.maps[string(t.key)]; ok {
		return shared
	}
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[t.str(k)] = t.str(v)
	}
	if t.maps == nil {
		t.maps = map[string]map[string]string{}
	}
	t.maps[string(t.key)] = out
	return out
}

// list returns a list equal to l: the one already returned for an equal
// list, else a copy of l with the table's strings (nil and empty stay as
// they are). The lists are shared, their capacity their length: nothing
// may write to them, and an append copies.
func (t *strtab) list(l []string) []string {
	if len(l) == 0 {
		return l
	}
	t.key = t.key[:0]
	for _, s := range l {
		t.key = append(t.key, byte(len(s)), byte(len(s)>>8), byte(len(s)>>16), byte(len(s)>>24))
		t.key = append(t.key, s...)
	}
	if shared, ok := t.lists[string(t.key)]; ok {
		return shared
	}
	out := t.names.Slice(l)
	for i := range out {
		out[i] = t.str(out[i])
	}
	if t.lists == nil {
		t.lists = map[string][]string{}
	}
	t.lists[string(t.key)] = out
	return out
}

// policyRules returns a copy of rules with the table's lists.
func (t *strtab) policyRules(rules []rbacv1.PolicyRule) []rbacv1.PolicyRule {
	out := t.rules.Slice(rules)
	for i := range out {
		r := &out[i]
		r.Verbs, r.APIGroups, r.Resources = t.list(r.Verbs), t.list(r.APIGroups), t.list(r.Resources)
		r.ResourceNames, r.NonResourceURLs = t.list(r.ResourceNames), t.list(r.NonResourceURLs)
	}
	return out
}

// subjectList returns a copy of subjects with the table's strings.
func (t *strtab) subjectList(subjects []rbacv1.Subject) []rbacv1.Subject {
	out := t.subjects.Slice(subjects)
	for i := range out {
		s := &out[i]
		s.Kind, s.APIGroup, s.Name, s.Namespace = t.str(s.Kind), t.str(s.APIGroup), t.str(s.Name), t.str(s.Namespace)
	}
	return out
}

// meta returns m with the table's strings and maps.
func (t *strtab) meta(m model.Meta) model.Meta {
	m.Namespace = t.str(m.Namespace)
	m.Name, m.UID, m.ResourceVersion = t.own(m.Name), t.own(m.UID), t.own(m.ResourceVersion)
	m.Labels = t.stringMap(m.Labels)
	m.Annotations = t.stringMap(m.Annotations)
	m.CreationTimestamp = t.str(m.CreationTimestamp)
	m.OwnerReferences = t.owners.Slice(m.OwnerReferences)
	for i := range m.OwnerReferences {
		r := &m.OwnerReferences[i]
		if r.Controller != nil {
			if *r.Controller {
				r.Controller = &isController
			} else {
				r.Controller = &notController
			}
		}
		r.APIVersion, r.Kind, r.Name = t.str(r.APIVersion), t.str(r.Kind), t.str(r.Name)
	}
	return m
}

// podSpec returns s with the table's strings.
func (t *strtab) podSpec(s model.PodSpec) model.PodSpec {
	s.ServiceAccountName, s.NodeName = t.str(s.ServiceAccountName), t.str(s.NodeName)
	s.Capabilities, s.HostPaths, s.Images, s.Stdin = t.list(s.Capabilities), t.list(s.HostPaths), t.list(s.Images), t.list(s.Stdin)
	return s
}
