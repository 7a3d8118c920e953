package rules

import (
	"bytes"
	"fmt"
	"sync"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"sigs.k8s.io/yaml"

	"github.com/auth-paths/kubectl-auth-paths/plugins"
)

// packSchema is the embedded JSON schema of the pack format, compiled once.
// Parse checks every pack against it after Lint, whose messages name the rule
// and field in our words: the schema catches what Lint does not express (and
// keeps the published schema and the loader in step).
var packSchema = sync.OnceValues(func() (*jsonschema.Schema, error) {
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(plugins.Schema))
	if err != nil {
		return nil, fmt.Errorf("embedded rule-pack schema: %w", err)
	}
	c := jsonschema.NewCompiler()
	if err := c.AddResource("rulepack.schema.json", doc); err != nil {
		return nil, fmt.Errorf("embedded rule-pack schema: %w", err)
	}
	return c.Compile("rulepack.schema.json")
})

// validateSchema checks a pack's YAML against the schema.
func validateSchema(data []byte) error {
	sch, err := packSchema()
	if err != nil {
		return err
	}
	js, err := yaml.YAMLToJSON(data)
	if err != nil {
		return err
	}
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(js))
	if err != nil {
		return err
	}
	if err := sch.Validate(v); err != nil {
		return fmt.Errorf("does not match the rule-pack schema (plugins/rulepack.schema.json): %w", err)
	}
	return nil
}
