package rules_test

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"sigs.k8s.io/yaml"

	"github.com/auth-paths/kubectl-auth-paths/pkg/model"
	"github.com/auth-paths/kubectl-auth-paths/pkg/rbac"
	"github.com/auth-paths/kubectl-auth-paths/pkg/risk"
	"github.com/auth-paths/kubectl-auth-paths/pkg/rules"
	"github.com/auth-paths/kubectl-auth-paths/pkg/source"
)

type scenario struct {
	Description string `json:"description"`
	Subject     string `json:"subject"`
	Expect      string `json:"expect"`
	Primitive   string `json:"primitive"`
	Hops        int    `json:"hops"`
	// Expected (for expect: path): a prefix of the path's expected label,
	// or "none" for a path that must stay unlabelled.
	Expected string `json:"expected"`
}

// TestShippedPackScenarios runs testdata/plugins: each shipped rule has a
// positive scenario (the rule's edge is on the subject's shortest path) and
// a negative one (no path).
func TestShippedPackScenarios(t *testing.T) {
	packs, err := rules.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	dirs, _ := filepath.Glob("../../testdata/plugins/*")
	if len(dirs) == 0 {
		t.Fatal("no scenarios in testdata/plugins")
	}
	covered := map[string]bool{}
	for _, dir := range dirs {
		dir := dir
		t.Run(filepath.Base(dir), func(t *testing.T) {
			raw, err := os.ReadFile(filepath.Join(dir, "scenario.yaml"))
			if err != nil {
				t.Fatal(err)
			}
			var sc scenario
			if err := yaml.UnmarshalStrict(raw, &sc); err != nil {
				t.Fatal(err)
			}
			inv, err := source.LoadFiles(source.FileOptions{Filenames: []string{filepath.Join(dir, "input.yaml")}})
			if err != nil {
				t.Fatal(err)
			}
			subj, err := rbac.ParseSubject(sc.Subject)
			if err != nil {
				t.Fatal(err)
			}
			expected := rules.ExpectedBindings(packs, inv)
			a := risk.Analyze(inv, risk.Options{Identities: []rbac.Subject{subj}, Extra: rules.Primitives(packs, inv), Expected: expected})
			paths := a.From(a.Graph.Node(risk.SubjectKey(subj)), 1, -1)
			switch sc.Expect {
			case "path":
				if len(paths) == 0 {
					t.Fatalf("%s: no path", sc.Description)
				}
				found := false
				for _, s := range paths[0].Steps {
					found = found || s.Primitive == sc.Primitive
				}
				if !found || paths[0].Hops != sc.Hops {
					t.Fatalf("%s: want %s in %d hops, got %+v", sc.Description, sc.Primitive, sc.Hops, paths[0])
				}
				covered[sc.Primitive] = true
				for _, s := range paths[0].Steps {
					if _, builtin := risk.LookupPrimitive(s.Primitive, nil); !builtin && (!s.Assumed || !strings.Contains(s.Condition, "assumes the controller")) {
						t.Errorf("rule-pack step %s: assumed %v, condition %q: want an assumed step that says so", s.Primitive, s.Assumed, s.Condition)
					}
				}
				a.LabelExpected(paths[:1], expected)
				switch {
				case sc.Expected == "none" && paths[0].Expected != nil:
					t.Fatalf("%s: want no expected label, got %q", sc.Description, paths[0].Expected.Label)
				case sc.Expected != "" && sc.Expected != "none":
					if paths[0].Expected == nil || !strings.HasPrefix(paths[0].Expected.Label, sc.Expected) {
						t.Fatalf("%s: want label %q…, got %+v", sc.Description, sc.Expected, paths[0].Expected)
					}
					for _, b := range paths[0].Expected.Bindings {
						covered[b.Declaration] = true
					}
				}
			case "none":
				if len(paths) != 0 {
					t.Fatalf("%s: want no path, got %+v", sc.Description, paths[0])
				}
			default:
				t.Fatalf("expect %q", sc.Expect)
			}
		})
	}
	for _, p := range packs {
		if len(p.Expected) > 0 {
			// One labelled positive per platform pack (its declarations share the matcher).
			n := 0
			for _, e := range p.Expected {
				if covered[p.Metadata.Name+"/"+e.ID] {
					n++
				}
			}
			if n == 0 {
				t.Errorf("expected pack %s has no labelled positive scenario", p.Metadata.Name)
			}
		}
		if p.Metadata.Name == "flux" || p.Metadata.Name == "argo-workflows" || p.Metadata.Name == "tekton" || p.Metadata.Name == "kyverno" {
			continue // one positive per pack suffices for packs whose rules share the mechanism
		}
		for _, r := range p.Rules {
			if !covered[r.ID] {
				t.Errorf("rule %s of pack %s has no positive scenario", r.ID, p.Metadata.Name)
			}
		}
	}
}

func TestLintNamesRuleAndField(t *testing.T) {
	tests := []struct {
		name string
		pack string
		want []string
	}{
		{"bad gain type", `apiVersion: auth-paths.io/v1alpha1
kind: RulePack
metadata: {name: p}
rules:
- id: r1
  description: d
  permission: {verbs: [create], apiGroup: x.io, resource: things, scope: namespace}
  gain: {type: root}`, []string{"rules[0] (r1).gain.type", `"root"`}},
		{"missing verbs and bad scope", `apiVersion: auth-paths.io/v1alpha1
kind: RulePack
metadata: {name: p}
rules:
- id: r2
  description: d
  permission: {verbs: [], resource: things, scope: everywhere}
  gain: {type: any-serviceaccount-in-namespace}`, []string{"rules[0] (r2).permission.verbs", "rules[0] (r2).permission.scope"}},
		{"bad service account", `apiVersion: auth-paths.io/v1alpha1
kind: RulePack
metadata: {name: p}
rules:
- id: r3
  description: d
  permission: {verbs: [create], resource: things, scope: cluster}
  gain: {type: serviceaccount, serviceAccount: just-a-name}`, []string{"rules[0] (r3).gain.serviceAccount"}},
		{"unknown field", `apiVersion: auth-paths.io/v1alpha1
kind: RulePack
metadata: {name: p}
rules:
- id: r4
  summary: not a field`, []string{"unknown field"}},
		{"wrong version", `apiVersion: auth-paths.io/v9
kind: RulePack
metadata: {name: p}
rules: []`, []string{"apiVersion", "rules: at least one rule"}},
		{"unknown technique", `apiVersion: auth-paths.io/v1alpha2
kind: RulePack
metadata: {name: p}
rules:
- id: r5
  description: d
  permission: {verbs: [create], resource: things, scope: cluster}
  gain: {type: identity, identity: "User:admin"}
  techniques: [T1611, T1003]`, []string{"rules[0] (r5).techniques", `"T1003" is not an ATT&CK for Containers technique`}},
		{"techniques need v1alpha2", `apiVersion: auth-paths.io/v1alpha1
kind: RulePack
metadata: {name: p}
rules:
- id: r6
  description: d
  permission: {verbs: [create], resource: things, scope: cluster}
  gain: {type: identity, identity: "User:admin"}
  techniques: [T1610]`, []string{"rules[0] (r6).techniques", "needs apiVersion auth-paths.io/v1alpha2"}},
		{"not YAML", "\x00\x01\x02", []string{"rule pack"}},
		{"empty", "", []string{"empty file"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := rules.Parse([]byte(tt.pack), "my-pack.yaml")
			if err == nil {
				t.Fatal("want an error")
			}
			if !strings.Contains(err.Error(), "my-pack.yaml") {
				t.Errorf("error does not name the file: %v", err)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
		})
	}
}

func TestShippedPacksAreValid(t *testing.T) {
	packs, err := rules.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	if len(packs) < 7 {
		t.Fatalf("want at least 7 shipped packs, got %d", len(packs))
	}
	ids := map[string]bool{}
	for _, p := range packs {
		for _, r := range p.Rules {
			if ids[r.ID] {
				t.Errorf("duplicate rule id %s", r.ID)
			}
			ids[r.ID] = true
			if r.Reference == "" {
				t.Errorf("rule %s has no reference", r.ID)
			}
			if len(r.Techniques) == 0 {
				t.Errorf("rule %s declares no ATT&CK technique", r.ID)
			}
		}
		// As primitives (activation aside), rules have a colour and their techniques.
		always := *p
		always.Activation = rules.Activation{}
		prims := rules.Primitives([]*rules.Pack{&always}, &model.Inventory{})
		if len(prims) != len(p.Rules) {
			t.Errorf("pack %s: %d primitives for %d rules", p.Metadata.Name, len(prims), len(p.Rules))
		}
		for i, prim := range prims {
			if prim.Color() != rules.RuleColor || !slices.Equal(prim.Techniques(), p.Rules[i].Techniques) {
				t.Errorf("primitive %s: colour %q, techniques %v", prim.ID(), prim.Color(), prim.Techniques())
			}
		}
	}
}

func TestUserPackFromDirectory(t *testing.T) {
	dir := t.TempDir()
	pack := `apiVersion: auth-paths.io/v1alpha1
kind: RulePack
metadata: {name: internal}
rules:
- id: internal-deployer
  description: create Deploys of our in-house CD → runs as cd/deployer
  permission: {verbs: [create], apiGroup: cd.example.com, resource: deploys, scope: namespace}
  gain: {type: serviceaccount, serviceAccount: cd/deployer}
`
	if err := os.WriteFile(filepath.Join(dir, "internal.yaml"), []byte(pack), 0o600); err != nil {
		t.Fatal(err)
	}
	packs, err := rules.LoadPath(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(packs) != 1 || packs[0].Rules[0].ID != "internal-deployer" {
		t.Fatalf("got %+v", packs)
	}
	if _, err := rules.LoadPath(filepath.Join(dir, "missing")); err == nil {
		t.Fatal("missing path must be an error")
	}
}

// expectedPack is a valid v1alpha2 pack with one expected declaration
// whose binding line is replaced.
func expectedPack(binding string) string {
	return `apiVersion: auth-paths.io/v1alpha2
kind: RulePack
metadata: {name: p}
activation: {objects: [{kind: ClusterRole, namePrefix: "acme:"}]}
expected:
- id: e1
  platform: ACME
  reason: r
  reference: https://example.com/doc
  ` + binding + `
  roleRef: {kind: ClusterRole, name: cluster-admin}
  subjects: [{kind: User, name: acme:agent}]
`
}

func TestLintExpectedNamesDeclarationAndField(t *testing.T) {
	tests := []struct {
		name string
		pack string
		want []string
	}{
		{"prefix too broad", expectedPack(`binding: {kind: ClusterRoleBinding, namePrefix: "system:"}`), []string{"expected[0] (e1).binding.namePrefix", "too broad"}},
		{"name and prefix", expectedPack(`binding: {kind: ClusterRoleBinding, name: a, namePrefix: "acme:"}`), []string{"expected[0] (e1).binding: give name or namePrefix, exactly one"}},
		{"RoleBinding without namespace", expectedPack(`binding: {kind: RoleBinding, name: a}`), []string{"expected[0] (e1).binding.namespace"}},
		{"bad binding kind", expectedPack(`binding: {kind: Binding, name: a}`), []string{"expected[0] (e1).binding.kind"}},
		{"no name", expectedPack(`binding: {kind: ClusterRoleBinding}`), []string{"expected[0] (e1).binding: give name or namePrefix, exactly one"}},
		{"v1alpha1 with expected", strings.Replace(expectedPack(`binding: {kind: ClusterRoleBinding, name: a}`), "v1alpha2", "v1alpha1", 1), []string{"expected: needs apiVersion auth-paths.io/v1alpha2"}},
		{"reserved metadata.expected", `apiVersion: auth-paths.io/v1alpha1
kind: RulePack
metadata: {name: p, expected: true}
rules:
- id: r1
  description: d
  permission: {verbs: [create], apiGroup: x.io, resource: things, scope: namespace}
  gain: {type: any-serviceaccount-in-namespace}`, []string{"metadata.expected: not supported"}},
		{"subject namespace", strings.Replace(expectedPack(`binding: {kind: ClusterRoleBinding, name: a}`), "[{kind: User, name: acme:agent}]", "[{kind: ServiceAccount, name: agent}, {kind: Robot, name: r}]", 1),
			[]string{"expected[0] (e1).subjects[0].namespace", "expected[0] (e1).subjects[1].kind"}},
		{"reference not https", strings.Replace(expectedPack(`binding: {kind: ClusterRoleBinding, name: a}`), "https://example.com/doc", "see wiki", 1), []string{"expected[0] (e1).reference"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := rules.Parse([]byte(tt.pack), "platform.yaml")
			if err == nil {
				t.Fatal("want an error")
			}
			for _, w := range append(tt.want, "platform.yaml") {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
		})
	}
	if _, err := rules.Parse([]byte(expectedPack(`binding: {kind: ClusterRoleBinding, name: acme-admin}`)), "ok.yaml"); err != nil {
		t.Fatalf("valid pack rejected: %v", err)
	}
}
