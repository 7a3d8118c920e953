package rbacworld

import (
	"math/rand/v2"
	"strings"
)

// Request is one authorization request, with the attributes the kube-apiserver
// would compute for the corresponding HTTP request.
type Request struct {
	Verb        string
	Group       string
	Resource    string
	Subresource string
	Name        string
	// Namespace is "" for cluster-scoped resources, cluster-wide requests and
	// non-resource URLs; for namespaces/NAME it is NAME.
	Namespace string
	// Path is set for a non-resource URL request.
	Path string
	// ClusterScoped is true when Resource is a cluster-scoped resource.
	ClusterScoped bool
}

// IsResource is false for non-resource URL requests.
func (q Request) IsResource() bool { return q.Path == "" }

// Key identifies the request (for de-duplication).
func (q Request) Key() string {
	return strings.Join([]string{q.Verb, q.Group, q.Resource, q.Subresource, q.Name, q.Namespace, q.Path}, "|")
}

func (q Request) String() string {
	return strings.Join(q.WhoCanArgs(), " ")
}

// WhoCanArgs are the arguments of `kubectl-auth_paths who-can` for the request
// (without -f, --kubeconfig or -o).
func (q Request) WhoCanArgs() []string {
	if !q.IsResource() {
		return []string{"who-can", q.Verb, q.Path}
	}
	res := q.Resource
	if q.Group != "" {
		res += "." + q.Group
	}
	if q.Subresource != "" {
		res += "/" + q.Subresource
	}
	args := []string{"who-can", q.Verb, res}
	if q.Name != "" {
		args = append(args, q.Name)
	}
	if q.Namespace != "" {
		args = append(args, "-n", q.Namespace)
	} else {
		args = append(args, "-A")
	}
	return args
}

var (
	reqVerbs    = []string{"get", "get", "list", "watch", "create", "update", "patch", "delete", "deletecollection", "escalate", "bind", "impersonate", "approve", "use", "custom"}
	reqURLs     = []string{"/healthz", "/healthz/etcd", "/logs", "/logs/", "/logs/kube-apiserver.log", "/api", "/api/v1", "/apis", "/apis/apps/v1", "/metrics", "/version", "/readyz", "/livez", "/openapi/v2", "/"}
	reqURLVerbs = []string{"get", "get", "post", "put", "delete", "head", "patch"}
)

// Requests returns n distinct requests. They are drawn from their own random
// stream, so the world does not depend on n.
func (w *World) Requests(n int) []Request {
	r := rand.New(rand.NewPCG(uint64(w.Seed), 0x2e0_7e57))
	seen := map[string]bool{}
	var out []Request
	for tries := 0; len(out) < n && tries < n*50; tries++ {
		q := w.request(r)
		if seen[q.Key()] {
			continue
		}
		seen[q.Key()] = true
		out = append(out, q)
	}
	return out
}

func (w *World) request(r *rand.Rand) Request {
	if r.IntN(6) == 0 {
		return Request{Verb: pick(r, reqURLVerbs), Path: pick(r, reqURLs)}
	}
	k := pick(r, Kinds)
	q := Request{Verb: pick(r, reqVerbs), Group: k.Group, Resource: k.Resource, ClusterScoped: !k.Namespaced}
	if len(k.Subresources) > 0 && r.IntN(3) == 0 {
		q.Subresource = pick(r, k.Subresources)
	} else if r.IntN(60) == 0 {
		q.Subresource = "*" // literal, only a "pods/*"-style rule or "*" matches it
	}
	names := k.Names
	switch k.Resource {
	case "namespaces":
		names = append(append([]string{}, w.Namespaces...), "default", "kube-system", "absent-ns")
	case "users":
		names = append(append([]string{}, w.Users...), "system:anonymous", "n-0")
	}
	if len(names) > 0 && r.IntN(5) < 3 {
		q.Name = pick(r, names)
	}
	switch {
	case k.Resource == "namespaces" && k.Group == "" && q.Name != "":
		q.Namespace = q.Name // the apiserver evaluates namespaces/NAME in NAME
	case !k.Namespaced:
		q.Namespace = ""
	case r.IntN(4) == 0:
		q.Namespace = "" // cluster-wide (-A)
	default:
		q.Namespace = pick(r, append([]string{"default", "kube-system"}, w.Namespaces...))
	}
	return q
}
