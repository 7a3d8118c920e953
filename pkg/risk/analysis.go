package risk

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"

	rbacv1 "k8s.io/api/rbac/v1"

	"github.com/auth-paths/kubectl-auth-paths/graph"
	"github.com/auth-paths/kubectl-auth-paths/pkg/model"
	"github.com/auth-paths/kubectl-auth-paths/pkg/rbac"
)

// Options are assumptions about what the input cannot show.
type Options struct {
	// KubernetesVersion is the cluster's version ("v1.34", "1.35.2"); empty
	// means unknown. It decides whether `get pods/exec` is enough to exec.
	KubernetesVersion string
	// PodSecurityDefault is the enforce level of namespaces without the
	// pod-security.kubernetes.io/enforce label ("privileged" unless the
	// cluster's admission configuration says otherwise).
	PodSecurityDefault string
	// Groups maps user names to groups an identity provider gives them.
	Groups map[string][]string
	// GroupsSource says where Groups come from, in member-of steps; empty
	// means --groups.
	GroupsSource string
	// Identities are analysed even when no binding names them (e.g. the
	// subject of `from`): they still hold their implicit groups.
	Identities []rbac.Subject
	// Extra primitives are evaluated after the built-in ones (rule packs).
	Extra []Primitive
	// KeepCandidates keeps every evaluated step, held or failed, for
	// Candidates (explain). Off, the analysis of a large cluster needs much
	// less memory: the graph keeps only the steps that hold.
	KeepCandidates bool
	// Roots, when set, limit the analysis to what these subjects can reach:
	// only their steps and those of the identities they reach are built
	// (from). Scan needs the whole graph and leaves it empty.
	Roots []rbac.Subject
	// StopWhenRootsReach, with Roots, stops building as soon as every root
	// reaches cluster-admin: the graph then holds some path of each root
	// that has one, not every path nor always the shortest. Whether a root
	// reaches cluster-admin is exact either way (chokepoints' verification).
	StopWhenRootsReach bool
	// Unreaching, with Roots, reports nodes (by key) known not to reach
	// cluster-admin with all the permissions of this input or more: those
	// of an analysis of the input before bindings were taken out of it.
	// They are neither evaluated nor passed through: no path through them
	// ends at cluster-admin, since permissions only shrink as bindings go.
	// Whether a root reaches cluster-admin stays exact, at the cost of the
	// dead ends (chokepoints' verification, which re-analyses the input
	// without one binding, mostly visited them).
	Unreaching func(key string) bool
	// Reaching, with Roots and StopWhenRootsReach, reports nodes (by key)
	// the caller knows to reach cluster-admin in this input: they are not
	// evaluated, and a root that steps to one reaches cluster-admin. The
	// choke points' verification passes the nodes that keep a path in the
	// graph of the input with the binding, without the steps that binding
	// grants (a removed binding removes grants, never a step other bindings
	// grant): only what the binding's removal may cut is evaluated again.
	Reaching func(key string) bool
	// Expected are bindings declared known-benign platform defaults, by
	// binding ID (rule packs): Scan and Findings label what only they make.
	Expected map[string]ExpectedBinding
	// IgnoreAdmissionPolicies builds the steps as if no admission policy
	// (ValidatingAdmissionPolicy, Kyverno, Gatekeeper) were enforced.
	IgnoreAdmissionPolicies bool
	// NoCSRAutoApproval says the control plane runs no csrapproving
	// controller: kubelet client CSRs are not auto-approved (csr-nodeclient).
	NoCSRAutoApproval bool
	// Workers is the number of principals evaluated at once (parallel.go);
	// 0 means GOMAXPROCS. The result is the same for any number. With
	// Roots, principals are evaluated in turn (breadth-first from the roots).
	Workers int
}

// Analysis is the escalation graph of one inventory with the indexes the
// primitives use.
type Analysis struct {
	Inv   *model.Inventory
	Eval  *rbac.Evaluator
	Opts  Options
	Graph *graph.Graph

	// mu guards what principals evaluated at once share (parallel.go).
	mu sync.Mutex
	// sink is the cluster-admin node (read without the lock).
	sink *graph.Node

	principals []*Principal
	byKey      map[string]*Principal
	candidates map[string][]Candidate
	// scopes are the shared scopes made so far by addScope (nil: none of
	// their picks holds, e.g. admission refuses every ServiceAccount there).
	scopes map[string]*graph.Node

	// objects index the input's objects other than RBAC (index); read-only
	// once built, so that re-analyses without some bindings share them.
	*objects
	// succ are the targets of each node's steps, kept while Roots are set.
	succ map[*graph.Node][]*graph.Node
	// toSink (with Options.StopWhenRootsReach) are the nodes known to reach
	// cluster-admin, and pred the sources of each node's steps.
	toSink map[*graph.Node]bool
	pred   map[*graph.Node][]*graph.Node
	// strs interns the provenance strings of steps.
	strs stepStrings
	// emptyBindings caches emptyRoleBindings.
	emptyBindings []*model.Binding
	warnings      []string
	// byPower caches rolesByPower.
	byPower []*model.ClusterRole
	// idents are the identities of the input (anyidentity.go).
	idents identities
	// kept are the principals whose failed steps are kept (keeps).
	kept map[string]bool
	// hostPods memoises mayReachHost.
	hostPods map[*model.Pod]bool
	// lazyPrincipals (with Options.Roots): an identity's principal is made
	// when the evaluation reaches it (evaluateFrom), not for every identity
	// of the input up front; `from`, `explain` and the choke points'
	// re-analyses visit few of them.
	lazyPrincipals bool
	// seeded: the graph makes the input's identity nodes when asked for
	// (addSeededIdentities).
	seeded bool
	// seeds are the identity nodes of the input, shared with re-analyses.
	seeds *identitySeeds
	// coversNS memoises clusterRoleCoversNamespace.
	coversNS map[string]bool
	// hostAccess memoises allowsHostAccess.
	hostAccess map[string]hostAccess
	// podNodesKnown memoises podNodesInInput.
	podNodesKnown map[string]bool
	// bySA memoises, for a namespace of many pods or token Secrets, which
	// run as or belong to each ServiceAccount (podsRunningAs, tokenSecretsOf).
	bySA map[string]*saObjects
	// workloadsByName memoises, for a namespace of many workloads, the
	// positions of its workloads by name (workloadsNamed).
	workloadsByName map[string]map[string][]int
	// escapeNS memoises escapeOrder, by pod maker resource.
	escapeNS map[string][]string
	// groupRules memoises the rules bound to each group (groupRulesOf):
	// every member of a group copies them, and a group bound in hundreds of
	// namespaces has thousands.
	groupRules map[string][]rbacBound
	// groupScanMemo memoises each group's part of the primitives' scans
	// (groupscans.go).
	groupScanMemo map[string]*groupScans
	// covers memoises groupCovers, and dominances dominanceOf
	// (groupdominance.go).
	covers     map[coverKey]bool
	dominances map[string]*dominance
	// uncovered memoises uncoveredIn.
	uncovered map[uncoveredKey][]string
	// narrowed counts the group parts narrowParts narrowed, dominated the
	// identities narrowDominated narrowed (for tests).
	narrowed, dominated atomic.Int64

	// dangling caches the bindings to missing objects (primitive_dangling*.go).
	dangling struct {
		sas   []danglingSA
		roles []*model.Binding
		// rolesBy and emptyBy index roles and emptyBindings by subject,
		// sasBy the entries of sas by namespace (bindingindex.go); a
		// re-analysis that shares a list shares its index.
		rolesBy, emptyBy *subjectIndex
		sasBy            *namespaceIndex
	}
	// byRoleRef index the ClusterRoleBindings and the RoleBindings by the
	// role they refer to (bindingWrite); a re-analysis that lists the same
	// bindings shares base's.
	byRoleRef *roleRefs
	// dropped tells the bindings of Inv a re-analysis is without (nil:
	// none; Reanalyze): droppedList, of origin's input, whose lists Inv's are.
	dropped     func(*model.Binding) bool
	droppedList []*model.Binding
	origin      *Analysis
	// powerAt are the positions of the ClusterRoles in rolesByPower, by
	// name (referredByPower), made once.
	powerOrder sync.Once
	powerAt    map[string]int
	// adm evaluates the admission policies (admission.go); nil when there
	// are none or they are ignored.
	adm *admissionState
}

// Keys of nodes.
func userKey(name string) string    { return "User:" + name }
func groupKey(name string) string   { return "Group:" + name }
func saKey(ns, name string) string  { return "ServiceAccount:" + ns + ":" + name }
func nodeKey(name string) string    { return "Node:" + name }
func scopeKey(label string) string  { return "Scope:" + label }
func nsAdminLabel(ns string) string { return "all permissions in namespace " + ns }
func nsAdminScope(ns string) string { return scopeKey("namespace-admin:" + ns) }
func subjectNodeKey(s rbac.Subject) string {
	switch s.Kind {
	case rbacv1.ServiceAccountKind:
		return saKey(s.Namespace, s.Name)
	case rbacv1.GroupKind:
		return groupKey(s.Name)
	default:
		if strings.HasPrefix(s.Name, rbac.NodeUserPrefix) {
			return nodeKey(strings.TrimPrefix(s.Name, rbac.NodeUserPrefix))
		}
		return userKey(s.Name)
	}
}

// Analyze builds the escalation graph.
func Analyze(inv *model.Inventory, opts Options) *Analysis {
	return analyze(inv, opts, nil, nil, nil)
}

// Reanalyze builds the escalation graph of base's input without the
// dropped bindings, sharing base's indexes of roles, bindings and the other
// objects: the choke points' verification analyses the input once per
// candidate binding, and building them anew made each re-analysis as slow
// as the input is large. Its Inv lists the same bindings as base's, the
// dropped ones too (copying the lists for each candidate made the
// verification quadratic); Dropped tells them.
func Reanalyze(base *Analysis, dropped []*model.Binding, opts Options) *Analysis {
	if base.dropped != nil {
		// base is itself a re-analysis listing its origin's bindings: the
		// input without both sets is its origin's without their union.
		return Reanalyze(base.origin, append(slices.Clone(base.droppedList), dropped...), opts)
	}
	gone := droppedSet(dropped)
	inv := *base.Inv
	if !base.indexesWithout(dropped) {
		// The objects are indexed anew for a list without them.
		inv.ClusterRoleBindings = withoutBindings(base.Inv.ClusterRoleBindings, gone)
		inv.RoleBindings = withoutBindings(base.Inv.RoleBindings, gone)
		gone = nil
	}
	a := analyze(&inv, opts, base, dropped, gone)
	if gone != nil {
		a.origin, a.droppedList = base, slices.Clone(dropped)
	}
	return a
}

// Dropped reports whether b is one of the bindings a re-analysis is
// without (Reanalyze), though its Inv lists it.
func (a *Analysis) Dropped(b *model.Binding) bool {
	return a.dropped != nil && a.dropped(b)
}

// droppedSet tells whether a binding is one of dropped. The choke points'
// verification drops one binding (or the few objects of one ID) per
// re-analysis, thousands of times: comparing a handful of pointers is
// cheaper than hashing each binding of the input.
func droppedSet(dropped []*model.Binding) func(*model.Binding) bool {
	if len(dropped) <= 8 {
		return func(b *model.Binding) bool { return slices.Contains(dropped, b) }
	}
	drop := make(map[*model.Binding]bool, len(dropped))
	for _, b := range dropped {
		drop[b] = true
	}
	return func(b *model.Binding) bool { return drop[b] }
}

// withoutBindings copies in but the bindings gone reports, a run of kept
// ones at a time.
func withoutBindings(in []*model.Binding, gone func(*model.Binding) bool) []*model.Binding {
	out := make([]*model.Binding, 0, len(in))
	kept := 0 // in[kept:i] are kept and not yet copied
	for i, b := range in {
		if gone(b) {
			out = append(out, in[kept:i]...)
			kept = i + 1
		}
	}
	return append(out, in[kept:]...)
}

func analyze(inv *model.Inventory, opts Options, base *Analysis, dropped []*model.Binding, gone func(*model.Binding) bool) *Analysis {
	if opts.PodSecurityDefault == "" {
		opts.PodSecurityDefault = LevelPrivileged
	}
	if opts.KubernetesVersion == "" {
		opts.KubernetesVersion = inv.ServerVersion
	}
	a := &Analysis{
		Inv:        inv,
		Eval:       evaluatorFor(inv, base, dropped),
		Opts:       opts,
		Graph:      graph.New(),
		byKey:      map[string]*Principal{},
		candidates: map[string][]Candidate{},
		scopes:     map[string]*graph.Node{},
		dropped:    gone,
		byRoleRef:  &roleRefs{},
	}
	a.dangling.rolesBy, a.dangling.emptyBy, a.dangling.sasBy = &subjectIndex{}, &subjectIndex{}, &namespaceIndex{}
	if len(opts.Roots) > 0 {
		a.lazyPrincipals = true
		a.succ = map[*graph.Node][]*graph.Node{}
		if opts.StopWhenRootsReach {
			a.toSink = map[*graph.Node]bool{}
			a.pred = map[*graph.Node][]*graph.Node{}
		}
	}
	a.strs = newStepStrings()
	if base != nil && (gone != nil || base.indexes(inv)) {
		// gone: Reanalyze found the objects index inv, whose lists are base's.
		a.objects = base.objects
		if gone != nil {
			a.byRoleRef = base.byRoleRef // the same lists
		}
		a.seeds = base.seeds
		if len(opts.Roots) == 0 {
			// A whole re-analysis makes about every node of base. One from
			// roots makes what they reach, often a few: room for every node
			// was most of the cost of the choke points' verifications.
			a.Graph = graph.NewSized(len(base.Graph.Nodes()))
		}
		a.inheritBindingLists(base, dropped, gone != nil)
	} else {
		a.objects = indexObjects(inv)
		a.seeds = &identitySeeds{eval: a.Eval, inv: inv}
	}
	a.sink = a.Graph.Sink()
	a.initAdmission()
	a.addIdentities()
	a.evaluate()
	// The admission policies left unevaluated are noted as evaluations meet
	// them, at once on every core: sorted, they do not depend on that order.
	sort.Strings(a.warnings)
	a.dropRules()
	// The tables that share step strings between edges are done with too:
	// the edges keep what they share; a step made later (a re-analysis'
	// seeds) starts anew.
	a.strs = newStepStrings()
	a.Graph.Freeze()
	return a
}

// dropRules frees the principals' effective rules once every step is found:
// only the primitives read them, and on a large cluster they are a tenth of
// the heap. Principal(key) still names the principal and its groups.
func (a *Analysis) dropRules() {
	for _, p := range a.principals {
		p.Rules = nil
	}
	a.groupRules, a.groupScanMemo = nil, nil
	a.covers, a.dominances, a.uncovered = nil, nil, nil
}

// inheritBindingLists gives a re-analysis the lists of bindings to missing
// roles, to missing ServiceAccounts and to roles without rules that base has
// made, but the dropped bindings: whether a binding is on each is a matter
// of the binding and of the objects the two share, and making them anew
// visited every binding of the input once per re-analysis. shared: the
// re-analysis lists base's bindings (Dropped tells those it is without), and
// takes base's lists and their indexes as they are, skipping the dropped
// bindings where it reads them; indexing a copy for each of thousands of
// verifications was as slow as the lists are long.
func (a *Analysis) inheritBindingLists(base *Analysis, dropped []*model.Binding, shared bool) {
	base.mu.Lock()
	defer base.mu.Unlock()
	if shared {
		if base.dangling.roles != nil {
			a.dangling.roles, a.dangling.rolesBy = base.dangling.roles, base.dangling.rolesBy
		}
		if base.dangling.sas != nil {
			a.dangling.sas, a.dangling.sasBy = base.dangling.sas, base.dangling.sasBy
		}
		if base.emptyBindings != nil {
			a.emptyBindings, a.dangling.emptyBy = base.emptyBindings, base.dangling.emptyBy
		}
		return
	}
	drop := droppedSet(dropped)
	a.dangling.roles = keptBindings(base.dangling.roles, drop, func(b *model.Binding) *model.Binding { return b })
	a.dangling.sas = keptBindings(base.dangling.sas, drop, func(d danglingSA) *model.Binding { return d.binding })
	a.emptyBindings = keptBindings(base.emptyBindings, drop, func(b *model.Binding) *model.Binding { return b })
}

// bindingsWhere returns, made once into *list, the bindings of the input
// (ClusterRoleBindings first, then RoleBindings, in inventory order; not
// those that stand for a rules review's answer) for which match holds.
func (a *Analysis) bindingsWhere(list *[]*model.Binding, match func(*model.Binding) bool) []*model.Binding {
	return lazySlice(&a.mu, list, func() []*model.Binding {
		var out []*model.Binding
		for _, bs := range [][]*model.Binding{a.Inv.ClusterRoleBindings, a.Inv.RoleBindings} {
			for _, b := range bs {
				if b.Review == nil && !a.Dropped(b) && match(b) {
					out = append(out, b)
				}
			}
		}
		return out
	})
}

// keptBindings is list without the entries of dropped bindings; nil (not
// made yet) stays nil, and an empty result is empty, not nil.
func keptBindings[T any](list []T, drop func(*model.Binding) bool, of func(T) *model.Binding) []T {
	if list == nil {
		return nil
	}
	out := make([]T, 0, len(list))
	for _, x := range list {
		if !drop(of(x)) {
			out = append(out, x)
		}
	}
	return out
}

// evaluatorFor is base's evaluator without the dropped bindings, or a new one.
func evaluatorFor(inv *model.Inventory, base *Analysis, dropped []*model.Binding) *rbac.Evaluator {
	if base == nil {
		return rbac.NewEvaluator(inv)
	}
	return base.Eval.Without(inv, dropped)
}

// objects are the input's objects other than RBAC bindings, by namespace
// and name.
type objects struct {
	namespaces   []string
	nsObjects    map[string]*model.Namespace
	saByKey      map[string]*model.ServiceAccount
	sasByNS      map[string][]*model.ServiceAccount
	tokenSecrets map[string][]*model.Secret // by namespace
	// tokenSecretsUnnamed are the namespaces whose token Secrets are not in
	// name order (an input the decoder did not sort): namedAt scans them.
	tokenSecretsUnnamed map[string]bool
	podsByNS            map[string][]*model.Pod
	podsByNode          map[string][]*model.Pod
	workloadsNS         map[string][]*model.Workload
	nodes               []*model.Node
	nodeNamed           map[string]*model.Node
	// nodeNames are every node name of the input, sorted (indexNodeNames).
	nodeNames []string
	// bindingOnly are the namespaces that only RoleBindings name, with how
	// many do (sameNamespaces).
	bindingOnly map[string]int
	// idx are the positions of objects per namespace, made on first use
	// (index.go).
	idx nsIndex
	// secretsByName are the Secrets of every type by "ns/name"
	// (primitive_tokensecretcreate.go) and aggregated the aggregated
	// ClusterRoles by name (primitive_escalate.go), made on first use and,
	// like the rest, shared with the re-analyses, which ask again.
	secretsByName struct {
		once sync.Once
		m    map[string]*model.Secret
	}
	aggregated struct {
		once sync.Once
		m    map[string]*model.ClusterRole
	}
	// of is the input indexed: its object slices are shared by the input
	// without some bindings (indexes).
	of *model.Inventory
}

func indexObjects(inv *model.Inventory) *objects {
	o := &objects{
		of:                  inv,
		nsObjects:           map[string]*model.Namespace{},
		saByKey:             map[string]*model.ServiceAccount{},
		sasByNS:             map[string][]*model.ServiceAccount{},
		tokenSecrets:        map[string][]*model.Secret{},
		tokenSecretsUnnamed: map[string]bool{},
		podsByNS:            map[string][]*model.Pod{},
		podsByNode:          map[string][]*model.Pod{},
		workloadsNS:         map[string][]*model.Workload{},
	}
	nsSet := map[string]bool{}
	for _, n := range inv.Namespaces {
		o.nsObjects[n.Name] = n
		nsSet[n.Name] = true
	}
	for _, sa := range inv.ServiceAccounts {
		o.saByKey[sa.Namespace+"/"+sa.Name] = sa
		o.sasByNS[sa.Namespace] = append(o.sasByNS[sa.Namespace], sa)
		nsSet[sa.Namespace] = true
	}
	for _, s := range inv.Secrets {
		if s.Type == model.SecretTypeServiceAccountToken {
			prev := o.tokenSecrets[s.Namespace]
			if len(prev) > 0 && prev[len(prev)-1].Name > s.Name {
				o.tokenSecretsUnnamed[s.Namespace] = true
			}
			o.tokenSecrets[s.Namespace] = append(prev, s)
		}
	}
	for _, p := range inv.Pods {
		o.podsByNS[p.Namespace] = append(o.podsByNS[p.Namespace], p)
		if p.Spec.NodeName != "" && podIsActive(p) {
			o.podsByNode[p.Spec.NodeName] = append(o.podsByNode[p.Spec.NodeName], p)
		}
		nsSet[p.Namespace] = true
	}
	for _, w := range inv.Workloads {
		o.workloadsNS[w.Namespace] = append(o.workloadsNS[w.Namespace], w)
		nsSet[w.Namespace] = true
	}
	for _, r := range inv.Roles {
		nsSet[r.Namespace] = true
	}
	for _, b := range inv.RoleBindings {
		if !nsSet[b.Namespace] {
			if o.bindingOnly == nil {
				o.bindingOnly = map[string]int{}
			}
			o.bindingOnly[b.Namespace]++
		}
	}
	for ns := range o.bindingOnly {
		nsSet[ns] = true
	}
	o.nodes = inv.Nodes
	o.nodeNamed = make(map[string]*model.Node, len(inv.Nodes))
	for _, n := range inv.Nodes {
		if o.nodeNamed[n.Name] == nil {
			o.nodeNamed[n.Name] = n // the first, as a scan of the list finds
		}
	}
	o.indexNodeNames()
	for ns := range nsSet {
		o.namespaces = append(o.namespaces, ns)
	}
	sort.Strings(o.namespaces)
	return o
}

// indexes reports whether the objects index inv too: inv holds the same
// objects as the input they index (the same slices: positions are shared),
// and still names every namespace only its RoleBindings named.
func (o *objects) indexes(inv *model.Inventory) bool {
	of := o.of
	if !same(of.Namespaces, inv.Namespaces) || !same(of.ServiceAccounts, inv.ServiceAccounts) || !same(of.Secrets, inv.Secrets) ||
		!same(of.Pods, inv.Pods) || !same(of.Workloads, inv.Workloads) || !same(of.Roles, inv.Roles) || !same(of.Nodes, inv.Nodes) ||
		!same(of.ClusterRoles, inv.ClusterRoles) {
		return false
	}
	if len(o.bindingOnly) == 0 {
		return true
	}
	left := map[string]int{}
	for _, b := range inv.RoleBindings {
		if o.bindingOnly[b.Namespace] > 0 {
			left[b.Namespace]++
		}
	}
	return len(left) == len(o.bindingOnly)
}

// indexesWithout reports whether the objects index the input they were
// made of without the dropped bindings too: whether no namespace that only
// RoleBindings named loses all of them.
func (o *objects) indexesWithout(dropped []*model.Binding) bool {
	if len(o.bindingOnly) == 0 {
		return true
	}
	lost := map[string]int{}
	seen := map[*model.Binding]bool{}
	for _, b := range dropped {
		if b.Kind == model.KindRoleBinding && o.bindingOnly[b.Namespace] > 0 && !seen[b] {
			seen[b] = true
			if lost[b.Namespace]++; lost[b.Namespace] == o.bindingOnly[b.Namespace] {
				return false
			}
		}
	}
	return true
}

// same reports whether two slices are the same slice.
func same[T any](a, b []T) bool {
	return len(a) == len(b) && (len(a) == 0 || &a[0] == &b[0])
}

func podIsActive(p *model.Pod) bool {
	return p.Phase != "Succeeded" && p.Phase != "Failed"
}

// Namespaces returns every namespace seen in the input, sorted.
func (a *Analysis) Namespaces() []string { return a.namespaces }

// Warnings are problems found while analysing (and while indexing RBAC).
func (a *Analysis) Warnings() []string {
	return append(append([]string(nil), a.Eval.Warnings()...), a.warnings...)
}

// node returns (creating if needed) the graph node for a subject.
func (a *Analysis) subjectNode(s rbac.Subject) *graph.Node {
	if n := a.node(subjectNodeKey(s)); n != nil {
		return n
	}
	n, _ := a.addNode(subjectNodeOf(s))
	return n
}

// subjectNodeOf is the node of a subject.
func subjectNodeOf(s rbac.Subject) graph.Node {
	key := subjectNodeKey(s)
	switch {
	case s.Kind == rbacv1.ServiceAccountKind:
		return graph.Node{Key: key, Kind: graph.KindServiceAccount, Name: s.Name, Namespace: s.Namespace}
	case s.Kind == rbacv1.GroupKind:
		return graph.Node{Key: key, Kind: graph.KindGroup, Name: s.Name}
	case strings.HasPrefix(s.Name, rbac.NodeUserPrefix):
		return graph.Node{Key: key, Kind: graph.KindNode, Name: strings.TrimPrefix(s.Name, rbac.NodeUserPrefix)}
	default:
		return graph.Node{Key: key, Kind: graph.KindUser, Name: s.Name}
	}
}

// identitySeeds are the nodes addIdentities makes for the subjects of the
// input's bindings, its ServiceAccounts and its nodes' kubelets, built once
// and shared with the re-analyses of the input without some bindings:
// making their keys anew was most of a choke point verification's cost.
type identitySeeds struct {
	once sync.Once
	// eval and inv are the input's, with every binding.
	eval     *rbac.Evaluator
	inv      *model.Inventory
	subjects []rbac.Subject
	// graph are the nodes, in key order, each key once (a ServiceAccount
	// both named by a binding and in the input is one node), for the
	// re-analyses' graphs; only says, in the same order, which node is made
	// for a subject alone: the index of the subject, or -1 for a node an
	// object makes too.
	graph *graph.Seeds
	only  []int32
}

func (s *identitySeeds) get() *identitySeeds {
	s.once.Do(func() {
		s.subjects = s.eval.Subjects()
		// The subjects' nodes, then the ServiceAccounts', then the
		// kubelets', in addIdentities' order.
		nodes := make([]graph.Node, 0, len(s.subjects)+len(s.inv.ServiceAccounts)+len(s.inv.Nodes))
		for _, subj := range s.subjects {
			nodes = append(nodes, subjectNodeOf(subj))
		}
		for _, sa := range s.inv.ServiceAccounts {
			nodes = append(nodes, subjectNodeOf(rbac.Subject{Kind: rbacv1.ServiceAccountKind, Namespace: sa.Namespace, Name: sa.Name}))
		}
		for _, n := range s.inv.Nodes {
			nodes = append(nodes, subjectNodeOf(rbac.Subject{Kind: rbacv1.UserKind, Name: rbac.NodeUserPrefix + n.Name}))
		}
		sorted := make([]int, len(nodes))
		for i := range sorted {
			sorted[i] = i
		}
		slices.SortStableFunc(sorted, func(i, j int) int { return strings.Compare(nodes[i].Key, nodes[j].Key) })
		byKey := make([]graph.Node, 0, len(sorted))
		for _, i := range sorted {
			// A subject's entry comes first (stable sort); another of its
			// key is an object's, which makes the node whatever the bindings.
			if k := len(byKey) - 1; k >= 0 && byKey[k].Key == nodes[i].Key {
				s.only[k] = -1
				continue
			}
			byKey = append(byKey, nodes[i])
			if i < len(s.subjects) {
				s.only = append(s.only, int32(i))
			} else {
				s.only = append(s.only, -1)
			}
		}
		s.graph = graph.NewSeeds(byKey)
	})
	return s
}

// SANode returns the node of ServiceAccount ns/name.
func (a *Analysis) SANode(ns, name string) *graph.Node {
	n := a.subjectNode(rbac.Subject{Kind: rbacv1.ServiceAccountKind, Namespace: ns, Name: name})
	a.identityPrincipal(n)
	return n
}

// NodeIdentity returns the node of a kubelet identity.
func (a *Analysis) NodeIdentity(name string) *graph.Node {
	n := a.subjectNode(rbac.Subject{Kind: rbacv1.UserKind, Name: rbac.NodeUserPrefix + name})
	a.identityPrincipal(n)
	return n
}

// UserNode returns the node of a user.
func (a *Analysis) UserNode(name string) *graph.Node {
	n := a.subjectNode(rbac.Subject{Kind: rbacv1.UserKind, Name: name})
	a.identityPrincipal(n)
	return n
}

// GroupNode returns the node of a group.
func (a *Analysis) GroupNode(name string) *graph.Node {
	n := a.subjectNode(rbac.Subject{Kind: rbacv1.GroupKind, Name: name})
	a.identityPrincipal(n)
	return n
}

// Sink is cluster-admin.
func (a *Analysis) Sink() *graph.Node { return a.sink }

// NamespaceAdmin returns the scope "every permission inside namespace ns".
func (a *Analysis) NamespaceAdmin(ns string) *graph.Node {
	key := nsAdminScope(ns)
	if n := a.node(key); n != nil {
		return n
	}
	n, made := a.addNode(graph.Node{Key: key, Kind: graph.KindScope, Name: "namespace-admin", Namespace: ns, Label: "Scope\n" + nsAdminLabel(ns)})
	if !made {
		return n
	}
	p := &Principal{Node: n, Rules: []rbac.BoundRule{{Rule: &allInNamespace, Namespace: ns, Grant: rbac.Grant{}}}, Own: 1}
	a.publishPrincipal(p)
	return n
}

// RoleScope returns the scope "the rules of role R, in namespace ns (or
// cluster-wide when ns is empty)", gained by binding or escalating a role
// that does not cover everything.
func (a *Analysis) RoleScope(kind, name, ns string, rules []rbacv1.PolicyRule) *graph.Node {
	where := "cluster-wide"
	if ns != "" {
		where = "in namespace " + ns
	}
	label := fmt.Sprintf("%s %s %s", kind, name, where)
	key := scopeKey(label)
	if n := a.node(key); n != nil {
		return n
	}
	n, made := a.addNode(graph.Node{Key: key, Kind: graph.KindScope, Name: kind + "/" + name, Namespace: ns, Label: "Scope\n" + label})
	if !made {
		return n
	}
	p := &Principal{Node: n, Own: len(rules)}
	for i := range rules {
		p.Rules = append(p.Rules, rbac.BoundRule{Rule: &rules[i], Namespace: ns})
	}
	a.publishPrincipal(p)
	return n
}
