package risk

import (
	"slices"
	"sort"
	"strconv"

	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/selection"
)

// selectedLabels returns labels a ClusterRole can carry to be selected by
// one of an aggregationRule's selectors (the first that any label set
// satisfies), and false when none can be: a selector whose requirements
// contradict each other (k=v with k NotIn [v], Exists with DoesNotExist,
// disjoint In sets) or that does not parse selects nothing the writer could
// label. The labels are checked against the selector the aggregation
// controller builds (metav1.LabelSelectorAsSelector).
func selectedLabels(rule *rbacv1.AggregationRule) (map[string]string, bool) {
	if rule == nil {
		return nil, false
	}
	for i := range rule.ClusterRoleSelectors {
		sel := &rule.ClusterRoleSelectors[i]
		parsed, err := metav1.LabelSelectorAsSelector(sel)
		if err != nil {
			continue
		}
		set, ok := satisfyRequirements(parsed)
		if ok && parsed.Matches(labels.Set(set)) {
			return set, true
		}
	}
	return nil, false
}

// satisfyRequirements picks, key by key, a value every requirement on the
// key allows, or leaves the key out when it must not exist.
func satisfyRequirements(sel labels.Selector) (map[string]string, bool) {
	reqs, _ := sel.Requirements()
	type constraint struct {
		allowed  []string // nil: any value
		excluded []string
		present  bool
		absent   bool
	}
	byKey := map[string]*constraint{}
	var keys []string
	for _, r := range reqs {
		c := byKey[r.Key()]
		if c == nil {
			c = &constraint{}
			byKey[r.Key()] = c
			keys = append(keys, r.Key())
		}
		vals := r.ValuesUnsorted()
		switch r.Operator() {
		case selection.In, selection.Equals, selection.DoubleEquals:
			c.present = true
			if c.allowed == nil {
				c.allowed = slices.Clone(vals)
			} else {
				c.allowed = slices.DeleteFunc(c.allowed, func(v string) bool { return !slices.Contains(vals, v) })
				if len(c.allowed) == 0 {
					return nil, false
				}
			}
		case selection.NotIn, selection.NotEquals:
			c.excluded = append(c.excluded, vals...)
		case selection.Exists:
			c.present = true
		case selection.DoesNotExist:
			c.absent = true
		default:
			return nil, false // Gt/Lt: not in a LabelSelector
		}
	}
	sort.Strings(keys)
	out := map[string]string{}
	for _, k := range keys {
		c := byKey[k]
		if !c.present {
			continue // NotIn and DoesNotExist hold for a missing key
		}
		if c.absent {
			return nil, false
		}
		// Any value (Exists): "true", as aggregation labels are by
		// convention, or one of as many others as values are excluded.
		candidates := []string{"true"}
		for i := range c.excluded {
			candidates = append(candidates, "true-"+strconv.Itoa(i+1))
		}
		if c.allowed != nil {
			candidates = slices.Sorted(slices.Values(c.allowed))
		}
		i := slices.IndexFunc(candidates, func(v string) bool { return !slices.Contains(c.excluded, v) })
		if i < 0 {
			return nil, false
		}
		out[k] = candidates[i]
	}
	return out, true
}
