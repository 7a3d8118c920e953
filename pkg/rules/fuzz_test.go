package rules_test

import (
	"io/fs"
	"testing"

	"github.com/auth-paths/kubectl-auth-paths/pkg/model"
	"github.com/auth-paths/kubectl-auth-paths/pkg/rules"
	"github.com/auth-paths/kubectl-auth-paths/plugins"
)

// FuzzParse: no input makes parsing, lint, activation or the expected
// matcher panic; an accepted pack always has a name and rules or
// expected declarations.
func FuzzParse(f *testing.F) {
	_ = fs.WalkDir(plugins.Packs, ".", func(path string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			data, _ := plugins.Packs.ReadFile(path)
			f.Add(data)
		}
		return nil
	})
	f.Add([]byte(expectedPack(`binding: {kind: RoleBinding, namespace: ns, namePrefix: "acme:"}`)))
	f.Add([]byte("apiVersion: auth-paths.io/v1alpha2\nkind: RulePack\nmetadata: {name: x}\nexpected: [{}]\n"))
	f.Add([]byte("{\"rules\": [null]}"))
	inv := &model.Inventory{
		ClusterRoles:        []*model.ClusterRole{{Meta: model.Meta{Name: "acme:x"}}},
		ClusterRoleBindings: []*model.Binding{{Meta: model.Meta{Name: "acme:b"}, Kind: model.KindClusterRoleBinding}},
		Others:              []*model.Object{{Meta: model.Meta{Name: "aws-auth", Namespace: "kube-system"}, Kind: "ConfigMap", APIVersion: "v1"}},
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := rules.Parse(data, "fuzz.yaml")
		if err != nil {
			return
		}
		if p.Metadata.Name == "" || len(p.Rules)+len(p.Expected) == 0 {
			t.Fatalf("accepted an incomplete pack: %+v", p)
		}
		rules.Active(p, inv)
		rules.ExpectedBindings([]*rules.Pack{p}, inv)
		rules.Primitives([]*rules.Pack{p}, inv)
	})
}
