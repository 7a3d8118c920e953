package rules

import (
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/auth-paths/kubectl-auth-paths/pkg/model"
	"github.com/auth-paths/kubectl-auth-paths/pkg/rbac"
)

// Active reports whether a pack applies to the inventory, and on which
// evidence. A pack's rules are about a controller, so only evidence that the
// controller (or at least its API) is there counts:
//
//   - a CustomResourceDefinition the pack names (activation.crds);
//   - one of its API groups served by the cluster (live discovery, kept in a
//     dump's header) or an object of that group in the input (the group is
//     then served);
//   - one of the named objects (activation.objects);
//   - the controller's own identity (activation.controllers): its
//     ServiceAccount exists and its RBAC allows what the controller does.
//
// A role that merely grants on the group proves nothing: an Argo CD UI role
// reading Argo Workflows' objects does not install Argo Workflows, and a
// wildcard role bound to another controller matches every pack.
func Active(p *Pack, inv *model.Inventory) (bool, string) {
	a := p.Activation
	if len(a.CRDs) == 0 && len(a.APIGroups) == 0 && len(a.Objects) == 0 && len(a.Controllers) == 0 {
		return true, "always active"
	}
	for _, o := range inv.Others {
		if o.Kind == "CustomResourceDefinition" && slices.Contains(a.CRDs, o.Name) {
			return true, "CustomResourceDefinition " + o.Name + " is present"
		}
	}
	for _, g := range a.APIGroups {
		if slices.Contains(inv.ServedGroups, g) {
			return true, "API group " + g + " is served (discovery)"
		}
	}
	for _, o := range inv.Others {
		group, _, ok := strings.Cut(o.APIVersion, "/")
		if ok && slices.Contains(a.APIGroups, group) {
			return true, fmt.Sprintf("%s of group %s is present", describeObject(o.Kind, o.Namespace, o.Name), group)
		}
	}
	for _, ref := range a.Objects {
		if name, ok := findObject(inv, ref); ok {
			return true, describeObject(ref.Kind, ref.Namespace, name) + " is present"
		}
	}
	for _, c := range a.Controllers {
		if ok, why := c.present(inv); ok {
			return true, why
		}
	}
	return false, "none of its CRDs, API groups, objects or controller identities is in the input"
}

// Controller is the identity a pack's controller runs as, with what it must be
// allowed to do: a ServiceAccount of that name whose own RBAC does not allow
// it is not the controller (or cannot work), so the pack stays off.
type Controller struct {
	// ServiceAccount is NAMESPACE/NAME, the name the project's install uses.
	ServiceAccount string `json:"serviceAccount"`
	// Needs are the requests the controller makes, each allowed cluster-wide.
	Needs []Need `json:"needs"`
}

// Need is one kind of request a controller makes: every verb on the resource.
type Need struct {
	Verbs    []string `json:"verbs"`
	APIGroup string   `json:"apiGroup"`
	Resource string   `json:"resource"`
}

func (n Need) String() string {
	r := n.Resource
	if n.APIGroup != "" {
		r += "." + n.APIGroup
	}
	return strings.Join(n.Verbs, ", ") + " " + r
}

// present: the ServiceAccount exists and every need is allowed to it
// cluster-wide (aggregated ClusterRoles included).
func (c Controller) present(inv *model.Inventory) (bool, string) {
	ns, name, _ := strings.Cut(c.ServiceAccount, "/")
	found := false
	for _, sa := range inv.ServiceAccounts {
		if sa.Namespace == ns && sa.Name == name {
			found = true
			break
		}
	}
	if !found {
		return false, ""
	}
	e := evaluatorFor(inv)
	id := rbac.IdentityOf(rbac.Subject{Kind: "ServiceAccount", Namespace: ns, Name: name})
	var held []string
	for _, n := range c.Needs {
		for _, v := range n.Verbs {
			if ok, _ := e.Allows(id, rbac.Request{Verb: v, APIGroup: n.APIGroup, Resource: n.Resource}); !ok {
				return false, ""
			}
		}
		held = append(held, n.String())
	}
	return true, fmt.Sprintf("controller ServiceAccount %s may %s", c.ServiceAccount, strings.Join(held, "; "))
}

// evaluatorFor builds one RBAC evaluator per inventory: activation is asked
// for every pack, several times per run.
func evaluatorFor(inv *model.Inventory) *rbac.Evaluator {
	evalCache.mu.Lock()
	defer evalCache.mu.Unlock()
	if evalCache.inv != inv {
		evalCache.inv, evalCache.e = inv, rbac.NewEvaluator(inv)
	}
	return evalCache.e
}

var evalCache struct {
	mu  sync.Mutex
	inv *model.Inventory
	e   *rbac.Evaluator
}

// findObject looks an activation object up: RBAC objects in their own
// lists, anything else (ConfigMaps, CRDs) among the other objects.
func findObject(inv *model.Inventory, ref ObjectRef) (string, bool) {
	match := func(kind, ns, name string) bool {
		if kind != ref.Kind || ns != ref.Namespace {
			return false
		}
		if ref.NamePrefix != "" {
			return strings.HasPrefix(name, ref.NamePrefix) && len(name) > len(ref.NamePrefix)
		}
		return name == ref.Name
	}
	for _, r := range inv.ClusterRoles {
		if match(model.KindClusterRole, "", r.Name) {
			return r.Name, true
		}
	}
	for _, r := range inv.Roles {
		if match(model.KindRole, r.Namespace, r.Name) {
			return r.Name, true
		}
	}
	for _, b := range inv.ClusterRoleBindings {
		if match(b.Kind, "", b.Name) {
			return b.Name, true
		}
	}
	for _, b := range inv.RoleBindings {
		if match(b.Kind, b.Namespace, b.Name) {
			return b.Name, true
		}
	}
	for _, o := range inv.Others {
		if match(o.Kind, o.Namespace, o.Name) {
			return o.Name, true
		}
	}
	return "", false
}

func describeObject(kind, ns, name string) string {
	if ns == "" {
		return fmt.Sprintf("%s %q", kind, name)
	}
	return fmt.Sprintf("%s %s/%s", kind, ns, name)
}
