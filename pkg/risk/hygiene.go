package risk

import (
	"fmt"
	"sort"
	"strings"
	"time"

	rbacv1 "k8s.io/api/rbac/v1"

	"github.com/auth-paths/kubectl-auth-paths/graph"
	"github.com/auth-paths/kubectl-auth-paths/pkg/model"
	"github.com/auth-paths/kubectl-auth-paths/pkg/rbac"
)

// Finding is a credential-hygiene problem: not a path, but something that
// makes paths cheaper to start or could become one.
type Finding struct {
	ID        string `json:"id"`
	Object    string `json:"object"`
	Message   string `json:"message"`
	Reference string `json:"reference"`
	// Expected is set when the finding is about a declared platform default.
	Expected *Expected `json:"expected,omitempty"`
}

// Finding IDs.
const (
	FindingAdminTokenMounted      = "admin-token-automounted"
	FindingMountableSecrets       = "legacy-token-without-enforce-mountable-secrets"
	FindingUnusedLegacyToken      = "unused-legacy-token"
	FindingDanglingRole           = "binding-to-missing-role"
	FindingDanglingServiceAccount = "binding-to-missing-serviceaccount"
	FindingGroupNeverSeen         = "group-never-seen"
)

// FindingIDs returns every finding ID, sorted.
func FindingIDs() []string {
	return []string{FindingAdminTokenMounted, FindingDanglingRole, FindingDanglingServiceAccount, FindingGroupNeverSeen,
		FindingMountableSecrets, FindingObjectCreationWithoutQuota, FindingUnusedLegacyToken}
}

const (
	refSATokens                = "https://kubernetes.io/docs/concepts/security/service-accounts/"
	refLegacyTokens            = "https://kubernetes.io/docs/reference/access-authn-authz/service-accounts-admin/#legacy-serviceaccount-token-cleaner"
	refRBACGood                = "https://kubernetes.io/docs/concepts/security/rbac-good-practices/"
	annotationEnforceMountable = "kubernetes.io/enforce-mountable-secrets"
)

// unusedAfter is how long a legacy token may go unused before it is flagged,
// the default of the apiserver's LegacyServiceAccountTokenCleanUp (one year).
const unusedAfter = 365 * 24 * time.Hour

// Findings returns the hygiene findings, sorted by ID and object. now decides
// how old a last use is.
func (a *Analysis) Findings(now time.Time) []Finding {
	var out []Finding
	tree := a.Graph.ShortestTo(a.Sink())
	// Admin-capable ServiceAccounts whose token sits in running pods.
	for _, sa := range a.Inv.ServiceAccounts {
		n := a.Graph.Node(saKey(sa.Namespace, sa.Name))
		if n == nil || tree.Hops(n) != 0 {
			continue
		}
		for _, p := range a.podsRunningAs(sa.Namespace, sa.Name) {
			if running, _ := podRunning(p); running && a.tokenMounted(p) {
				out = append(out, Finding{ID: FindingAdminTokenMounted, Object: "Pod " + p.Namespace + "/" + p.Name,
					Message:   fmt.Sprintf("runs as ServiceAccount %s, which is cluster-admin, with its token mounted: compromise of the pod is compromise of the cluster; set automountServiceAccountToken: false where the API is not needed, or narrow the SA's bindings", sa.Name),
					Reference: refSATokens})
			}
		}
	}
	// Legacy token Secrets.
	for _, s := range a.Inv.Secrets {
		if s.Type != model.SecretTypeServiceAccountToken {
			continue
		}
		saName := s.Annotations[model.AnnotationServiceAccountName]
		sa := a.saByKey[s.Namespace+"/"+saName]
		if sa != nil && sa.Annotations[annotationEnforceMountable] != "true" {
			out = append(out, Finding{ID: FindingMountableSecrets, Object: "ServiceAccount " + sa.Namespace + "/" + sa.Name,
				Message:   fmt.Sprintf("has the legacy token Secret %s but not the %s=\"true\" annotation, so pods of the namespace may mount Secrets it does not list", s.Name, annotationEnforceMountable),
				Reference: refSATokens})
		}
		if msg, unused := legacyTokenUnused(s, now); unused {
			out = append(out, Finding{ID: FindingUnusedLegacyToken, Object: "Secret " + s.Namespace + "/" + s.Name, Message: msg, Reference: refLegacyTokens})
		}
	}
	// Bindings to missing roles and missing ServiceAccounts: they become live
	// when someone creates that name.
	out = append(out, a.danglingBindings()...)
	out = append(out, a.groupsNeverSeen()...)
	out = append(out, a.objectCreationFindings(tree)...)
	a.LabelExpectedFindings(out, a.Opts.Expected)
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].ID != out[j].ID {
			return out[i].ID < out[j].ID
		}
		return out[i].Object < out[j].Object
	})
	return out
}

func legacyTokenUnused(s *model.Secret, now time.Time) (string, bool) {
	last, ok := s.Labels[labelLegacyTokenLastUsed]
	if ok {
		t, err := time.Parse("2006-01-02", last)
		if err == nil && now.Sub(t) > unusedAfter {
			return fmt.Sprintf("legacy token last used %s, more than a year ago: delete it (the apiserver's legacy token cleaner would)", last), true
		}
		return "", false
	}
	created, err := time.Parse(time.RFC3339, s.CreationTimestamp)
	if err == nil && now.Sub(created) > unusedAfter {
		return fmt.Sprintf("legacy token created %s with no recorded use (%s absent): delete it or move its users to bound tokens", s.CreationTimestamp, labelLegacyTokenLastUsed), true
	}
	return "", false
}

// roleResource names the live list of each role kind, as Inventory.Missing does.
var roleResource = map[string]string{
	model.KindClusterRole: "clusterroles.rbac.authorization.k8s.io",
	model.KindRole:        "roles.rbac.authorization.k8s.io",
}

// listed is false when a live load could not read resource in namespace ns
// ("" for cluster-scoped kinds): absence from the input then proves nothing.
func (a *Analysis) listed(resource, ns string) bool {
	for _, m := range a.Inv.Missing {
		if m.Resource == resource && (m.ReadInNamespace == "" || m.ReadInNamespace != ns) {
			return false
		}
	}
	return true
}

func (a *Analysis) danglingBindings() []Finding {
	var out []Finding
	roles := map[string]bool{}
	for _, r := range a.Inv.ClusterRoles {
		roles["ClusterRole/"+r.Name] = true
	}
	for _, r := range a.Inv.Roles {
		roles["Role/"+r.Namespace+"/"+r.Name] = true
	}
	nsWithSAs := map[string]bool{}
	for _, sa := range a.Inv.ServiceAccounts {
		nsWithSAs[sa.Namespace] = true
	}
	check := func(b *model.Binding) {
		key := "ClusterRole/" + b.RoleRef.Name
		if b.RoleRef.Kind == model.KindRole {
			key = "Role/" + b.Namespace + "/" + b.RoleRef.Name
		}
		if !roles[key] && a.listed(roleResource[b.RoleRef.Kind], b.Namespace) {
			out = append(out, Finding{ID: FindingDanglingRole, Object: b.ID(),
				Message:   fmt.Sprintf("references %s %q, which does not exist: it grants nothing today, and everything that role will hold once someone creates it", b.RoleRef.Kind, b.RoleRef.Name),
				Reference: refRBACGood})
		}
		for _, s := range b.Subjects {
			c := rbac.CanonicalSubject(s, b.Namespace)
			if c.Kind != rbacv1.ServiceAccountKind || !nsWithSAs[c.Namespace] {
				// Without any ServiceAccount of that namespace in the input, absence proves nothing.
				continue
			}
			if a.saByKey[c.Namespace+"/"+c.Name] == nil {
				out = append(out, Finding{ID: FindingDanglingServiceAccount, Object: b.ID(),
					Message:   fmt.Sprintf("binds ServiceAccount %s/%s, which does not exist: whoever may create ServiceAccounts in %s can take over its permissions", c.Namespace, c.Name, c.Namespace),
					Reference: refRBACGood})
			}
		}
	}
	for _, list := range [][]*model.Binding{a.Inv.ClusterRoleBindings, a.Inv.RoleBindings} {
		for _, b := range list {
			if !a.Dropped(b) {
				check(b)
			}
		}
	}
	return out
}

// groupsNeverSeen: with --groups, bindings to groups that no user of the file
// is in and that no authenticator of Kubernetes itself produces.
func (a *Analysis) groupsNeverSeen() []Finding {
	if len(a.Opts.Groups) == 0 {
		return nil
	}
	known := map[string]bool{}
	for _, gs := range a.Opts.Groups {
		for _, g := range gs {
			known[g] = true
		}
	}
	var out []Finding
	seen := map[string]bool{}
	for _, list := range [][]*model.Binding{a.Inv.ClusterRoleBindings, a.Inv.RoleBindings} {
		for _, b := range list {
			if a.Dropped(b) {
				continue
			}
			for _, s := range b.Subjects {
				if s.Kind != rbacv1.GroupKind || known[s.Name] || strings.HasPrefix(s.Name, "system:") {
					continue
				}
				k := b.ID() + "/" + s.Name
				if seen[k] {
					continue
				}
				seen[k] = true
				out = append(out, Finding{ID: FindingGroupNeverSeen, Object: b.ID(),
					Message:   fmt.Sprintf("binds Group %q, which no user of the --groups file is in: a typo or a stale identity-provider group, live again if someone creates it", s.Name),
					Reference: refRBACGood})
			}
		}
	}
	return out
}

// AddEntries sets every path's entry points and ranks the paths: most
// exposed entry first, then fewest hops.
func (a *Analysis) AddEntries(paths []Path) {
	for i := range paths {
		p := &paths[i]
		n := a.Graph.Node(subjectKeyOf(p.Subject))
		if n == nil {
			continue
		}
		p.Entries = a.Entries(n)
		if len(p.Entries) > 0 {
			p.Exposure = p.Entries[0].Kind
		}
	}
	sort.SliceStable(paths, func(i, j int) bool {
		ei, ej := Exposure(paths[i].Entries), Exposure(paths[j].Entries)
		if ei != ej {
			return ei < ej
		}
		return paths[i].Hops < paths[j].Hops
	})
}

func subjectKeyOf(s SubjectRef) string {
	switch graph.NodeKind(s.Kind) {
	case graph.KindServiceAccount:
		return saKey(s.Namespace, s.Name)
	case graph.KindGroup:
		return groupKey(s.Name)
	case graph.KindNode:
		return nodeKey(s.Name)
	}
	return userKey(s.Name)
}
