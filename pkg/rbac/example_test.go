package rbac_test

import (
	"fmt"

	rbacv1 "k8s.io/api/rbac/v1"

	"github.com/auth-paths/kubectl-auth-paths/pkg/model"
	"github.com/auth-paths/kubectl-auth-paths/pkg/rbac"
)

func exampleInventory() *model.Inventory {
	return &model.Inventory{
		ClusterRoles: []*model.ClusterRole{{
			Meta:  model.Meta{Name: "secret-reader"},
			Rules: []rbacv1.PolicyRule{{Verbs: []string{"get", "list"}, APIGroups: []string{""}, Resources: []string{"secrets"}}},
		}},
		RoleBindings: []*model.Binding{{
			Meta:     model.Meta{Namespace: "prod", Name: "ci-reads-secrets"},
			Kind:     model.KindRoleBinding,
			RoleRef:  rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: "secret-reader"},
			Subjects: []rbacv1.Subject{{Kind: "ServiceAccount", Name: "deployer"}},
		}},
	}
}

func ExampleEvaluator_WhoCan() {
	ev := rbac.NewEvaluator(exampleInventory())
	for _, sg := range ev.WhoCan(rbac.Request{Verb: "get", Resource: "secrets", Namespace: "prod"}) {
		for _, g := range sg.Grants {
			fmt.Printf("%s: %s\n", sg.Subject, g)
		}
	}
	// Output:
	// Group:system:masters: Group "system:masters" is the superuser group: it bypasses RBAC authorization
	// ServiceAccount:prod:deployer: RoleBinding "prod/ci-reads-secrets" of ClusterRole "secret-reader" rules[0] to ServiceAccount "prod/deployer"
}

func ExampleEvaluator_Allows() {
	ev := rbac.NewEvaluator(exampleInventory())
	sa, _ := rbac.ParseSubject("system:serviceaccount:prod:deployer")
	id := rbac.IdentityOf(sa)
	for _, ns := range []string{"prod", "dev"} {
		ok, _ := ev.Allows(id, rbac.Request{Verb: "list", Resource: "secrets", Namespace: ns})
		fmt.Printf("list secrets -n %s: %v\n", ns, ok)
	}
	// Output:
	// list secrets -n prod: true
	// list secrets -n dev: false
}

func ExampleCoversClusterAdmin() {
	all := rbacv1.PolicyRule{Verbs: []string{"*"}, APIGroups: []string{"*"}, Resources: []string{"*"}}
	urls := rbacv1.PolicyRule{Verbs: []string{"*"}, NonResourceURLs: []string{"*"}}
	fmt.Println(rbac.CoversClusterAdmin([]rbacv1.PolicyRule{all}))
	fmt.Println(rbac.CoversClusterAdmin([]rbacv1.PolicyRule{all, urls}))
	// Output:
	// false
	// true
}

func ExampleParseSubject() {
	for _, in := range []string{"alice", "Group:dev", "sa:kube-system:default", "system:serviceaccount:ci:runner"} {
		s, err := rbac.ParseSubject(in)
		if err != nil {
			fmt.Println(err)
			continue
		}
		fmt.Printf("%s -> %s (%s)\n", in, s.Describe(), s.UserName())
	}
	// Output:
	// alice -> User "alice" (alice)
	// Group:dev -> Group "dev" (dev)
	// sa:kube-system:default -> ServiceAccount "kube-system/default" (system:serviceaccount:kube-system:default)
	// system:serviceaccount:ci:runner -> ServiceAccount "ci/runner" (system:serviceaccount:ci:runner)
}

func ExampleParseResource() {
	group, resource, sub, _, known, _ := rbac.ParseResource("deploy.apps/scale")
	fmt.Println(group, resource, sub, known)
	// Output: apps deployments scale true
}

func ExampleGrant_Subject() {
	ev := rbac.NewEvaluator(exampleInventory())
	deployer := rbac.Subject{Kind: "ServiceAccount", Namespace: "prod", Name: "deployer"}
	for _, br := range ev.RulesFor(deployer) {
		fmt.Printf("%s in %s, rules[%d] of %s %s\n", br.Grant.Subject(), br.Namespace, br.Grant.RuleIndex, br.Grant.RoleKind(), br.Grant.RoleName())
	}
	// WithSubject names the subject of a grant made by hand.
	made := rbac.Grant{Binding: exampleInventory().RoleBindings[0]}.WithSubject(deployer)
	fmt.Println(made.Subject() == deployer)
	// Output:
	// ServiceAccount:prod:deployer in prod, rules[0] of ClusterRole secret-reader
	// true
}
