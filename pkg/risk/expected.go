package risk

import (
	"slices"
	"sort"
	"strings"

	"github.com/auth-paths/kubectl-auth-paths/graph"
)

// ExpectedBinding is a binding a rule pack declares as a known-benign
// platform default (see pkg/rules).
type ExpectedBinding struct {
	// Binding is the binding's ID ("ClusterRoleBinding/eks:addon-cluster-admin").
	Binding     string `json:"binding"`
	Platform    string `json:"platform"`
	Reason      string `json:"reason"`
	Reference   string `json:"reference"`
	Declaration string `json:"declaration"`
}

// Expected labels a path or a finding that exists only because of expected
// bindings. It is a label: the path is still listed and counted.
type Expected struct {
	Label    string            `json:"label"`
	Bindings []ExpectedBinding `json:"bindings"`
}

// newExpected builds the label from the bindings involved, sorted by ID.
func newExpected(bs []ExpectedBinding) *Expected {
	sort.Slice(bs, func(i, j int) bool { return bs[i].Binding < bs[j].Binding })
	var platforms, reasons []string
	seen := map[string]bool{}
	for _, b := range bs {
		if !seen["p"+b.Platform] {
			seen["p"+b.Platform] = true
			platforms = append(platforms, b.Platform)
		}
		if !seen["r"+b.Reason] {
			seen["r"+b.Reason] = true
			reasons = append(reasons, b.Reason)
		}
	}
	return &Expected{Label: "expected (" + strings.Join(platforms, "/") + " default: " + strings.Join(reasons, "; ") + ")", Bindings: bs}
}

// LabelExpected labels the paths that only platform defaults make: every
// binding granting a step of the path is expected, and the subject has no
// other way to cluster-admin through a binding that is not (a user's own
// binding to the same subject keeps it unlabelled). Steps that no binding
// grants (group membership, node compromise) do not decide. It returns the
// number of paths labelled.
func (a *Analysis) LabelExpected(paths []Path, expected map[string]ExpectedBinding) int {
	if len(expected) == 0 {
		return 0
	}
	toSink := a.Graph.ShortestTo(a.Sink())
	n := 0
	for i := range paths {
		p := &paths[i]
		p.Expected = nil
		var bs []ExpectedBinding
		ok := true
		seen := map[string]bool{}
		for _, s := range p.Steps {
			for _, b := range s.Bindings {
				e, declared := expected[b]
				if !declared {
					ok = false
					break
				}
				if !seen[b] {
					seen[b] = true
					bs = append(bs, e)
				}
			}
		}
		if !ok || len(bs) == 0 {
			continue
		}
		from := a.Graph.Node(subjectKeyOf(p.Subject))
		if from == nil || a.unexpectedRoute(from, toSink, expected) {
			continue
		}
		p.Expected = newExpected(bs)
		n++
	}
	return n
}

// unexpectedRoute reports whether some path from n to cluster-admin uses an
// edge granted by a binding that is not expected: an edge u→v with u
// reachable from n and v reaching the sink.
func (a *Analysis) unexpectedRoute(n *graph.Node, toSink *graph.Tree, expected map[string]ExpectedBinding) bool {
	seen := map[*graph.Node]bool{n: true}
	queue := []*graph.Node{n}
	for len(queue) > 0 {
		u := queue[0]
		queue = queue[1:]
		for _, e := range a.Graph.From(u) {
			if toSink.Hops(e.To) == graph.Unreachable {
				continue
			}
			for _, b := range e.Bindings() {
				if _, ok := expected[b]; !ok {
					return true
				}
			}
			if !seen[e.To] {
				seen[e.To] = true
				queue = append(queue, e.To)
			}
		}
	}
	return false
}

// LabelExpectedFindings labels hygiene findings about expected bindings
// (their Object is the binding) and admin-token findings whose
// ServiceAccount is cluster-admin only through expected bindings.
func (a *Analysis) LabelExpectedFindings(findings []Finding, expected map[string]ExpectedBinding) int {
	if len(expected) == 0 {
		return 0
	}
	n := 0
	for i := range findings {
		f := &findings[i]
		f.Expected = nil
		if e, ok := expected[f.Object]; ok {
			f.Expected = newExpected([]ExpectedBinding{e})
		} else if f.ID == FindingAdminTokenMounted {
			f.Expected = a.podSAExpected(strings.TrimPrefix(f.Object, "Pod "), expected)
		}
		if f.Expected != nil {
			n++
		}
	}
	return n
}

// podSAExpected labels the admin path of the ServiceAccount a pod ("ns/name") runs as.
func (a *Analysis) podSAExpected(pod string, expected map[string]ExpectedBinding) *Expected {
	ns, name, _ := strings.Cut(pod, "/")
	for _, p := range a.podsByNS[ns] {
		if p.Name != name {
			continue
		}
		sa := a.Graph.Node(saKey(ns, p.Spec.ServiceAccountName))
		if sa == nil {
			return nil
		}
		path := []Path{a.newPath(sa, a.Graph.ShortestTo(a.Sink()).Path(sa))}
		if a.LabelExpected(path, expected) == 1 {
			return path[0].Expected
		}
		return nil
	}
	return nil
}

// ExpectedEdgeNote is the DOT note of an edge every binding of which is
// expected ("expected (EKS default)"), else "".
func (a *Analysis) ExpectedEdgeNote(e *graph.Edge) string {
	if len(e.Bindings()) == 0 || len(a.Opts.Expected) == 0 {
		return ""
	}
	var platforms []string
	for _, b := range e.Bindings() {
		x, ok := a.Opts.Expected[b]
		if !ok {
			return ""
		}
		if !slices.Contains(platforms, x.Platform) {
			platforms = append(platforms, x.Platform)
		}
	}
	return "expected (" + strings.Join(platforms, "/") + " default)"
}
