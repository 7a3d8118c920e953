package remediate

import (
	"fmt"
	"reflect"

	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"

	"github.com/auth-paths/kubectl-auth-paths/pkg/model"
	"github.com/auth-paths/kubectl-auth-paths/pkg/rbac"
)

// Edit kinds.
const (
	// EditRemoveSubject takes one subject out of a binding (the binding
	// goes when it was the last one).
	EditRemoveSubject = "remove-subject"
	// EditNarrowRule takes exactly one request out of one rule.
	EditNarrowRule = "narrow-rule"
	// EditGroup is several edits that only work together (the source roles
	// of an aggregated ClusterRole).
	EditGroup = "group"
)

// Edit is one narrowing of the inventory.
type Edit struct {
	Kind string
	// Binding and Subject for EditRemoveSubject.
	Binding string
	Subject rbac.Subject
	// The role, the rule as it is and the request to take out of it, for EditNarrowRule.
	RoleKind, RoleNamespace, RoleName string
	Rule                              rbacv1.PolicyRule
	Request                           rbac.Request
	// Group for EditGroup.
	Group []Edit
}

// Change is one object the fix updates or deletes, with why.
type Change struct {
	// Action is "update" or "delete".
	Action    string   `json:"action"`
	Kind      string   `json:"kind"`
	Namespace string   `json:"namespace,omitempty"`
	Name      string   `json:"name"`
	Why       []string `json:"why"`

	beforeRules, afterRules       []rbacv1.PolicyRule
	beforeSubjects, afterSubjects []rbacv1.Subject
	meta                          model.Meta
	roleRef                       rbacv1.RoleRef
	aggregation                   *rbacv1.AggregationRule
}

// working is a copy-on-write inventory: the objects an edit touches are
// copied, the rest shared with the input.
type working struct {
	base  *model.Inventory
	cr    map[string]*model.ClusterRole
	role  map[string]*model.Role
	bind  map[string]*model.Binding
	gone  map[string]bool
	order []string
	why   map[string][]string
}

func newWorking(inv *model.Inventory) *working {
	return &working{base: inv, cr: map[string]*model.ClusterRole{}, role: map[string]*model.Role{}, bind: map[string]*model.Binding{}, gone: map[string]bool{}, why: map[string][]string{}}
}

func (w *working) touch(key, why string) {
	if _, ok := w.why[key]; !ok {
		w.order = append(w.order, key)
	}
	w.why[key] = append(w.why[key], why)
}

func (w *working) apply(e Edit) {
	switch e.Kind {
	case EditGroup:
		for _, g := range e.Group {
			w.apply(g)
		}
	case EditRemoveSubject:
		b := w.binding(e.Binding)
		if b == nil {
			return
		}
		var keep []rbacv1.Subject
		for _, s := range b.Subjects {
			if rbac.CanonicalSubject(s, b.Namespace) != e.Subject {
				keep = append(keep, s)
			}
		}
		b.Subjects = keep
		if len(keep) == 0 {
			w.gone[e.Binding] = true
			w.touch(e.Binding, fmt.Sprintf("delete: %s was its last subject", e.Subject.Describe()))
			return
		}
		w.touch(e.Binding, "remove subject "+e.Subject.Describe())
	case EditNarrowRule:
		key := roleKey(e.RoleKind, e.RoleNamespace, e.RoleName)
		rules := w.rules(e.RoleKind, e.RoleNamespace, e.RoleName)
		if rules == nil {
			return
		}
		for i := range *rules {
			if equalRule((*rules)[i], e.Rule) {
				*rules = narrowRules(*rules, i, e.Request)
				w.touch(key, fmt.Sprintf("take %s out of rule %s", requestText(e.Request), ruleText(e.Rule)))
				return
			}
		}
	}
}

func (w *working) binding(id string) *model.Binding {
	if b, ok := w.bind[id]; ok {
		return b
	}
	b := bindingByID(w.base, id)
	if b == nil {
		return nil
	}
	c := *b
	c.Subjects = append([]rbacv1.Subject(nil), b.Subjects...)
	w.bind[id] = &c
	return &c
}

func (w *working) rules(kind, ns, name string) *[]rbacv1.PolicyRule {
	key := roleKey(kind, ns, name)
	if kind == model.KindClusterRole {
		if r, ok := w.cr[key]; ok {
			return &r.Rules
		}
		if r := clusterRole(w.base, name); r != nil {
			c := *r
			c.Rules = append([]rbacv1.PolicyRule(nil), r.Rules...)
			w.cr[key] = &c
			return &c.Rules
		}
		return nil
	}
	if r, ok := w.role[key]; ok {
		return &r.Rules
	}
	for _, r := range w.base.Roles {
		if r.Namespace == ns && r.Name == name {
			c := *r
			c.Rules = append([]rbacv1.PolicyRule(nil), r.Rules...)
			w.role[key] = &c
			return &c.Rules
		}
	}
	return nil
}

// inventory is the input with the edits.
func (w *working) inventory() *model.Inventory {
	inv := *w.base
	inv.ClusterRoles = make([]*model.ClusterRole, 0, len(w.base.ClusterRoles))
	for _, r := range w.base.ClusterRoles {
		if c, ok := w.cr[roleKey(model.KindClusterRole, "", r.Name)]; ok {
			r = c
		}
		inv.ClusterRoles = append(inv.ClusterRoles, r)
	}
	inv.Roles = make([]*model.Role, 0, len(w.base.Roles))
	for _, r := range w.base.Roles {
		if c, ok := w.role[roleKey(model.KindRole, r.Namespace, r.Name)]; ok {
			r = c
		}
		inv.Roles = append(inv.Roles, r)
	}
	bindings := func(list []*model.Binding) []*model.Binding {
		out := make([]*model.Binding, 0, len(list))
		for _, b := range list {
			if w.gone[b.ID()] {
				continue
			}
			if c, ok := w.bind[b.ID()]; ok {
				b = c
			}
			out = append(out, b)
		}
		return out
	}
	inv.ClusterRoleBindings = bindings(w.base.ClusterRoleBindings)
	inv.RoleBindings = bindings(w.base.RoleBindings)
	return &inv
}

// changes are the touched objects, in the order they were first edited.
func (w *working) changes() []*Change {
	out := []*Change{}
	for _, key := range w.order {
		var c *Change
		if b, ok := w.bind[key]; ok {
			orig := bindingByID(w.base, key)
			c = &Change{Action: "update", Kind: b.Kind, Namespace: b.Namespace, Name: b.Name, meta: orig.Meta, roleRef: orig.RoleRef,
				beforeSubjects: orig.Subjects, afterSubjects: b.Subjects}
			if w.gone[key] {
				c.Action = "delete"
			}
		} else if r, ok := w.cr[key]; ok {
			orig := clusterRole(w.base, r.Name)
			c = &Change{Action: "update", Kind: model.KindClusterRole, Name: r.Name, meta: orig.Meta, beforeRules: orig.Rules, afterRules: r.Rules, aggregation: orig.AggregationRule}
		} else if r, ok := w.role[key]; ok {
			var orig *model.Role
			for _, o := range w.base.Roles {
				if o.Namespace == r.Namespace && o.Name == r.Name {
					orig = o
				}
			}
			c = &Change{Action: "update", Kind: model.KindRole, Namespace: r.Namespace, Name: r.Name, meta: orig.Meta, beforeRules: orig.Rules, afterRules: r.Rules}
		}
		if c == nil {
			continue
		}
		if c.afterRules != nil && len(c.afterRules) == 0 {
			c.afterRules = []rbacv1.PolicyRule{}
		}
		c.Why = w.why[key]
		out = append(out, c)
	}
	return out
}

// bindingByID finds a binding of the inventory by its ID.
func bindingByID(inv *model.Inventory, id string) *model.Binding {
	for _, list := range [][]*model.Binding{inv.ClusterRoleBindings, inv.RoleBindings} {
		for _, b := range list {
			if b.ID() == id {
				return b
			}
		}
	}
	return nil
}

func clusterRole(inv *model.Inventory, name string) *model.ClusterRole {
	for _, r := range inv.ClusterRoles {
		if r.Name == name {
			return r
		}
	}
	return nil
}

// aggregatedSources are the non-aggregated ClusterRoles whose rules flow,
// directly or through other aggregated roles, into cr and hold rule.
func aggregatedSources(inv *model.Inventory, cr *model.ClusterRole, rule rbacv1.PolicyRule) []*model.ClusterRole {
	var out []*model.ClusterRole
	seen := map[string]bool{cr.Name: true}
	queue := []*model.ClusterRole{cr}
	for len(queue) > 0 {
		agg := queue[0]
		queue = queue[1:]
		for i := range agg.AggregationRule.ClusterRoleSelectors {
			sel, err := metav1.LabelSelectorAsSelector(&agg.AggregationRule.ClusterRoleSelectors[i])
			if err != nil {
				continue
			}
			for _, r := range inv.ClusterRoles {
				if seen[r.Name] || !sel.Matches(labels.Set(r.Labels)) {
					continue
				}
				seen[r.Name] = true
				if r.AggregationRule != nil {
					queue = append(queue, r)
					continue
				}
				for _, x := range r.Rules {
					if equalRule(x, rule) {
						out = append(out, r)
						break
					}
				}
			}
		}
	}
	return out
}

func equalRule(a, b rbacv1.PolicyRule) bool {
	norm := func(s []string) []string {
		if len(s) == 0 {
			return nil
		}
		return s
	}
	return reflect.DeepEqual(norm(a.Verbs), norm(b.Verbs)) && reflect.DeepEqual(norm(a.APIGroups), norm(b.APIGroups)) &&
		reflect.DeepEqual(norm(a.Resources), norm(b.Resources)) && reflect.DeepEqual(norm(a.ResourceNames), norm(b.ResourceNames)) &&
		reflect.DeepEqual(norm(a.NonResourceURLs), norm(b.NonResourceURLs))
}
