package source

import (
	"context"
	"fmt"
	"net/url"
	"slices"
	"strings"

	rbacv1 "k8s.io/api/rbac/v1"

	"github.com/auth-paths/kubectl-auth-paths/pkg/model"
)

// A principal that may create Secrets but read back only some names
// (resourceNames) must give its token Secret one of those names; when a
// Secret of another type already holds every such name, the create fails.
// Live loads list only token and bootstrap-token Secrets, so the names RBAC
// rules allow to read are looked up one by one, metadata only, by name (a
// list with a metadata.name field selector): never a list of every Secret,
// whose annotations can carry data. A name not found stays absent. A name
// found becomes a Secret of type Opaque: a metadata-only read has no type,
// and the analysis distinguishes only token and bootstrap-token Secrets,
// which the type lists read in full, so any other type analyses the same;
// Opaque is also what a manifest without type reads as (the apiserver's
// default), so a dump of such a Secret reads back, and dumps again, as it
// was written.

// maxSecretNameLookups bounds the lookups of one load (rules with
// resourceNames bound cluster-wide are looked up in every namespace).
const maxSecretNameLookups = 200

// secretNameLookups returns the "namespace/name" of every Secret that a
// rule with resourceNames allows to read (get, list or watch), where the
// rule applies: a Role's namespace, a ClusterRole's RoleBinding namespaces,
// every namespace for a ClusterRoleBinding. Names already read (token and
// bootstrap Secrets) are left out. Sorted.
func secretNameLookups(inv *model.Inventory) []string {
	readsNames := func(rules []rbacv1.PolicyRule) []string {
		var names []string
		for _, r := range rules {
			if len(r.ResourceNames) == 0 || !anyOf(r.Verbs, "get", "list", "watch", "*") || !anyOf(r.APIGroups, "", "*") || !anyOf(r.Resources, "secrets", "*") {
				continue
			}
			names = append(names, r.ResourceNames...)
		}
		return names
	}
	clusterRoles := map[string][]string{}
	for _, r := range inv.ClusterRoles {
		clusterRoles[r.Name] = readsNames(r.Rules)
	}
	want := map[string]bool{}
	add := func(ns string, names []string) {
		for _, n := range names {
			want[ns+"/"+n] = true
		}
	}
	for _, r := range inv.Roles {
		add(r.Namespace, readsNames(r.Rules))
	}
	for _, b := range inv.RoleBindings {
		if b.RoleRef.Kind == model.KindClusterRole {
			add(b.Namespace, clusterRoles[b.RoleRef.Name])
		}
	}
	for _, b := range inv.ClusterRoleBindings {
		if names := clusterRoles[b.RoleRef.Name]; len(names) > 0 {
			for _, ns := range inv.Namespaces {
				add(ns.Name, names)
			}
		}
	}
	for _, s := range inv.Secrets {
		delete(want, s.Namespace+"/"+s.Name)
	}
	out := make([]string, 0, len(want))
	for k := range want {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

func anyOf(list []string, want ...string) bool {
	for _, w := range want {
		if slices.Contains(list, w) {
			return true
		}
	}
	return false
}

// lookUpSecretNames reads each name as a metadata-only list in its
// namespace with a metadata.name field selector (the apiserver authorizes it
// as a request for that name, so `list secrets` suffices, as for the type
// lists) and adds the Secrets found to the decoder's inventory. A failure is
// a warning: the analysis then assumes the name is free, as offline.
func (l *liveLoader) lookUpSecretNames(ctx context.Context, d *decoder) {
	keys := secretNameLookups(d.inv)
	if len(keys) > maxSecretNameLookups {
		d.inv.Warnings = append(d.inv.Warnings, fmt.Sprintf("secrets: %d names allowed by resourceNames rules, only the first %d looked up; the others are assumed free", len(keys), maxSecretNameLookups))
		keys = keys[:maxSecretNameLookups]
	}
	for _, k := range keys {
		ns, name, _ := strings.Cut(k, "/")
		path := "/api/v1/namespaces/" + url.PathEscape(ns) + "/secrets"
		res := l.client.Get().AbsPath(path).Param("fieldSelector", "metadata.name="+name).Param("limit", "1").
			SetHeader("Accept", acceptMetadataList).Do(ctx)
		raw, err := res.Raw()
		if err != nil {
			d.inv.Warnings = append(d.inv.Warnings, fmt.Sprintf("secrets %s (metadata, by name): %s: the name is assumed free", k, reasonFor(res.Error())))
			continue
		}
		if err := d.decodeSecretMetadataList(raw, "Opaque", model.Source{File: "live:" + path + "?fieldSelector=metadata.name=" + name}); err != nil {
			d.inv.Warnings = append(d.inv.Warnings, err.Error())
		}
	}
}
