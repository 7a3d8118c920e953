package risk

import (
	"sort"
	"sync"

	"github.com/auth-paths/kubectl-auth-paths/pkg/model"
	"github.com/auth-paths/kubectl-auth-paths/pkg/rbac"
)

// Indexes that keep the analysis linear in the size of the cluster: a
// principal's rules usually hold in a few namespaces, so the primitives visit
// only the objects of those namespaces instead of every object of the
// cluster for every principal. Every helper returns the objects in the
// inventory's order, so results are the same as with a full scan.

// reqShape is a request shape (names ignored) a primitive needs some rule to allow.
type reqShape struct {
	verbs       []string
	group       string
	resource    string
	subresource string
}

// reach returns where some rule of p could allow one of the probes, ignoring
// resourceNames: everywhere (a rule bound cluster-wide) or in the returned
// namespaces (read only: it may be a group's memoised set, groupscans.go).
// An object outside them cannot pass p.First for those probes.
func reach(p *Principal, probes ...reqShape) (everywhere bool, namespaces map[string]bool) {
	if p.parts == nil {
		return reachIn(p.Rules, p.index(), probes)
	}
	everywhere, namespaces = reachIn(p.Rules, p.index(), probes)
	shared := false
	for _, part := range p.parts {
		if everywhere {
			return true, nil
		}
		var nss map[string]bool
		everywhere, nss = part.reach(probes)
		namespaces, shared = union(namespaces, shared, nss)
	}
	if everywhere {
		return true, nil
	}
	return false, namespaces
}

// reachIn is reach over a run of rules and its index (nil: scan them all).
func reachIn(rules []rbacBound, x *ruleIndex, probes []reqShape) (everywhere bool, namespaces map[string]bool) {
	bits := probeBits(x, probes)
	for i := range rules {
		if bits != 0 && x.groupBits[i]&bits == 0 {
			continue
		}
		br := &rules[i]
		if br.Namespace != "" && namespaces[br.Namespace] {
			continue
		}
		rule := *br.Rule
		rule.ResourceNames = nil
		if !rulePasses(&rule, br.Namespace, probes) {
			continue
		}
		if br.Namespace == "" {
			return true, nil
		}
		if namespaces == nil {
			namespaces = map[string]bool{}
		}
		namespaces[br.Namespace] = true
	}
	return false, namespaces
}

// reachClusterWide reports whether a rule bound cluster-wide could allow one
// of the probes (cluster-scoped resources: namespaced rules never apply).
func reachClusterWide(p *Principal, probes ...reqShape) bool {
	return clusterWideRule(p, probes, nil)
}

// clusterWideRule: a rule bound cluster-wide (one skip does not skip) could
// allow one of the probes, whatever the names.
func clusterWideRule(p *Principal, probes []reqShape, skip func(*rbacBound) bool) bool {
	found := false
	p.eachApplicable(allNamespaces, func(br *rbacBound) bool {
		if br.Namespace != "" || (skip != nil && skip(br)) {
			return true
		}
		rule := *br.Rule
		rule.ResourceNames = nil
		found = rulePasses(&rule, "", probes)
		return !found
	})
	return found
}

func rulePasses(rule *rbacPolicyRule, ns string, probes []reqShape) bool {
	for _, pr := range probes {
		for _, v := range pr.verbs {
			if rbac.RuleAllows(rbac.Request{Verb: v, APIGroup: pr.group, Resource: pr.resource, Subresource: pr.subresource, Namespace: ns}, rule) {
				return true
			}
		}
	}
	return false
}

// nsIndex holds, per namespace, the positions of the inventory's objects.
type nsIndex struct {
	once      sync.Once
	pods      map[string][]int
	workloads map[string][]int
	sas       map[string][]int
	roles     map[string]*model.Role   // "ns/name" → the first such Role
	rolesNS   map[string][]*model.Role // namespace → its Roles, in inventory order
	// podNamespaces, workloadNamespaces and saNamespaces are the namespaces
	// of pods, workloads and ServiceAccounts, each in the order of its first
	// object (namespacesOf).
	podNamespaces, workloadNamespaces, saNamespaces []string
	// podsUnnamed and sasUnnamed are the namespaces whose pods or
	// ServiceAccounts are not in name order in the inventory (an input not
	// sorted by the decoder): objectsNamed scans them.
	podsUnnamed, sasUnnamed map[string]bool
}

func (a *Analysis) objIndex() *nsIndex {
	a.idx.once.Do(func() {
		a.idx.pods = map[string][]int{}
		a.idx.podNamespaces, a.idx.podsUnnamed = indexByNamespace(a.Inv.Pods, a.idx.pods, podMeta)
		a.idx.workloads = map[string][]int{}
		a.idx.workloadNamespaces, _ = indexByNamespace(a.Inv.Workloads, a.idx.workloads, workloadMeta)
		a.idx.roles = map[string]*model.Role{}
		a.idx.rolesNS = map[string][]*model.Role{}
		for _, r := range a.Inv.Roles {
			if r.Review != nil {
				continue // stands for rules of unknown roles: nothing to bind or look up by name
			}
			a.idx.rolesNS[r.Namespace] = append(a.idx.rolesNS[r.Namespace], r)
			if k := r.Namespace + "/" + r.Name; a.idx.roles[k] == nil {
				a.idx.roles[k] = r
			}
		}
		a.idx.sas = map[string][]int{}
		a.idx.saNamespaces, a.idx.sasUnnamed = indexByNamespace(a.Inv.ServiceAccounts, a.idx.sas, saMeta)
	})
	return &a.idx
}

// select returns list[i] for the positions of the namespaces, in list order.
func selectIn[T any](list []T, byNS map[string][]int, namespaces map[string]bool) []T {
	var pos []int
	for ns := range namespaces {
		pos = append(pos, byNS[ns]...)
	}
	if len(pos) == 0 {
		return nil
	}
	return atPositions(list, pos)
}

// atPositions returns list[i] for the positions, in list order.
func atPositions[T any](list []T, pos []int) []T {
	sort.Ints(pos)
	out := make([]T, len(pos))
	for i, j := range pos {
		out[i] = list[j]
	}
	return out
}

// indexByNamespace fills byNS with the positions of list's objects per
// namespace, and returns the namespaces in the order of their first object
// and those whose objects are not in name order.
func indexByNamespace[T any](list []T, byNS map[string][]int, meta func(T) *model.Meta) (order []string, unnamed map[string]bool) {
	unnamed = map[string]bool{}
	for i, x := range list {
		m := meta(x)
		prev := byNS[m.Namespace]
		if prev == nil {
			order = append(order, m.Namespace)
		} else if meta(list[prev[len(prev)-1]]).Name > m.Name {
			unnamed[m.Namespace] = true
		}
		byNS[m.Namespace] = append(prev, i)
	}
	return order, unnamed
}

func podMeta(p *model.Pod) *model.Meta            { return &p.Meta }
func saMeta(sa *model.ServiceAccount) *model.Meta { return &sa.Meta }
func workloadMeta(w *model.Workload) *model.Meta  { return &w.Meta }

// selectPods returns the pods of the namespaces nss (of every namespace:
// all) in inventory order, leaving out those of the namespaces skip
// reports (nil: none) and, with probes, those no rule of p that applies in
// their namespace could allow a probe on by name. skip is asked once for
// each namespace of the selection that has pods, in the order of their
// first pods, before any pod is listed. A primitive whose step into a
// namespace's shared scope has what every pod there gives skips the
// namespace; one whose rules there name pods visits those pods. Visiting
// every pod of a namespace of thousands, for every principal that may act
// on all of them or on a few by name, grew with the square of the
// namespace.
func (a *Analysis) selectPods(p *Principal, all bool, nss map[string]bool, skip func(ns string) bool, probes []reqShape) []*model.Pod {
	idx := a.objIndex()
	return selectObjects(a.Inv.Pods, idx.pods, idx.podNamespaces, idx.podsUnnamed, podMeta, p, all, nss, skip, probes)
}

// selectServiceAccounts is selectPods for the ServiceAccounts.
func (a *Analysis) selectServiceAccounts(p *Principal, all bool, nss map[string]bool, skip func(ns string) bool, probes []reqShape) []*model.ServiceAccount {
	idx := a.objIndex()
	return selectObjects(a.Inv.ServiceAccounts, idx.sas, idx.saNamespaces, idx.sasUnnamed, saMeta, p, all, nss, skip, probes)
}

// selectObjects is selectPods over list, indexed by byNS, order and
// unnamed (indexByNamespace).
func selectObjects[T any](list []T, byNS map[string][]int, order []string, unnamed map[string]bool, meta func(T) *model.Meta,
	p *Principal, all bool, nss map[string]bool, skip func(ns string) bool, probes []reqShape) []T {
	var pos []int
	whole := true // every object of the selection, in order
	for _, ns := range namespacesOf(byNS, order, all, nss) {
		if skip != nil && skip(ns) {
			whole = false
			continue
		}
		if anyName, names := namesAllowed(p, ns, probes); !anyName {
			whole = false
			pos = append(pos, objectsNamed(list, byNS[ns], unnamed[ns], meta, names)...)
			continue
		}
		pos = append(pos, byNS[ns]...)
	}
	if all && whole {
		return list
	}
	return atPositions(list, pos)
}

// namesAllowed tells whether some rule of p that applies in ns could allow
// one of the probes on an object of any name there, and otherwise the
// names its rules that could allow one name (resourceNames). An object of
// another name is allowed none of them.
func namesAllowed(p *Principal, ns string, probes []reqShape) (anyName bool, names map[string]bool) {
	p.eachApplicable(ns, func(br *rbac.BoundRule) bool {
		rule := *br.Rule
		rule.ResourceNames = nil
		if !rulePasses(&rule, ns, probes) {
			return true
		}
		if len(br.Rule.ResourceNames) == 0 {
			anyName = true
			return false
		}
		if names == nil {
			names = map[string]bool{}
		}
		for _, n := range br.Rule.ResourceNames {
			names[n] = true
		}
		return true
	})
	return anyName, names
}

// objectsNamed returns the positions (of list, those of one namespace) of
// the objects with one of the names, in inventory order: found by name
// where the namespace's objects are in name order (the decoder sorts every
// list), else by a scan of them.
func objectsNamed[T any](list []T, positions []int, unnamed bool, meta func(T) *model.Meta, names map[string]bool) []int {
	out := namedAt(len(positions), func(k int) string { return meta(list[positions[k]]).Name }, unnamed, names)
	for i, k := range out {
		out[i] = positions[k]
	}
	return out
}

// namedAt returns, in ascending order, the k < n whose name(k) is one of
// names: by binary search where the names are in order, else (unnamed) by
// a scan.
func namedAt(n int, name func(k int) string, unnamed bool, names map[string]bool) []int {
	var out []int
	if unnamed {
		for k := range n {
			if names[name(k)] {
				out = append(out, k)
			}
		}
		return out
	}
	for want := range names {
		k := sort.Search(n, func(k int) bool { return name(k) >= want })
		for ; k < n && name(k) == want; k++ {
			out = append(out, k)
		}
	}
	sort.Ints(out)
	return out
}

// tokenSecretsFor returns the token Secrets of ns, in inventory order, that
// some rule of p there could allow one of the probes on by name: every one
// when a rule allows any name, else those its rules name. A principal allowed
// to read a few Secrets by name in a namespace of thousands of token Secrets
// (a cluster that predates bound tokens, one per ServiceAccount) asked for
// every one of them.
func (a *Analysis) tokenSecretsFor(p *Principal, ns string, probes []reqShape) []*model.Secret {
	list := a.tokenSecrets[ns]
	if anyName, names := namesAllowed(p, ns, probes); !anyName {
		return atPositions(list, namedAt(len(list), func(k int) string { return list[k].Name }, a.tokenSecretsUnnamed[ns], names))
	}
	return list
}

// namespacesOf returns the namespaces of nss (every namespace: all) that
// have objects in byNS, in the order of their first object; ordered lists
// every namespace of byNS in that order.
func namespacesOf(byNS map[string][]int, ordered []string, all bool, nss map[string]bool) []string {
	if all {
		return ordered
	}
	out := make([]string, 0, len(nss))
	for ns := range nss {
		if len(byNS[ns]) > 0 {
			out = append(out, ns)
		}
	}
	sort.Slice(out, func(i, j int) bool { return byNS[out[i]][0] < byNS[out[j]][0] })
	return out
}

// eachWorkloadIn calls visit with the workloads of the namespaces nss (of
// every namespace: all): in inventory order when p is nil, else a namespace
// at a time, in the order of their first workloads, until visit returns
// false for the namespace, and in a namespace where p's rules name
// workloads (no rule allows any name for one of the probes), only those
// named. A primitive that needs one workload per namespace stops there:
// listing every workload of the principal's namespaces, for every
// principal that may change the controllers of a namespace of thousands
// (or a few of them by name), grew with its square.
func (a *Analysis) eachWorkloadIn(all bool, nss map[string]bool, p *Principal, probes []reqShape, visit func(*model.Workload) bool) {
	idx := a.objIndex()
	if p == nil {
		list := a.Inv.Workloads
		if !all {
			list = selectIn(list, idx.workloads, nss)
		}
		for _, w := range list {
			visit(w)
		}
		return
	}
	for _, ns := range namespacesOf(idx.workloads, idx.workloadNamespaces, all, nss) {
		pos := idx.workloads[ns]
		if anyName, names := namesAllowed(p, ns, probes); !anyName {
			pos = a.workloadsNamed(ns, names)
		}
		for _, i := range pos {
			if !visit(a.Inv.Workloads[i]) {
				break
			}
		}
	}
}

// workloadsNamed returns the positions of the workloads of ns with one of
// the names, in inventory order: through an index of the namespace's
// workloads by name, made once, where it has many (they are in kind order,
// so not in name order), else by a scan.
func (a *Analysis) workloadsNamed(ns string, names map[string]bool) []int {
	pos := a.objIndex().workloads[ns]
	if len(pos) < manyPerNamespace {
		return objectsNamed(a.Inv.Workloads, pos, true, workloadMeta, names)
	}
	byName := memo(&a.mu, &a.workloadsByName, ns, func() map[string][]int {
		m := make(map[string][]int, len(pos))
		for _, i := range pos {
			m[a.Inv.Workloads[i].Name] = append(m[a.Inv.Workloads[i].Name], i)
		}
		return m
	})
	var out []int
	for name := range names {
		out = append(out, byName[name]...)
	}
	sort.Ints(out)
	return out
}

// serviceAccountsFor returns the ServiceAccounts some rule of p could allow one of the probes on.
func (a *Analysis) serviceAccountsFor(p *Principal, probes ...reqShape) []*model.ServiceAccount {
	all, nss := reach(p, probes...)
	if all {
		return a.Inv.ServiceAccounts
	}
	return selectIn(a.Inv.ServiceAccounts, a.objIndex().sas, nss)
}

// Probes of the primitives that visit objects.
var (
	execProbes      = append(append([]reqShape(nil), execOnlyProbes...), ephemeralProbes...)
	execOnlyProbes  = []reqShape{{verbs: []string{"create", "get"}, resource: "pods", subresource: "exec"}}
	ephemeralProbes = []reqShape{{verbs: modifyVerbs, resource: "pods", subresource: "ephemeralcontainers"}}
	attachProbes    = []reqShape{{verbs: []string{"create", "get"}, resource: "pods", subresource: "attach"}}
	// execCreateProbes and attachCreateProbes are exec's and attach's from
	// v1.35, where get alone gives only explain's failed steps.
	execCreateProbes   = append([]reqShape{{verbs: []string{"create"}, resource: "pods", subresource: "exec"}}, ephemeralProbes...)
	attachCreateProbes = []reqShape{{verbs: []string{"create"}, resource: "pods", subresource: "attach"}}
	modifyPodProbes    = []reqShape{{verbs: modifyVerbs, resource: "pods"}}
	// createPodProbes: creating a pod or any controller with a pod template.
	createPodProbes = func() []reqShape {
		var out []reqShape
		for _, w := range podMakers {
			out = append(out, reqShape{verbs: []string{"create"}, group: w.group, resource: w.resource})
		}
		return out
	}()
	// modifyWorkloadProbes cover every controller kind with a pod template.
	modifyWorkloadProbes = func() []reqShape {
		var out []reqShape
		for _, w := range podMakers {
			out = append(out, reqShape{verbs: modifyVerbs, group: w.group, resource: w.resource})
		}
		return out
	}()
	impersonateUserProbes  = []reqShape{{verbs: []string{"impersonate"}, resource: "users"}}
	impersonateGroupProbes = []reqShape{{verbs: []string{"impersonate"}, resource: "groups"}}
	impersonateSAProbes    = []reqShape{{verbs: []string{"impersonate"}, resource: "serviceaccounts"}}
	patchNamespaceProbes   = []reqShape{{verbs: modifyVerbs, resource: "namespaces"}}
	writeRoleBindingProbes = []reqShape{{verbs: []string{"create", "update", "patch"}, group: rbacGroup, resource: "rolebindings"}}
)

// kubeletNodesIf returns the Nodes when ok, else none.
func (a *Analysis) kubeletNodesIf(ok bool) []*model.Node {
	if !ok {
		return nil
	}
	return a.nodes
}

// sortedSubset returns the members of all that are in seen, in the order of
// all, without visiting all when all is sorted without duplicates (as
// Analysis.namespaces is): Principal.Namespaces is called for every principal,
// and scanning every namespace each time makes the analysis quadratic.
func sortedSubset(seen map[string]bool, all []string) ([]string, bool) {
	if len(seen)*8 > len(all) || !strictlySorted(all) {
		return nil, false
	}
	var out []string
	for ns := range seen {
		if i := sort.SearchStrings(all, ns); i < len(all) && all[i] == ns {
			out = append(out, ns)
		}
	}
	sort.Strings(out)
	return out, true
}

// sortedCache remembers the last slice found strictly sorted.
var sortedCache struct {
	sync.Mutex
	first *string
	n     int
}

func strictlySorted(all []string) bool {
	if len(all) == 0 {
		return false
	}
	sortedCache.Lock()
	defer sortedCache.Unlock()
	if sortedCache.first == &all[0] && sortedCache.n == len(all) {
		return true
	}
	for i := 1; i < len(all); i++ {
		if all[i-1] >= all[i] {
			return false
		}
	}
	sortedCache.first, sortedCache.n = &all[0], len(all)
	return true
}

// roleNamed returns the first Role ns/name of the inventory, or nil.
func (a *Analysis) roleNamed(ns, name string) *model.Role {
	return a.objIndex().roles[ns+"/"+name]
}

// namespacesFor returns the namespaces (of Analysis.namespaces, in its order)
// where some rule of p could allow one of the probes.
func (a *Analysis) namespacesFor(p *Principal, probes ...reqShape) []string {
	all, nss := reach(p, probes...)
	if all {
		return a.namespaces
	}
	if len(nss) == 0 {
		return nil
	}
	if out, ok := sortedSubset(nss, a.namespaces); ok {
		return out
	}
	var out []string
	for _, ns := range a.namespaces {
		if nss[ns] {
			out = append(out, ns)
		}
	}
	return out
}
