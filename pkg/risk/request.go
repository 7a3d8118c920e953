package risk

import "github.com/auth-paths/kubectl-auth-paths/pkg/rbac"

func res(verb, group, resource, sub, ns, name string) rbac.Request {
	return rbac.Request{Verb: verb, APIGroup: group, Resource: resource, Subresource: sub, Namespace: ns, Name: name}
}

var readVerbs = []string{"get", "list", "watch"}
