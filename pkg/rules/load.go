package rules

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	rbacv1 "k8s.io/api/rbac/v1"
	"sigs.k8s.io/yaml"

	"github.com/auth-paths/kubectl-auth-paths/pkg/model"
	"github.com/auth-paths/kubectl-auth-paths/pkg/rbac"
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
	if err := validateSchema(data); err != nil {
		return nil, fmt.Errorf("rule pack %s: %w", source, err)
	}
	return &p, nil
}

// Lint checks a pack; every error names the rule (or declaration) and the field.
func Lint(p *Pack) []error {
	var errs []error
	add := func(where, format string, args ...any) {
		errs = append(errs, fmt.Errorf("%s: %s", where, fmt.Sprintf(format, args...)))
	}
	v2 := p.APIVersion == APIVersion
	if !v2 && p.APIVersion != APIVersionV1Alpha1 {
		add("apiVersion", "%q: want %s (or %s)", p.APIVersion, APIVersion, APIVersionV1Alpha1)
	}
	if p.Kind != Kind {
		add("kind", "%q: want %s", p.Kind, Kind)
	}
	if p.Metadata.Name == "" {
		add("metadata.name", "required")
	}
	if p.Metadata.Expected {
		add("metadata.expected", "not supported: declare the expected bindings in a top-level expected list (apiVersion %s)", APIVersion)
	}
	switch {
	case !v2 && len(p.Expected) > 0:
		add("expected", "needs apiVersion %s", APIVersion)
	case v2 && len(p.Rules) == 0 && len(p.Expected) == 0:
		add("rules", "at least one rule or expected declaration is required")
	case !v2 && len(p.Rules) == 0:
		add("rules", "at least one rule is required")
	}
	for i, o := range p.Activation.Objects {
		where := fmt.Sprintf("activation.objects[%d]", i)
		if o.Kind == "" {
			add(where+".kind", "required")
		}
		if o.NamePrefix != "" && !v2 {
			add(where+".namePrefix", "needs apiVersion %s", APIVersion)
		}
		lintName(add, where, o.Name, o.NamePrefix)
	}
	for i, c := range p.Activation.Controllers {
		lintController(add, v2, i, c)
	}
	seen := map[string]bool{}
	for i, r := range p.Rules {
		lintRule(add, seen, i, r)
		if len(r.Techniques) > 0 && !v2 {
			add(fmt.Sprintf("rules[%d] (%s).techniques", i, r.ID), "needs apiVersion %s", APIVersion)
		}
	}
	for i, e := range p.Expected {
		lintExpectation(add, seen, i, e)
	}
	return errs
}

type addFunc func(where, format string, args ...any)

// lintName checks an exact name or a prefix: exactly one, and a prefix
// narrow enough not to match Kubernetes' own system: objects.
func lintName(add addFunc, where, name, prefix string) {
	switch {
	case name == "" && prefix == "":
		add(where+".name", "name or namePrefix is required")
	case name != "" && prefix != "":
		add(where+".namePrefix", "give name or namePrefix, not both")
	case prefix != "" && (len(prefix) < 4 || prefix == "system:"):
		add(where+".namePrefix", "%q is too broad: a prefix names one platform's objects (e.g. \"eks:\")", prefix)
	}
}

// lintID checks the id of list[i] (required, unique among seen) and returns
// how errors name the entry: "rules[2] (argo-workflow)".
func lintID(add addFunc, seen map[string]bool, list string, i int, id string) string {
	where := fmt.Sprintf("%s[%d]", list, i)
	if id != "" {
		where = fmt.Sprintf("%s[%d] (%s)", list, i, id)
	}
	switch {
	case id == "":
		add(where+".id", "required")
	case seen[id]:
		add(where+".id", "duplicate id")
	}
	seen[id] = true
	return where
}

func lintController(add addFunc, v2 bool, i int, c Controller) {
	where := fmt.Sprintf("activation.controllers[%d]", i)
	if !v2 {
		add(where, "needs apiVersion %s", APIVersion)
	}
	if ns, name, ok := strings.Cut(c.ServiceAccount, "/"); !ok || ns == "" || name == "" || strings.Contains(name, "/") {
		add(where+".serviceAccount", "%q: want NAMESPACE/NAME", c.ServiceAccount)
	}
	if len(c.Needs) == 0 {
		add(where+".needs", "at least one need is required: a ServiceAccount's name alone does not show the controller")
	}
	for j, n := range c.Needs {
		nw := fmt.Sprintf("%s.needs[%d]", where, j)
		if len(n.Verbs) == 0 {
			add(nw+".verbs", "at least one verb is required")
		}
		if n.Resource == "" || n.Resource == "*" {
			add(nw+".resource", "%q: name the resource the controller works on", n.Resource)
		}
		if slices.Contains(n.Verbs, "*") {
			add(nw+".verbs", "\"*\": name the verbs the controller uses")
		}
	}
}

func lintRule(add addFunc, seen map[string]bool, i int, r Rule) {
	where := lintID(add, seen, "rules", i, r.ID)
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
	if err := risk.CheckTechniques(r.Techniques); err != nil {
		add(where+".techniques", "%v", err)
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

func lintExpectation(add addFunc, seen map[string]bool, i int, e Expectation) {
	where := lintID(add, seen, "expected", i, e.ID)
	if e.Platform == "" {
		add(where+".platform", "required (e.g. EKS, GKE, AKS)")
	}
	if e.Reason == "" {
		add(where+".reason", "required")
	}
	if !strings.HasPrefix(e.Reference, "https://") {
		add(where+".reference", "%q: want the https:// URL of the platform's documentation", e.Reference)
	}
	b := e.Binding
	switch b.Kind {
	case model.KindClusterRoleBinding:
		if b.Namespace != "" {
			add(where+".binding.namespace", "a ClusterRoleBinding has no namespace")
		}
	case model.KindRoleBinding:
		if b.Namespace == "" {
			add(where+".binding.namespace", "required for a RoleBinding")
		}
	default:
		add(where+".binding.kind", "%q: want ClusterRoleBinding or RoleBinding", b.Kind)
	}
	lintName(add, where+".binding", b.Name, b.NamePrefix)
	switch e.RoleRef.Kind {
	case model.KindClusterRole:
	case model.KindRole:
		if b.Kind == model.KindClusterRoleBinding {
			add(where+".roleRef.kind", "a ClusterRoleBinding can only reference a ClusterRole")
		}
	default:
		add(where+".roleRef.kind", "%q: want ClusterRole or Role", e.RoleRef.Kind)
	}
	lintName(add, where+".roleRef", e.RoleRef.Name, e.RoleRef.NamePrefix)
	if len(e.Subjects) == 0 {
		add(where+".subjects", "at least one subject is required")
	}
	for j, s := range e.Subjects {
		sw := fmt.Sprintf("%s.subjects[%d]", where, j)
		switch s.Kind {
		case rbacv1.UserKind, rbacv1.GroupKind:
			if s.Namespace != "" {
				add(sw+".namespace", "only for a ServiceAccount")
			}
		case rbacv1.ServiceAccountKind:
			if s.Namespace == "" {
				add(sw+".namespace", "required for a ServiceAccount")
			}
		default:
			add(sw+".kind", "%q: want User, Group or ServiceAccount", s.Kind)
		}
		lintName(add, sw, s.Name, s.NamePrefix)
	}
	lintRoleRules(add, where, e)
}

// lintRoleRules checks declared role content: each rule is one the
// apiserver would store (verbs, and resources or non-resource URLs), and a
// name prefix cannot carry it: content belongs to one role.
func lintRoleRules(add addFunc, where string, e Expectation) {
	if e.RoleRules == nil {
		return
	}
	if e.RoleRef.NamePrefix != "" {
		add(where+".roleRules", "declares one role's content: give roleRef.name, not a namePrefix")
	}
	for j, r := range e.RoleRules {
		rw := fmt.Sprintf("%s.roleRules[%d]", where, j)
		if len(r.Verbs) == 0 {
			add(rw+".verbs", "at least one verb is required")
		}
		switch {
		case len(r.NonResourceURLs) > 0 && (len(r.Resources) > 0 || len(r.APIGroups) > 0 || len(r.ResourceNames) > 0):
			add(rw+".nonResourceURLs", "a rule has resources or nonResourceURLs, not both")
		case len(r.NonResourceURLs) > 0 && e.RoleRef.Kind == model.KindRole:
			add(rw+".nonResourceURLs", "a Role cannot grant non-resource URLs")
		case len(r.NonResourceURLs) == 0 && (len(r.Resources) == 0 || len(r.APIGroups) == 0):
			add(rw+".resources", "apiGroups and resources are required (or nonResourceURLs)")
		}
	}
}
