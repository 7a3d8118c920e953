package risk

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"sort"
	"strings"

	rbacv1 "k8s.io/api/rbac/v1"

	"github.com/auth-paths/kubectl-auth-paths/graph"
	"github.com/auth-paths/kubectl-auth-paths/pkg/rbac"
)

// ImpersonatedScope returns the scope "requests made as identity id through
// constrained impersonation mode, limited to what rules allow": the
// requester's impersonate-on:<mode>:<verb> rules intersected with the
// identity's own (rbac.Intersect), so the scope holds exactly the requests
// both allow. who names the identity. The scope also holds the identity's rules
// for the checks the apiserver makes as the identity itself, which no
// impersonate-on rule narrows (internalChecks). Two requesters whose
// impersonate-on rules leave the same requests share the scope.
func (a *Analysis) ImpersonatedScope(id rbac.Identity, who, mode string, requests, internal []rbac.BoundRule) *graph.Node {
	label := fmt.Sprintf("%s impersonated (%s) for %s", who, mode, describeScopeRules(requests))
	key := scopeKey("impersonated:" + mode + ":" + who + ":" + rulesDigest(requests))
	if n := a.node(key); n != nil {
		return n
	}
	n, made := a.addNode(graph.Node{Key: key, Kind: graph.KindScope, Name: "impersonated:" + mode + ":" + who, Label: "Scope\n" + label})
	if !made {
		return n
	}
	rules := append(append([]rbac.BoundRule(nil), requests...), internal...)
	a.publishPrincipal(&Principal{Node: n, Rules: rules, Own: len(rules), Groups: id.Groups, Acting: &id})
	return n
}

// internalChecks are the authorization checks the apiserver and the
// controllers make for the user a request comes from, as that user, apart
// from the request itself: RBAC's bind and escalate checks on the role a
// binding or role write names (pkg/registry/rbac/escalation_check.go), the
// signer checks of CSR approval and signing (approve, sign, attest on
// signers), and the csrapproving controller's SubjectAccessReview of a CSR's
// requester (create certificatesigningrequests/nodeclient or
// /selfnodeclient). The impersonation filter checks impersonate-on only
// against the request, so under impersonation these are decided by the
// impersonated identity's own rules. None of them is a request verb or a
// servable subresource: holding them lets no request through by itself.
var internalChecks = []rbacv1.PolicyRule{
	{Verbs: []string{"bind", "escalate"}, APIGroups: []string{rbacGroup}, Resources: []string{"roles", "clusterroles"}},
	{Verbs: []string{"approve", "sign", "attest"}, APIGroups: []string{certGroup}, Resources: []string{"signers"}},
	{Verbs: []string{"create"}, APIGroups: []string{certGroup}, Resources: []string{"certificatesigningrequests/nodeclient", "certificatesigningrequests/selfnodeclient"}},
}

// intersectBound intersects two bound rule sets: every pair whose scopes
// meet (a rule bound cluster-wide meets every namespace) and whose rules
// share requests. The result carries the grant of the first set.
func intersectBound(xs, ys []rbac.BoundRule) []rbac.BoundRule {
	var out []rbac.BoundRule
	for _, x := range xs {
		for _, y := range ys {
			ns, ok := meetNamespace(x.Namespace, y.Namespace)
			if !ok {
				continue
			}
			r, ok := rbac.Intersect(*x.Rule, *y.Rule)
			if !ok {
				continue
			}
			b := x
			b.Rule, b.Namespace, b.Request = &r, ns, nil
			out = append(out, b)
		}
	}
	return out
}

// meetNamespace: "" (cluster-wide) meets every namespace; two namespaces meet only if equal.
func meetNamespace(x, y string) (string, bool) {
	switch {
	case x == "":
		return y, true
	case y == "", x == y:
		return x, true
	}
	return "", false
}

// internalRules are the identity's rules for internalChecks.
func internalRules(rules []rbac.BoundRule) []rbac.BoundRule {
	checks := make([]rbac.BoundRule, len(internalChecks))
	for i := range internalChecks {
		checks[i] = rbac.BoundRule{Rule: &internalChecks[i]}
	}
	return intersectBound(rules, checks)
}

// coveredClusterRoles: RBAC lets a user write a ClusterRoleBinding to a
// ClusterRole without `bind` when the user's own cluster-wide rules cover
// the role's (ConfirmNoEscalation in pkg/registry/rbac/escalation_check.go).
// Nobody gains by binding what they hold, but a requester writing the
// binding as an impersonated identity names itself as the subject: when the
// scope may create ClusterRoleBindings, it may bind every ClusterRole the
// identity covers. They are given as `bind` on that ClusterRole, which is the
// check the bind step asks; the grant is the identity's coverage, no one rule.
// (RoleBindings by coverage, checked per namespace, are not followed.)
func (a *Analysis) coveredClusterRoles(identity, requests []rbac.BoundRule) []rbac.BoundRule {
	create := res("create", rbacGroup, "clusterrolebindings", "", "", "")
	writes := false
	for _, r := range requests {
		writes = writes || (r.Namespace == "" && ruleAllows(r, create))
	}
	if !writes {
		return nil
	}
	var own []rbacv1.PolicyRule
	for _, r := range identity {
		if r.Namespace == "" {
			own = append(own, *r.Rule)
		}
	}
	var out []rbac.BoundRule
	for _, cr := range a.rolesByPowerIf(len(own) > 0) {
		rules, _ := a.Eval.ClusterRoleRules(cr.Name)
		if ok, _ := rbac.Covers(own, rules); ok {
			out = append(out, rbac.BoundRule{Rule: &rbacv1.PolicyRule{Verbs: []string{"bind"}, APIGroups: []string{rbacGroup}, Resources: []string{"clusterroles"}, ResourceNames: []string{cr.Name}}})
		}
	}
	return out
}

// describeScopeRules says what a scope's request rules allow, briefly and
// in a stable order: "create clusterrolebindings.rbac.authorization.k8s.io".
func describeScopeRules(rules []rbac.BoundRule) string {
	var parts []string
	for _, r := range rules {
		parts = append(parts, describeRule(r))
	}
	sort.Strings(parts)
	parts = compactStrings(parts)
	const shown = 3
	if len(parts) > shown {
		return strings.Join(parts[:shown], "; ") + fmt.Sprintf("; and %d more", len(parts)-shown)
	}
	return strings.Join(parts, "; ")
}

func describeRule(r rbac.BoundRule) string {
	var what []string
	for _, res := range r.Rule.Resources {
		for _, g := range r.Rule.APIGroups {
			if g != "" {
				what = append(what, res+"."+g)
			} else {
				what = append(what, res)
			}
		}
	}
	what = append(what, r.Rule.NonResourceURLs...)
	s := strings.Join(r.Rule.Verbs, ",") + " " + strings.Join(what, ",")
	if len(r.Rule.ResourceNames) > 0 {
		s += " named " + strings.Join(r.Rule.ResourceNames, ",")
	}
	if r.Namespace != "" {
		s += " in namespace " + r.Namespace
	}
	return s
}

// rulesDigest identifies a set of bound rules whatever their order.
func rulesDigest(rules []rbac.BoundRule) string {
	lines := make([]string, len(rules))
	for i, r := range rules {
		lines[i] = strings.Join([]string{r.Namespace, strings.Join(r.Rule.Verbs, ","), strings.Join(r.Rule.APIGroups, ","),
			strings.Join(r.Rule.Resources, ","), strings.Join(r.Rule.ResourceNames, ","), strings.Join(r.Rule.NonResourceURLs, ",")}, "|")
	}
	sort.Strings(lines)
	sum := sha256.Sum256([]byte(strings.Join(lines, "\n")))
	return hex.EncodeToString(sum[:6])
}
