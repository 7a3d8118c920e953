package risk

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"slices"
)

// PathIDVersion numbers the scheme of path IDs. It is written with scan's
// JSON so that a baseline or an accept file of another scheme is told apart
// from paths that are gone. Version 2 hashes every field of every step.
const PathIDVersion = 2

// pathID is a function of what makes a path distinct and of nothing else: the
// subject and, for each step, its primitive, from and to, its condition (which
// names the namespace and the workload, pod, Secret, node or signer it acts
// on), the requests it makes and the bindings and rules that grant it. The
// lists are sorted, so the order in which the input gave objects does not
// matter; no source file or line is part of a step.
func pathID(subject string, steps []Step) string {
	h := sha256.New()
	h.Write([]byte(subject))
	for _, s := range steps {
		key := struct {
			Primitive, From, To, Condition string
			Hops                           int
			GrantedBy, Bindings, Requires  []string
		}{s.Primitive, s.From, s.To, s.Condition, s.Hops, sortedCopy(s.GrantedBy), sortedCopy(s.Bindings), nil}
		for _, r := range s.Requires {
			b, _ := json.Marshal(r)
			key.Requires = append(key.Requires, string(b))
		}
		slices.Sort(key.Requires)
		b, _ := json.Marshal(key) // strings and ints only: cannot fail
		h.Write([]byte{0})
		h.Write(b)
	}
	return hex.EncodeToString(h.Sum(nil))[:12]
}

func sortedCopy(s []string) []string {
	out := slices.Clone(s)
	slices.Sort(out)
	return out
}
