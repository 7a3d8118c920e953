package remediate

import (
	"fmt"
	"reflect"
	"sort"
	"strings"

	rbacv1 "k8s.io/api/rbac/v1"

	"github.com/auth-paths/kubectl-auth-paths/pkg/model"
	"github.com/auth-paths/kubectl-auth-paths/pkg/rbac"
)

// Loss is one permission a subject has before the change and not after.
type Loss struct {
	Subject string `json:"subject"`
	// Permission is one verb on one resource (or URL) as a rule writes it:
	// "*" stays "*".
	Permission string `json:"permission"`
	// Namespace is empty for a cluster-wide permission.
	Namespace string `json:"namespace,omitempty"`
}

// String is "User:x loses get pods in ns1".
func (l Loss) String() string {
	where := "cluster-wide"
	if l.Namespace != "" {
		where = "in " + l.Namespace
	}
	return fmt.Sprintf("%s loses %s %s", l.Subject, l.Permission, where)
}

// Diff lists what every subject of a binding touched by the change loses:
// each verb × group × resource × name of its rules before, as the rules
// wrote them, that the subject (with its groups) is no longer allowed after.
func Diff(before, after *model.Inventory, groups map[string][]string) []Loss {
	eb, ea := rbac.NewEvaluator(before), rbac.NewEvaluator(after)
	// Bindings whose subjects or rules differ.
	afterIdx := map[string]*model.Binding{}
	for _, list := range [][]*model.Binding{after.ClusterRoleBindings, after.RoleBindings} {
		for _, b := range list {
			afterIdx[b.ID()] = b
		}
	}
	// Roles by namespace and name, the first of each (a look-up per
	// binding read every Role: quadratic, and the planner diffs once per
	// candidate edit).
	rolesOf := func(inv *model.Inventory) map[[2]string]*model.Role {
		m := make(map[[2]string]*model.Role, len(inv.Roles))
		for _, r := range inv.Roles {
			if k := [2]string{r.Namespace, r.Name}; m[k] == nil {
				m[k] = r
			}
		}
		return m
	}
	rolesBefore, rolesAfter := rolesOf(before), rolesOf(after)
	rulesOf := func(e *rbac.Evaluator, roles map[[2]string]*model.Role, b *model.Binding) []rbacv1.PolicyRule {
		if b.RoleRef.Kind == model.KindClusterRole {
			r, _ := e.ClusterRoleRules(b.RoleRef.Name)
			return r
		}
		if r := roles[[2]string{b.Namespace, b.RoleRef.Name}]; r != nil {
			return r.Rules
		}
		return nil
	}
	seen := map[Loss]bool{}
	var out []Loss
	for _, list := range [][]*model.Binding{before.ClusterRoleBindings, before.RoleBindings} {
		for _, b := range list {
			old := rulesOf(eb, rolesBefore, b)
			if nb := afterIdx[b.ID()]; nb != nil && reflect.DeepEqual(nb.Subjects, b.Subjects) && reflect.DeepEqual(rulesOf(ea, rolesAfter, nb), old) {
				continue
			}
			for _, s := range b.Subjects {
				sub := rbac.CanonicalSubject(s, b.Namespace)
				id := identityOf(sub, groups)
				for _, r := range old {
					for _, q := range atoms(r, b.Namespace) {
						if ok, _ := ea.Allows(id, q); ok {
							continue
						}
						l := Loss{Subject: sub.String(), Permission: permText(q), Namespace: q.Namespace}
						if !seen[l] {
							seen[l] = true
							out = append(out, l)
						}
					}
				}
			}
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Subject != out[j].Subject {
			return out[i].Subject < out[j].Subject
		}
		if out[i].Namespace != out[j].Namespace {
			return out[i].Namespace < out[j].Namespace
		}
		return out[i].Permission < out[j].Permission
	})
	return out
}

// atoms expands a rule into its requests, wildcards kept (a request for
// verb "*" is allowed only by a rule with verb "*": "covers" semantics).
func atoms(r rbacv1.PolicyRule, ns string) []rbac.Request {
	var out []rbac.Request
	for _, v := range r.Verbs {
		for _, u := range r.NonResourceURLs {
			out = append(out, rbac.Request{Verb: v, Path: u})
		}
		for _, g := range r.APIGroups {
			for _, res := range r.Resources {
				resource, sub, _ := strings.Cut(res, "/")
				names := r.ResourceNames
				if len(names) == 0 {
					names = []string{""}
				}
				for _, n := range names {
					out = append(out, rbac.Request{Verb: v, APIGroup: g, Resource: resource, Subresource: sub, Name: n, Namespace: ns})
				}
			}
		}
	}
	return out
}

// permText renders a request without its namespace: "get pods",
// "create deployments.apps", "impersonate users admin", "get /metrics".
func permText(q rbac.Request) string {
	if !q.IsResourceRequest() {
		return q.Verb + " " + q.Path
	}
	s := q.Verb + " " + q.Resource
	if q.Subresource != "" {
		s += "/" + q.Subresource
	}
	if q.APIGroup != "" {
		s += "." + q.APIGroup
	}
	if q.Name != "" {
		s += " " + q.Name
	}
	return s
}

func requestText(q rbac.Request) string {
	s := permText(q)
	if q.Namespace != "" {
		s += " in " + q.Namespace
	}
	return s
}

func ruleText(r rbacv1.PolicyRule) string {
	if len(r.NonResourceURLs) > 0 {
		return fmt.Sprintf("{verbs %v, nonResourceURLs %v}", r.Verbs, r.NonResourceURLs)
	}
	s := fmt.Sprintf("{verbs %v, apiGroups %q, resources %v", r.Verbs, r.APIGroups, r.Resources)
	if len(r.ResourceNames) > 0 {
		s += fmt.Sprintf(", resourceNames %v", r.ResourceNames)
	}
	return s + "}"
}
