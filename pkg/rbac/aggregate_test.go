package rbac

import (
	"fmt"
	"strings"
	"testing"

	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/auth-paths/kubectl-auth-paths/pkg/model"
)

func labeled(name string, labels map[string]string, rules ...rbacv1.PolicyRule) *model.ClusterRole {
	r := clusterRole(name, rules...)
	r.Labels = labels
	return r
}

func aggregated(name string, labels map[string]string, selectors ...map[string]string) *model.ClusterRole {
	r := labeled(name, labels)
	r.AggregationRule = &rbacv1.AggregationRule{}
	for _, s := range selectors {
		r.AggregationRule.ClusterRoleSelectors = append(r.AggregationRule.ClusterRoleSelectors, metav1.LabelSelector{MatchLabels: s})
	}
	return r
}

func sel(k string) map[string]string { return map[string]string{k: "true"} }

func verbRule(verb string) rbacv1.PolicyRule { return rule(l(verb), l(""), l("pods")) }

func ruleVerbs(rules []rbacv1.PolicyRule) string {
	var out []string
	for _, r := range rules {
		out = append(out, strings.Join(r.Verbs, "+"))
	}
	return strings.Join(out, ",")
}

func TestAggregationIsUnionInNameOrderWithoutDuplicates(t *testing.T) {
	// Deliberately not sorted: the controller lists roles by name.
	roles := []*model.ClusterRole{
		labeled("c-role", sel("agg"), verbRule("c"), verbRule("shared")),
		aggregated("target", nil, sel("agg")),
		labeled("a-role", sel("agg"), verbRule("a"), verbRule("shared")),
		labeled("b-role", sel("other"), verbRule("b")),
	}
	got, warnings := Aggregate(roles)
	if len(warnings) != 0 {
		t.Errorf("warnings: %v", warnings)
	}
	if v := ruleVerbs(got["target"]); v != "a,shared,c" {
		t.Errorf("aggregated rules = %s, want a,shared,c", v)
	}
	if v := ruleVerbs(got["b-role"]); v != "b" {
		t.Errorf("non-aggregated role changed: %s", v)
	}
}

func TestAggregationSelectorsInOrderAndSemanticDuplicates(t *testing.T) {
	// nil and empty lists are the same rule.
	withEmptyNames := verbRule("x")
	withEmptyNames.ResourceNames = []string{}
	roles := []*model.ClusterRole{
		aggregated("target", nil, sel("second"), sel("first")),
		labeled("a", sel("first"), verbRule("x")),
		labeled("z", sel("second"), verbRule("z"), withEmptyNames),
	}
	got, _ := Aggregate(roles)
	if v := ruleVerbs(got["target"]); v != "z,x" {
		t.Errorf("aggregated rules = %s, want z,x (selector order, then name order)", v)
	}
}

func TestAggregationReplacesWrittenRules(t *testing.T) {
	target := aggregated("target", nil, sel("agg"))
	target.Rules = []rbacv1.PolicyRule{everything}
	roles := []*model.ClusterRole{target, labeled("small", sel("agg"), getPods)}
	got, warnings := Aggregate(roles)
	if v := ruleVerbs(got["target"]); v != "get" {
		t.Errorf("aggregated rules = %s, want only the selected role's get", v)
	}
	if len(warnings) != 1 || !strings.Contains(warnings[0], `"target"`) {
		t.Errorf("warnings = %v, want one naming target", warnings)
	}
	e := NewEvaluator(&model.Inventory{ClusterRoles: roles, ClusterRoleBindings: []*model.Binding{crb("b", "target", user("alice"))}})
	if ok, _ := e.Allows(alice(), inNS(res("delete", "", "pods", "", ""), "")); ok {
		t.Error("hand-written rules of an aggregated role were honoured")
	}
	if ok, _ := e.Allows(alice(), inNS(res("get", "", "pods", "", ""), "")); !ok {
		t.Error("aggregated rule not granted")
	}
}

func TestNestedAggregationReachesFixpoint(t *testing.T) {
	// admin ⊇ edit ⊇ view, as the default roles; listed in an order that
	// needs more than one pass.
	roles := []*model.ClusterRole{
		aggregated("admin", nil, sel("to-admin")),
		aggregated("edit", sel("to-admin"), sel("to-edit")),
		aggregated("view", sel("to-edit"), sel("to-view")),
		labeled("x-view-extra", sel("to-view"), verbRule("get")),
		labeled("x-edit-extra", sel("to-edit"), verbRule("update")),
		labeled("x-admin-extra", sel("to-admin"), verbRule("delete")),
	}
	got, warnings := Aggregate(roles)
	if len(warnings) != 0 {
		t.Errorf("warnings: %v", warnings)
	}
	for name, want := range map[string]string{"view": "get", "edit": "get,update", "admin": "get,update,delete"} {
		if v := ruleVerbs(got[name]); v != want {
			t.Errorf("%s = %s, want %s", name, v, want)
		}
	}
}

func TestDeepAggregationChainReachesFixpoint(t *testing.T) {
	// r0 selects r1 selects r2 … selects the leaf; input order is worst case.
	const n = 8
	var roles []*model.ClusterRole
	for i := 0; i < n; i++ {
		roles = append(roles, aggregated(fmt.Sprintf("r%d", i), sel(fmt.Sprintf("l%d", i)), sel(fmt.Sprintf("l%d", i+1))))
	}
	roles = append(roles, labeled("leaf", sel(fmt.Sprintf("l%d", n)), verbRule("leaf")))
	got, _ := Aggregate(roles)
	for i := 0; i < n; i++ {
		if v := ruleVerbs(got[fmt.Sprintf("r%d", i)]); v != "leaf" {
			t.Errorf("r%d = %q, want leaf", i, v)
		}
	}
}

func TestAlreadyFilledAggregatedRolesStayRight(t *testing.T) {
	// A dump of a live cluster: the controller has already filled the rules.
	view := aggregated("view", sel("to-edit"), sel("to-view"))
	view.Rules = []rbacv1.PolicyRule{verbRule("get")}
	edit := aggregated("edit", nil, sel("to-edit"))
	edit.Rules = []rbacv1.PolicyRule{verbRule("get"), verbRule("update")}
	roles := []*model.ClusterRole{edit, view, labeled("x-view", sel("to-view"), verbRule("get")), labeled("x-edit", sel("to-edit"), verbRule("update"))}
	got, warnings := Aggregate(roles)
	if len(warnings) != 0 {
		t.Errorf("warnings for consistent roles: %v", warnings)
	}
	if v := ruleVerbs(got["edit"]); v != "get,update" {
		t.Errorf("edit = %s", v)
	}
	if v := ruleVerbs(got["view"]); v != "get" {
		t.Errorf("view = %s", v)
	}
}

func TestAggregationBadSelectorWarns(t *testing.T) {
	bad := aggregated("target", nil)
	bad.AggregationRule.ClusterRoleSelectors = []metav1.LabelSelector{
		{MatchExpressions: []metav1.LabelSelectorRequirement{{Key: "k", Operator: "Sometimes", Values: l("v")}}},
		{MatchLabels: sel("agg")},
	}
	got, warnings := Aggregate([]*model.ClusterRole{bad, labeled("a", sel("agg"), getPods), labeled("b", map[string]string{"k": "v"}, getSecrets)})
	if len(warnings) != 1 || !strings.Contains(warnings[0], `"target"`) || !strings.Contains(warnings[0], "clusterRoleSelectors[0]") {
		t.Errorf("warnings = %v", warnings)
	}
	if v := ruleVerbs(got["target"]); v != "get" || got["target"][0].Resources[0] != "pods" {
		t.Errorf("target = %+v, want only the good selector's rules", got["target"])
	}
}

func TestAggregationIgnoresSelfSelection(t *testing.T) {
	self := aggregated("self", sel("agg"), sel("agg"))
	self.Rules = []rbacv1.PolicyRule{verbRule("written")}
	got, _ := Aggregate([]*model.ClusterRole{self, labeled("other", sel("agg"), verbRule("other"))})
	if v := ruleVerbs(got["self"]); v != "other" {
		t.Errorf("self = %s, want other", v)
	}
	alone := aggregated("alone", sel("agg"), sel("agg"))
	got, _ = Aggregate([]*model.ClusterRole{alone})
	if len(got["alone"]) != 0 {
		t.Errorf("a role selecting only itself got rules %+v", got["alone"])
	}
}

func TestAggregationWithEmptySelectorListHasNoRules(t *testing.T) {
	empty := aggregated("empty", nil)
	empty.Rules = []rbacv1.PolicyRule{everything}
	got, _ := Aggregate([]*model.ClusterRole{empty, labeled("a", sel("x"), getPods)})
	if len(got["empty"]) != 0 {
		t.Errorf("empty = %+v, want no rules", got["empty"])
	}
}
