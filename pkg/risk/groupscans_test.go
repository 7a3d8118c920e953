package risk

import (
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"
	"testing"

	rbacv1 "k8s.io/api/rbac/v1"

	"github.com/auth-paths/kubectl-auth-paths/pkg/rbac"
)

// TestGroupScans: the scans of an identity being evaluated, made of its own
// rules' scan and each group's shared rules and memoised answers, answer
// what the scan of all its rules in a row answers: reach, namespacedReach,
// Namespaces, and the rules eachApplicable, eachRule and eachRuleWhere
// visit, in order, with an early stop, on random
// rules (bound cluster-wide or in a namespace, with and without
// resourceNames) of an identity and three groups, each group's memo shared by
// several members and asked again.
func TestGroupScans(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 5))
	verbs := []string{"get", "list", "create", "patch", "update", "bind", "impersonate", "*"}
	resources := []string{"pods", "pods/exec", "secrets", "serviceaccounts/token", "deployments", "roles", "clusterroles", "*"}
	groups := []string{"", "apps", "rbac.authorization.k8s.io", "*"}
	namespaces := []string{"", "a", "b", "c", "d"}
	randRules := func(n int) []rbacBound {
		var out []rbacBound
		for range n {
			r := &rbacv1.PolicyRule{Verbs: []string{verbs[rng.IntN(len(verbs))]}, APIGroups: []string{groups[rng.IntN(len(groups))]},
				Resources: []string{resources[rng.IntN(len(resources))]}}
			if rng.IntN(4) == 0 {
				r.ResourceNames = []string{"x"}
			}
			ns := namespaces[rng.IntN(len(namespaces))]
			if rng.IntN(3) > 0 && ns == "" {
				ns = "a" // most rules are namespaced
			}
			out = append(out, rbacBound{Rule: r, Namespace: ns})
		}
		return out
	}
	probeSets := [][]reqShape{execProbes, attachProbes, modifyPodProbes, createPodProbes, modifyWorkloadProbes, readSecretProbes, tokenRequestProbes, bindInNamespaceProbes}
	requests := []rbac.Request{
		{Verb: "create", Resource: "pods"}, {Verb: "get", Resource: "secrets"}, {Verb: "create", Resource: "serviceaccounts", Subresource: "token"},
		{Verb: "patch", APIGroup: "apps", Resource: "deployments"}, {Verb: "bind", APIGroup: "rbac.authorization.k8s.io", Resource: "clusterroles"},
	}
	all := namespaces[1:]
	compared := 0
	for world := range 200 {
		// Sizes on both sides of indexFrom and memoFrom.
		groupRules := [][]rbacBound{randRules(rng.IntN(100)), randRules(rng.IntN(30)), randRules(rng.IntN(12))}
		scans := []*groupScans{{}, {}, {}}
		for member := range 3 {
			own := randRules(rng.IntN(24))
			rules := slices.Clone(own)
			var parts []rulePart
			for g := range groupRules {
				rules = append(rules, groupRules[g]...)
				if len(groupRules[g]) > 0 {
					part := rulePart{rules: groupRules[g], scans: scans[g]}
					if g == 2 {
						part.scans = nil // a group with few rules: scanned, not memoised
					}
					parts = append(parts, part)
				}
			}
			plain := &Principal{Rules: rules}
			split := &Principal{Rules: own, parts: parts}
			what := fmt.Sprintf("world %d member %d", world, member)
			for _, probes := range probeSets {
				pa, pn := reach(plain, probes...)
				sa, sn := reach(split, probes...)
				if pa != sa || !maps.Equal(pn, sn) {
					t.Fatalf("%s: reach %v: %v %v, split %v %v", what, probes, pa, pn, sa, sn)
				}
				if p, s := namespacedReach(plain, probes...), namespacedReach(split, probes...); !maps.Equal(p, s) {
					t.Fatalf("%s: namespacedReach %v: %v, split %v", what, probes, p, s)
				}
				compared++
			}
			visits := func(p *Principal, each func(f func(*rbacBound) bool)) []*rbacBound {
				var out []*rbacBound
				each(func(br *rbacBound) bool {
					out = append(out, br)
					return len(out) < 40 // also stop early
				})
				return out
			}
			for _, ns := range append([]string{"", allNamespaces}, namespaces...) {
				each := func(p *Principal) func(func(*rbacBound) bool) {
					return func(f func(*rbacBound) bool) { p.eachApplicable(ns, f) }
				}
				if p, s := visits(plain, each(plain)), visits(split, each(split)); !sameRules(p, s) {
					t.Fatalf("%s: eachApplicable(%q) visits %d rules, split %d, or others", what, ns, len(p), len(s))
				}
				compared++
			}
			if p, s := visits(plain, plain.eachRule), visits(split, split.eachRule); !sameRules(p, s) {
				t.Fatalf("%s: eachRule visits %d rules, split %d, or others", what, len(p), len(s))
			}
			for _, probes := range probeSets {
				where := func(p *Principal) func(func(*rbacBound) bool) {
					return func(f func(*rbacBound) bool) {
						p.eachRuleWhere(probesKey(probes), func(br *rbacBound) bool { return rulePasses(br.Rule, br.Namespace, probes) }, f)
					}
				}
				if p, s := visits(plain, where(plain)), visits(split, where(split)); !sameRules(p, s) {
					t.Fatalf("%s: eachRuleWhere %v visits %d rules, split %d, or others", what, probes, len(p), len(s))
				}
				compared++
			}
			for _, req := range requests {
				p := plain.Namespaces(req.Verb, req.APIGroup, req.Resource, req.Subresource, all)
				s := split.Namespaces(req.Verb, req.APIGroup, req.Resource, req.Subresource, all)
				if !slices.Equal(p, s) {
					t.Fatalf("%s: Namespaces %v: %v, split %v", what, req, p, s)
				}
				compared++
			}
		}
	}
	if compared < 10000 {
		t.Fatalf("only %d scans compared", compared)
	}
}

// sameRules: the two visits saw the same bound rules in the same order.
func sameRules(a, b []*rbacBound) bool {
	return slices.EqualFunc(a, b, func(x, y *rbacBound) bool { return x.Rule == y.Rule && x.Namespace == y.Namespace })
}
