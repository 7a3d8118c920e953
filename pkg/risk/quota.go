package risk

import (
	"fmt"
	"slices"
	"strings"

	"github.com/auth-paths/kubectl-auth-paths/graph"
	"github.com/auth-paths/kubectl-auth-paths/pkg/model"
	"github.com/auth-paths/kubectl-auth-paths/pkg/rbac"
)

// The object-creation finding: who may fill a namespace with objects (and
// etcd with them) where no ResourceQuota limits how many, as the RBAC good
// practices' "object creation denial-of-service" describes.

// FindingObjectCreationWithoutQuota is reported once per namespace.
const FindingObjectCreationWithoutQuota = "object-creation-without-quota"

const (
	refObjectCreationDoS = "https://kubernetes.io/docs/concepts/security/rbac-good-practices/#object-creation-dos"
	// labelBootstrapping marks the apiserver's own default roles and bindings.
	labelBootstrapping = "kubernetes.io/bootstrapping"
	// creatorsShown caps the identities named in one finding.
	creatorsShown = 5
)

// quotaResource is a namespaced resource whose objects a tenant creates
// directly and that an object-count quota can limit.
type quotaResource struct{ group, resource string }

func (r quotaResource) String() string {
	if r.group == "" {
		return r.resource
	}
	return r.resource + "." + r.group
}

// quotaResources are the kinds checked: the object counts the Resource Quotas
// page lists for the core group, and the workload controllers (each makes
// pods). A bit mask of this list is a set of them.
var quotaResources = []quotaResource{
	{"", "pods"}, {"", "configmaps"}, {"", "secrets"}, {"", "services"}, {"", "persistentvolumeclaims"}, {"", "replicationcontrollers"},
	{"apps", "deployments"}, {"apps", "replicasets"}, {"apps", "statefulsets"}, {"apps", "daemonsets"},
	{"batch", "jobs"}, {"batch", "cronjobs"},
}

type resourceMask uint32

func (m resourceMask) String() string {
	var names []string
	for i, r := range quotaResources {
		if m&(1<<i) != 0 {
			names = append(names, r.String())
		}
	}
	return strings.Join(names, ", ")
}

// legacyCountNames are spec.hard names that limit an object count without the
// count/ prefix.
var legacyCountNames = map[string]bool{
	"pods": true, "configmaps": true, "secrets": true, "services": true, "persistentvolumeclaims": true,
	"replicationcontrollers": true, "resourcequotas": true, "services.loadbalancers": true, "services.nodeports": true,
}

// limitsObjectCount: the quota bounds the number of some objects of every pod
// and every object (a scoped quota counts only the pods in its scopes).
func limitsObjectCount(q *model.ResourceQuota) bool {
	if len(q.Scopes) > 0 {
		return false
	}
	for _, h := range q.Hard {
		if legacyCountNames[h] || strings.HasPrefix(h, "count/") {
			return true
		}
	}
	return false
}

// objectCreationFindings reports each namespace where identities that are not
// cluster-admin can create objects of quotaResources and no ResourceQuota
// limits object counts. Grants of the apiserver's default bindings (label
// kubernetes.io/bootstrapping=rbac-defaults: its controllers, which create
// objects for whoever created their owners) are left out. The grants come
// from one pass over the bindings per resource; a namespace costs a merge of
// the cluster-wide creators with its own.
func (a *Analysis) objectCreationFindings(tree *graph.Tree) []Finding {
	for _, m := range a.Inv.Missing {
		if m.Resource == "resourcequotas" {
			return nil // unknown quotas prove nothing
		}
	}
	isAdmin := map[rbac.Subject]bool{}
	admin := func(s rbac.Subject) bool {
		v, ok := isAdmin[s]
		if !ok {
			n := a.Graph.Node(subjectNodeKey(s))
			v = n != nil && tree.Hops(n) == 0
			isAdmin[s] = v
		}
		return v
	}
	cluster := map[rbac.Subject]resourceMask{}
	byNS := map[string]map[rbac.Subject]resourceMask{}
	for i, r := range quotaResources {
		for g := range a.Eval.GrantsInEveryScope(rbac.Request{Verb: "create", APIGroup: r.group, Resource: r.resource}) {
			if g.Binding.Labels[labelBootstrapping] == "rbac-defaults" || admin(g.Subject()) {
				continue
			}
			if g.Binding.Kind == model.KindClusterRoleBinding {
				cluster[g.Subject()] |= 1 << i
				continue
			}
			m := byNS[g.Binding.Namespace]
			if m == nil {
				m = map[rbac.Subject]resourceMask{}
				byNS[g.Binding.Namespace] = m
			}
			m[g.Subject()] |= 1 << i
		}
	}
	if len(cluster) == 0 && len(byNS) == 0 {
		return nil
	}
	clusterSubjects, clusterMask := sortedSubjects(cluster)
	quotas := map[string][]*model.ResourceQuota{}
	for _, q := range a.Inv.ResourceQuotas {
		quotas[q.Namespace] = append(quotas[q.Namespace], q)
	}
	var out []Finding
	for _, ns := range a.namespaces {
		own := byNS[ns]
		if len(clusterSubjects) == 0 && len(own) == 0 {
			continue
		}
		if o := a.nsObjects[ns]; o != nil && o.Phase == "Terminating" {
			continue // nothing can be created in it any more
		}
		guarded := false
		for _, q := range quotas[ns] {
			if limitsObjectCount(q) {
				guarded = true
				break
			}
		}
		if guarded {
			continue
		}
		ownSubjects, ownMask := sortedSubjects(own)
		names, total := mergeSubjects(clusterSubjects, ownSubjects, cluster, creatorsShown)
		who := strings.Join(names, ", ")
		if total > len(names) {
			who += fmt.Sprintf(" (+%d more)", total-len(names))
		}
		identities := "1 identity that is"
		if total > 1 {
			identities = fmt.Sprintf("%d identities that are", total)
		}
		out = append(out, Finding{ID: FindingObjectCreationWithoutQuota, Object: "Namespace " + ns,
			Message: fmt.Sprintf("%s not cluster-admin can create %s here, and %s: %s. A ResourceQuota with pods and count/<resource> limits bounds how many objects can be made",
				identities, clusterMask|ownMask, quotaState(quotas[ns]), who),
			Reference: refObjectCreationDoS})
	}
	return out
}

// quotaState says why the namespace's quotas (if any) do not limit object counts.
func quotaState(qs []*model.ResourceQuota) string {
	if len(qs) == 0 {
		return "it has no ResourceQuota"
	}
	parts := make([]string, len(qs))
	for i, q := range qs {
		what := strings.Join(q.Hard, ", ")
		if len(q.Scopes) > 0 {
			what += ", only for pods in scope " + strings.Join(q.Scopes, ", ")
		}
		parts[i] = q.Name + ": " + what
	}
	return "no ResourceQuota limits object counts (" + strings.Join(parts, "; ") + ")"
}

// sortedSubjects returns the subjects of m, sorted, and the union of their masks.
func sortedSubjects(m map[rbac.Subject]resourceMask) ([]rbac.Subject, resourceMask) {
	out := make([]rbac.Subject, 0, len(m))
	var mask resourceMask
	for s, sm := range m {
		out = append(out, s)
		mask |= sm
	}
	slices.SortFunc(out, func(x, y rbac.Subject) int {
		switch {
		case x.Less(y):
			return -1
		case y.Less(x):
			return 1
		}
		return 0
	})
	return out, mask
}

// mergeSubjects returns the first max names of the sorted union of two sorted
// subject lists, and the size of the union (in holds the first list's members).
func mergeSubjects(first, second []rbac.Subject, in map[rbac.Subject]resourceMask, max int) ([]string, int) {
	total := len(first)
	for _, s := range second {
		if _, dup := in[s]; !dup {
			total++
		}
	}
	var names []string
	i, j := 0, 0
	for len(names) < max && (i < len(first) || j < len(second)) {
		switch {
		case j == len(second) || (i < len(first) && first[i].Less(second[j])):
			names = append(names, first[i].String())
			i++
		case i == len(first) || second[j].Less(first[i]):
			names = append(names, second[j].String())
			j++
		default: // the same subject in both
			names = append(names, first[i].String())
			i++
			j++
		}
	}
	return names, total
}
