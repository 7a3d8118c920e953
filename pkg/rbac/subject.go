package rbac

import (
	"fmt"
	"strconv"
	"strings"

	rbacv1 "k8s.io/api/rbac/v1"
)

// Well-known user and group names.
const (
	GroupMasters               = "system:masters"
	GroupAuthenticated         = "system:authenticated"
	GroupUnauthenticated       = "system:unauthenticated"
	GroupServiceAccounts       = "system:serviceaccounts"
	GroupServiceAccountsPrefix = "system:serviceaccounts:"
	GroupNodes                 = "system:nodes"
	UserAnonymous              = "system:anonymous"
	ServiceAccountUserPrefix   = "system:serviceaccount:"
	NodeUserPrefix             = "system:node:"
)

// Subject is a binding subject in canonical form: a User named
// system:serviceaccount:NS:NAME is the ServiceAccount NS/NAME, and a
// RoleBinding's ServiceAccount without a namespace is in the binding's namespace.
type Subject struct {
	Kind      string `json:"kind"`
	Name      string `json:"name"`
	Namespace string `json:"namespace,omitempty"`
}

// String renders the subject as the CLI accepts it: User:alice, Group:dev,
// ServiceAccount:ns:name.
func (s Subject) String() string {
	if s.Kind == rbacv1.ServiceAccountKind {
		return s.Kind + ":" + s.Namespace + ":" + s.Name
	}
	return s.Kind + ":" + s.Name
}

// Describe renders the subject in the apiserver's wording: Group "dev".
func (s Subject) Describe() string {
	if s.Kind == rbacv1.ServiceAccountKind {
		return s.Kind + " " + strconv.Quote(s.Namespace+"/"+s.Name)
	}
	return s.Kind + " " + strconv.Quote(s.Name)
}

// Less orders subjects: kind, namespace, name.
func (s Subject) Less(o Subject) bool {
	if s.Kind != o.Kind {
		return s.Kind < o.Kind
	}
	if s.Namespace != o.Namespace {
		return s.Namespace < o.Namespace
	}
	return s.Name < o.Name
}

// UserName is the name the authenticator gives the subject (User and ServiceAccount).
func (s Subject) UserName() string {
	if s.Kind == rbacv1.ServiceAccountKind {
		return ServiceAccountUserPrefix + s.Namespace + ":" + s.Name
	}
	return s.Name
}

// CanonicalSubject puts a binding subject in canonical form.
func CanonicalSubject(s rbacv1.Subject, bindingNamespace string) Subject {
	switch s.Kind {
	case rbacv1.ServiceAccountKind:
		ns := s.Namespace
		if ns == "" {
			ns = bindingNamespace
		}
		return Subject{Kind: rbacv1.ServiceAccountKind, Name: s.Name, Namespace: ns}
	case rbacv1.UserKind:
		if ns, name, ok := SplitServiceAccountUser(s.Name); ok {
			return Subject{Kind: rbacv1.ServiceAccountKind, Name: name, Namespace: ns}
		}
	}
	return Subject{Kind: s.Kind, Name: s.Name}
}

// SplitServiceAccountUser parses system:serviceaccount:NS:NAME.
func SplitServiceAccountUser(user string) (namespace, name string, ok bool) {
	if !strings.HasPrefix(user, ServiceAccountUserPrefix) {
		return "", "", false
	}
	parts := strings.Split(strings.TrimPrefix(user, ServiceAccountUserPrefix), ":")
	if len(parts) != 2 || parts[0] == "" || parts[1] == "" {
		return "", "", false
	}
	return parts[0], parts[1], true
}

// ParseSubject reads User:alice, Group:dev, ServiceAccount:ns:name (also sa:ns:name,
// ns/name after ServiceAccount:), Node:NAME (the node's kubelet identity, the
// user system:node:NAME, as scan prints it), a bare system:serviceaccount:ns:name
// or system:node:NAME user name, or a bare name (a User).
func ParseSubject(s string) (Subject, error) {
	if ns, name, ok := SplitServiceAccountUser(s); ok {
		return Subject{Kind: rbacv1.ServiceAccountKind, Namespace: ns, Name: name}, nil
	}
	kind, rest, found := strings.Cut(s, ":")
	if !found {
		if s == "" {
			return Subject{}, fmt.Errorf("empty subject")
		}
		return Subject{Kind: rbacv1.UserKind, Name: s}, nil
	}
	switch strings.ToLower(kind) {
	case "user", "u":
		if rest == "" {
			return Subject{}, fmt.Errorf("subject %q: missing user name", s)
		}
		return CanonicalSubject(rbacv1.Subject{Kind: rbacv1.UserKind, Name: rest}, ""), nil
	case "group", "g":
		if rest == "" {
			return Subject{}, fmt.Errorf("subject %q: missing group name", s)
		}
		return Subject{Kind: rbacv1.GroupKind, Name: rest}, nil
	case "serviceaccount", "sa":
		ns, name, ok := strings.Cut(rest, ":")
		if !ok {
			ns, name, ok = strings.Cut(rest, "/")
		}
		if !ok || ns == "" || name == "" {
			return Subject{}, fmt.Errorf("subject %q: want ServiceAccount:NAMESPACE:NAME", s)
		}
		return Subject{Kind: rbacv1.ServiceAccountKind, Namespace: ns, Name: name}, nil
	case "node":
		if rest == "" || strings.Contains(rest, ":") {
			return Subject{}, fmt.Errorf("subject %q: want Node:NAME", s)
		}
		return Subject{Kind: rbacv1.UserKind, Name: NodeUserPrefix + rest}, nil
	case "system":
		// A user name such as system:node:n1 or system:anonymous.
		return Subject{Kind: rbacv1.UserKind, Name: s}, nil
	}
	return Subject{}, fmt.Errorf("subject %q: want User:NAME, Group:NAME, ServiceAccount:NAMESPACE:NAME, Node:NAME or system:serviceaccount:NAMESPACE:NAME", s)
}

// Identity is an authenticated (or anonymous) requester: a user name and its groups.
type Identity struct {
	User   string
	Groups []string
}

// IdentityOf returns the identity a User or ServiceAccount subject authenticates as,
// with the groups the authenticators add implicitly.
func IdentityOf(s Subject, extraGroups ...string) Identity {
	switch s.Kind {
	case rbacv1.ServiceAccountKind:
		return Identity{User: s.UserName(), Groups: append([]string{GroupServiceAccounts, GroupServiceAccountsPrefix + s.Namespace, GroupAuthenticated}, extraGroups...)}
	default:
		if s.Name == UserAnonymous {
			return Identity{User: s.Name, Groups: append([]string{GroupUnauthenticated}, extraGroups...)}
		}
		groups := append([]string{}, extraGroups...)
		if strings.HasPrefix(s.Name, NodeUserPrefix) {
			groups = append(groups, GroupNodes)
		}
		return Identity{User: s.Name, Groups: append(groups, GroupAuthenticated)}
	}
}

// ImplicitGroups returns the groups every identity of this subject is in
// without any binding saying so. For a Group subject it returns nothing.
func ImplicitGroups(s Subject) []string {
	if s.Kind == rbacv1.GroupKind {
		return nil
	}
	return IdentityOf(s).Groups
}

// Matches reports whether a canonical binding subject applies to the identity.
func (s Subject) Matches(id Identity) bool {
	switch s.Kind {
	case rbacv1.GroupKind:
		for _, g := range id.Groups {
			if g == s.Name {
				return true
			}
		}
		return false
	case rbacv1.UserKind, rbacv1.ServiceAccountKind:
		return s.UserName() == id.User
	default:
		// The authorizer knows only User, Group and ServiceAccount subjects.
		return false
	}
}
