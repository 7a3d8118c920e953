package risk

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	rbacv1 "k8s.io/api/rbac/v1"

	"github.com/auth-paths/kubectl-auth-paths/graph"
	"github.com/auth-paths/kubectl-auth-paths/pkg/model"
)

// TestSubjectIndex checks the index against reading every binding with
// bindsHow, on random bindings and principals: subjects of every kind, a
// ServiceAccount without a namespace in a RoleBinding, one written as a
// system:serviceaccount user, repeated subjects.
func TestSubjectIndex(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	nss := []string{"a", "b", "c"}
	names := []string{"x", "y", "z"}
	subject := func() rbacv1.Subject {
		ns, name := nss[r.IntN(len(nss))], names[r.IntN(len(names))]
		switch r.IntN(5) {
		case 0:
			return rbacv1.Subject{Kind: rbacv1.UserKind, Name: name}
		case 1:
			return rbacv1.Subject{Kind: rbacv1.UserKind, Name: "system:serviceaccount:" + ns + ":" + name}
		case 2:
			return rbacv1.Subject{Kind: rbacv1.GroupKind, Name: name}
		case 3:
			return rbacv1.Subject{Kind: rbacv1.ServiceAccountKind, Name: name}
		}
		return saSubject(ns, name)
	}
	node := func() *graph.Node {
		ns, name := nss[r.IntN(len(nss))], names[r.IntN(len(names))]
		switch r.IntN(4) {
		case 0:
			return &graph.Node{Kind: graph.KindUser, Name: name}
		case 1:
			return &graph.Node{Kind: graph.KindGroup, Name: name}
		case 2:
			return &graph.Node{Kind: graph.KindScope, Name: name}
		}
		return &graph.Node{Kind: graph.KindServiceAccount, Namespace: ns, Name: name}
	}
	a := &Analysis{}
	for round := range 200 {
		var list []*model.Binding
		for i := range r.IntN(12) {
			var subjects []rbacv1.Subject
			for range r.IntN(4) {
				subjects = append(subjects, subject())
			}
			if r.IntN(2) == 0 {
				list = append(list, crb(fmt.Sprint(i), "ClusterRole", "gone", subjects...))
			} else {
				list = append(list, rb(nss[r.IntN(len(nss))], fmt.Sprint(i), "Role", "gone", subjects...))
			}
		}
		var ix subjectIndex
		for range 20 {
			p := &Principal{Node: node()}
			for range r.IntN(3) {
				p.Groups = append(p.Groups, names[r.IntN(len(names))])
			}
			var want []int32
			for i, b := range list {
				if bound, _ := a.bindsHow(p, b); bound {
					want = append(want, int32(i))
				}
			}
			got := ix.naming(a, list, p)
			if !slices.Equal(got, want) {
				t.Fatalf("round %d, %s %s in %v: naming = %v, want %v", round, p.Node.Kind, p.Node.Name, p.Groups, got, want)
			}
			if any := ix.namesAny(a, list, p); any != (len(want) > 0) {
				t.Fatalf("round %d, %s %s in %v: namesAny = %v, want %v", round, p.Node.Kind, p.Node.Name, p.Groups, any, len(want) > 0)
			}
		}
	}
}

// TestNamespaceIndex checks the dangling ServiceAccounts found by namespace
// against the filter every entry went through before.
func TestNamespaceIndex(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	nss := []string{"a", "b", "c", "d"}
	for round := range 200 {
		var list []danglingSA
		for i := range r.IntN(10) {
			b := rb(nss[r.IntN(len(nss))], fmt.Sprint(i), "Role", "r")
			if r.IntN(3) == 0 {
				b = crb(fmt.Sprint(i), "ClusterRole", "r")
			}
			list = append(list, danglingSA{binding: b, namespace: nss[r.IntN(len(nss))], name: "sa"})
		}
		var ix namespaceIndex
		for range 10 {
			everywhere := r.IntN(5) == 0
			in := map[string]bool{}
			for range r.IntN(3) {
				in[nss[r.IntN(len(nss))]] = true
			}
			var want []int32
			for i, d := range list {
				if everywhere || in[d.namespace] || in[d.binding.Namespace] {
					want = append(want, int32(i))
				}
			}
			if got := ix.in(list, everywhere, in); !slices.Equal(got, want) {
				t.Fatalf("round %d, everywhere %v, %v: in = %v, want %v", round, everywhere, in, got, want)
			}
		}
	}
}

// TestRoleRefIndex checks the bindings found by namespace and role against
// the filter bindingWrite read every binding with before: same bindings,
// same order, none that stands for a rules review's answer.
func TestRoleRefIndex(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	nss := []string{"", "a", "b"}
	kinds := []string{model.KindClusterRole, model.KindRole}
	roles := []string{"admin", "edit", "view"}
	for round := range 200 {
		var list []*model.Binding
		for i := range r.IntN(16) {
			ns, kind, role := nss[r.IntN(len(nss))], kinds[r.IntN(len(kinds))], roles[r.IntN(len(roles))]
			b := rb(ns, fmt.Sprint(i), kind, role)
			if ns == "" {
				b = crb(fmt.Sprint(i), kind, role)
			}
			if r.IntN(6) == 0 {
				b.Review = &model.RulesReview{Namespace: ns}
			}
			list = append(list, b)
		}
		var ix roleRefIndex
		for _, ns := range nss {
			for _, kind := range kinds {
				var referred []string
				for _, b := range list {
					if b.Review == nil && b.Namespace == ns && b.RoleRef.Kind == kind && !slices.Contains(referred, b.RoleRef.Name) {
						referred = append(referred, b.RoleRef.Name)
					}
				}
				if got := ix.referred(list, ns, kind); !slices.Equal(got, referred) {
					t.Fatalf("round %d, %q %s: referred = %v, want %v", round, ns, kind, got, referred)
				}
				for _, role := range roles {
					var want []*model.Binding
					for _, b := range list {
						if b.Review == nil && b.Namespace == ns && b.RoleRef.Kind == kind && b.RoleRef.Name == role {
							want = append(want, b)
						}
					}
					if got := ix.referring(list, ns, kind, role); !slices.Equal(got, want) {
						t.Fatalf("round %d, %q %s/%s: referring = %v, want %v", round, ns, kind, role, got, want)
					}
				}
			}
		}
	}
}
