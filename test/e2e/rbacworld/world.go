// Package rbacworld generates random, reproducible RBAC worlds (namespaces,
// ServiceAccounts, Roles, ClusterRoles with aggregation, every kind of
// binding and subject) together with identities and authorization requests to
// ask about them. The same seed always gives the same world and requests.
package rbacworld

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"slices"
	"sort"
	"strings"

	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/yaml"
)

// Label keys used by the generated aggregation rules.
const (
	aggLabelPrefix = "e2e.example.com/aggregate-to-"
	worldLabel     = "e2e.example.com/world"
)

// Identity is who asks: a user name and exactly the groups a
// SubjectAccessReview is sent with.
type Identity struct {
	User   string
	Groups []string
}

func (id Identity) String() string {
	return fmt.Sprintf("%s %v", id.User, id.Groups)
}

// World is a generated RBAC world.
type World struct {
	Seed            int64
	Namespaces      []string // created by the world
	Users           []string
	Groups          []string
	ServiceAccounts [][2]string // namespace, name
	// AggregatedClusterRoles are the names of the ClusterRoles with an aggregationRule.
	AggregatedClusterRoles []string

	Objects    []any // typed objects in creation order
	Identities []Identity

	rng *rand.Rand
}

// Kind is a resource requests are made about.
type Kind struct {
	Group        string
	Resource     string
	Namespaced   bool
	Subresources []string
	// Names are the object names requests use (besides none).
	Names []string
}

var namePool = []string{"n-0", "n-1", "n-2"}

// Generate builds the world for a seed.
func Generate(seed int64) *World {
	w := &World{Seed: seed, rng: rand.New(rand.NewPCG(uint64(seed), 0x5eed_a11ce))}
	r := w.rng
	w.Namespaces = []string{"alpha", "beta", "gamma", "delta"}
	for i := range 8 {
		w.Users = append(w.Users, fmt.Sprintf("user-%d", i))
	}
	for i := range 5 {
		w.Groups = append(w.Groups, fmt.Sprintf("group-%d", i))
	}
	for _, ns := range append([]string{"default"}, w.Namespaces...) {
		n := 1 + r.IntN(2)
		for i := range n {
			w.ServiceAccounts = append(w.ServiceAccounts, [2]string{ns, fmt.Sprintf("sa-%d", i)})
		}
	}

	for _, ns := range w.Namespaces {
		w.add(&corev1.Namespace{
			TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "Namespace"},
			ObjectMeta: metav1.ObjectMeta{Name: ns, Labels: map[string]string{worldLabel: "true"}},
		})
	}
	for _, sa := range w.ServiceAccounts {
		w.add(&corev1.ServiceAccount{
			TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "ServiceAccount"},
			ObjectMeta: metav1.ObjectMeta{Namespace: sa[0], Name: sa[1], Labels: map[string]string{worldLabel: "true"}},
		})
	}

	// Aggregated ClusterRoles: agg-0 … agg-(k-1). A plain ClusterRole may carry
	// the label of any of them; aggregated role i may carry the label of role
	// j < i only (nested aggregation, no cycles).
	nAgg := 3 + r.IntN(3)
	for i := range nAgg {
		name := fmt.Sprintf("w-agg-%d", i)
		w.AggregatedClusterRoles = append(w.AggregatedClusterRoles, name)
	}
	var clusterRoles []string
	for i, name := range w.AggregatedClusterRoles {
		labels := map[string]string{worldLabel: "true"}
		for j := 0; j < i; j++ {
			if r.IntN(3) == 0 {
				labels[aggLabelPrefix+fmt.Sprint(j)] = "true"
			}
		}
		w.add(&rbacv1.ClusterRole{
			TypeMeta:        metav1.TypeMeta{APIVersion: "rbac.authorization.k8s.io/v1", Kind: "ClusterRole"},
			ObjectMeta:      metav1.ObjectMeta{Name: name, Labels: labels},
			AggregationRule: &rbacv1.AggregationRule{ClusterRoleSelectors: w.aggSelectors(i)},
		})
		clusterRoles = append(clusterRoles, name)
	}
	nCR := 12 + r.IntN(6)
	for i := range nCR {
		name := fmt.Sprintf("w-cr-%d", i)
		labels := map[string]string{worldLabel: "true"}
		for j := range nAgg {
			if r.IntN(4) == 0 {
				labels[aggLabelPrefix+fmt.Sprint(j)] = "true"
			}
		}
		// Some also feed the bootstrap aggregated roles view/edit/admin.
		if r.IntN(8) == 0 {
			labels["rbac.authorization.k8s.io/aggregate-to-"+pick(r, []string{"view", "edit", "admin"})] = "true"
		}
		var rules []rbacv1.PolicyRule
		for range 1 + r.IntN(4) {
			if r.IntN(5) == 0 {
				rules = append(rules, w.nonResourceRule())
			} else {
				rules = append(rules, w.resourceRule())
			}
		}
		w.add(&rbacv1.ClusterRole{
			TypeMeta:   metav1.TypeMeta{APIVersion: "rbac.authorization.k8s.io/v1", Kind: "ClusterRole"},
			ObjectMeta: metav1.ObjectMeta{Name: name, Labels: labels},
			Rules:      rules,
		})
		clusterRoles = append(clusterRoles, name)
	}

	roles := map[string][]string{}
	for _, ns := range append([]string{"default"}, w.Namespaces...) {
		for i := range 2 + r.IntN(3) {
			name := fmt.Sprintf("w-role-%d", i)
			var rules []rbacv1.PolicyRule
			for range 1 + r.IntN(3) {
				rules = append(rules, w.resourceRule())
			}
			w.add(&rbacv1.Role{
				TypeMeta:   metav1.TypeMeta{APIVersion: "rbac.authorization.k8s.io/v1", Kind: "Role"},
				ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name, Labels: map[string]string{worldLabel: "true"}},
				Rules:      rules,
			})
			roles[ns] = append(roles[ns], name)
		}
	}

	// Bindings.
	bootstrapRoles := []string{"view", "edit", "admin", "cluster-admin", "system:basic-user", "system:auth-delegator"}
	pickClusterRole := func() string {
		switch x := r.IntN(20); {
		case x == 0:
			return "w-missing-clusterrole"
		case x <= 2:
			return pick(r, bootstrapRoles)
		default:
			return pick(r, clusterRoles)
		}
	}
	nCRB := 10 + r.IntN(6)
	for i := range nCRB {
		w.add(&rbacv1.ClusterRoleBinding{
			TypeMeta:   metav1.TypeMeta{APIVersion: "rbac.authorization.k8s.io/v1", Kind: "ClusterRoleBinding"},
			ObjectMeta: metav1.ObjectMeta{Name: fmt.Sprintf("w-crb-%d", i), Labels: map[string]string{worldLabel: "true"}},
			RoleRef:    rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: pickClusterRole()},
			Subjects:   w.subjects(""),
		})
	}
	for _, ns := range append([]string{"default"}, w.Namespaces...) {
		for i := range 3 + r.IntN(4) {
			ref := rbacv1.RoleRef{APIGroup: rbacv1.GroupName}
			switch x := r.IntN(10); {
			case x < 5:
				ref.Kind, ref.Name = "Role", pick(r, roles[ns])
			case x == 5:
				ref.Kind, ref.Name = "Role", "w-missing-role"
			default:
				ref.Kind, ref.Name = "ClusterRole", pickClusterRole()
			}
			w.add(&rbacv1.RoleBinding{
				TypeMeta:   metav1.TypeMeta{APIVersion: "rbac.authorization.k8s.io/v1", Kind: "RoleBinding"},
				ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: fmt.Sprintf("w-rb-%d", i), Labels: map[string]string{worldLabel: "true"}},
				RoleRef:    ref,
				Subjects:   w.subjects(ns),
			})
		}
	}

	w.Identities = w.identities()
	return w
}

func (w *World) add(o any) { w.Objects = append(w.Objects, o) }

func (w *World) aggSelectors(i int) []metav1.LabelSelector {
	r := w.rng
	key := aggLabelPrefix + fmt.Sprint(i)
	sel := []metav1.LabelSelector{}
	switch r.IntN(4) {
	case 0:
		sel = append(sel, metav1.LabelSelector{MatchExpressions: []metav1.LabelSelectorRequirement{
			{Key: key, Operator: metav1.LabelSelectorOpIn, Values: []string{"true", "yes"}},
		}})
	default:
		sel = append(sel, metav1.LabelSelector{MatchLabels: map[string]string{key: "true"}})
	}
	if r.IntN(4) == 0 {
		// A second selector: the union of both.
		sel = append(sel, metav1.LabelSelector{MatchLabels: map[string]string{aggLabelPrefix + fmt.Sprint(r.IntN(i+1)): "true"}})
	}
	return sel
}

var (
	ruleVerbs      = []string{"get", "list", "watch", "create", "update", "patch", "delete", "deletecollection", "escalate", "bind", "impersonate", "approve", "use", "custom"}
	ruleGroups     = []string{"", "", "apps", "batch", "rbac.authorization.k8s.io", "example.com", "certificates.k8s.io", "authentication.k8s.io", "policy"}
	nonResURLs     = []string{"/healthz", "/healthz/*", "/logs/*", "/logs", "/api/*", "/api", "/apis/*", "/metrics", "/version", "*", "/readyz"}
	nonResVerbs    = []string{"get", "post", "put", "delete", "head"}
	specialResRule = []string{"*/status", "pods/*", "*/scale", "pods/exec", "pods/log", "deployments/scale", "namespaces/status", "certificatesigningrequests/approval", "userextras/scopes", "serviceaccounts/token", "nodes/proxy"}
)

func (w *World) resourceRule() rbacv1.PolicyRule {
	r := w.rng
	var rule rbacv1.PolicyRule
	if r.IntN(12) == 0 {
		rule.Verbs = []string{"*"}
	} else {
		rule.Verbs = pickN(r, ruleVerbs, 1+r.IntN(3))
	}
	if r.IntN(10) == 0 {
		rule.APIGroups = []string{"*"}
	} else {
		rule.APIGroups = pickN(r, ruleGroups, 1+r.IntN(2))
	}
	var pool []string
	for _, k := range Kinds {
		if slices.Contains(rule.APIGroups, k.Group) || rule.APIGroups[0] == "*" {
			pool = append(pool, k.Resource)
			for _, s := range k.Subresources {
				if r.IntN(3) == 0 {
					pool = append(pool, k.Resource+"/"+s)
				}
			}
		}
	}
	pool = append(pool, specialResRule...)
	if r.IntN(12) == 0 {
		rule.Resources = []string{"*"}
	} else {
		rule.Resources = pickN(r, dedup(pool), 1+r.IntN(3))
	}
	if r.IntN(4) == 0 {
		names := append(append([]string{}, namePool...), w.Namespaces...)
		names = append(names, w.Users[:3]...)
		rule.ResourceNames = pickN(r, names, 1+r.IntN(2))
	}
	return rule
}

func (w *World) nonResourceRule() rbacv1.PolicyRule {
	r := w.rng
	rule := rbacv1.PolicyRule{NonResourceURLs: pickN(r, nonResURLs, 1+r.IntN(2))}
	if r.IntN(6) == 0 {
		rule.Verbs = []string{"*"}
	} else {
		rule.Verbs = pickN(r, nonResVerbs, 1+r.IntN(2))
	}
	return rule
}

// subjects for a binding; ns is the RoleBinding's namespace, "" for a ClusterRoleBinding.
func (w *World) subjects(ns string) []rbacv1.Subject {
	r := w.rng
	var out []rbacv1.Subject
	for range 1 + r.IntN(3) {
		switch x := r.IntN(20); {
		case x < 7:
			out = append(out, rbacv1.Subject{Kind: "User", APIGroup: rbacv1.GroupName, Name: pick(r, w.Users)})
		case x == 7:
			sa := pick(r, w.ServiceAccounts)
			out = append(out, rbacv1.Subject{Kind: "User", APIGroup: rbacv1.GroupName, Name: "system:serviceaccount:" + sa[0] + ":" + sa[1]})
		case x == 8:
			out = append(out, rbacv1.Subject{Kind: "User", APIGroup: rbacv1.GroupName, Name: pick(r, []string{"system:anonymous", "system:kube-scheduler", "system:node:node-1"})})
		case x < 13:
			out = append(out, rbacv1.Subject{Kind: "Group", APIGroup: rbacv1.GroupName, Name: pick(r, w.Groups)})
		case x == 13:
			special := []string{"system:authenticated", "system:unauthenticated", "system:serviceaccounts", "system:masters", "system:nodes",
				"system:serviceaccounts:" + pick(r, append([]string{"default"}, w.Namespaces...))}
			out = append(out, rbacv1.Subject{Kind: "Group", APIGroup: rbacv1.GroupName, Name: pick(r, special)})
		default:
			sa := pick(r, w.ServiceAccounts)
			if r.IntN(8) == 0 {
				sa[1] = "sa-absent" // a ServiceAccount that does not exist
			}
			s := rbacv1.Subject{Kind: "ServiceAccount", Namespace: sa[0], Name: sa[1]}
			if ns != "" && r.IntN(3) == 0 {
				// Omitted namespace: defaults to the RoleBinding's namespace.
				s.Namespace = ""
				s.Name = pick(r, []string{"sa-0", "sa-1", "default"})
			}
			out = append(out, s)
		}
	}
	return out
}

func (w *World) identities() []Identity {
	r := w.rng
	auth := "system:authenticated"
	var ids []Identity
	for _, u := range w.Users {
		groups := pickN(r, w.Groups, r.IntN(3))
		ids = append(ids, Identity{User: u, Groups: append(groups, auth)})
	}
	// The same user with other groups, and a group-only identity.
	ids = append(ids, Identity{User: w.Users[0], Groups: []string{auth}})
	ids = append(ids, Identity{User: "nobody", Groups: append(pickN(r, w.Groups, 2), auth)})
	for _, sa := range w.ServiceAccounts {
		ids = append(ids, saIdentity(sa[0], sa[1]))
	}
	ids = append(ids, saIdentity(w.Namespaces[0], "sa-absent"), saIdentity("kube-system", "default"))
	ids = append(ids,
		Identity{User: "system:anonymous", Groups: []string{"system:unauthenticated"}},
		Identity{User: "root", Groups: []string{"system:masters", auth}},
		Identity{User: "system:kube-scheduler", Groups: []string{auth}},
		Identity{User: "system:node:node-1", Groups: []string{"system:nodes", auth}},
	)
	return ids
}

func saIdentity(ns, name string) Identity {
	return Identity{
		User:   "system:serviceaccount:" + ns + ":" + name,
		Groups: []string{"system:serviceaccounts", "system:serviceaccounts:" + ns, "system:authenticated"},
	}
}

// YAML renders the world as a multi-document stream for kubectl create -f.
func (w *World) YAML() ([]byte, error) {
	var b bytes.Buffer
	for _, o := range w.Objects {
		data, err := yaml.Marshal(o)
		if err != nil {
			return nil, err
		}
		b.WriteString("---\n")
		b.Write(data)
	}
	return b.Bytes(), nil
}

// Kinds are the resources requests are made about.
var Kinds = []Kind{
	{"", "pods", true, []string{"exec", "log", "status", "attach", "portforward", "eviction"}, namePool},
	{"", "secrets", true, nil, namePool},
	{"", "configmaps", true, nil, namePool},
	{"", "services", true, []string{"status", "proxy"}, namePool},
	{"", "serviceaccounts", true, []string{"token"}, []string{"sa-0", "sa-1", "default"}},
	{"", "namespaces", false, []string{"status", "finalize"}, nil}, // names: the namespaces
	{"", "nodes", false, []string{"status", "proxy"}, []string{"node-1", "n-0"}},
	{"", "persistentvolumes", false, nil, namePool},
	{"", "events", true, nil, namePool},
	{"", "users", false, nil, nil}, // names: the users
	{"", "groups", false, nil, []string{"group-0", "group-1", "system:masters"}},
	{"apps", "deployments", true, []string{"scale", "status"}, namePool},
	{"apps", "replicasets", true, []string{"scale", "status"}, namePool},
	{"apps", "statefulsets", true, []string{"scale"}, namePool},
	{"apps", "daemonsets", true, []string{"status"}, namePool},
	{"batch", "jobs", true, []string{"status"}, namePool},
	{"batch", "cronjobs", true, []string{"status"}, namePool},
	{"rbac.authorization.k8s.io", "roles", true, nil, []string{"w-role-0", "n-0"}},
	{"rbac.authorization.k8s.io", "rolebindings", true, nil, []string{"w-rb-0", "n-0"}},
	{"rbac.authorization.k8s.io", "clusterroles", false, nil, []string{"w-cr-0", "admin", "n-0"}},
	{"rbac.authorization.k8s.io", "clusterrolebindings", false, nil, []string{"w-crb-0", "n-0"}},
	{"certificates.k8s.io", "certificatesigningrequests", false, []string{"approval", "status"}, namePool},
	{"certificates.k8s.io", "signers", false, nil, []string{"kubernetes.io/kube-apiserver-client", "example.com/signer"}},
	{"authentication.k8s.io", "userextras", false, []string{"scopes"}, []string{"n-0"}},
	{"authentication.k8s.io", "uids", false, nil, []string{"n-0"}},
	{"policy", "poddisruptionbudgets", true, []string{"status"}, namePool},
	{"policy", "podsecuritypolicies", false, nil, namePool},
	{"example.com", "widgets", true, []string{"status", "scale"}, namePool},
	{"example.com", "gadgets", false, nil, namePool},
}

func pick[T any](r *rand.Rand, xs []T) T { return xs[r.IntN(len(xs))] }

// pickN picks n distinct elements (fewer if xs is shorter), in xs order.
func pickN[T any](r *rand.Rand, xs []T, n int) []T {
	idx := r.Perm(len(xs))
	if n > len(idx) {
		n = len(idx)
	}
	idx = idx[:n]
	sort.Ints(idx)
	out := make([]T, 0, n)
	for _, i := range idx {
		out = append(out, xs[i])
	}
	return out
}

func dedup(xs []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, x := range xs {
		if !seen[x] {
			seen[x] = true
			out = append(out, x)
		}
	}
	return out
}

// Describe summarises the world for logs.
func (w *World) Describe() string {
	count := map[string]int{}
	for _, o := range w.Objects {
		t := fmt.Sprintf("%T", o)
		count[t[strings.LastIndex(t, ".")+1:]]++
	}
	keys := make([]string, 0, len(count))
	for k := range count {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var parts []string
	for _, k := range keys {
		parts = append(parts, fmt.Sprintf("%d %s", count[k], k))
	}
	return fmt.Sprintf("seed %d: %s; %d identities", w.Seed, strings.Join(parts, ", "), len(w.Identities))
}
