package review

import (
	"fmt"
	"os"
	"sort"
	"strings"

	"sigs.k8s.io/yaml"

	"github.com/auth-paths/kubectl-auth-paths/pkg/model"
)

// Bindings indexes the inventory's bindings by ID (`ClusterRoleBinding/name`,
// `RoleBinding/ns/name`), the IDs found in Edge.Bindings and Step.Bindings.
func Bindings(inv *model.Inventory) map[string]*model.Binding {
	out := make(map[string]*model.Binding, len(inv.ClusterRoleBindings)+len(inv.RoleBindings))
	for _, b := range inv.ClusterRoleBindings {
		out[b.ID()] = b
	}
	for _, b := range inv.RoleBindings {
		out[b.ID()] = b
	}
	return out
}

// WithoutBindings returns a shallow copy of inv without the bindings named by
// ids, as if they had been deleted. An ID that names no binding is an error
// (a typo would otherwise simulate nothing).
func WithoutBindings(inv *model.Inventory, ids []string) (*model.Inventory, error) {
	if len(ids) == 0 {
		return inv, nil
	}
	idx := Bindings(inv)
	drop := map[string]bool{}
	var unknown []string
	for _, id := range ids {
		if idx[id] == nil {
			unknown = append(unknown, id)
			continue
		}
		drop[id] = true
	}
	if len(unknown) > 0 {
		return nil, fmt.Errorf("--simulate-remove: no such binding in the input: %s (IDs are ClusterRoleBinding/NAME or RoleBinding/NAMESPACE/NAME)", strings.Join(unknown, ", "))
	}
	return withoutBindingSet(inv, drop), nil
}

func withoutBindingSet(inv *model.Inventory, drop map[string]bool) *model.Inventory {
	out := *inv
	out.ClusterRoleBindings = filterBindings(inv.ClusterRoleBindings, drop)
	out.RoleBindings = filterBindings(inv.RoleBindings, drop)
	return &out
}

func filterBindings(in []*model.Binding, drop map[string]bool) []*model.Binding {
	out := make([]*model.Binding, 0, len(in))
	for _, b := range in {
		if !drop[b.ID()] {
			out = append(out, b)
		}
	}
	return out
}

// LoadGroups reads a YAML (or JSON) map of user name → groups, as an
// identity provider asserts them:
//
//	alice: [platform-oncall, developers]
//	bob:   [developers]
func LoadGroups(file string) (map[string][]string, error) {
	raw, err := os.ReadFile(file)
	if err != nil {
		return nil, fmt.Errorf("--groups: %w", err)
	}
	return ParseGroups(file, raw)
}

// ParseGroups parses the content of a --groups file; file names it in errors.
func ParseGroups(file string, raw []byte) (map[string][]string, error) {
	var generic any
	if err := yaml.Unmarshal(raw, &generic); err != nil {
		return nil, fmt.Errorf("groups file %s: not valid YAML: %v", file, err)
	}
	if generic == nil {
		return map[string][]string{}, nil
	}
	top, ok := generic.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("groups file %s: want a map of user name to a list of groups (alice: [dev, ops]), got %s", file, kindOf(generic))
	}
	users := make([]string, 0, len(top))
	for u := range top {
		users = append(users, u)
	}
	sort.Strings(users)
	out := make(map[string][]string, len(top))
	for _, u := range users {
		if strings.TrimSpace(u) == "" {
			return nil, fmt.Errorf("groups file %s: empty user name", file)
		}
		v := top[u]
		list, ok := v.([]any)
		if !ok && v != nil {
			return nil, fmt.Errorf("groups file %s: user %q: want a list of group names, got %s", file, u, kindOf(v))
		}
		groups := []string{}
		for i, g := range list {
			s, ok := g.(string)
			if !ok || strings.TrimSpace(s) == "" {
				return nil, fmt.Errorf("groups file %s: user %q: group %d: want a non-empty group name, got %s", file, u, i+1, kindOf(g))
			}
			groups = append(groups, s)
		}
		out[u] = groups
	}
	return out, nil
}

func kindOf(v any) string {
	switch x := v.(type) {
	case nil:
		return "nothing"
	case map[string]any:
		return "a map"
	case []any:
		return "a list"
	case string:
		return fmt.Sprintf("the string %q", x)
	case float64, int64, int:
		return fmt.Sprintf("the number %v", x)
	case bool:
		return fmt.Sprintf("%v", x)
	}
	return fmt.Sprintf("%T", v)
}
