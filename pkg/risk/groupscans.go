package risk

import (
	"strings"
	"sync"

	"github.com/auth-paths/kubectl-auth-paths/pkg/rbac"
)

// An identity is evaluated with its groups' rules after its own (so that a
// step needing a grant from each is found). A group bound in every
// namespace holds thousands of rules, and every primitive's scan of where a
// rule could allow its probes (reach, namespacedReach, Principal.Namespaces)
// went through them again for each member: members × the group's rules, and
// as much again to copy them after the member's own and to index the copy.
// The group's rules are shared, not copied (parts), and each group's part
// of a scan is the same for every member: the group's index by namespace,
// its answers per probe set and the rules a primitive looks for
// (eachRuleWhere) are made once per group and combined with the scan of the
// identity's own rules. The namespace sets returned may be a group's
// memoised one: callers only read them.

// rulePart is one group's rules within an identity's evaluated rules.
type rulePart struct {
	group string
	rules []rbacBound
	// scans is the group's memo; nil for a group with few rules, whose
	// scans cost less than keeping their answers for the whole analysis.
	scans *groupScans
	// idx indexes a part without memo, made on first use (indexRules
	// returns nil at once for a few rules).
	idx *ruleIndex
}

// index returns the part's rules indexed by namespace: the group's memoised
// index, or one made for this evaluation (nil for a few rules).
func (r *rulePart) index() *ruleIndex {
	if r.scans != nil {
		return r.scans.index(r.rules)
	}
	if r.idx == nil {
		r.idx = indexRules(r.rules)
	}
	return r.idx
}

// eachWhere is Principal.eachRuleWhere over the part; it reports whether f
// asked for more.
func (r *rulePart) eachWhere(key string, pred, f func(br *rbacBound) bool) bool {
	if r.scans == nil {
		for i := range r.rules {
			if br := &r.rules[i]; pred(br) && !f(br) {
				return false
			}
		}
		return true
	}
	for _, i := range r.scans.whereOf(key, r.rules, pred) {
		if !f(&r.rules[i]) {
			return false
		}
	}
	return true
}

// memoFrom is the number of rules from which a group's scans are memoised
// (a variable: tests lower it to exercise small worlds).
var memoFrom = 64

func (r rulePart) reach(probes []reqShape) (bool, map[string]bool) {
	if r.scans == nil {
		return reachIn(r.rules, nil, probes)
	}
	return r.scans.reachOf(r.rules, probes)
}

func (r rulePart) local(probes []reqShape) map[string]bool {
	if r.scans == nil {
		return namespacedReachIn(r.rules, nil, probes)
	}
	return r.scans.localOf(r.rules, probes)
}

func (r rulePart) namespaces(req rbac.Request) (bool, map[string]bool) {
	if r.scans == nil {
		return namespacesIn(r.rules, nil, req)
	}
	return r.scans.namespacesOf(r.rules, req)
}

// groupScans memoises a group's scans by probe set.
type groupScans struct {
	indexOnce sync.Once
	idx       *ruleIndex
	mu        sync.Mutex
	reach     map[string]reachResult
	local     map[string]map[string]bool
	names     map[rbac.Request]reachResult
	where     map[string][]int32
}

// index returns the group's rules indexed, made once.
func (s *groupScans) index(rules []rbacBound) *ruleIndex {
	s.indexOnce.Do(func() { s.idx = indexRules(rules) })
	return s.idx
}

// whereOf returns the positions of the group's rules for which pred holds.
func (s *groupScans) whereOf(key string, rules []rbacBound, pred func(*rbacBound) bool) []int32 {
	return memo(&s.mu, &s.where, key, func() []int32 {
		var out []int32
		for i := range rules {
			if pred(&rules[i]) {
				out = append(out, int32(i))
			}
		}
		return out
	})
}

type reachResult struct {
	everywhere bool
	namespaces map[string]bool
}

// probesKey names a probe set by content: the primitives build some sets
// per call.
func probesKey(probes []reqShape) string {
	var b strings.Builder
	for _, pr := range probes {
		b.WriteString(strings.Join(pr.verbs, ","))
		b.WriteByte(0)
		b.WriteString(pr.group)
		b.WriteByte(0)
		b.WriteString(pr.resource)
		b.WriteByte(0)
		b.WriteString(pr.subresource)
		b.WriteByte(1)
	}
	return b.String()
}

// groupScansOf returns the memo of a group's scans (made once per analysis).
func (a *Analysis) groupScansOf(group string) *groupScans {
	return memo(&a.mu, &a.groupScanMemo, group, func() *groupScans { return &groupScans{} })
}

func (s *groupScans) reachOf(rules []rbacBound, probes []reqShape) (bool, map[string]bool) {
	k := probesKey(probes)
	r := memo(&s.mu, &s.reach, k, func() reachResult {
		all, nss := reachIn(rules, s.index(rules), probes)
		return reachResult{all, nss}
	})
	return r.everywhere, r.namespaces
}

func (s *groupScans) namespacesOf(rules []rbacBound, req rbac.Request) (bool, map[string]bool) {
	r := memo(&s.mu, &s.names, req, func() reachResult {
		all, nss := namespacesIn(rules, s.index(rules), req)
		return reachResult{all, nss}
	})
	return r.everywhere, r.namespaces
}

func (s *groupScans) localOf(rules []rbacBound, probes []reqShape) map[string]bool {
	return memo(&s.mu, &s.local, probesKey(probes), func() map[string]bool { return namespacedReachIn(rules, s.index(rules), probes) })
}

// union adds b's namespaces to a, copying a first when it is shared (a
// group's memoised set): the callers only read the result.
func union(a map[string]bool, aShared bool, b map[string]bool) (map[string]bool, bool) {
	if len(b) == 0 {
		return a, aShared
	}
	if len(a) == 0 {
		return b, true
	}
	out := a
	if aShared {
		out = make(map[string]bool, len(a)+len(b))
		for ns := range a {
			out[ns] = true
		}
	}
	for ns := range b {
		out[ns] = true
	}
	return out, false
}
