package rules

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/santhosh-tekuri/jsonschema/v6/kind"
	"sigs.k8s.io/yaml"

	"github.com/auth-paths/kubectl-auth-paths/plugins"
)

// packSchema is the embedded JSON schema of the pack format, compiled once.
// Parse checks every pack against it first: the schema is the format's
// definition (fields, types, required ones, enums, and the rules that tie
// fields together, such as what v1alpha1 lacks), and Lint adds only what a
// schema cannot express.
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

// validateSchema checks a pack's YAML against the schema. Each violation is
// one error that names the field as Lint does ("rules[2] (argo).gain.type").
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
	err = sch.Validate(v)
	var ve *jsonschema.ValidationError
	if !errors.As(err, &ve) {
		return err
	}
	var errs []error
	seen := map[string]bool{}
	for _, l := range violations(ve) {
		where, msg := describe(v, l)
		if line := where + ": " + msg; !seen[line] {
			seen[line] = true
			errs = append(errs, errors.New(line))
		}
	}
	return fmt.Errorf("does not match the rule-pack schema (plugins/rulepack.schema.json): %w", errors.Join(errs...))
}

// violations are the failed keywords themselves, not those (allOf, then,
// a $ref) that only group others; a keyword the schema gives an
// errorMessage for is one violation, whatever failed below it.
func violations(e *jsonschema.ValidationError) []*jsonschema.ValidationError {
	if _, ok := schemaMessage(e); ok || len(e.Causes) == 0 {
		return []*jsonschema.ValidationError{e}
	}
	var out []*jsonschema.ValidationError
	for _, c := range e.Causes {
		out = append(out, violations(c)...)
	}
	return out
}

// describe names the field of a violation and says what is wrong: the
// schema's errorMessage for the keyword when it has one, else the
// validator's words (with the value given, for enum and const).
func describe(doc any, e *jsonschema.ValidationError) (where, msg string) {
	loc := slices.Clone(e.InstanceLocation)
	got := ""
	switch k := e.ErrorKind.(type) {
	case *kind.Required:
		// "binding.namespace: required", not "binding: missing property".
		if len(k.Missing) == 1 {
			loc, msg = append(loc, k.Missing[0]), "required"
		}
	case *kind.AdditionalProperties:
		if len(k.Properties) == 1 {
			loc, msg = append(loc, k.Properties[0]), "unknown field"
		}
	case *kind.Not:
		// not: {required: [field]}: the field is the one not allowed.
		if f := notField(e); f != "" {
			loc, msg = append(loc, f), "not allowed here"
		}
	case *kind.Enum:
		got = fmt.Sprint(k.Got)
	case *kind.Const:
		got = fmt.Sprint(k.Got)
	case *kind.Pattern:
		got = k.Got
	}
	if m, ok := schemaMessage(e); ok {
		msg = m
	} else if msg == "" {
		msg = e.BasicOutput().Error.String()
	}
	if got != "" {
		msg = strconv.Quote(got) + ": " + msg
	}
	return fieldName(doc, loc), msg
}

// schemaNode is the schema object at a violation's schema location.
func schemaNode(e *jsonschema.ValidationError) map[string]any {
	_, frag, _ := strings.Cut(e.SchemaURL, "#")
	var node any = rawSchema()
	for _, tok := range strings.Split(strings.TrimPrefix(frag, "/"), "/") {
		if tok == "" {
			continue
		}
		tok = strings.NewReplacer("~1", "/", "~0", "~").Replace(tok)
		switch n := node.(type) {
		case map[string]any:
			node = n[tok]
		case []any:
			i, err := strconv.Atoi(tok)
			if err != nil || i < 0 || i >= len(n) {
				return nil
			}
			node = n[i]
		default:
			return nil
		}
	}
	m, _ := node.(map[string]any)
	return m
}

// keyword is the schema keyword that failed.
func keyword(e *jsonschema.ValidationError) string {
	if _, ok := e.ErrorKind.(*kind.Not); ok {
		return "not"
	}
	if p := e.ErrorKind.KeywordPath(); len(p) > 0 {
		return p[0]
	}
	return ""
}

// schemaMessage is the errorMessage the schema gives for the failed
// keyword: {"errorMessage": {"not": "needs apiVersion …"}} next to it.
func schemaMessage(e *jsonschema.ValidationError) (string, bool) {
	msgs, _ := schemaNode(e)["errorMessage"].(map[string]any)
	m, ok := msgs[keyword(e)].(string)
	return m, ok
}

// notField is the one field a failed not: {required: [field]} names.
func notField(e *jsonschema.ValidationError) string {
	not, _ := schemaNode(e)["not"].(map[string]any)
	req, _ := not["required"].([]any)
	if len(req) != 1 {
		return ""
	}
	f, _ := req[0].(string)
	return f
}

// rawSchema is the embedded schema as plain JSON, for schemaNode.
var rawSchema = sync.OnceValue(func() map[string]any {
	var m map[string]any
	_ = json.Unmarshal(plugins.Schema, &m)
	return m
})

// fieldName spells an instance location as Lint names fields: list items
// by index, with the id of rules and expected declarations.
func fieldName(doc any, loc []string) string {
	if len(loc) == 0 {
		return "pack"
	}
	var b strings.Builder
	cur := doc
	for k, tok := range loc {
		switch node := cur.(type) {
		case []any:
			i, _ := strconv.Atoi(tok)
			fmt.Fprintf(&b, "[%d]", i)
			cur = nil
			if i >= 0 && i < len(node) {
				cur = node[i]
				if m, ok := cur.(map[string]any); ok && k == 1 && (loc[0] == "rules" || loc[0] == "expected") {
					if id, ok := m["id"].(string); ok && id != "" {
						fmt.Fprintf(&b, " (%s)", id)
					}
				}
			}
		case map[string]any:
			if b.Len() > 0 {
				b.WriteByte('.')
			}
			b.WriteString(tok)
			cur = node[tok]
		default:
			b.WriteString("." + tok)
		}
	}
	return b.String()
}
