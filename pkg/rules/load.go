package rules

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"sigs.k8s.io/yaml"

	"github.com/auth-paths/kubectl-auth-paths/pkg/risk"
	"github.com/auth-paths/kubectl-auth-paths/plugins"
)

var _ embed.FS // the shipped packs are embedded by package plugins

// Builtin returns the packs shipped in plugins/packs, embedded in the binary.
func Builtin() ([]*Pack, error) {
	var out []*Pack
	err := fs.WalkDir(plugins.Packs, ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".yaml") {
			return err
		}
		data, err := plugins.Packs.ReadFile(path)
		if err != nil {
			return err
		}
		p, err := Parse(data, "embedded:plugins/"+path)
		if err != nil {
			return err
		}
		out = append(out, p)
		return nil
	})
	return out, err
}

// LoadPath reads a pack file, or every .yaml/.yml file of a directory.
func LoadPath(path string) ([]*Pack, error) {
	info, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("rule pack %s: %w", path, err)
	}
	files := []string{path}
	if info.IsDir() {
		files = nil
		entries, err := os.ReadDir(path)
		if err != nil {
			return nil, fmt.Errorf("rule pack %s: %w", path, err)
		}
		for _, e := range entries {
			if !e.IsDir() && (strings.HasSuffix(e.Name(), ".yaml") || strings.HasSuffix(e.Name(), ".yml")) {
				files = append(files, filepath.Join(path, e.Name()))
			}
		}
		sort.Strings(files)
		if len(files) == 0 {
			return nil, fmt.Errorf("rule pack directory %s has no .yaml files", path)
		}
	}
	var out []*Pack
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			return nil, fmt.Errorf("rule pack %s: %w", f, err)
		}
		p, err := Parse(data, f)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, nil
}

// Parse decodes and validates one pack: against the embedded JSON schema
// (plugins/rulepack.schema.json), then Lint; unknown fields are errors.
func Parse(data []byte, source string) (*Pack, error) {
	var p Pack
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, fmt.Errorf("rule pack %s: empty file", source)
	}
	if err := yaml.UnmarshalStrict(data, &p); err != nil {
		return nil, fmt.Errorf("rule pack %s: %w", source, err)
	}
	p.Source = source
	if err := validateSchema(data); err != nil {
		return nil, fmt.Errorf("rule pack %s: %w", source, err)
	}
	if errs := Lint(&p); len(errs) > 0 {
		return nil, fmt.Errorf("rule pack %s: %w", source, errors.Join(errs...))
	}
	return &p, nil
}

// Lint checks what the pack's JSON schema cannot express, on a pack that
// matches it: ids unique among the rules and expected declarations, and
// techniques that are ATT&CK for Containers ones (the catalogue is the
// tool's, not the format's). Every error names the rule (or declaration)
// and the field.
func Lint(p *Pack) []error {
	var errs []error
	add := func(where, format string, args ...any) {
		errs = append(errs, fmt.Errorf("%s: %s", where, fmt.Sprintf(format, args...)))
	}
	seen := map[string]bool{}
	for i, r := range p.Rules {
		where := lintID(add, seen, "rules", i, r.ID)
		if err := risk.CheckTechniques(r.Techniques); err != nil {
			add(where+".techniques", "%v", err)
		}
	}
	for i, e := range p.Expected {
		lintID(add, seen, "expected", i, e.ID)
	}
	return errs
}

// lintID checks that the id of list[i] is unique among seen and returns how
// errors name the entry: "rules[2] (argo-workflow)".
func lintID(add func(where, format string, args ...any), seen map[string]bool, list string, i int, id string) string {
	where := fmt.Sprintf("%s[%d] (%s)", list, i, id)
	if seen[id] {
		add(where+".id", "duplicate id")
	}
	seen[id] = true
	return where
}
