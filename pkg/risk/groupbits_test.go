package risk

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"testing"

	rbacv1 "k8s.io/api/rbac/v1"

	"github.com/auth-paths/kubectl-auth-paths/pkg/rbac"
)

// TestGroupBitsSkipOnlyOtherGroups: with a principal's rules indexed, First,
// Can, mayAllow and the scans of where a rule could allow probes (reach,
// namespacedReach, Namespaces) skip rules by the API groups they name; each
// answers as a plain scan of every rule does, on random rules naming many
// groups (custom resources' groups, "", "*", several per rule, non-resource
// rules) bound cluster-wide and in namespaces.
func TestGroupBitsSkipOnlyOtherGroups(t *testing.T) {
	groups := []string{"", "apps", "rbac.authorization.k8s.io", "batch", rbac.Wildcard}
	for i := range 40 {
		groups = append(groups, fmt.Sprintf("op%02d.example.com", i))
	}
	resources := []string{"pods", "pods/exec", "secrets", "deployments", "widgets", "widgets/status", "*", "roles"}
	verbs := []string{"get", "list", "create", "update", "patch", "*", "impersonate"}
	namespaces := []string{"", "", "a", "b", "c"}
	pickN := func(r *rand.Rand, from []string, n int) []string {
		out := make([]string, 0, n)
		for range n {
			out = append(out, from[r.IntN(len(from))])
		}
		return out
	}
	for seed := range uint64(30) {
		t.Run(fmt.Sprint("seed ", seed), func(t *testing.T) {
			r := rand.New(rand.NewPCG(seed, 7))
			newRule := func() rbacv1.PolicyRule {
				rule := rbacv1.PolicyRule{Verbs: pickN(r, verbs, 1+r.IntN(2))}
				if r.IntN(20) == 0 {
					rule.NonResourceURLs = []string{"/metrics"}
				} else {
					rule.APIGroups = pickN(r, groups, 1+r.IntN(3))
					rule.Resources = pickN(r, resources, 1+r.IntN(2))
					if r.IntN(4) == 0 {
						rule.ResourceNames = []string{"x"}
					}
				}
				return rule
			}
			// Roles bound in several namespaces (runs of the same rules,
			// whole or in part, as a group's rules by namespace are) and
			// rules of their own.
			roles := make([][]rbacv1.PolicyRule, 2+r.IntN(5))
			for i := range roles {
				for range 1 + r.IntN(30) {
					roles[i] = append(roles[i], newRule())
				}
			}
			var rules []rbac.BoundRule
			for len(rules) < 16 || r.IntN(12) > 0 {
				ns := namespaces[r.IntN(len(namespaces))]
				if r.IntN(3) == 0 {
					rule := newRule()
					rules = append(rules, rbac.BoundRule{Rule: &rule, Namespace: ns})
					continue
				}
				role := roles[r.IntN(len(roles))]
				from := 0
				if r.IntN(4) == 0 {
					from = r.IntN(len(role))
				}
				for j := from; j < len(role); j++ {
					rules = append(rules, rbac.BoundRule{Rule: &role[j], Namespace: ns})
				}
			}
			indexed := &Principal{Rules: rules}
			if indexed.index() == nil {
				t.Fatal("the rules are not indexed")
			}
			type bound struct {
				rule *rbacv1.PolicyRule
				ns   string
			}
			plain := func(req rbac.Request) []bound { // what a scan of every rule allows, in order
				var out []bound
				for _, br := range rules {
					if (br.Namespace == "" || br.Namespace == req.Namespace) && rbac.RuleAllows(req, br.Rule) {
						out = append(out, bound{br.Rule, br.Namespace})
					}
				}
				return out
			}
			asked := 0
			for _, g := range append(groups, "unknown.example.com") {
				for _, res := range []string{"pods", "widgets", "secrets"} {
					for _, ns := range []string{"", "a", "c"} {
						req := rbac.Request{Verb: verbs[r.IntN(len(verbs))], APIGroup: g, Resource: res, Namespace: ns, Name: "x"}
						want := plain(req)
						var got []bound
						for _, br := range indexed.Can(req) {
							got = append(got, bound{br.Rule, br.Namespace})
						}
						if !reflect.DeepEqual(got, want) {
							t.Fatalf("Can(%+v) = rules %v, want %v", req, got, want)
						}
						br, ok := indexed.First(req)
						if ok != (len(want) > 0) || (ok && (bound{br.Rule, br.Namespace}) != want[0]) {
							t.Fatalf("First(%+v) = %v, %v; want rules %v", req, br.Rule, ok, want)
						}
						asked += len(want)
						probes := []reqShape{{verbs: []string{req.Verb}, group: g, resource: res}, {verbs: []string{"get"}, group: groups[r.IntN(len(groups))], resource: "pods"}}
						x := indexRules(rules)
						if a, b := fmt.Sprint(reachIn(rules, x, probes)), fmt.Sprint(reachIn(rules, nil, probes)); a != b {
							t.Fatalf("reachIn(%v) indexed %s, scanned %s", probes, a, b)
						}
						if a, b := namespacedReachIn(rules, x, probes), namespacedReachIn(rules, nil, probes); !reflect.DeepEqual(a, b) {
							t.Fatalf("namespacedReachIn(%v) indexed %v, scanned %v", probes, a, b)
						}
						if a, b := fmt.Sprint(namespacesIn(rules, x, req)), fmt.Sprint(namespacesIn(rules, nil, req)); a != b {
							t.Fatalf("namespacesIn(%+v) indexed %s, scanned %s", req, a, b)
						}
						if a, b := indexed.mayAllow(req), anyNamed(rules, req); a != b {
							t.Fatalf("mayAllow(%+v) = %v, want %v", req, a, b)
						}
					}
				}
			}
			if asked == 0 {
				t.Fatal("no request was allowed: the test compares nothing")
			}
		})
	}
}

// anyNamed: a rule applying to req's namespace allows req for some name.
func anyNamed(rules []rbac.BoundRule, req rbac.Request) bool {
	for _, br := range rules {
		probe := *br.Rule
		probe.ResourceNames = nil
		if (br.Namespace == "" || br.Namespace == req.Namespace) && rbac.RuleAllows(req, &probe) {
			return true
		}
	}
	return false
}
