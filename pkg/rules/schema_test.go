package rules_test

import (
	"io/fs"
	"strings"
	"testing"

	"github.com/auth-paths/kubectl-auth-paths/pkg/rules"
	"github.com/auth-paths/kubectl-auth-paths/plugins"
)

// TestShippedPacksMatchSchema keeps the JSON schema and the Go lint in step:
// every shipped pack is valid for both.
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

func TestSchemaRejectsWhatLintRejects(t *testing.T) {
	for name, pack := range map[string]string{
		"prefix too broad":   expectedPack(`binding: {kind: ClusterRoleBinding, namePrefix: "system:"}`),
		"name and no kind":   expectedPack(`binding: {name: x}`),
		"expected on alpha1": strings.Replace(expectedPack(`binding: {kind: ClusterRoleBinding, name: x}`), "v1alpha2", "v9", 1),
	} {
		if err := rules.ValidateSchema([]byte(pack)); err == nil {
			t.Errorf("%s: schema accepted it", name)
		}
	}
}
