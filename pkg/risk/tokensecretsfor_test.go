package risk

import (
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/auth-paths/kubectl-auth-paths/pkg/model"
	"github.com/auth-paths/kubectl-auth-paths/pkg/rbac"
)

// TestTokenSecretsFor: the token Secrets read-secrets visits in a namespace
// are, in inventory order, every one where a rule allows any name, else
// those its rules name; Secrets of other types never. Inventories sorted by
// name in each namespace (as the decoder leaves them) or not (built in
// memory) give the same.
func TestTokenSecretsFor(t *testing.T) {
	secrets := func(names ...string) []*model.Secret {
		var out []*model.Secret
		for _, n := range names {
			ns, name, _ := strings.Cut(n, "/")
			typ := model.SecretTypeServiceAccountToken
			if strings.HasPrefix(name, "opaque") {
				typ = "Opaque"
			}
			out = append(out, &model.Secret{Meta: model.Meta{Namespace: ns, Name: name}, Type: typ})
		}
		return out
	}
	sorted := secrets("a/opaque1", "a/s1", "a/s2", "a/s3", "b/s1", "b/s2")
	unsorted := secrets("a/s3", "b/s2", "a/opaque1", "a/s1", "b/s1", "a/s2")
	get := func(ns string, names ...string) rbac.BoundRule {
		r := core([]string{"get"}, "secrets")
		r.ResourceNames = names
		return rbac.BoundRule{Rule: &r, Namespace: ns}
	}
	list := func(ns string) rbac.BoundRule {
		r := core([]string{"list"}, "secrets")
		return rbac.BoundRule{Rule: &r, Namespace: ns}
	}
	for _, tc := range []struct {
		name  string
		rules []rbac.BoundRule
		want  []string // in namespace a, for get
	}{
		{name: "any name", rules: []rbac.BoundRule{get("a")}, want: []string{"s1", "s2", "s3"}},
		{name: "by name", rules: []rbac.BoundRule{get("a", "s3", "s1", "gone", "opaque1")}, want: []string{"s1", "s3"}},
		{name: "names of two rules", rules: []rbac.BoundRule{get("a", "s3"), get("a", "s2")}, want: []string{"s2", "s3"}},
		{name: "a rule of any name wins", rules: []rbac.BoundRule{get("a", "s3"), get("a")}, want: []string{"s1", "s2", "s3"}},
		{name: "cluster-wide names", rules: []rbac.BoundRule{get("", "s2"), get("b", "s1")}, want: []string{"s2"}},
		{name: "names of another namespace", rules: []rbac.BoundRule{get("b", "s1", "s2")}},
		{name: "another verb names nothing", rules: []rbac.BoundRule{get("a", "s1"), list("a")}, want: []string{"s1"}},
		{name: "no rule", rules: nil},
	} {
		for _, order := range []struct {
			name    string
			secrets []*model.Secret
		}{{"sorted", sorted}, {"unsorted", unsorted}} {
			t.Run(tc.name+", "+order.name, func(t *testing.T) {
				a := &Analysis{objects: indexObjects(&model.Inventory{Secrets: order.secrets})}
				p := &Principal{Rules: tc.rules}
				var got, want []string
				for _, s := range a.tokenSecretsFor(p, "a", []reqShape{{verbs: []string{"get"}, resource: "secrets"}}) {
					got = append(got, s.Name)
				}
				for _, s := range order.secrets { // the wanted Secrets, in inventory order
					if s.Namespace == "a" && slices.Contains(tc.want, s.Name) {
						want = append(want, s.Name)
					}
				}
				if !slices.Equal(got, want) {
					t.Errorf("got %v, want %v", got, want)
				}
			})
		}
	}
}

// TestTokenSecretsForKeepsWhatFirstAllows: over random rules and names, the
// Secrets left out are never allowed by First, and those listed are in
// inventory order: selecting by name changes no step.
func TestTokenSecretsForKeepsWhatFirstAllows(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 7))
	names := []string{"s0", "s1", "s2", "s3", "s4", "s5", "s6", "s7"}
	for i := range 300 {
		var list []*model.Secret
		for _, n := range rng.Perm(len(names))[:1+rng.IntN(len(names))] {
			list = append(list, &model.Secret{Meta: model.Meta{Namespace: "ns", Name: names[n]}, Type: model.SecretTypeServiceAccountToken})
		}
		if i%2 == 0 {
			slices.SortFunc(list, func(x, y *model.Secret) int { return strings.Compare(x.Name, y.Name) })
		}
		var rules []rbac.BoundRule
		for range rng.IntN(4) {
			r := core([]string{[]string{"get", "list", "watch", "*"}[rng.IntN(4)]}, []string{"secrets", "pods", "*"}[rng.IntN(3)])
			if rng.IntN(3) > 0 {
				for range 1 + rng.IntN(3) {
					r.ResourceNames = append(r.ResourceNames, names[rng.IntN(len(names))])
				}
			}
			rules = append(rules, rbac.BoundRule{Rule: &r, Namespace: []string{"", "ns", "other"}[rng.IntN(3)]})
		}
		a := &Analysis{objects: indexObjects(&model.Inventory{Secrets: list})}
		p := &Principal{Rules: rules}
		for _, verb := range readVerbs {
			var want []*model.Secret
			for _, s := range list {
				if _, ok := p.First(res(verb, "", "secrets", "", "ns", s.Name)); ok {
					want = append(want, s)
				}
			}
			var got []*model.Secret
			for _, s := range a.tokenSecretsFor(p, "ns", []reqShape{{verbs: []string{verb}, resource: "secrets"}}) {
				if _, ok := p.First(res(verb, "", "secrets", "", "ns", s.Name)); ok {
					got = append(got, s)
				}
			}
			if !slices.Equal(got, want) {
				t.Fatalf("case %d, %s: rules %+v: got %v, want %v", i, verb, rules, got, want)
			}
		}
	}
}
