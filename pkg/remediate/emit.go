package remediate

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"

	rbacv1 "k8s.io/api/rbac/v1"
	"sigs.k8s.io/yaml"

	"github.com/auth-paths/kubectl-auth-paths/pkg/model"
)

// Object is the change's object as `kubectl apply` takes it: the input's
// labels, annotations (without kubectl's last-applied copy) and
// resourceVersion, so that apply refuses an object changed since it was read.
func (c *Change) Object() map[string]any {
	meta := map[string]any{"name": c.Name}
	if c.Namespace != "" {
		meta["namespace"] = c.Namespace
	}
	if len(c.meta.Labels) > 0 {
		meta["labels"] = c.meta.Labels
	}
	if ann := c.annotations(); len(ann) > 0 {
		meta["annotations"] = ann
	}
	if c.meta.ResourceVersion != "" {
		meta["resourceVersion"] = c.meta.ResourceVersion
	}
	obj := map[string]any{"apiVersion": rbacv1.SchemeGroupVersion.String(), "kind": c.Kind, "metadata": meta}
	switch c.Kind {
	case model.KindClusterRole, model.KindRole:
		obj["rules"] = c.afterRules
		if c.aggregation != nil {
			obj["aggregationRule"] = c.aggregation
		}
	default:
		obj["roleRef"] = c.roleRef
		obj["subjects"] = c.afterSubjects
	}
	return obj
}

// Patch is the RFC 6902 JSON patch of an update: a test of the list as the
// input has it (the patch fails on an object changed since), then its
// replacement. Nil for a delete.
func (c *Change) Patch() []map[string]any {
	if c.Action == "delete" {
		return nil
	}
	if c.Kind == model.KindClusterRole || c.Kind == model.KindRole {
		return []map[string]any{{"op": "test", "path": "/rules", "value": c.beforeRules}, {"op": "replace", "path": "/rules", "value": c.afterRules}}
	}
	return []map[string]any{{"op": "test", "path": "/subjects", "value": c.beforeSubjects}, {"op": "replace", "path": "/subjects", "value": c.afterSubjects}}
}

// resourceArg is kubectl's name of the object: "clusterrole/x -n ns".
func (c *Change) resourceArg() string {
	s := strings.ToLower(c.Kind) + "/" + c.Name
	if c.Namespace != "" {
		s += " -n " + c.Namespace
	}
	return s
}

// WriteYAML writes the updated objects for `kubectl apply -f`; deletions
// (apply cannot delete) are comments with their kubectl command.
func WriteYAML(w io.Writer, r *Result) error {
	for _, c := range r.Changes {
		fmt.Fprintf(w, "# %s: %s\n", c.resourceArg(), strings.Join(c.Why, "; "))
		if c.Action == "delete" {
			fmt.Fprintf(w, "# apply cannot delete: kubectl delete %s\n", c.resourceArg())
			continue
		}
		data, err := yaml.Marshal(c.Object())
		if err != nil {
			return err
		}
		fmt.Fprintf(w, "---\n%s", data)
	}
	return nil
}

// PatchDoc is one object's patch in `-o patch`.
type PatchDoc struct {
	Action    string           `json:"action"`
	Kind      string           `json:"kind"`
	Namespace string           `json:"namespace,omitempty"`
	Name      string           `json:"name"`
	Patch     []map[string]any `json:"patch,omitempty"`
}

// Patches are the JSON patches of every change.
func Patches(r *Result) []PatchDoc {
	out := []PatchDoc{}
	for _, c := range r.Changes {
		out = append(out, PatchDoc{Action: c.Action, Kind: c.Kind, Namespace: c.Namespace, Name: c.Name, Patch: c.Patch()})
	}
	return out
}

// WriteKubectl writes the change as kubectl commands: `kubectl patch
// --type=json` (its test operation refuses an object changed since the
// input was read) and `kubectl delete`.
func WriteKubectl(w io.Writer, r *Result) error {
	for _, c := range r.Changes {
		fmt.Fprintf(w, "# %s\n", strings.Join(c.Why, "; "))
		if c.Action == "delete" {
			fmt.Fprintf(w, "kubectl delete %s\n", c.resourceArg())
			continue
		}
		data, err := json.Marshal(c.Patch())
		if err != nil {
			return err
		}
		fmt.Fprintf(w, "kubectl patch %s --type=json -p %s\n", c.resourceArg(), shellQuote(string(data)))
	}
	return nil
}

// shellQuote quotes for a POSIX shell.
func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
