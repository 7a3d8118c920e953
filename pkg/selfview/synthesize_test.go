package selfview

import (
	"reflect"
	"testing"

	rbacv1 "k8s.io/api/rbac/v1"

	"github.com/auth-paths/kubectl-auth-paths/pkg/model"
	"github.com/auth-paths/kubectl-auth-paths/pkg/rbac"
)

var (
	probe      = rbac.Subject{Kind: rbacv1.ServiceAccountKind, Namespace: "ci", Name: "probe"}
	readPods   = rbacv1.PolicyRule{Verbs: []string{"get"}, APIGroups: []string{""}, Resources: []string{"pods"}}
	listNodes  = rbacv1.PolicyRule{Verbs: []string{"list"}, APIGroups: []string{""}, Resources: []string{"nodes"}}
	healthz    = rbacv1.PolicyRule{Verbs: []string{"get"}, NonResourceURLs: []string{"/healthz"}}
	editSecret = rbacv1.PolicyRule{Verbs: []string{"update"}, APIGroups: []string{""}, Resources: []string{"secrets"}}
)

func rulesOfRoles(s StandIns) map[string][]rbacv1.PolicyRule {
	out := map[string][]rbacv1.PolicyRule{}
	for _, r := range s.ClusterRoles {
		out[""] = r.Rules
	}
	for _, r := range s.Roles {
		out[r.Namespace] = r.Rules
	}
	return out
}

func TestSynthesizeSplitsClusterWideFromNamespacedRules(t *testing.T) {
	cluster := &Rules{Namespace: ClusterScopeNamespace, ResourceRules: []rbacv1.PolicyRule{listNodes, readPods}, NonResourceRules: []rbacv1.PolicyRule{healthz}}
	nss := []Rules{
		// ClusterRoleBinding rules first in any order, then a RoleBinding's:
		// its ClusterRole's nodes rule is listed there but grants nothing.
		{Namespace: "ci", ResourceRules: []rbacv1.PolicyRule{readPods, listNodes, editSecret, listNodes}, NonResourceRules: []rbacv1.PolicyRule{healthz, healthz}},
		// Nothing more than the cluster-wide rules: no stand-in.
		{Namespace: "default", ResourceRules: []rbacv1.PolicyRule{listNodes, readPods}},
		// A RoleBinding repeating a cluster-wide rule: kept once there too.
		{Namespace: "kube-system", ResourceRules: []rbacv1.PolicyRule{readPods, listNodes, readPods}},
	}
	got := Synthesize(probe, cluster, nss)
	want := map[string][]rbacv1.PolicyRule{
		"":            canonicalRules([]rbacv1.PolicyRule{listNodes, readPods, healthz}),
		"ci":          canonicalRules([]rbacv1.PolicyRule{listNodes, editSecret}),
		"kube-system": {readPods},
	}
	if g := rulesOfRoles(got); !reflect.DeepEqual(g, want) {
		t.Errorf("rules %v\nwant %v", g, want)
	}
	if len(got.ClusterRoleBindings) != 1 || len(got.RoleBindings) != 2 {
		t.Fatalf("bindings %d cluster, %d namespaced", len(got.ClusterRoleBindings), len(got.RoleBindings))
	}
	crb := got.ClusterRoleBindings[0]
	if crb.Review == nil || crb.Review.Namespace != "" || crb.RoleRef.Name != StandInName || crb.RoleRef.Kind != model.KindClusterRole {
		t.Errorf("ClusterRoleBinding %+v", crb)
	}
	rb := got.RoleBindings[0]
	if rb.Review == nil || rb.Review.Namespace != "ci" || rb.Namespace != "ci" || rb.RoleRef.Kind != model.KindRole ||
		!reflect.DeepEqual(rb.Subjects, []rbacv1.Subject{{Kind: rbacv1.ServiceAccountKind, Namespace: "ci", Name: "probe"}}) {
		t.Errorf("RoleBinding %+v", rb)
	}
}

// Without the cluster-wide review every rule stays in its namespace: a
// RoleBinding grants nothing cluster-scoped, so nothing is granted beyond
// what the credentials hold.
func TestSynthesizeWithoutClusterReviewKeepsEveryRuleNamespaced(t *testing.T) {
	got := Synthesize(probe, nil, []Rules{{Namespace: "ci", ResourceRules: []rbacv1.PolicyRule{listNodes, readPods}, NonResourceRules: []rbacv1.PolicyRule{healthz}}})
	if len(got.ClusterRoles) != 0 || len(got.ClusterRoleBindings) != 0 {
		t.Errorf("cluster-wide stand-ins %+v", got.ClusterRoles)
	}
	if g := rulesOfRoles(got); !reflect.DeepEqual(g, map[string][]rbacv1.PolicyRule{"ci": canonicalRules([]rbacv1.PolicyRule{listNodes, readPods})}) {
		t.Errorf("rules %v", g)
	}
}

func TestSynthesizeNamesAUserByItsName(t *testing.T) {
	got := Synthesize(rbac.Subject{Kind: rbacv1.UserKind, Name: "system:node:n1"}, &Rules{ResourceRules: []rbacv1.PolicyRule{readPods}}, nil)
	want := []rbacv1.Subject{{Kind: rbacv1.UserKind, APIGroup: rbacv1.GroupName, Name: "system:node:n1"}}
	if !reflect.DeepEqual(got.ClusterRoleBindings[0].Subjects, want) {
		t.Errorf("subjects %+v", got.ClusterRoleBindings[0].Subjects)
	}
}

func TestIdentitySubjectAndExtraGroups(t *testing.T) {
	tests := []struct {
		id          Identity
		wantSubject string
		wantExtra   []string
	}{
		{Identity{Username: "system:serviceaccount:ci:probe", Groups: []string{"system:serviceaccounts", "system:serviceaccounts:ci", "system:authenticated"}}, "ServiceAccount:ci:probe", nil},
		{Identity{Username: "jane", Groups: []string{"oncall", "system:authenticated", "dev", "oncall"}}, "User:jane", []string{"dev", "oncall"}},
		{Identity{Username: "system:node:n1", Groups: []string{"system:nodes", "system:authenticated"}}, "User:system:node:n1", nil},
	}
	for _, tt := range tests {
		if got := tt.id.Subject().String(); got != tt.wantSubject {
			t.Errorf("%s: subject %s, want %s", tt.id.Username, got, tt.wantSubject)
		}
		if got := tt.id.ExtraGroups(); !reflect.DeepEqual(got, tt.wantExtra) {
			t.Errorf("%s: extra groups %v, want %v", tt.id.Username, got, tt.wantExtra)
		}
	}
}

func TestNamespacesToReview(t *testing.T) {
	listed := &model.Inventory{Namespaces: []*model.Namespace{{Meta: model.Meta{Name: "team-a"}}, {Meta: model.Meta{Name: "default"}}}}
	notListed := &model.Inventory{Missing: []model.MissingKind{{Resource: "namespaces", Reason: "forbidden"}}}
	tests := []struct {
		name      string
		scope     Scope
		inv       *model.Inventory
		want      []string
		wantEvery bool
	}{
		{"every listed namespace", Scope{Own: "ci"}, listed, []string{"ci", "default", "kube-system", "team-a"}, true},
		{"namespaces not listable", Scope{Own: "ci"}, notListed, []string{"ci", "default", "kube-system"}, false},
		{"-n instead of the list", Scope{Namespace: "team-b", Own: "ci"}, listed, []string{"ci", "default", "kube-system", "team-b"}, false},
		{"no own namespace", Scope{}, notListed, []string{"default", "kube-system"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, every := NamespacesToReview(tt.scope, tt.inv)
			if !reflect.DeepEqual(got, tt.want) || every != tt.wantEvery {
				t.Errorf("got %v (every %v), want %v (every %v)", got, every, tt.want, tt.wantEvery)
			}
		})
	}
}

func TestLimitsSayWhatTheReviewsCannotTell(t *testing.T) {
	v := &View{
		ClusterError: "SelfSubjectRulesReview for the cluster-wide rules: Invalid\nmore",
		Namespaces: []Rules{
			{Namespace: "ci", Incomplete: true, EvaluationError: "clusterrole.rbac.authorization.k8s.io \"gone\" not found"},
			{Namespace: "default", Incomplete: true, EvaluationError: "clusterrole.rbac.authorization.k8s.io \"gone\" not found"},
		},
	}
	in := []model.MissingKind{
		{Resource: "rolebindings.rbac.authorization.k8s.io", Reason: "forbidden cluster-wide", Impact: "x", ReadInNamespace: "ci"},
		{Resource: "pods", Reason: "forbidden", Impact: "running pods are unknown"},
	}
	got := v.limits(in)
	want := []model.MissingKind{
		{Resource: "rolebindings.rbac.authorization.k8s.io", Reason: "forbidden cluster-wide", Impact: "read in namespace ci only; " + rbacImpact, ReadInNamespace: "ci", Inherent: true},
		{Resource: "pods", Reason: "forbidden", Impact: "running pods are unknown"},
		{Inherent: true, Resource: "selfsubjectrulesreviews (cluster-wide rules)", Reason: "SelfSubjectRulesReview for the cluster-wide rules: Invalid",
			Impact: "rules of ClusterRoleBindings count only in the namespaces reviewed, as if granted there, and their cluster-scoped resources and non-resource URLs not at all"},
		{Inherent: true, Resource: "rolebindings (namespaces not reviewed)", Reason: "SelfSubjectRulesReviews asked in ci, default only",
			Impact: "the credentials' grants through RoleBindings in other namespaces are unknown (list namespaces, or name one with -n)"},
		{Inherent: true, Resource: "rules of authorizers other than RBAC", Reason: "SelfSubjectRulesReview incomplete in ci, default",
			Impact: "an authorizer that cannot list rules (a webhook, the Node authorizer) was consulted: what it allows is not evaluated"},
		{Inherent: true, Resource: "some RBAC rules", Reason: "SelfSubjectRulesReview evaluation error (clusterrole.rbac.authorization.k8s.io \"gone\" not found)",
			Impact: "rules the apiserver could not resolve (e.g. a binding to a role that does not exist) are not listed"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got  %+v\nwant %+v", got, want)
	}
}

func TestApplyAddsTheIdentitysServiceAccountOnce(t *testing.T) {
	v := &View{Identity: Identity{Username: "system:serviceaccount:ci:probe"}, Cluster: &Rules{ResourceRules: []rbacv1.PolicyRule{readPods}}, EveryNamespace: true}
	inv := &model.Inventory{}
	v.Apply(inv)
	v.Apply(inv)
	if len(inv.ServiceAccounts) != 1 || inv.ServiceAccounts[0].Name != "probe" {
		t.Errorf("ServiceAccounts %+v", inv.ServiceAccounts)
	}
	readable := &View{Identity: v.Identity, RBACReadable: true}
	inv = &model.Inventory{}
	readable.Apply(inv)
	if inv.Count() != 0 || len(inv.Missing) != 0 {
		t.Errorf("readable RBAC changed the inventory: %+v", inv)
	}
}
