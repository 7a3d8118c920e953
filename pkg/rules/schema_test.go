package rules_test

import (
	"fmt"
	"io/fs"
	"strings"
	"testing"

	"sigs.k8s.io/yaml"

	"github.com/auth-paths/kubectl-auth-paths/pkg/rules"
	"github.com/auth-paths/kubectl-auth-paths/plugins"
)

// TestShippedPacksMatchSchema: every shipped pack matches the schema it is
// loaded against.
func TestShippedPacksMatchSchema(t *testing.T) {
	err := fs.WalkDir(plugins.Packs, ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := plugins.Packs.ReadFile(path)
		if err != nil {
			return err
		}
		if err := rules.ValidateSchema(data); err != nil {
			t.Errorf("%s: %v", path, err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestLintKeepsWhatTheSchemaCannotExpress: the schema refuses the format's
// defects (Lint does not repeat them), and Lint refuses what a schema
// cannot express: an id used twice, a technique outside the catalogue.
func TestLintKeepsWhatTheSchemaCannotExpress(t *testing.T) {
	for name, pack := range map[string]string{
		"prefix too broad":   expectedPack(`binding: {kind: ClusterRoleBinding, namePrefix: "system:"}`),
		"name and no kind":   expectedPack(`binding: {name: x}`),
		"unknown version":    strings.Replace(expectedPack(`binding: {kind: ClusterRoleBinding, name: x}`), "v1alpha2", "v9", 1),
		"expected on alpha1": strings.Replace(expectedPack(`binding: {kind: ClusterRoleBinding, name: x}`), "v1alpha2", "v1alpha1", 1),
	} {
		if err := rules.ValidateSchema([]byte(pack)); err == nil {
			t.Errorf("%s: schema accepted it", name)
		}
		var p rules.Pack
		if err := yaml.Unmarshal([]byte(pack), &p); err != nil {
			t.Fatal(err)
		}
		if errs := rules.Lint(&p); len(errs) > 0 {
			t.Errorf("%s: Lint repeats the schema: %v", name, errs)
		}
	}
	const twice = `apiVersion: auth-paths.io/v1alpha2
kind: RulePack
metadata: {name: p}
rules:
- id: r1
  description: d
  permission: {verbs: [create], resource: things, scope: cluster}
  gain: {type: identity, identity: "User:admin"}
  techniques: [T1003]
- id: r1
  description: d
  permission: {verbs: [create], resource: things, scope: cluster}
  gain: {type: identity, identity: "User:admin"}
`
	if err := rules.ValidateSchema([]byte(twice)); err != nil {
		t.Fatalf("schema: %v", err)
	}
	var p rules.Pack
	if err := yaml.Unmarshal([]byte(twice), &p); err != nil {
		t.Fatal(err)
	}
	got := fmt.Sprint(rules.Lint(&p))
	for _, w := range []string{"rules[1] (r1).id: duplicate id", `rules[0] (r1).techniques: technique "T1003" is not an ATT&CK for Containers technique`} {
		if !strings.Contains(got, w) {
			t.Errorf("Lint = %s, want %q", got, w)
		}
	}
}
