package risk_test

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"github.com/auth-paths/kubectl-auth-paths/hack/gen/cluster"
	"github.com/auth-paths/kubectl-auth-paths/pkg/model"
	"github.com/auth-paths/kubectl-auth-paths/pkg/rbac"
	"github.com/auth-paths/kubectl-auth-paths/pkg/risk"
	"github.com/auth-paths/kubectl-auth-paths/pkg/source"
)

// fullDump is edgeDump with each edge's step data (requests and grants),
// the warnings and, when kept, every evaluated step of every principal.
func fullDump(a *risk.Analysis) string {
	var b strings.Builder
	b.WriteString(edgeDump(a))
	for _, e := range a.Graph.Edges() {
		if d, ok := e.Data().(*risk.StepData); ok {
			fmt.Fprintf(&b, "data %s -%s-> %s %v %v\n", e.From.Key, e.Primitive, e.To.Key, d.Requests, d.Grants)
		}
	}
	for _, w := range a.Warnings() {
		fmt.Fprintf(&b, "warning %s\n", w)
	}
	if a.Opts.KeepCandidates {
		for _, n := range a.Graph.Nodes() {
			for _, c := range a.Candidates(n.Key) {
				fmt.Fprintf(&b, "candidate %s -%s/%d/%v-> %v %s %s\n", n.Key, c.Primitive, c.Hops, c.Holds, c.To, c.When(), c.Why)
			}
		}
	}
	return b.String()
}

func hostileInventory(t *testing.T, namespaces int, seed uint64) *model.Inventory {
	t.Helper()
	return shapeInventory(t, namespaces, seed, cluster.ShapeHostile)
}

func shapeInventory(t *testing.T, namespaces int, seed uint64, shape string) *model.Inventory {
	t.Helper()
	var buf bytes.Buffer
	if err := cluster.WriteShape(&buf, namespaces, seed, "json", shape); err != nil {
		t.Fatal(err)
	}
	inv, err := source.LoadFiles(source.FileOptions{Filenames: []string{"-"}, Stdin: &buf})
	if err != nil {
		t.Fatal(err)
	}
	return inv
}

// input is a named inventory of a test that compares two analyses of each.
type input struct {
	name string
	inv  *model.Inventory
}

// scenarioInputs are the inventories of every scenario.
func scenarioInputs(t *testing.T) []input {
	t.Helper()
	var out []input
	for _, dir := range caseDirs(t, "scenarios") {
		out = append(out, input{dir, loadInput(t, dir)})
	}
	return out
}

// TestParallelIsSequential: evaluating principals at once on several
// goroutines gives the analysis of evaluating them in turn — every node,
// edge, step datum, warning and kept candidate — on every scenario and on
// generated clusters of every shape, run after run.
func TestParallelIsSequential(t *testing.T) {
	defer risk.SetMinParallel(1)()
	inputs := scenarioInputs(t)
	inputs = append(inputs, input{"generated 12", benchInventoryN(t, 12)}, input{"hostile 30", hostileInventory(t, 30, 3)},
		input{"wide 40", shapeInventory(t, 40, 5, cluster.ShapeWide)}, input{"groupwide 20", shapeInventory(t, 20, 7, cluster.ShapeGroupWide)},
		input{"policies 120", shapeInventory(t, 120, 9, cluster.ShapePolicies)}, input{"operators 60", shapeInventory(t, 60, 11, cluster.ShapeOperators)})
	parallelRuns := 0
	for _, in := range inputs {
		for _, keep := range []bool{false, true} {
			want := fullDump(risk.Analyze(in.inv, risk.Options{Workers: 1, KeepCandidates: keep}))
			runs := 2
			if strings.HasPrefix(in.name, "hostile") || strings.HasPrefix(in.name, "generated") || strings.HasPrefix(in.name, "wide") || strings.HasPrefix(in.name, "groupwide") || strings.HasPrefix(in.name, "operators") {
				runs = 4
			}
			for run := range runs {
				got := fullDump(risk.Analyze(in.inv, risk.Options{Workers: 4, KeepCandidates: keep}))
				parallelRuns++
				if got != want {
					t.Errorf("%s (keep candidates %v, run %d): the parallel analysis differs from the sequential one:\n%s", in.name, keep, run, firstDiff(got, want))
					break
				}
			}
		}
	}
	if parallelRuns < 100 {
		t.Fatalf("only %d parallel analyses compared", parallelRuns)
	}
}

// TestParallelFromIsSequential: the evaluation from some roots (from,
// explain), a whole breadth-first level at a time on several goroutines,
// gives the analysis of the queue taken node by node: for the first
// identities of every scenario and of generated clusters, one root and
// several, with and without the candidates kept.
func TestParallelFromIsSequential(t *testing.T) {
	defer risk.SetMinParallel(1)()
	var inputs []*model.Inventory
	for _, dir := range caseDirs(t, "scenarios") {
		inputs = append(inputs, loadInput(t, dir))
	}
	inputs = append(inputs, benchInventoryN(t, 12), hostileInventory(t, 30, 3))
	compared, grown := 0, 0
	for i, inv := range inputs {
		base := risk.Analyze(inv, risk.Options{Workers: 1})
		var subjects []rbac.Subject
		for _, n := range base.Graph.Nodes() {
			if s, ok := risk.SubjectOf(n); ok {
				subjects = append(subjects, s)
			}
		}
		for j, roots := range [][]rbac.Subject{subjects[:min(1, len(subjects))], subjects[len(subjects)/2 : min(len(subjects)/2+3, len(subjects))]} {
			if len(roots) == 0 {
				continue
			}
			for _, keep := range []bool{false, true} {
				opts := risk.Options{Roots: roots, Identities: roots, KeepCandidates: keep}
				opts.Workers = 1
				seq := risk.Analyze(inv, opts)
				want := fullDump(seq)
				opts.Workers = 4
				if got := fullDump(risk.Analyze(inv, opts)); got != want {
					t.Errorf("input %d, roots %d (keep %v): the parallel evaluation from the roots differs:\n%s", i, j, keep, firstDiff(got, want))
				}
				compared++
				if len(seq.Graph.Edges()) > 20 {
					grown++
				}
			}
		}
	}
	if compared < 100 || grown < 10 {
		t.Fatalf("%d evaluations from roots compared, %d with more than 20 steps: too few", compared, grown)
	}
}

// firstDiff shows the first differing line of two dumps.
func firstDiff(got, want string) string {
	g, w := strings.Split(got, "\n"), strings.Split(want, "\n")
	for i := 0; i < len(g) && i < len(w); i++ {
		if g[i] != w[i] {
			return fmt.Sprintf("line %d:\n  got  %s\n  want %s", i+1, g[i], w[i])
		}
	}
	return fmt.Sprintf("%d lines, want %d", len(g), len(w))
}
