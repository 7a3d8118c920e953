package risk

import (
	"cmp"
	"slices"
	"sort"
	"strings"

	"github.com/auth-paths/kubectl-auth-paths/graph"
	"github.com/auth-paths/kubectl-auth-paths/pkg/rbac"
)

// SubjectRef names an identity in results.
type SubjectRef struct {
	Kind      string `json:"kind"`
	Name      string `json:"name"`
	Namespace string `json:"namespace,omitempty"`
}

// String renders User:alice, ServiceAccount:ns:name.
func (s SubjectRef) String() string {
	if s.Namespace != "" {
		return s.Kind + ":" + s.Namespace + ":" + s.Name
	}
	return s.Kind + ":" + s.Name
}

// Step is one edge of a path.
type Step struct {
	Primitive string   `json:"primitive"`
	From      string   `json:"from"`
	To        string   `json:"to"`
	Hops      int      `json:"hops"`
	GrantedBy []string `json:"grantedBy"`
	Condition string   `json:"condition"`
	Bindings  []string `json:"bindings,omitempty"`
	// Requires are the authorization requests the step makes as From
	// (what `verify` checks with SubjectAccessReviews).
	Requires []rbac.Request `json:"requires,omitempty"`
	// Techniques are the step's MITRE ATT&CK for Containers technique IDs
	// (its primitive's); none for group membership and node picking.
	Techniques []string `json:"techniques,omitempty"`
	// Assumed is set when the step holds only under an assumption its
	// condition states ("assumes …"), not on RBAC and the cluster's objects
	// alone.
	Assumed bool `json:"assumed,omitempty"`
}

// Path is a way from a subject to cluster-admin.
type Path struct {
	// ID is derived from the subject and the steps, not from the order of results.
	ID      string     `json:"id"`
	Subject SubjectRef `json:"subject"`
	Target  string     `json:"target"`
	Hops    int        `json:"hops"`
	Steps   []Step     `json:"steps"`
	// Exposure is the kind of the most exposed entry (see Entries).
	Exposure string `json:"exposure,omitempty"`
	// Entries are the ways an attacker can hold the subject's identity.
	Entries []Entry `json:"entries,omitempty"`
	// Expected is set when only declared platform defaults make the path
	// (rule packs' expected lists); the path is still listed.
	Expected *Expected `json:"expected,omitempty"`
}

func refOf(n *graph.Node) SubjectRef {
	return SubjectRef{Kind: string(n.Kind), Name: n.Name, Namespace: n.Namespace}
}

// NodeName renders a node for steps: "ServiceAccount:ns:name", "cluster-admin".
func NodeName(n *graph.Node) string {
	if n.Kind == graph.KindSink {
		return graph.SinkKey
	}
	if n.Kind == graph.KindScope {
		return "Scope:" + strings.TrimPrefix(strings.TrimPrefix(n.Label, "Scope\n"), "Scope:")
	}
	return refOf(n).String()
}

// NewPath builds a path result from edges. Steps of built-in primitives
// carry their techniques; Analysis's own paths also those of rule packs.
func NewPath(from *graph.Node, edges []*graph.Edge) Path {
	p := Path{Subject: refOf(from), Target: graph.SinkKey, Hops: graph.Hops(edges), Steps: []Step{}}
	for _, e := range edges {
		s := Step{Primitive: e.Primitive, From: NodeName(e.From), To: NodeName(e.To), Hops: e.Hops, GrantedBy: e.GrantedBy(), Condition: e.When(), Bindings: e.Bindings(), Assumed: e.Assumed}
		if d := StepDataOf(e); d != nil && len(d.Requests) > 0 {
			// A copy: the analysis makes its requests in blocks, which a
			// path holding a few of them would keep whole.
			s.Requires = slices.Clone(d.Requests)
		}
		if s.GrantedBy == nil {
			s.GrantedBy = []string{}
		}
		if prim, ok := LookupPrimitive(e.Primitive, nil); ok {
			s.Techniques = prim.Techniques()
		}
		p.Steps = append(p.Steps, s)
	}
	p.ID = pathID(NodeName(from), p.Steps)
	return p
}

// newPath is NewPath with the techniques of rule-pack steps too.
func (a *Analysis) newPath(from *graph.Node, edges []*graph.Edge) Path {
	p := NewPath(from, edges)
	for i := range p.Steps {
		if p.Steps[i].Techniques == nil {
			if prim, ok := a.Primitive(p.Steps[i].Primitive); ok {
				p.Steps[i].Techniques = prim.Techniques()
			}
		}
	}
	return p
}

// AssumedSteps returns the number of the path's steps that rest on an assumption.
func (p Path) AssumedSteps() int {
	n := 0
	for _, s := range p.Steps {
		if s.Assumed {
			n++
		}
	}
	return n
}

// IsIdentity reports whether a node is someone (not a scope or the sink).
func IsIdentity(n *graph.Node) bool {
	switch n.Kind {
	case graph.KindUser, graph.KindGroup, graph.KindServiceAccount, graph.KindNode:
		return true
	}
	return false
}

// ScanResult is every identity with a path to cluster-admin.
type ScanResult struct {
	Summary ScanSummary `json:"summary"`
	Paths   []Path      `json:"paths"`
}

// ScanSummary counts the identities.
type ScanSummary struct {
	Identities   int `json:"identities"`
	AlreadyAdmin int `json:"alreadyAdmin"`
	ByEscalation int `json:"byEscalation"`
	// ThroughGroups counts identities whose shortest path starts with a group
	// membership; they are listed only with --expand-groups.
	ThroughGroups int `json:"throughGroups"`
	// Expected counts the listed paths labelled expected platform defaults.
	Expected int `json:"expected,omitempty"`
}

// Scan runs one reverse search from cluster-admin and returns a shortest
// path for every identity that has one, fewest hops first. Unless
// expandGroups is set, identities whose shortest path begins by entering a
// group are counted, not listed: the group is listed instead.
func (a *Analysis) Scan(expandGroups bool) ScanResult {
	tree := a.Graph.ShortestTo(a.Sink())
	res := ScanResult{Paths: []Path{}}
	for _, n := range a.Graph.Nodes() {
		if !IsIdentity(n) {
			continue
		}
		res.Summary.Identities++
		hops := tree.Hops(n)
		if hops == graph.Unreachable {
			continue
		}
		path := tree.Path(n)
		if hops == 0 {
			res.Summary.AlreadyAdmin++
		} else {
			res.Summary.ByEscalation++
		}
		if !expandGroups && len(path) > 0 && path[0].Primitive == "member-of" {
			res.Summary.ThroughGroups++
			continue
		}
		res.Paths = append(res.Paths, a.newPath(n, path))
	}
	SortPaths(res.Paths)
	res.Summary.Expected = a.LabelExpected(res.Paths, a.Opts.Expected)
	return res
}

// SortPaths orders paths by hops, then by the number of assumed steps (a
// path that holds on RBAC and the cluster's objects alone comes before one
// that rests on an assumption), then subject, then ID.
func SortPaths(ps []Path) {
	sort.SliceStable(ps, func(i, j int) bool {
		if ps[i].Hops != ps[j].Hops {
			return ps[i].Hops < ps[j].Hops
		}
		if ai, aj := ps[i].AssumedSteps(), ps[j].AssumedSteps(); ai != aj {
			return ai < aj
		}
		if si, sj := ps[i].Subject.String(), ps[j].Subject.String(); si != sj {
			return si < sj
		}
		return ps[i].ID < ps[j].ID
	})
}

// From returns up to k shortest paths from a subject node (Yen): fewest hops
// first, then fewest assumed steps, so that the default k shows a path that
// holds on RBAC alone whenever one is as short as an assumed one.
func (a *Analysis) From(n *graph.Node, k, maxHops int) []Path {
	raw := a.Graph.KShortestPaths(n, a.Sink(), k, maxHops)
	out := []Path{}
	for _, edges := range raw {
		out = append(out, a.newPath(n, edges))
	}
	SortPaths(out)
	return out
}

// PathEdges returns the edges that lie on some shortest path to cluster-admin
// (the "paths to admin" view of the graph).
func (a *Analysis) PathEdges() []*graph.Edge {
	tree := a.Graph.ShortestTo(a.Sink())
	var out []*graph.Edge
	for _, e := range a.Graph.Edges() {
		hf, ht := tree.Hops(e.From), tree.Hops(e.To)
		if hf == graph.Unreachable || ht == graph.Unreachable {
			continue
		}
		if hf == ht+e.Hops {
			out = append(out, e)
		}
	}
	return withoutOrphanScopes(out)
}

// TopPathEdges is PathEdges limited to the shortest paths of the n most
// exposed identities with a path: ranked by their most exposed entry
// (anonymous, authenticated, pod, token, user, node, ServiceAccount), then
// fewest hops, then fewest assumed steps, then key. n <= 0 is every path.
func (a *Analysis) TopPathEdges(n int) []*graph.Edge {
	edges := a.PathEdges()
	if n <= 0 {
		return edges
	}
	tree := a.Graph.ShortestTo(a.Sink())
	type ranked struct {
		node                    *graph.Node
		exposure, hops, assumed int
	}
	var ids []ranked
	for _, node := range a.Graph.Nodes() {
		if !IsIdentity(node) || tree.Hops(node) == graph.Unreachable {
			continue
		}
		ids = append(ids, ranked{node, Exposure(a.Entries(node)), tree.Hops(node), tree.Assumed(node)})
	}
	slices.SortFunc(ids, func(x, y ranked) int {
		return cmp.Or(cmp.Compare(x.exposure, y.exposure), cmp.Compare(x.hops, y.hops), cmp.Compare(x.assumed, y.assumed), strings.Compare(x.node.Key, y.node.Key))
	})
	if len(ids) > n {
		ids = ids[:n]
	}
	// Every edge of the shortest-path DAG reachable from the chosen identities.
	from := map[*graph.Node][]*graph.Edge{}
	for _, e := range edges {
		from[e.From] = append(from[e.From], e)
	}
	seen := map[*graph.Node]bool{}
	var stack []*graph.Node
	for _, r := range ids {
		seen[r.node] = true
		stack = append(stack, r.node)
	}
	keep := map[*graph.Edge]bool{}
	for len(stack) > 0 {
		x := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		for _, e := range from[x] {
			keep[e] = true
			if !seen[e.To] {
				seen[e.To] = true
				stack = append(stack, e.To)
			}
		}
	}
	return slices.DeleteFunc(edges, func(e *graph.Edge) bool { return !keep[e] })
}

// withoutOrphanScopes drops the edges out of a structural node (a scope such
// as "any node") that no kept edge enters: a scope is a step of someone's
// path, never a start, and drawn alone it would read as one.
func withoutOrphanScopes(edges []*graph.Edge) []*graph.Edge {
	for {
		entered := map[*graph.Node]bool{}
		for _, e := range edges {
			entered[e.To] = true
		}
		kept := slices.DeleteFunc(slices.Clone(edges), func(e *graph.Edge) bool {
			return e.From.Kind == graph.KindScope && !entered[e.From]
		})
		if len(kept) == len(edges) {
			return edges
		}
		edges = kept
	}
}

// SubjectKey is the graph key of a subject.
func SubjectKey(s rbac.Subject) string { return subjectNodeKey(s) }
