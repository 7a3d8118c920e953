package risk

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"

	rbacv1 "k8s.io/api/rbac/v1"

	"github.com/auth-paths/kubectl-auth-paths/graph"
	"github.com/auth-paths/kubectl-auth-paths/pkg/rbac"
)

// pickIdentity is the primitive of an identity scope's edges to each user,
// group or ServiceAccount it holds.
const pickIdentity = "pick-identity"

// Identity scopes are the shared ends of steps that reach "any identity of
// the input": a client certificate from the kube-apiserver-client signer
// names any user, group or ServiceAccount (csr-approve), impersonation
// without resourceNames names any user or any group (impersonate). Every
// principal that takes such a step reaches the same identities, so one edge
// per principal into the scope and one 0-hop pick-identity edge per identity
// out of it replace an edge per principal and identity, which grew as
// principals × identities: on large clusters, operators' ClusterRoles with
// `*` verbs made that most of the graph.

// identities are the identity nodes of the input: every subject of a
// binding, every ServiceAccount, every Node's kubelet identity and the users
// of Options (Groups, Identities), each sorted by key. They are taken once,
// when addIdentities has made them, so that what a step reaches does not
// depend on which principals were evaluated before it (ServiceAccounts met
// later, as a pod's, have no binding of their own: their groups, which the
// scopes reach, are all they hold).
type identities struct {
	users, groups, serviceAccounts []*graph.Node
	// holds memoises holdsRules.
	holds map[*graph.Node]bool
	// once makes the lists: at the end of addIdentities, or, in a seeded
	// re-analysis, when they are first asked for (identityLists) from the
	// seeds and made, the identity nodes addIdentities made besides them.
	once  sync.Once
	extra []*graph.Node
}

// snapshotIdentities records the identity nodes made so far (see identities).
func (a *Analysis) snapshotIdentities() {
	if !a.seeded {
		a.idents.once.Do(func() { a.listIdentities(a.Graph.Unordered()) })
		return
	}
	for _, n := range a.Graph.Unordered() {
		if IsIdentity(n) {
			a.idents.extra = append(a.idents.extra, n)
		}
	}
}

// identityLists returns the identity nodes of snapshotIdentities. It takes
// a.mu: the caller must not hold it.
func (a *Analysis) identityLists() *identities {
	a.idents.once.Do(func() {
		a.mu.Lock()
		seeds := a.Graph.Materialize()
		a.mu.Unlock()
		// extra holds the few seeds made by then too: each node once.
		all := a.idents.extra
		made := make(map[*graph.Node]bool, len(all))
		for _, n := range all {
			made[n] = true
		}
		for _, n := range seeds {
			if !made[n] {
				all = append(all, n)
			}
		}
		a.listIdentities(all)
	})
	return &a.idents
}

// listIdentities sorts the identity nodes of nodes into the lists, in key
// order.
func (a *Analysis) listIdentities(nodes []*graph.Node) {
	for _, n := range nodes {
		switch n.Kind {
		case graph.KindUser:
			a.idents.users = append(a.idents.users, n)
		case graph.KindGroup:
			a.idents.groups = append(a.idents.groups, n)
		case graph.KindServiceAccount:
			a.idents.serviceAccounts = append(a.idents.serviceAccounts, n)
		}
	}
	for _, list := range [][]*graph.Node{a.idents.users, a.idents.groups, a.idents.serviceAccounts} {
		byKey := func(x, y *graph.Node) int { return strings.Compare(x.Key, y.Key) }
		if !slices.IsSortedFunc(list, byKey) {
			slices.SortFunc(list, byKey)
		}
	}
}

// holdsRules: some binding grants the group rules (memoised: asked for every
// group by every principal that may impersonate groups in mode user-info).
func (a *Analysis) holdsRules(group *graph.Node) bool {
	return memo(&a.mu, &a.idents.holds, group, func() bool {
		return len(a.Eval.RulesFor(rbac.Subject{Kind: rbacv1.GroupKind, Name: group.Name})) > 0
	})
}

// anyUser is the scope "any user": each user of the input (not a
// ServiceAccount or a node, which are checked as themselves).
func (a *Analysis) anyUser() *graph.Node {
	return a.identityScope("any-user", "any user", func(l *identities) []*graph.Node { return l.users })
}

// anyGroup is the scope "any group but system:masters" (a step that may
// name system:masters goes to cluster-admin itself).
func (a *Analysis) anyGroup() *graph.Node {
	return a.identityScope("any-group", "any group", func(l *identities) []*graph.Node { return l.groups })
}

// anyIdentity is the scope "any user, group or ServiceAccount".
func (a *Analysis) anyIdentity() *graph.Node {
	return a.identityScope("any-identity", "any user, group or ServiceAccount", func(l *identities) []*graph.Node {
		var all []*graph.Node
		all = append(all, l.users...)
		all = append(all, l.groups...)
		return append(all, l.serviceAccounts...)
	})
}

// identityScope is the scope of the identities list picks.
func (a *Analysis) identityScope(name, label string, list func(*identities) []*graph.Node) *graph.Node {
	return a.sharedScope(scopeKey(name), name, allNamespaces, label, func() []Candidate {
		nodes := list(a.identityLists())
		picks := make([]Candidate, 0, len(nodes))
		for _, n := range nodes {
			var cond string
			switch n.Kind {
			case graph.KindUser:
				cond = "the step names user " + n.Name
			case graph.KindGroup:
				if n.Name == rbac.GroupMasters {
					continue
				}
				cond = "the step names group " + n.Name
			case graph.KindServiceAccount:
				cond = fmt.Sprintf("the step names ServiceAccount %s/%s (user %s%s:%s)", n.Namespace, n.Name, rbac.ServiceAccountUserPrefix, n.Namespace, n.Name)
			}
			picks = append(picks, Candidate{Primitive: pickIdentity, To: n, Holds: true, Condition: cond})
		}
		return picks
	})
}

// kubeletIdentity is the scope "the API identity of node NAME" (user
// system:node:NAME in group system:nodes: credentials, not the machine):
// the Node authorizer lets it request tokens of the ServiceAccounts of pods
// bound to the node, and RBAC grants it what group system:nodes holds. A
// control-plane node's identity is no more: its keys are on its disk, which
// only a pod on the node (node-escape) reaches. Certificates (csr-approve,
// csr-nodeclient) and impersonation reach it alike. It is nil when it gives
// nothing.
func (a *Analysis) kubeletIdentity(node string) *graph.Node {
	return a.sharedScope(scopeKey("kubelet-identity:"+node), "kubelet-identity", allNamespaces, "API identity of node "+node,
		func() []Candidate { return a.kubeletIdentityPicks([]string{node}) })
}

// anyKubeletIdentity is the scope "the API identity of any node": every
// node name of the input (Nodes, and the nodes pods are bound to), for steps
// whose certificate or impersonation names a node of the attacker's choosing.
func (a *Analysis) anyKubeletIdentity() *graph.Node {
	return a.sharedScope(scopeKey("kubelet-identity"), "kubelet-identity", allNamespaces, "API identity of any node",
		func() []Candidate { return a.kubeletIdentityPicks(a.nodeNames) })
}

// kubeletIdentityPicks are what the API identities of the nodes reach: each
// pod's ServiceAccount (the first pod per ServiceAccount), and group
// system:nodes when it holds something.
func (a *Analysis) kubeletIdentityPicks(nodes []string) []Candidate {
	var picks []Candidate
	for _, node := range nodes {
		for _, pod := range a.podsByNode[node] {
			if pod.Spec.ServiceAccountName == "" {
				continue
			}
			picks = append(picks, Candidate{Primitive: pickServiceAccount, To: a.SANode(pod.Namespace, pod.Spec.ServiceAccountName), Holds: true,
				Condition: fmt.Sprintf("the Node authorizer lets %s%s request tokens of ServiceAccount %s of pod %s/%s on %s", rbac.NodeUserPrefix, node, pod.Spec.ServiceAccountName, pod.Namespace, pod.Name, node)})
		}
	}
	if g := a.node(groupKey(rbac.GroupNodes)); g != nil {
		picks = append(picks, Candidate{Primitive: "member-of", To: g, Holds: true, Condition: "a node's API identity is in group " + rbac.GroupNodes})
	}
	return dedupeByTarget(picks)
}

// indexNodeNames sets nodeNames: the names of the Nodes and of the nodes
// pods are bound to (the Node authorizer follows spec.nodeName, Node object
// or not), sorted.
func (o *objects) indexNodeNames() {
	seen := map[string]bool{}
	for _, n := range o.nodes {
		if !seen[n.Name] {
			seen[n.Name] = true
			o.nodeNames = append(o.nodeNames, n.Name)
		}
	}
	for name := range o.podsByNode {
		if !seen[name] {
			seen[name] = true
			o.nodeNames = append(o.nodeNames, name)
		}
	}
	sort.Strings(o.nodeNames)
}

// kubeletIdentityStep is the step into node's API identity (any node's for
// allNodes), or why it gives nothing.
func (a *Analysis) kubeletIdentityStep(prim, node, how string, brs ...rbacBound) Candidate {
	scope := a.anyKubeletIdentity()
	target := "any node"
	if node != allNodes {
		scope, target = a.kubeletIdentity(node), node
	}
	if scope == nil {
		return Candidate{Primitive: prim, Hops: 1, Grants: brs, To: a.phantom(nodeKey(nonEmpty(node, "*"))+" (API identity)", "kubelet identity of "+target),
			Why: fmt.Sprintf("%s, but no pod with a ServiceAccount runs on %s and group %s holds nothing: a node's credentials are not its disk", how, target, rbac.GroupNodes)}
	}
	return Candidate{Primitive: prim, To: scope, Hops: 1, Holds: true, Grants: brs, Condition: how}
}

// allNodes asks kubeletIdentityStep for any node's identity.
const allNodes = ""
