package risk

import (
	"fmt"
	"testing"
)

// TestHashTable stores keys with a hash forced to collide (the seed's
// hashing is replaced by a table whose every key has one hash) and checks
// that each finds its own value.
func TestHashTable(t *testing.T) {
	type kv struct{ k, v string }
	tab := newHashTable(func(x kv) string { return x.k })
	keys := make([]string, 300)
	for i := range keys {
		keys[i] = fmt.Sprint("key-", i)
	}
	for _, k := range keys {
		if _, _, ok := tab.get(k); ok {
			t.Fatalf("get(%q) before put: found", k)
		}
		_, h, _ := tab.get(k)
		tab.put(h, kv{k, "v" + k})
	}
	if tab.len() != len(keys) {
		t.Fatalf("len = %d, want %d", tab.len(), len(keys))
	}
	for _, k := range keys {
		if v, _, ok := tab.get(k); !ok || v.v != "v"+k {
			t.Fatalf("get(%q) = %v, %v", k, v, ok)
		}
	}

	// Every key under one hash: the first in byHash, the others clash.
	forced := newHashTable(func(x kv) string { return x.k })
	for _, k := range keys[:20] {
		if _, _, ok := forced.getHashed(k, 7); ok {
			t.Fatalf("forced get(%q) before put: found", k)
		}
		forced.put(7, kv{k, "v" + k})
	}
	if len(forced.byHash) != 1 || len(forced.clash) != 19 {
		t.Fatalf("byHash %d, clash %d: want 1 and 19", len(forced.byHash), len(forced.clash))
	}
	for _, k := range keys[:20] {
		if v, _, ok := forced.getHashed(k, 7); !ok || v.v != "v"+k {
			t.Fatalf("forced get(%q) = %v, %v", k, v, ok)
		}
	}
	if _, _, ok := forced.getHashed("absent", 7); ok {
		t.Fatal("forced get of an absent key with a taken hash: found")
	}
}
