package risk

import (
	"github.com/auth-paths/kubectl-auth-paths/pkg/model"
)

// nodeByName returns a Node object (every node principal asks for its own:
// a scan of the list was quadratic in the nodes).
func (a *Analysis) nodeByName(name string) *model.Node { return a.nodeNamed[name] }

// ServiceAccounts returns the ServiceAccounts of a namespace.
func (a *Analysis) ServiceAccounts(ns string) []*model.ServiceAccount { return a.sasByNS[ns] }

// HasServiceAccount reports whether ServiceAccount ns/name is in the input.
func (a *Analysis) HasServiceAccount(ns, name string) bool { return a.saByKey[ns+"/"+name] != nil }
