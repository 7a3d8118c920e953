package rules

import (
	rbacv1 "k8s.io/api/rbac/v1"

	"github.com/auth-paths/kubectl-auth-paths/pkg/model"
	"github.com/auth-paths/kubectl-auth-paths/pkg/rbac"
	"github.com/auth-paths/kubectl-auth-paths/pkg/risk"
)

// Expectation declares one known-benign default binding of a managed
// platform. A binding in the input is expected when its kind, namespace and
// name, its roleRef and every one of its subjects match the declaration:
// a subject a user added to a platform binding makes the whole binding
// unexpected again.
type Expectation struct {
	ID string `json:"id"`
	// Platform is shown in the label: "EKS", "GKE", "AKS".
	Platform string `json:"platform"`
	// Reason says why the platform needs the binding.
	Reason string `json:"reason"`
	// Reference is the platform's documentation of the binding.
	Reference string `json:"reference"`
	// Binding selects the binding.
	Binding BindingMatch `json:"binding"`
	// RoleRef is the role the binding must reference.
	RoleRef NameMatch `json:"roleRef"`
	// Subjects: every subject of the binding must match one of them.
	Subjects []SubjectMatch `json:"subjects"`
	// RoleRules (v1alpha2, optional) declares the referenced role's content:
	// when set, the binding is expected only if its role is in the input,
	// has no aggregationRule and grants nothing beyond these rules (see
	// roleContentMatches). Without it the role is matched by name alone.
	RoleRules []rbacv1.PolicyRule `json:"roleRules,omitempty"`
}

// NameMatch is an exact name or a documented name prefix (exactly one).
type NameMatch struct {
	Kind       string `json:"kind"`
	Name       string `json:"name,omitempty"`
	NamePrefix string `json:"namePrefix,omitempty"`
}

// Matches reports whether name matches.
func (m NameMatch) Matches(name string) bool {
	if m.NamePrefix != "" {
		return len(name) > len(m.NamePrefix) && name[:len(m.NamePrefix)] == m.NamePrefix
	}
	return name == m.Name
}

// BindingMatch selects a ClusterRoleBinding or a RoleBinding (with its namespace).
type BindingMatch struct {
	NameMatch
	Namespace string `json:"namespace,omitempty"`
}

// SubjectMatch selects a subject: User, Group or ServiceAccount (with its namespace).
type SubjectMatch struct {
	NameMatch
	Namespace string `json:"namespace,omitempty"`
}

// ExpectedBindings returns the bindings of the inventory that an active
// pack declares expected, by binding ID. The first declaration that matches
// a binding wins (packs in load order, declarations in file order).
func ExpectedBindings(packs []*Pack, inv *model.Inventory) map[string]risk.ExpectedBinding {
	out := map[string]risk.ExpectedBinding{}
	for _, p := range packs {
		if len(p.Expected) == 0 {
			continue
		}
		if ok, _ := Active(p, inv); !ok {
			continue
		}
		for _, list := range [][]*model.Binding{inv.ClusterRoleBindings, inv.RoleBindings} {
			for _, b := range list {
				if _, done := out[b.ID()]; done {
					continue
				}
				for _, e := range p.Expected {
					if e.matches(b) && e.roleContentMatches(inv, b) {
						out[b.ID()] = risk.ExpectedBinding{Binding: b.ID(), Platform: e.Platform, Reason: e.Reason,
							Reference: e.Reference, Declaration: p.Metadata.Name + "/" + e.ID}
						break
					}
				}
			}
		}
	}
	return out
}

// matches: same binding kind, namespace and name, same roleRef, and every
// subject declared.
func (e *Expectation) matches(b *model.Binding) bool {
	if b.Kind != e.Binding.Kind || b.Namespace != e.Binding.Namespace || !e.Binding.Matches(b.Name) {
		return false
	}
	if b.RoleRef.Kind != e.RoleRef.Kind || !e.RoleRef.Matches(b.RoleRef.Name) {
		return false
	}
	if len(b.Subjects) == 0 {
		return false
	}
	for _, s := range b.Subjects {
		c := rbac.CanonicalSubject(s, b.Namespace)
		found := false
		for _, m := range e.Subjects {
			if m.Kind == c.Kind && m.Namespace == c.Namespace && m.Matches(c.Name) {
				found = true
				break
			}
		}
		if !found {
			return false
		}
	}
	return true
}
