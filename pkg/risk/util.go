package risk

import (
	rbacv1 "k8s.io/api/rbac/v1"

	"github.com/auth-paths/kubectl-auth-paths/graph"
	"github.com/auth-paths/kubectl-auth-paths/pkg/rbac"
)

func grants(brs ...rbac.BoundRule) []rbac.BoundRule { return brs }

func nonEmpty(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// dedupeCandidates drops repeated candidates (same primitive, target and condition).
func dedupeCandidates(in []Candidate) []Candidate {
	seen := map[string]bool{}
	var out []Candidate
	for _, c := range in {
		k := c.Primitive + "\x00" + c.When() + "\x00" + c.Why
		if c.To != nil {
			k += "\x00" + c.To.Key
		}
		if seen[k] {
			continue
		}
		seen[k] = true
		out = append(out, c)
	}
	return out
}

// phantom is the target shown for a failed candidate: a node that is not in the graph.
func (a *Analysis) phantom(key, label string) *graph.Node {
	return &graph.Node{Key: key, Kind: graph.KindScope, Name: label, Label: label}
}

type rbacBound = rbac.BoundRule

func ruleAllows(br rbac.BoundRule, req rbac.Request) bool { return rbac.RuleAllows(req, br.Rule) }

type rbacPolicyRule = rbacv1.PolicyRule
