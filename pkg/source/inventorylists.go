package source

import (
	"sort"

	"github.com/auth-paths/kubectl-auth-paths/pkg/model"
)

// model.Inventory keeps one typed list per model type, and some lists hold
// several kinds (Workloads: seven controllers; WebhookConfigurations: both
// webhook kinds; AdmissionPolicies: policies and their bindings). What is
// done to a list — merge the lists of several live reads, sort it, drop an
// earlier copy of an object read again, count a kind in it, write it to a
// dump — is the same for every list but for its type, so it is written once
// (listOf) and each list is described once here; a kind names its list in
// its descriptor (descriptor.go).

// inventoryList is what the loader does to one list of model.Inventory.
type inventoryList struct {
	// merge appends src's list to dst's (the caller sorts).
	merge func(dst, src *model.Inventory)
	// sort orders the list by kind, namespace and name, stably.
	sort func(inv *model.Inventory)
	// dropFirst removes, for each key "kind/namespace/name" of drops, the
	// first drops[key] objects of that key (duplicates.go).
	dropFirst func(inv *model.Inventory, drops map[string]int)
	// length is the number of objects in the list.
	length func(inv *model.Inventory) int
	// count is the number of objects of a kind in the list.
	count func(inv *model.Inventory, kind string) int
	// dump writes the list's objects, in order, as dump items.
	dump func(inv *model.Inventory, add func(item any))
}

// listOf describes one list: get is the list's field, key an object's kind,
// namespace and name (the sort order, and what identifies a duplicate), and
// encode its dump item.
func listOf[T any](get func(*model.Inventory) *[]*T, key func(*T) (kind, namespace, name string), encode func(*T) any) inventoryList {
	return inventoryList{
		merge: func(dst, src *model.Inventory) {
			l := get(dst)
			*l = append(*l, *get(src)...)
		},
		sort: func(inv *model.Inventory) { byKey(*get(inv), key) },
		dropFirst: func(inv *model.Inventory, drops map[string]int) {
			l := get(inv)
			dropped := map[string]int{}
			*l = drop(*l, func(o *T) bool {
				k, ns, n := key(o)
				id := k + "/" + ns + "/" + n
				if dropped[id] < drops[id] {
					dropped[id]++
					return true
				}
				return false
			})
		},
		length: func(inv *model.Inventory) int { return len(*get(inv)) },
		count: func(inv *model.Inventory, kind string) int {
			c := 0
			for _, o := range *get(inv) {
				if k, _, _ := key(o); k == kind {
					c++
				}
			}
			return c
		},
		dump: func(inv *model.Inventory, add func(any)) {
			for _, o := range *get(inv) {
				add(encode(o))
			}
		},
	}
}

// listID names a list of model.Inventory. A descriptor refers to its list by
// ID rather than by pointer: the lists' dump encoders read the descriptors
// (a workload's API group), and Go refuses package variables that refer to
// each other. The constants are in the order a dump writes the lists.
type listID int

const (
	namespaceList listID = iota
	clusterRoleList
	clusterRoleBindingList
	roleList
	roleBindingList
	serviceAccountList
	secretList
	podList
	workloadList
	nodeList
	persistentVolumeList
	persistentVolumeClaimList
	webhookList
	admissionPolicyList
	enginePolicyList
	csrList
	resourceQuotaList
	otherList
	numLists
)

// The keys of lists of one cluster-scoped kind leave the namespace empty,
// and the kind of a list of one kind is that kind: the sort order is the
// name's, and a duplicate is the same name.

// inventoryLists are every list of model.Inventory, by ID (in dump order).
// Engine policies and other objects are decoded by their own paths
// (admission.go, decodeObject) but are merged, sorted and dumped like the rest.
var inventoryLists = [numLists]inventoryList{
	namespaceList: listOf(func(inv *model.Inventory) *[]*model.Namespace { return &inv.Namespaces },
		func(o *model.Namespace) (string, string, string) { return "Namespace", "", o.Name }, encodeNamespace),
	clusterRoleList: listOf(func(inv *model.Inventory) *[]*model.ClusterRole { return &inv.ClusterRoles },
		func(o *model.ClusterRole) (string, string, string) { return model.KindClusterRole, "", o.Name }, encodeClusterRole),
	clusterRoleBindingList: listOf(func(inv *model.Inventory) *[]*model.Binding { return &inv.ClusterRoleBindings },
		func(o *model.Binding) (string, string, string) { return model.KindClusterRoleBinding, "", o.Name }, encodeClusterRoleBinding),
	roleList: listOf(func(inv *model.Inventory) *[]*model.Role { return &inv.Roles },
		func(o *model.Role) (string, string, string) { return model.KindRole, o.Namespace, o.Name }, encodeRole),
	roleBindingList: listOf(func(inv *model.Inventory) *[]*model.Binding { return &inv.RoleBindings },
		func(o *model.Binding) (string, string, string) { return model.KindRoleBinding, o.Namespace, o.Name }, encodeRoleBinding),
	serviceAccountList: listOf(func(inv *model.Inventory) *[]*model.ServiceAccount { return &inv.ServiceAccounts },
		func(o *model.ServiceAccount) (string, string, string) { return "ServiceAccount", o.Namespace, o.Name }, encodeServiceAccount),
	secretList: listOf(func(inv *model.Inventory) *[]*model.Secret { return &inv.Secrets },
		func(o *model.Secret) (string, string, string) { return "Secret", o.Namespace, o.Name }, encodeSecret),
	podList: listOf(func(inv *model.Inventory) *[]*model.Pod { return &inv.Pods },
		func(o *model.Pod) (string, string, string) { return "Pod", o.Namespace, o.Name }, encodePod),
	workloadList: listOf(func(inv *model.Inventory) *[]*model.Workload { return &inv.Workloads },
		func(o *model.Workload) (string, string, string) { return o.Kind, o.Namespace, o.Name }, encodeWorkload),
	nodeList: listOf(func(inv *model.Inventory) *[]*model.Node { return &inv.Nodes },
		func(o *model.Node) (string, string, string) { return "Node", "", o.Name }, encodeNode),
	persistentVolumeList: listOf(func(inv *model.Inventory) *[]*model.PersistentVolume { return &inv.PersistentVolumes },
		func(o *model.PersistentVolume) (string, string, string) { return "PersistentVolume", "", o.Name }, encodePV),
	persistentVolumeClaimList: listOf(func(inv *model.Inventory) *[]*model.PersistentVolumeClaim { return &inv.PersistentVolumeClaims },
		func(o *model.PersistentVolumeClaim) (string, string, string) {
			return "PersistentVolumeClaim", o.Namespace, o.Name
		}, encodePVC),
	webhookList: listOf(func(inv *model.Inventory) *[]*model.WebhookConfiguration { return &inv.WebhookConfigurations },
		func(o *model.WebhookConfiguration) (string, string, string) { return o.Kind, "", o.Name }, encodeWebhookConfig),
	admissionPolicyList: listOf(func(inv *model.Inventory) *[]*model.AdmissionPolicy { return &inv.AdmissionPolicies },
		func(o *model.AdmissionPolicy) (string, string, string) { return o.Kind, "", o.Name }, encodeAdmissionPolicy),
	// The kind of an engine policy or another object is its apiVersion and
	// kind: kinds of several groups share the lists.
	enginePolicyList: listOf(func(inv *model.Inventory) *[]*model.EnginePolicy { return &inv.EnginePolicies },
		func(o *model.EnginePolicy) (string, string, string) {
			return o.APIVersion + "/" + o.Kind, o.Namespace, o.Name
		}, encodeEnginePolicy),
	csrList: listOf(func(inv *model.Inventory) *[]*model.CertificateSigningRequest { return &inv.CSRs },
		func(o *model.CertificateSigningRequest) (string, string, string) {
			return "CertificateSigningRequest", "", o.Name
		}, encodeCSR),
	resourceQuotaList: listOf(func(inv *model.Inventory) *[]*model.ResourceQuota { return &inv.ResourceQuotas },
		func(o *model.ResourceQuota) (string, string, string) { return "ResourceQuota", o.Namespace, o.Name }, encodeResourceQuota),
	otherList: listOf(func(inv *model.Inventory) *[]*model.Object { return &inv.Others },
		func(o *model.Object) (string, string, string) {
			return o.APIVersion + "/" + o.Kind, o.Namespace, o.Name
		}, encodeOther),
}

// mergeInventory appends src's objects to dst (the caller sorts).
func mergeInventory(dst, src *model.Inventory) {
	for _, l := range inventoryLists {
		l.merge(dst, src)
	}
	for k, v := range src.Skipped {
		dst.Skipped[k] += v
	}
	dst.Warnings = append(dst.Warnings, src.Warnings...)
	dst.Missing = append(dst.Missing, src.Missing...)
}

// sortInventory orders every list by kind, namespace and name, so that results
// do not depend on input order.
func sortInventory(inv *model.Inventory) {
	for _, l := range inventoryLists {
		l.sort(inv)
	}
}

func drop[T any](list []T, match func(T) bool) []T {
	out := list[:0]
	for _, x := range list {
		if !match(x) {
			out = append(out, x)
		}
	}
	return out
}

func byKey[T any](list []T, key func(T) (string, string, string)) {
	sort.SliceStable(list, func(i, j int) bool {
		a1, a2, a3 := key(list[i])
		b1, b2, b3 := key(list[j])
		if a1 != b1 {
			return a1 < b1
		}
		if a2 != b2 {
			return a2 < b2
		}
		return a3 < b3
	})
}
