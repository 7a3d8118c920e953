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
// rules' scan and each group's memoised one, answer what the scan of all its
// rules in a row answers: reach, namespacedReach and Namespaces, on random
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
		groupRules := [][]rbacBound{randRules(rng.IntN(12)), randRules(rng.IntN(12)), randRules(rng.IntN(12))}
		scans := []*groupScans{{}, {}, {}}
		for member := range 3 {
			own := randRules(rng.IntN(4))
			rules := slices.Clone(own)
			var parts []rulePart
			for g := range groupRules {
				start := len(rules)
				rules = append(rules, groupRules[g]...)
				if len(groupRules[g]) > 0 {
					part := rulePart{rules: rules[start:len(rules):len(rules)], scans: scans[g]}
					if g == 2 {
						part.scans = nil // a group with few rules: scanned, not memoised
					}
					parts = append(parts, part)
				}
			}
			plain := &Principal{Rules: rules}
			split := &Principal{Rules: rules, parts: parts, partsFrom: len(own)}
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
	if compared < 5000 {
		t.Fatalf("only %d scans compared", compared)
	}
}
