package risk

import (
	"reflect"
	"testing"

	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

func TestSelectedLabelsSatisfyTheSelectorOrNone(t *testing.T) {
	expr := func(key string, op metav1.LabelSelectorOperator, vals ...string) metav1.LabelSelectorRequirement {
		return metav1.LabelSelectorRequirement{Key: key, Operator: op, Values: vals}
	}
	tests := []struct {
		name      string
		selectors []metav1.LabelSelector
		want      map[string]string // nil: unsatisfiable
	}{
		{"matchLabels", []metav1.LabelSelector{{MatchLabels: map[string]string{"agg": "true"}}}, map[string]string{"agg": "true"}},
		{"In picks the first allowed value", []metav1.LabelSelector{{MatchExpressions: []metav1.LabelSelectorRequirement{expr("tier", metav1.LabelSelectorOpIn, "b", "a"), expr("tier", metav1.LabelSelectorOpNotIn, "a")}}}, map[string]string{"tier": "b"}},
		{"Exists and NotIn", []metav1.LabelSelector{{MatchExpressions: []metav1.LabelSelectorRequirement{expr("x", metav1.LabelSelectorOpExists), expr("x", metav1.LabelSelectorOpNotIn, "true")}}}, map[string]string{"x": "true-1"}},
		{"DoesNotExist leaves the key out", []metav1.LabelSelector{{MatchLabels: map[string]string{"agg": "true"}, MatchExpressions: []metav1.LabelSelectorRequirement{expr("legacy", metav1.LabelSelectorOpDoesNotExist)}}}, map[string]string{"agg": "true"}},
		{"matchLabels contradicted by NotIn", []metav1.LabelSelector{{MatchLabels: map[string]string{"agg": "true"}, MatchExpressions: []metav1.LabelSelectorRequirement{expr("agg", metav1.LabelSelectorOpNotIn, "true")}}}, nil},
		{"Exists contradicted by DoesNotExist", []metav1.LabelSelector{{MatchExpressions: []metav1.LabelSelectorRequirement{expr("x", metav1.LabelSelectorOpExists), expr("x", metav1.LabelSelectorOpDoesNotExist)}}}, nil},
		{"disjoint In sets", []metav1.LabelSelector{{MatchExpressions: []metav1.LabelSelectorRequirement{expr("x", metav1.LabelSelectorOpIn, "a"), expr("x", metav1.LabelSelectorOpIn, "b")}}}, nil},
		{"second selector satisfiable", []metav1.LabelSelector{
			{MatchExpressions: []metav1.LabelSelectorRequirement{expr("x", metav1.LabelSelectorOpIn, "a"), expr("x", metav1.LabelSelectorOpIn, "b")}},
			{MatchLabels: map[string]string{"y": "1"}}}, map[string]string{"y": "1"}},
		{"unparsable selector", []metav1.LabelSelector{{MatchExpressions: []metav1.LabelSelectorRequirement{expr("x", "Sometimes", "a")}}}, nil},
		{"no selectors", nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := selectedLabels(&rbacv1.AggregationRule{ClusterRoleSelectors: tt.selectors})
			if ok != (tt.want != nil) || (ok && !reflect.DeepEqual(got, tt.want)) {
				t.Errorf("got %v (%v), want %v", got, ok, tt.want)
			}
		})
	}
}
