package source

import (
	"slices"

	"github.com/auth-paths/kubectl-auth-paths/pkg/model"
)

// strtab keeps one copy of what the objects of an input repeat: their
// namespace, the keys and values of labels and annotations (and whole
// label maps: the pods of one ReplicaSet carry the same), owner kinds,
// ServiceAccount and node names, images. Decoding makes a new string for
// every occurrence; on a 20,000-namespace input the copies were a third
// of the inventory and the collector traced every one of them for the
// whole analysis. Names and UIDs, unique per object, are left alone. The
// table lives as long as the decoder.
type strtab struct {
	strs map[string]string
	maps map[string]map[string]string
	key  []byte
	keys []string
}

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

// meta returns m with the table's strings and maps.
func (t *strtab) meta(m model.Meta) model.Meta {
	m.Namespace = t.str(m.Namespace)
	m.Labels = t.stringMap(m.Labels)
	m.Annotations = t.stringMap(m.Annotations)
	m.CreationTimestamp = t.str(m.CreationTimestamp)
	for i := range m.OwnerReferences {
		r := &m.OwnerReferences[i]
		r.APIVersion, r.Kind = t.str(r.APIVersion), t.str(r.Kind)
	}
	return m
}

// podSpec returns s with the table's strings.
func (t *strtab) podSpec(s model.PodSpec) model.PodSpec {
	s.ServiceAccountName, s.NodeName = t.str(s.ServiceAccountName), t.str(s.NodeName)
	for _, list := range [][]string{s.Capabilities, s.HostPaths, s.Images, s.Stdin} {
		for i := range list {
			list[i] = t.str(list[i])
		}
	}
	return s
}
