package risk

import (
	"fmt"
	"strings"

	rbacv1 "k8s.io/api/rbac/v1"
	"k8s.io/apimachinery/pkg/util/validation"

	"github.com/auth-paths/kubectl-auth-paths/graph"
	"github.com/auth-paths/kubectl-auth-paths/pkg/model"
	"github.com/auth-paths/kubectl-auth-paths/pkg/rbac"
)

// danglingServiceAccount: RBAC matches a ServiceAccount subject by namespace
// and name, whether or not the ServiceAccount exists. A binding that names a
// missing one grants nothing today and everything to whoever creates it: the
// creator then takes a token for it (TokenRequest, a token Secret the
// controller fills, or a pod that mounts it) and holds the binding's rules.
//
// Exactness: the ServiceAccount lives in the subject's namespace (a
// RoleBinding's subject without one is in the binding's namespace, one with
// another namespace is there, not in the binding's); a create request has no
// name, so create serviceaccounts needs a rule without resourceNames, while
// serviceaccounts/token is checked on the new name; the name must be a valid
// DNS subdomain (ValidateServiceAccountName) or the create is refused.
// Absence proves something only when the namespace's ServiceAccounts were
// read (some ServiceAccount of that namespace is in the input, and a live
// load could list them), as for the binding-to-missing-serviceaccount finding.
type danglingServiceAccount struct{}

func init() { register(danglingServiceAccount{}) }

func (danglingServiceAccount) Color() string        { return "#c026d3" }
func (danglingServiceAccount) Techniques() []string { return []string{"T1136", "T1528"} }
func (danglingServiceAccount) ID() string           { return "dangling-serviceaccount" }
func (danglingServiceAccount) Summary() string {
	return "create the missing ServiceAccount a binding names, then take a token for it → that binding's permissions"
}

// danglingSA is a ServiceAccount subject of a binding that does not exist.
type danglingSA struct {
	binding   *model.Binding
	namespace string
	name      string
	where     string // the binding, described once
}

// danglingSAs returns, computed once, the ServiceAccount subjects of bindings
// (ClusterRoleBindings first, then RoleBindings, in inventory order) that are
// missing from a namespace whose ServiceAccounts were read.
func (a *Analysis) danglingSAs() []danglingSA {
	return lazySlice(&a.mu, &a.dangling.sas, func() []danglingSA {
		var out []danglingSA
		for _, list := range [][]*model.Binding{a.Inv.ClusterRoleBindings, a.Inv.RoleBindings} {
			for _, b := range list {
				if b.Review != nil || a.Dropped(b) {
					continue // its subject is the identity at hand, which exists; or it is gone
				}
				for _, s := range b.Subjects {
					c := rbac.CanonicalSubject(s, b.Namespace)
					if c.Kind != rbacv1.ServiceAccountKind || c.Namespace == "" || a.saByKey[c.Namespace+"/"+c.Name] != nil {
						continue
					}
					if len(a.sasByNS[c.Namespace]) == 0 || !a.listed("serviceaccounts", c.Namespace) {
						continue // absence proves nothing
					}
					out = append(out, danglingSA{binding: b, namespace: c.Namespace, name: c.Name, where: rbac.DescribeBinding(b)})
				}
			}
		}
		return out
	})
}

var createSAProbes = []reqShape{{verbs: []string{"create"}, resource: "serviceaccounts"}}

func (danglingServiceAccount) Evaluate(a *Analysis, p *Principal) []Candidate {
	list := a.danglingSAs()
	if len(list) == 0 {
		return nil
	}
	everywhere, nss := reach(p, createSAProbes...)
	if !everywhere && len(nss) == 0 {
		return nil
	}
	var out []Candidate
	for _, i := range a.dangling.sasBy.in(list, everywhere, nss) {
		d := list[i]
		if a.Dropped(d.binding) {
			continue // a re-analysis without it shares base's list
		}
		create, ok := p.First(res("create", "", "serviceaccounts", "", d.namespace, ""))
		where := d.where
		target := func() *graph.Node {
			return a.phantom(saKey(d.namespace, d.name), "ServiceAccount "+d.namespace+"/"+d.name)
		}
		if !ok {
			// A RoleBinding's subject in another namespace: creating the name
			// in the binding's namespace makes a different ServiceAccount.
			if d.binding.Kind == model.KindRoleBinding && d.binding.Namespace != d.namespace {
				if br, ok := p.First(res("create", "", "serviceaccounts", "", d.binding.Namespace, "")); ok {
					out = append(out, Candidate{Primitive: "dangling-serviceaccount", Hops: 1, Grants: grants(br), To: target(),
						Why: fmt.Sprintf("%s names ServiceAccount %s/%s, which does not exist; it can create ServiceAccounts in %s, the binding's namespace, but the subject is in namespace %s, where it cannot", where, d.namespace, d.name, d.binding.Namespace, d.namespace)})
				}
			}
			continue
		}
		if errs := validation.IsDNS1123Subdomain(d.name); len(errs) > 0 {
			out = append(out, Candidate{Primitive: "dangling-serviceaccount", Hops: 1, Grants: grants(create), To: target(),
				Why: fmt.Sprintf("%s names ServiceAccount %s/%s, which does not exist, but %q is not a valid ServiceAccount name (%s): the apiserver refuses to create it", where, d.namespace, d.name, d.name, strings.Join(errs, "; "))})
			continue
		}
		token, how, assumed, ok := a.saTokenWay(p, d.namespace, d.name)
		if !ok {
			out = append(out, Candidate{Primitive: "dangling-serviceaccount", Hops: 1, Grants: grants(create), To: target(),
				Why: fmt.Sprintf("can create ServiceAccount %s/%s, which %s names but which does not exist, but cannot get a token for it: no create serviceaccounts/token on that name, no create and read of secrets, no create of pods or workloads in %s", d.namespace, d.name, where, d.namespace)})
			continue
		}
		out = append(out, Candidate{Primitive: "dangling-serviceaccount", To: a.SANode(d.namespace, d.name), Hops: 1, Holds: true, Assumed: assumed, Grants: append(grants(create), token...),
			Condition: fmt.Sprintf("create ServiceAccount %s/%s, which %s names but which does not exist, then %s", d.namespace, d.name, where, how)})
	}
	return dedupeCandidates(out)
}

// saTokenWay finds how the principal gets a token of ServiceAccount ns/name
// once it exists: TokenRequest on that name, a token Secret it creates and
// reads back, or a pod (or workload) it creates with that serviceAccountName.
// A token Secret must get a name the principal reads back and that no Secret
// holds yet, as for token-secret-create (assumed: the name is taken to be
// free because no Secret in the input holds it).
func (a *Analysis) saTokenWay(p *Principal, ns, name string) (gs []rbacBound, how string, assumed, ok bool) {
	if br, ok := p.First(res("create", "", "serviceaccounts", "token", ns, name)); ok {
		return grants(br), "mint a token with create serviceaccounts/token", false, true
	}
	if create, ok := p.First(res("create", "", "secrets", "", ns, "")); ok {
		if read, names, ok := readableSecretNames(p, ns); ok {
			if how, gs, assumed, why := a.tokenSecretName(p, ns, names); why == "" {
				return append(grants(create, read), gs...), fmt.Sprintf(how, fmt.Sprintf("%s Secret%s for it", model.SecretTypeServiceAccountToken, namedPart(names))), assumed, true
			}
		}
	}
	if br, w, ok := canCreatePods(p, ns); ok {
		return grants(br), fmt.Sprintf("create %s with serviceAccountName %s, whose container reads the mounted token", w.display(), name), false, true
	}
	return nil, "", false, false
}
