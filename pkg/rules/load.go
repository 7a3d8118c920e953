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

	"github.com/auth-paths/kubectl-auth-paths/pkg/rbac"
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

// Parse decodes and validates one pack; unknown fields are errors.
func Parse(data []byte, source string) (*Pack, error) {
	var p Pack
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, fmt.Errorf("rule pack %s: empty file", source)
	}
	if err := yaml.UnmarshalStrict(data, &p); err != nil {
		return nil, fmt.Errorf("rule pack %s: %w", source, err)
	}
	p.Source = source
	if errs := Lint(&p); len(errs) > 0 {
		return nil, fmt.Errorf("rule pack %s: %w", source, errors.Join(errs...))
	}
	return &p, nil
}

// Lint checks a pack; every error names the rule and the field.
func Lint(p *Pack) []error {
	var errs []error
	add := func(where, format string, args ...any) {
		errs = append(errs, fmt.Errorf("%s: %s", where, fmt.Sprintf(format, args...)))
	}
	if p.APIVersion != APIVersion {
		add("apiVersion", "%q: want %s", p.APIVersion, APIVersion)
	}
	if p.Kind != Kind {
		add("kind", "%q: want %s", p.Kind, Kind)
	}
	if p.Metadata.Name == "" {
		add("metadata.name", "required")
	}
	if len(p.Rules) == 0 {
		add("rules", "at least one rule is required")
	}
	seen := map[string]bool{}
	for i, r := range p.Rules {
		where := fmt.Sprintf("rules[%d]", i)
		if r.ID != "" {
			where = fmt.Sprintf("rules[%d] (%s)", i, r.ID)
		}
		switch {
		case r.ID == "":
			add(where+".id", "required")
		case seen[r.ID]:
			add(where+".id", "duplicate id")
		}
		seen[r.ID] = true
		if r.Description == "" {
			add(where+".description", "required")
		}
		if len(r.Permission.Verbs) == 0 {
			add(where+".permission.verbs", "at least one verb is required")
		}
		if r.Permission.Resource == "" {
			add(where+".permission.resource", "required")
		}
		switch r.Permission.Scope {
		case "namespace", "cluster":
		default:
			add(where+".permission.scope", "%q: want namespace or cluster", r.Permission.Scope)
		}
		if r.Permission.Scope == "cluster" && len(r.Permission.Namespaces) > 0 {
			add(where+".permission.namespaces", "only for scope namespace")
		}
		switch r.Gain.Type {
		case GainAnyServiceAccount:
			if r.Permission.Scope != "namespace" {
				add(where+".gain.type", "%s needs permission.scope namespace", GainAnyServiceAccount)
			}
		case GainServiceAccount:
			if ns, name, ok := strings.Cut(r.Gain.ServiceAccount, "/"); !ok || ns == "" || name == "" {
				add(where+".gain.serviceAccount", "%q: want NAMESPACE/NAME", r.Gain.ServiceAccount)
			}
		case GainIdentity:
			if _, err := rbac.ParseSubject(r.Gain.Identity); err != nil || !strings.Contains(r.Gain.Identity, ":") {
				add(where+".gain.identity", "%q: want User:NAME or Group:NAME", r.Gain.Identity)
			}
		default:
			add(where+".gain.type", "%q: want %s, %s or %s", r.Gain.Type, GainAnyServiceAccount, GainServiceAccount, GainIdentity)
		}
	}
	return errs
}
