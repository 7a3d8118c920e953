package review

import (
	"slices"
	"strconv"
	"strings"

	"github.com/auth-paths/kubectl-auth-paths/graph"
	"github.com/auth-paths/kubectl-auth-paths/pkg/risk"
)

// maxNamed is how many targets, namespaces, ServiceAccounts or Secrets a fix
// names before it counts the rest: a binding that reaches every
// ServiceAccount of a large cluster got a fix naming thousands of them,
// which no one reads.
const maxNamed = 10

// orderedSet is a list of distinct strings in the order first added.
type orderedSet struct {
	list []string
	has  map[string]bool
}

func (s *orderedSet) add(x string) {
	if s.has == nil {
		s.has = map[string]bool{}
	}
	if !s.has[x] {
		s.has[x] = true
		s.list = append(s.list, x)
	}
}

// fixTargets are what a fix names about a binding's steps: the nodes they
// lead to (for a step into a shared scope, what the scope's picks lead to),
// their namespaces, the ServiceAccounts among them and those
// ServiceAccounts' legacy token Secrets.
type fixTargets struct {
	names, namespaces, sas, secrets orderedSet
}

// add records a node the steps reach. named: whether the node itself is a
// target (a shared scope whose picks are listed is not; its picks are).
func (t *fixTargets) add(in *fixInputs, n *graph.Node, named bool) {
	if named {
		t.names.add(risk.NodeName(n))
		if n.Namespace != "" {
			t.namespaces.add(n.Namespace)
		}
	}
	if n.Kind == graph.KindServiceAccount {
		t.sas.add(risk.NodeName(n))
	}
	for _, s := range in.tokens[nsName{n.Namespace, n.Name}] {
		t.secrets.add(s)
	}
}

// scopePicks finds, once per sequence of shared scopes, what the picks out
// of them lead to. Every binding stepping into a scope of every
// namespace's ServiceAccounts used to copy its thousands of picks into its
// own steps: with one such binding per twenty namespaces, quadratic.
type scopePicks struct {
	g    *graph.Graph
	tree *graph.Tree
	in   *fixInputs
	memo map[string]*fixTargets
}

func newScopePicks(g *graph.Graph, tree *graph.Tree, in *fixInputs) *scopePicks {
	return &scopePicks{g: g, tree: tree, in: in, memo: map[string]*fixTargets{}}
}

// picked returns the shared scopes among the edges' targets that have a
// pick leading on to cluster-admin, each once, in edge order: the fix names
// what their picks lead to instead of them.
func (sp *scopePicks) picked(edges []*graph.Edge) []*graph.Node {
	var out []*graph.Node
	for _, e := range edges {
		if e.To.Kind != graph.KindScope || slices.Contains(out, e.To) {
			continue
		}
		for _, p := range sp.g.From(e.To) {
			if isPick(p) && sp.tree.Hops(p.To) != graph.Unreachable {
				out = append(out, e.To)
				break
			}
		}
	}
	return out
}

// targets returns what the picks of scopes lead to (scopes as picked
// returned them), made once per sequence.
func (sp *scopePicks) targets(scopes []*graph.Node) *fixTargets {
	var key strings.Builder
	for _, s := range scopes {
		key.WriteString(s.Key)
		key.WriteByte(0)
	}
	if t, ok := sp.memo[key.String()]; ok {
		return t
	}
	t := &fixTargets{}
	for _, s := range scopes {
		for _, p := range sp.g.From(s) {
			if isPick(p) && sp.tree.Hops(p.To) != graph.Unreachable {
				t.add(sp.in, p.To, !slices.Contains(scopes, p.To))
			}
		}
	}
	sp.memo[key.String()] = t
	return t
}

// joined is a list of a binding's own targets followed by its scopes' that
// it has not already: what the fix names, without making the whole list.
type joined struct{ own, more *orderedSet }

// has reports whether x is on the list.
func (j joined) has(x string) bool { return j.own.has[x] || j.more.has[x] }

// total is the length of the list.
func (j joined) total() int {
	n := len(j.more.list)
	for _, x := range j.own.list {
		if !j.more.has[x] {
			n++
		}
	}
	return n
}

// String names the first maxNamed entries, comma-separated, and counts the
// rest ("a, b and 12 more").
func (j joined) String() string {
	var first []string
	for _, x := range j.own.list {
		if len(first) == maxNamed {
			break
		}
		first = append(first, x)
	}
	for _, x := range j.more.list {
		if len(first) == maxNamed {
			break
		}
		if !j.own.has[x] {
			first = append(first, x)
		}
	}
	s := strings.Join(first, ", ")
	if rest := j.total() - len(first); rest > 0 {
		s += " and " + strconv.Itoa(rest) + " more"
	}
	return s
}
