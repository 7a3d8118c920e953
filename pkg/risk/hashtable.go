package risk

import "hash/maphash"

// hashTable keeps one value per key in a map keyed by the key's 64-bit
// maphash, so that a slot holds 8 bytes and the value instead of the whole
// key: a step's key (a grant and an authorization request) is over 200
// bytes, and a large cluster has hundreds of thousands of them, which a map
// by key held for the whole analysis. A value says its own key (key), which
// tells apart two keys with one hash: the second goes to a small map by key.
type hashTable[K comparable, V any] struct {
	seed   maphash.Seed
	key    func(V) K
	byHash map[uint64]V
	clash  map[K]V
}

func newHashTable[K comparable, V any](key func(V) K) hashTable[K, V] {
	return hashTable[K, V]{seed: maphash.MakeSeed(), key: key}
}

// get returns the value of k, and k's hash for put.
func (t *hashTable[K, V]) get(k K) (v V, h uint64, ok bool) {
	return t.getHashed(k, maphash.Comparable(t.seed, k))
}

// getHashed is get with k's hash h.
func (t *hashTable[K, V]) getHashed(k K, h uint64) (v V, _ uint64, ok bool) {
	if v, ok = t.byHash[h]; !ok || t.key(v) == k {
		return v, h, ok
	}
	v, ok = t.clash[k]
	return v, h, ok
}

// put stores v, whose key has hash h and is not in the table.
func (t *hashTable[K, V]) put(h uint64, v V) {
	if t.byHash == nil {
		t.byHash = map[uint64]V{}
	}
	if _, taken := t.byHash[h]; !taken {
		t.byHash[h] = v
		return
	}
	if t.clash == nil {
		t.clash = map[K]V{}
	}
	t.clash[t.key(v)] = v
}

// len is the number of values.
func (t *hashTable[K, V]) len() int { return len(t.byHash) + len(t.clash) }
