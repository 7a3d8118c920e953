package source

import (
	"sort"

	"github.com/auth-paths/kubectl-auth-paths/pkg/model"
)

// removeDuplicate drops an earlier copy of an object read again (the later wins,
// as with kubectl apply).
func (d *decoder) removeDuplicate(kind string, m model.Meta) {
	inv := d.inv
	same := func(o model.Meta) bool { return o.Namespace == m.Namespace && o.Name == m.Name }
	switch kind {
	case "ClusterRole":
		inv.ClusterRoles = drop(inv.ClusterRoles, func(o *model.ClusterRole) bool { return same(o.Meta) })
	case "Role":
		inv.Roles = drop(inv.Roles, func(o *model.Role) bool { return same(o.Meta) })
	case "ClusterRoleBinding":
		inv.ClusterRoleBindings = drop(inv.ClusterRoleBindings, func(o *model.Binding) bool { return same(o.Meta) })
	case "RoleBinding":
		inv.RoleBindings = drop(inv.RoleBindings, func(o *model.Binding) bool { return same(o.Meta) })
	case "ServiceAccount":
		inv.ServiceAccounts = drop(inv.ServiceAccounts, func(o *model.ServiceAccount) bool { return same(o.Meta) })
	case "Namespace":
		inv.Namespaces = drop(inv.Namespaces, func(o *model.Namespace) bool { return same(o.Meta) })
	case "Secret":
		inv.Secrets = drop(inv.Secrets, func(o *model.Secret) bool { return same(o.Meta) })
	case "Pod":
		inv.Pods = drop(inv.Pods, func(o *model.Pod) bool { return same(o.Meta) })
	case "Node":
		inv.Nodes = drop(inv.Nodes, func(o *model.Node) bool { return same(o.Meta) })
	case "PersistentVolume":
		inv.PersistentVolumes = drop(inv.PersistentVolumes, func(o *model.PersistentVolume) bool { return same(o.Meta) })
	case "PersistentVolumeClaim":
		inv.PersistentVolumeClaims = drop(inv.PersistentVolumeClaims, func(o *model.PersistentVolumeClaim) bool { return same(o.Meta) })
	case "MutatingWebhookConfiguration", "ValidatingWebhookConfiguration":
		inv.WebhookConfigurations = drop(inv.WebhookConfigurations, func(o *model.WebhookConfiguration) bool { return o.Kind == kind && same(o.Meta) })
	case "ValidatingAdmissionPolicy", "ValidatingAdmissionPolicyBinding":
		inv.AdmissionPolicies = drop(inv.AdmissionPolicies, func(o *model.AdmissionPolicy) bool { return o.Kind == kind && same(o.Meta) })
	case "CertificateSigningRequest":
		inv.CSRs = drop(inv.CSRs, func(o *model.CertificateSigningRequest) bool { return same(o.Meta) })
	case "ResourceQuota":
		inv.ResourceQuotas = drop(inv.ResourceQuotas, func(o *model.ResourceQuota) bool { return same(o.Meta) })
	default:
		inv.Workloads = drop(inv.Workloads, func(o *model.Workload) bool { return o.Kind == kind && same(o.Meta) })
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

func byMeta[T any](list []T, meta func(T) (string, string, string)) {
	sort.SliceStable(list, func(i, j int) bool {
		a1, a2, a3 := meta(list[i])
		b1, b2, b3 := meta(list[j])
		if a1 != b1 {
			return a1 < b1
		}
		if a2 != b2 {
			return a2 < b2
		}
		return a3 < b3
	})
}

// sortInventory orders every list by kind, namespace and name, so that results
// do not depend on input order.
func sortInventory(inv *model.Inventory) {
	byMeta(inv.ClusterRoles, func(o *model.ClusterRole) (string, string, string) { return "", "", o.Name })
	byMeta(inv.Roles, func(o *model.Role) (string, string, string) { return "", o.Namespace, o.Name })
	byMeta(inv.ClusterRoleBindings, func(o *model.Binding) (string, string, string) { return "", "", o.Name })
	byMeta(inv.RoleBindings, func(o *model.Binding) (string, string, string) { return "", o.Namespace, o.Name })
	byMeta(inv.ServiceAccounts, func(o *model.ServiceAccount) (string, string, string) { return "", o.Namespace, o.Name })
	byMeta(inv.Namespaces, func(o *model.Namespace) (string, string, string) { return "", "", o.Name })
	byMeta(inv.Secrets, func(o *model.Secret) (string, string, string) { return "", o.Namespace, o.Name })
	byMeta(inv.Pods, func(o *model.Pod) (string, string, string) { return "", o.Namespace, o.Name })
	byMeta(inv.Workloads, func(o *model.Workload) (string, string, string) { return o.Kind, o.Namespace, o.Name })
	byMeta(inv.Nodes, func(o *model.Node) (string, string, string) { return "", "", o.Name })
	byMeta(inv.PersistentVolumes, func(o *model.PersistentVolume) (string, string, string) { return "", "", o.Name })
	byMeta(inv.PersistentVolumeClaims, func(o *model.PersistentVolumeClaim) (string, string, string) { return "", o.Namespace, o.Name })
	byMeta(inv.WebhookConfigurations, func(o *model.WebhookConfiguration) (string, string, string) { return o.Kind, "", o.Name })
	byMeta(inv.AdmissionPolicies, func(o *model.AdmissionPolicy) (string, string, string) { return o.Kind, "", o.Name })
	byMeta(inv.EnginePolicies, func(o *model.EnginePolicy) (string, string, string) {
		return o.APIVersion + "/" + o.Kind, o.Namespace, o.Name
	})
	byMeta(inv.CSRs, func(o *model.CertificateSigningRequest) (string, string, string) { return "", "", o.Name })
	byMeta(inv.ResourceQuotas, func(o *model.ResourceQuota) (string, string, string) { return "", o.Namespace, o.Name })
	byMeta(inv.Others, func(o *model.Object) (string, string, string) {
		return o.APIVersion + "/" + o.Kind, o.Namespace, o.Name
	})
}
