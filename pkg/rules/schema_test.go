package rules_test

import (
	"bytes"
	"io/fs"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"sigs.k8s.io/yaml"

	"github.com/auth-paths/kubectl-auth-paths/plugins"
)

func packSchema(t *testing.T) *jsonschema.Schema {
	t.Helper()
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(plugins.Schema))
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	if err := c.AddResource("rulepack.schema.json", doc); err != nil {
		t.Fatal(err)
	}
	sch, err := c.Compile("rulepack.schema.json")
	if err != nil {
		t.Fatal(err)
	}
	return sch
}

func validatePack(sch *jsonschema.Schema, data []byte) error {
	j, err := yaml.YAMLToJSON(data)
	if err != nil {
		return err
	}
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(j))
	if err != nil {
		return err
	}
	return sch.Validate(v)
}

// TestShippedPacksMatchSchema keeps the JSON schema and the Go lint in step:
// every shipped pack is valid for both.
func TestShippedPacksMatchSchema(t *testing.T) {
	sch := packSchema(t)
	err := fs.WalkDir(plugins.Packs, ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := plugins.Packs.ReadFile(path)
		if err != nil {
			return err
		}
		if err := validatePack(sch, data); err != nil {
			t.Errorf("%s: %v", path, err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestSchemaRejectsWhatLintRejects(t *testing.T) {
	sch := packSchema(t)
	for name, pack := range map[string]string{
		"prefix too broad":   expectedPack(`binding: {kind: ClusterRoleBinding, namePrefix: "system:"}`),
		"name and no kind":   expectedPack(`binding: {name: x}`),
		"expected on alpha1": strings.Replace(expectedPack(`binding: {kind: ClusterRoleBinding, name: x}`), "v1alpha2", "v9", 1),
	} {
		if err := validatePack(sch, []byte(pack)); err == nil {
			t.Errorf("%s: schema accepted it", name)
		}
	}
}
