package rules_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/auth-paths/kubectl-auth-paths/pkg/model"
	"github.com/auth-paths/kubectl-auth-paths/pkg/rules"
	"github.com/auth-paths/kubectl-auth-paths/pkg/source"
)

// workflowsPack is a pack in the shape of the shipped argo-workflows pack.
func workflowsPack(t *testing.T) *rules.Pack {
	t.Helper()
	p, err := rules.Parse([]byte(`apiVersion: auth-paths.io/v1alpha2
kind: RulePack
metadata: {name: wf}
activation:
  crds: [workflows.argoproj.io]
  apiGroups: [argoproj.io]
  controllers:
  - serviceAccount: argo/argo
    needs:
    - {verbs: [list, watch], apiGroup: argoproj.io, resource: workflows}
    - {verbs: [create], apiGroup: "", resource: pods}
rules:
- id: wf-submit
  description: create a Workflow → any SA of the namespace
  permission: {verbs: [create], apiGroup: argoproj.io, resource: workflows, scope: namespace}
  gain: {type: any-serviceaccount-in-namespace}
`), "test")
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func clusterRole(name string, rules ...rbacv1.PolicyRule) *model.ClusterRole {
	return &model.ClusterRole{Meta: model.Meta{Name: name}, Rules: rules}
}

func saBinding(name, role, ns, sa string) *model.Binding {
	return &model.Binding{Meta: model.Meta{Name: name}, Kind: model.KindClusterRoleBinding,
		RoleRef:  rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: model.KindClusterRole, Name: role},
		Subjects: []rbacv1.Subject{{Kind: rbacv1.ServiceAccountKind, Namespace: ns, Name: sa}}}
}

func sa(ns, name string) *model.ServiceAccount {
	return &model.ServiceAccount{Meta: model.Meta{Namespace: ns, Name: name}}
}

var (
	ruleWatchWorkflows = rbacv1.PolicyRule{APIGroups: []string{"argoproj.io"}, Resources: []string{"workflows"}, Verbs: []string{"get", "list", "watch"}}
	ruleCreatePods     = rbacv1.PolicyRule{APIGroups: []string{""}, Resources: []string{"pods"}, Verbs: []string{"create"}}
	ruleEverything     = rbacv1.PolicyRule{APIGroups: []string{"*"}, Resources: []string{"*"}, Verbs: []string{"*"}}
)

func TestActivationEvidence(t *testing.T) {
	p := workflowsPack(t)
	for _, tc := range []struct {
		name   string
		inv    *model.Inventory
		active bool
		why    string
	}{
		{"nothing", &model.Inventory{}, false, "none of its"},
		{"CRD", &model.Inventory{Others: []*model.Object{{Meta: model.Meta{Name: "workflows.argoproj.io"}, APIVersion: "apiextensions.k8s.io/v1", Kind: "CustomResourceDefinition"}}},
			true, "CustomResourceDefinition workflows.argoproj.io is present"},
		{"another CRD of the group", &model.Inventory{Others: []*model.Object{{Meta: model.Meta{Name: "applications.argoproj.io"}, APIVersion: "apiextensions.k8s.io/v1", Kind: "CustomResourceDefinition"}}},
			false, "none of its"},
		{"group served (discovery)", &model.Inventory{ServedGroups: []string{"apps", "argoproj.io"}}, true, "API group argoproj.io is served (discovery)"},
		{"object of the group", &model.Inventory{Others: []*model.Object{{Meta: model.Meta{Namespace: "ci", Name: "build"}, APIVersion: "argoproj.io/v1alpha1", Kind: "Workflow"}}},
			true, "Workflow ci/build of group argoproj.io is present"},
		{"controller with its RBAC", &model.Inventory{ServiceAccounts: []*model.ServiceAccount{sa("argo", "argo")},
			ClusterRoles:        []*model.ClusterRole{clusterRole("argo-cluster-role", ruleWatchWorkflows, ruleCreatePods)},
			ClusterRoleBindings: []*model.Binding{saBinding("argo-binding", "argo-cluster-role", "argo", "argo")}},
			true, "controller ServiceAccount argo/argo may list, watch workflows.argoproj.io; create pods"},
		{"controller through an aggregated role", &model.Inventory{ServiceAccounts: []*model.ServiceAccount{sa("argo", "argo")},
			ClusterRoles: []*model.ClusterRole{
				{Meta: model.Meta{Name: "argo-agg"}, AggregationRule: &rbacv1.AggregationRule{ClusterRoleSelectors: []metav1.LabelSelector{{MatchLabels: map[string]string{"x": "y"}}}}},
				{Meta: model.Meta{Name: "argo-core", Labels: map[string]string{"x": "y"}}, Rules: []rbacv1.PolicyRule{ruleWatchWorkflows, ruleCreatePods}}},
			ClusterRoleBindings: []*model.Binding{saBinding("argo-binding", "argo-agg", "argo", "argo")}},
			true, "controller ServiceAccount argo/argo"},
		{"controller name without its RBAC", &model.Inventory{ServiceAccounts: []*model.ServiceAccount{sa("argo", "argo")},
			ClusterRoles:        []*model.ClusterRole{clusterRole("argo-cluster-role", ruleWatchWorkflows)},
			ClusterRoleBindings: []*model.Binding{saBinding("argo-binding", "argo-cluster-role", "argo", "argo")}},
			false, "none of its"},
		{"controller RBAC without its ServiceAccount", &model.Inventory{
			ClusterRoles:        []*model.ClusterRole{clusterRole("argo-cluster-role", ruleWatchWorkflows, ruleCreatePods)},
			ClusterRoleBindings: []*model.Binding{saBinding("argo-binding", "argo-cluster-role", "argo", "argo")}},
			false, "none of its"},
		// An Argo CD install: its UI reads Workflows, its application
		// controller holds everything; neither is the workflow controller.
		{"a UI role on the group and a wildcard controller of another project", &model.Inventory{
			ServiceAccounts: []*model.ServiceAccount{sa("argocd", "argocd-server"), sa("argocd", "argocd-application-controller")},
			ClusterRoles:    []*model.ClusterRole{clusterRole("argocd-server", ruleWatchWorkflows), clusterRole("argocd-application-controller", ruleEverything)},
			ClusterRoleBindings: []*model.Binding{saBinding("argocd-server", "argocd-server", "argocd", "argocd-server"),
				saBinding("argocd-application-controller", "argocd-application-controller", "argocd", "argocd-application-controller")}},
			false, "none of its"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ok, why := rules.Active(p, tc.inv)
			if ok != tc.active || !strings.HasPrefix(why, tc.why) {
				t.Fatalf("Active = %v, %q; want %v, %q…", ok, why, tc.active, tc.why)
			}
		})
	}
}

// TestActivationOnRealInstalls: the shipped packs switch on for the real
// installs of their projects and for nothing else (../shared/corpus/real,
// outside the repository; REAL_CORPUS overrides it).
func TestActivationOnRealInstalls(t *testing.T) {
	dir := os.Getenv("REAL_CORPUS")
	if dir == "" {
		dir = filepath.Join("..", "..", "..", "shared", "corpus", "real")
	}
	files, _ := filepath.Glob(filepath.Join(dir, "*.yaml"))
	if len(files) == 0 {
		t.Skipf("no real corpus in %s", dir)
	}
	want := map[string]string{
		"argo-cd":        "argo-cd",
		"argo-workflows": "argo-workflows",
		"flux2":          "flux",
		"kyverno":        "kyverno",
	}
	packs, err := rules.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		name := strings.TrimSuffix(filepath.Base(f), ".yaml")
		t.Run(name, func(t *testing.T) {
			inv, err := source.LoadFiles(source.FileOptions{Filenames: []string{f}})
			if err != nil {
				t.Fatal(err)
			}
			var active []string
			for _, p := range packs {
				if ok, _ := rules.Active(p, inv); ok && len(p.Rules) > 0 {
					active = append(active, p.Metadata.Name)
				}
			}
			got := strings.Join(active, ",")
			if got != want[name] {
				t.Fatalf("active rule packs %q, want %q", got, want[name])
			}
		})
	}
}

func TestLintControllers(t *testing.T) {
	const head = "apiVersion: auth-paths.io/v1alpha2\nkind: RulePack\nmetadata: {name: x}\nactivation:\n  controllers:\n"
	const rule = "rules:\n- id: r\n  description: d\n  permission: {verbs: [create], apiGroup: g, resource: r, scope: cluster}\n  gain: {type: identity, identity: \"User:u\"}\n"
	for _, tc := range []struct{ name, controllers, want string }{
		{"no namespace", "  - {serviceAccount: argo, needs: [{verbs: [list], apiGroup: g, resource: r}]}\n", `activation.controllers[0].serviceAccount: "argo": want NAMESPACE/NAME`},
		{"no needs", "  - {serviceAccount: argo/argo}\n", "activation.controllers[0].needs: required"},
		{"wildcard resource", "  - {serviceAccount: argo/argo, needs: [{verbs: [list], apiGroup: g, resource: \"*\"}]}\n", "activation.controllers[0].needs[0].resource"},
		{"wildcard verb", "  - {serviceAccount: argo/argo, needs: [{verbs: [\"*\"], apiGroup: g, resource: r}]}\n", "activation.controllers[0].needs[0].verbs"},
		{"no verbs", "  - {serviceAccount: argo/argo, needs: [{apiGroup: g, resource: r}]}\n", "activation.controllers[0].needs[0].verbs: required"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := rules.Parse([]byte(head+tc.controllers+rule), "p.yaml")
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want %q", err, tc.want)
			}
		})
	}
	v1 := strings.Replace(head, "v1alpha2", "v1alpha1", 1) + "  - {serviceAccount: a/b, needs: [{verbs: [list], apiGroup: g, resource: r}]}\n" + rule
	if _, err := rules.Parse([]byte(v1), "p.yaml"); err == nil || !strings.Contains(err.Error(), "activation.controllers: needs apiVersion auth-paths.io/v1alpha2") {
		t.Fatalf("v1alpha1 with controllers: %v", err)
	}
	ok := head + "  - {serviceAccount: a/b, needs: [{verbs: [list], apiGroup: g, resource: r}]}\n" + rule
	if _, err := rules.Parse([]byte(ok), "p.yaml"); err != nil {
		t.Fatal(err)
	}
}
