package risk

import (
	"fmt"

	"github.com/auth-paths/kubectl-auth-paths/graph"
	"github.com/auth-paths/kubectl-auth-paths/pkg/rbac"
)

// impersonate: the impersonate verb on users, groups or serviceaccounts
// (resourceNames = names) lets a principal act as them. The apiserver refuses
// to impersonate groups without a user, so group impersonation needs some
// user impersonation too; a user plus group system:masters is cluster-admin.
type impersonate struct{}

func init() { register(impersonate{}) }

func (impersonate) ID() string { return "impersonate" }
func (impersonate) Summary() string {
	return "impersonate users, groups or serviceaccounts → act as them (any user + system:masters → cluster-admin)"
}

func (impersonate) Evaluate(a *Analysis, p *Principal) []Candidate {
	var out []Candidate
	// Which user can be impersonated at all (needed for group impersonation)?
	var anyUser rbacBound
	anyUserName := ""
	for _, n := range a.Graph.Nodes() {
		if n.Kind != graph.KindUser && n.Kind != graph.KindNode {
			continue
		}
		user := n.Name
		if n.Kind == graph.KindNode {
			user = rbac.NodeUserPrefix + n.Name
		}
		br, ok := p.First(res("impersonate", "", "users", "", "", user))
		if !ok {
			continue
		}
		if anyUserName == "" {
			anyUser, anyUserName = br, user
		}
		out = append(out, Candidate{Primitive: "impersonate", To: n, Hops: 1, Holds: true, Grants: grants(br),
			Condition: fmt.Sprintf("impersonate user %s (Impersonate-User header)", user)})
	}
	if anyUserName == "" {
		// A rule without resourceNames allows users that the input never names.
		if br, ok := p.First(res("impersonate", "", "users", "", "", "someone")); ok {
			anyUser, anyUserName = br, "any user name"
		}
	}
	groups := []string{rbac.GroupMasters}
	for _, n := range a.Graph.Nodes() {
		if n.Kind == graph.KindGroup && n.Name != rbac.GroupMasters {
			groups = append(groups, n.Name)
		}
	}
	for _, g := range groups {
		br, ok := p.First(res("impersonate", "", "groups", "", "", g))
		if !ok {
			continue
		}
		to := a.Sink()
		if g != rbac.GroupMasters {
			to = a.Graph.Node(groupKey(g))
		}
		if anyUserName == "" {
			out = append(out, Candidate{Primitive: "impersonate", Hops: 1, Grants: grants(br), To: to,
				Why: fmt.Sprintf("can impersonate group %s, but no user: the apiserver refuses group impersonation without a user", g)})
			continue
		}
		cond := fmt.Sprintf("impersonate %s with group %s", anyUserName, g)
		if g == rbac.GroupMasters {
			cond += ", the superuser group"
		}
		out = append(out, Candidate{Primitive: "impersonate", To: to, Hops: 1, Holds: true, Grants: grants(anyUser, br), Condition: cond})
	}
	for _, sa := range a.Inv.ServiceAccounts {
		br, ok := p.First(res("impersonate", "", "serviceaccounts", "", sa.Namespace, sa.Name))
		if !ok {
			continue
		}
		out = append(out, Candidate{Primitive: "impersonate", To: a.SANode(sa.Namespace, sa.Name), Hops: 1, Holds: true, Grants: grants(br),
			Condition: fmt.Sprintf("impersonate ServiceAccount %s/%s", sa.Namespace, sa.Name)})
	}
	return out
}
