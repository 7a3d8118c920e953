package cmd

import (
	"fmt"
	"slices"
	"strings"

	rbacv1 "k8s.io/api/rbac/v1"
)

// objectName is an RBAC object named on the command line.
type objectName struct {
	Kind      string // ClusterRoleBinding, RoleBinding, ClusterRole or Role
	Namespace string // "" for the cluster-scoped kinds
	Name      string
}

// ID is the object's ID in the tool's output and input
// (ClusterRoleBinding/NAME, RoleBinding/NAMESPACE/NAME), as
// review.Bindings indexes bindings.
func (n objectName) ID() string {
	if n.Namespace == "" {
		return n.Kind + "/" + n.Name
	}
	return n.Kind + "/" + n.Namespace + "/" + n.Name
}

// rbacTypes maps the type names kubectl get accepts for the RBAC kinds
// (resource, singular, kind; any case) to the kind, and says whether it is
// namespaced. The group and version may follow: .rbac.authorization.k8s.io,
// .v1.rbac.authorization.k8s.io.
var rbacTypes = map[string]struct {
	kind       string
	namespaced bool
}{
	"clusterrolebindings": {"ClusterRoleBinding", false}, "clusterrolebinding": {"ClusterRoleBinding", false},
	"rolebindings": {"RoleBinding", true}, "rolebinding": {"RoleBinding", true},
	"clusterroles": {"ClusterRole", false}, "clusterrole": {"ClusterRole", false},
	"roles": {"Role", true}, "role": {"Role", true},
}

// parseObjectName reads an RBAC object's name as kubectl get takes it:
// TYPE/NAME, where TYPE is a resource, its singular or its kind in any
// case, optionally qualified with its group (clusterrolebinding/x,
// ClusterRoleBinding/x, clusterrolebindings.rbac.authorization.k8s.io/x).
// A namespaced object takes its namespace from namespace (-n) or, as the
// tool prints it, from TYPE/NAMESPACE/NAME. kinds are the kinds accepted.
func parseObjectName(s, namespace string, kinds ...string) (objectName, error) {
	typ, rest, ok := strings.Cut(s, "/")
	if !ok || typ == "" || rest == "" {
		return objectName{}, fmt.Errorf("%q: want TYPE/NAME, e.g. %s", s, objectNameExamples(kinds))
	}
	lower := strings.ToLower(typ)
	for _, suffix := range []string{"." + rbacv1.SchemeGroupVersion.Version + "." + rbacv1.GroupName, "." + rbacv1.GroupName} {
		lower = strings.TrimSuffix(lower, suffix)
	}
	t, known := rbacTypes[lower]
	if !known || !slices.Contains(kinds, t.kind) {
		return objectName{}, fmt.Errorf("%q: type %q is not one of %s", s, typ, objectNameExamples(kinds))
	}
	n := objectName{Kind: t.kind, Name: rest}
	if ns, name, ok := strings.Cut(rest, "/"); ok {
		switch {
		case !t.namespaced:
			return objectName{}, fmt.Errorf("%q: a %s is cluster-scoped: want %s/NAME", s, t.kind, lower)
		case ns == "" || name == "" || strings.Contains(name, "/"):
			return objectName{}, fmt.Errorf("%q: want %s/NAMESPACE/NAME or %s/NAME with -n", s, lower, lower)
		case namespace != "" && namespace != ns:
			return objectName{}, fmt.Errorf("%q names namespace %q, -n says %q", s, ns, namespace)
		}
		n.Namespace, n.Name = ns, name
	} else if t.namespaced {
		if namespace == "" {
			return objectName{}, fmt.Errorf("%q: a %s is namespaced: give -n NAMESPACE or %s/NAMESPACE/%s", s, t.kind, lower, rest)
		}
		n.Namespace = namespace
	}
	return n, nil
}

// objectNameExamples spells the accepted forms for an error message.
func objectNameExamples(kinds []string) string {
	var out []string
	for _, k := range kinds {
		t := strings.ToLower(k)
		if rbacTypes[t].namespaced {
			out = append(out, t+"/NAME (with -n)", t+"/NAMESPACE/NAME")
		} else {
			out = append(out, t+"/NAME")
		}
	}
	return strings.Join(out, ", ")
}
