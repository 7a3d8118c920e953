package rules

import (
	"fmt"
	"sort"
	"strings"

	"github.com/auth-paths/kubectl-auth-paths/pkg/source"
)

// LiveObjects are the ConfigMaps the packs activate on by exact name
// (kube-system/aws-auth), for a live load to read by name. Each says what is
// lost when it cannot be read: the packs that then do not activate on it.
func LiveObjects(packs []*Pack) []source.NamedObject {
	users := map[string][]string{}
	for _, p := range packs {
		for _, o := range p.Activation.Objects {
			if o.Kind != "ConfigMap" || o.Name == "" || o.Namespace == "" {
				continue
			}
			k := o.Namespace + "/" + o.Name
			users[k] = append(users[k], p.Metadata.Name)
		}
	}
	keys := make([]string, 0, len(users))
	for k := range users {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := make([]source.NamedObject, 0, len(keys))
	for _, k := range keys {
		ns, name, _ := strings.Cut(k, "/")
		out = append(out, source.NamedObject{Namespace: ns, Name: name,
			Impact: fmt.Sprintf("rule pack %s does not activate on it: its rules are not evaluated", strings.Join(users[k], ", "))})
	}
	return out
}
