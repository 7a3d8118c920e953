package risk

import (
	"github.com/auth-paths/kubectl-auth-paths/pkg/model"
)

// nodeByName returns a Node object.
func (a *Analysis) nodeByName(name string) *model.Node {
	for _, n := range a.nodes {
		if n.Name == name {
			return n
		}
	}
	return nil
}

// ServiceAccounts returns the ServiceAccounts of a namespace.
func (a *Analysis) ServiceAccounts(ns string) []*model.ServiceAccount { return a.sasByNS[ns] }

// HasServiceAccount reports whether ServiceAccount ns/name is in the input.
func (a *Analysis) HasServiceAccount(ns, name string) bool { return a.saByKey[ns+"/"+name] != nil }
