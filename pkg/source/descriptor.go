package source

import (
	"fmt"

	"github.com/auth-paths/kubectl-auth-paths/pkg/model"
)

// Each kind the analysis keeps is described once, below: how to decode it,
// where its objects are kept, how a live load lists it and what an offline
// input without any of it means. The decoder's table of kinds, the live
// loader's lists, the completeness check's resources and the names
// --allow-incomplete accepts are derived from it; its objects are merged,
// sorted, replaced when read again and dumped by its list
// (inventorylists.go). A new kind is one more descriptor (and, when no list
// of model.Inventory suits it, one more field there and one more list in
// inventorylists.go).

// kindDescriptor describes one kept kind.
type kindDescriptor struct {
	kind  string
	group string
	// versions are the API versions the decoder reads; a live load lists
	// the first.
	versions []string
	// oldGroups are groups the kind was served in before its own: an
	// object there is an error naming the versions read, not an unknown
	// kind skipped in silence.
	oldGroups  []string
	namespaced bool
	// decode keeps one object of the kind, its metadata already checked, in
	// the decoder's inventory.
	decode func(d *decoder, raw []byte, meta model.Meta, src model.Source) error
	// list is where the objects are kept (kinds of one model type share one).
	list listID
	// live are the lists a live load makes of the kind, in load order.
	live []liveSpec
	// absence is what an offline input without any object of the kind means.
	absence absence
	// evidenceOf, when set, is the kind whose absence this kind's objects
	// are counted with instead of their own.
	evidenceOf string
}

// liveSpec is one list of a kind a live load makes: its resource, a Secret
// type when the list is of Secrets of that type only (as metadata), and what
// is lost when the list cannot be read.
type liveSpec struct {
	resource, secretType, impact string
}

// absence is what an offline input without any object of a kind means
// (OfflineGaps).
type absence uint8

const (
	// absenceUnchecked: nothing is recorded. RBAC kinds (CheckRBAC refuses
	// an input without any), and kinds counted with another (evidenceOf).
	absenceUnchecked absence = iota
	// absenceNoted: a cluster may well have none; noted (Inventory.NotSeen).
	absenceNoted
	// absenceMissing: every real cluster has some, so the input left them
	// out; the result is incomplete (Inventory.Missing), as when a live list
	// is forbidden.
	absenceMissing
)

const (
	groupRBAC      = "rbac.authorization.k8s.io"
	groupAdmission = "admissionregistration.k8s.io"
)

// The versions the decoder reads: RBAC and admission policies are still
// found in their v1beta1 form (v1beta1 has the same fields as v1).
var (
	onlyV1      = []string{"v1"}
	v1OrV1beta1 = []string{"v1", "v1beta1"}
	// Deployments, ReplicaSets and DaemonSets were first served in
	// extensions/v1beta1; a StatefulSet written there is refused alike.
	extensions = []string{"extensions"}
)

// one is a kind's only live list.
func one(resource, impact string) []liveSpec {
	return []liveSpec{{resource: resource, impact: impact}}
}

// descriptors are the kept kinds in the order a live load lists them, which
// is the order its results are merged in and its lists are reported in.
var descriptors = []*kindDescriptor{
	{kind: model.KindClusterRole, group: groupRBAC, versions: v1OrV1beta1, decode: decodeClusterRole, list: clusterRoleList,
		live: one("clusterroles", "grants through ClusterRoles are not evaluated; results are incomplete")},
	{kind: model.KindClusterRoleBinding, group: groupRBAC, versions: v1OrV1beta1, decode: decodeBinding, list: clusterRoleBindingList,
		live: one("clusterrolebindings", "cluster-wide grants are not evaluated; results are incomplete")},
	{kind: model.KindRole, group: groupRBAC, versions: v1OrV1beta1, namespaced: true, decode: decodeRole, list: roleList,
		live: one("roles", "grants through Roles are not evaluated; results are incomplete")},
	{kind: model.KindRoleBinding, group: groupRBAC, versions: v1OrV1beta1, namespaced: true, decode: decodeBinding, list: roleBindingList,
		live: one("rolebindings", "namespaced grants are not evaluated; results are incomplete")},
	{kind: "Namespace", versions: onlyV1, decode: decodeNamespace, list: namespaceList, absence: absenceMissing,
		live: one("namespaces", "Pod Security levels of namespaces are unknown")},
	{kind: "ServiceAccount", versions: onlyV1, namespaced: true, decode: decodeServiceAccount, list: serviceAccountList, absence: absenceMissing,
		live: one("serviceaccounts", "ServiceAccounts that no binding names are unknown")},
	// Secrets are listed as metadata only, and only the two types the
	// analysis reads: never a list of every Secret.
	{kind: "Secret", versions: onlyV1, namespaced: true, decode: decodeSecret, list: secretList, absence: absenceMissing,
		live: []liveSpec{
			{resource: "secrets", secretType: model.SecretTypeServiceAccountToken, impact: "read-secrets steps through token Secrets are not evaluated"},
			{resource: "secrets", secretType: model.SecretTypeBootstrapToken, impact: "bootstrap tokens are unknown"},
		}},
	{kind: "Pod", versions: onlyV1, namespaced: true, decode: decodePod, list: podList, absence: absenceMissing,
		live: one("pods", "running pods are unknown: exec and node steps are not evaluated")},
	{kind: "Node", versions: onlyV1, decode: decodeNode, list: nodeList, absence: absenceMissing,
		live: one("nodes", "nodes are unknown: node steps are not evaluated")},
	{kind: "PersistentVolume", versions: onlyV1, decode: decodePV, list: persistentVolumeList, absence: absenceNoted,
		live: one("persistentvolumes", "PersistentVolumes are unknown")},
	{kind: "PersistentVolumeClaim", versions: onlyV1, namespaced: true, decode: decodePVC, list: persistentVolumeClaimList, absence: absenceNoted,
		live: one("persistentvolumeclaims", "PersistentVolumeClaims are unknown")},
	{kind: "ReplicationController", versions: onlyV1, namespaced: true, decode: decodeWorkload, list: workloadList, absence: absenceNoted,
		live: one("replicationcontrollers", "modify-workload steps through ReplicationControllers are not evaluated")},
	{kind: "Deployment", group: "apps", versions: onlyV1, oldGroups: extensions, namespaced: true, decode: decodeWorkload, list: workloadList, absence: absenceNoted,
		live: one("deployments", "modify-workload steps through Deployments are not evaluated")},
	{kind: "ReplicaSet", group: "apps", versions: onlyV1, oldGroups: extensions, namespaced: true, decode: decodeWorkload, list: workloadList, absence: absenceNoted,
		live: one("replicasets", "modify-workload steps through ReplicaSets are not evaluated")},
	{kind: "StatefulSet", group: "apps", versions: onlyV1, oldGroups: extensions, namespaced: true, decode: decodeWorkload, list: workloadList, absence: absenceNoted,
		live: one("statefulsets", "modify-workload steps through StatefulSets are not evaluated")},
	{kind: "DaemonSet", group: "apps", versions: onlyV1, oldGroups: extensions, namespaced: true, decode: decodeWorkload, list: workloadList, absence: absenceNoted,
		live: one("daemonsets", "modify-workload steps through DaemonSets are not evaluated")},
	{kind: "Job", group: "batch", versions: onlyV1, namespaced: true, decode: decodeWorkload, list: workloadList, absence: absenceNoted,
		live: one("jobs", "modify-workload steps through Jobs are not evaluated")},
	{kind: "CronJob", group: "batch", versions: onlyV1, namespaced: true, decode: decodeCronJob, list: workloadList, absence: absenceNoted,
		live: one("cronjobs", "modify-workload steps through CronJobs are not evaluated")},
	{kind: model.KindMutatingWebhookConfiguration, group: groupAdmission, versions: onlyV1, decode: decodeWebhookConfig, list: webhookList, absence: absenceNoted,
		live: one("mutatingwebhookconfigurations", "mutating webhooks are unknown")},
	{kind: model.KindValidatingWebhookConfiguration, group: groupAdmission, versions: onlyV1, decode: decodeWebhookConfig, list: webhookList, absence: absenceNoted,
		live: one("validatingwebhookconfigurations", "validating webhooks are unknown")},
	{kind: model.KindValidatingAdmissionPolicy, group: groupAdmission, versions: v1OrV1beta1, decode: decodeAdmissionPolicy, list: admissionPolicyList, absence: absenceNoted,
		live: one("validatingadmissionpolicies", "admission policies are unknown")},
	// An input with policy bindings has not left the admission policies out
	// (bindings count as validatingadmissionpolicies).
	{kind: model.KindValidatingAdmissionPolicyBinding, group: groupAdmission, versions: v1OrV1beta1, decode: decodeAdmissionPolicy, list: admissionPolicyList,
		evidenceOf: model.KindValidatingAdmissionPolicy,
		live:       one("validatingadmissionpolicybindings", "admission policy bindings are unknown")},
	{kind: "CertificateSigningRequest", group: "certificates.k8s.io", versions: onlyV1, decode: decodeCSR, list: csrList, absence: absenceNoted,
		live: one("certificatesigningrequests", "CertificateSigningRequests are unknown")},
	{kind: "ResourceQuota", versions: onlyV1, namespaced: true, decode: decodeResourceQuota, list: resourceQuotaList, absence: absenceNoted,
		live: one("resourcequotas", "ResourceQuotas are unknown: namespaces where objects can be created without a quota are not reported")},
}

// kinds are the descriptors by kind: the decoder keeps these kinds and
// counts and skips every other.
var kinds = byKind(descriptors)

func byKind(ds []*kindDescriptor) map[string]*kindDescriptor {
	out := make(map[string]*kindDescriptor, len(ds))
	for _, k := range ds {
		if _, dup := out[k.kind]; dup {
			panic(fmt.Sprintf("kind %s described twice", k.kind))
		}
		out[k.kind] = k
	}
	return out
}

// liveResources are the lists a live load makes of the kept kinds, with
// what is lost when one cannot be read. The order is the merge order of
// the results.
var liveResources = liveResourcesOf(descriptors)

func liveResourcesOf(ds []*kindDescriptor) []liveResource {
	var out []liveResource
	for _, k := range ds {
		for _, l := range k.live {
			out = append(out, liveResource{group: k.group, version: k.versions[0], resource: l.resource,
				secretType: l.secretType, impact: l.impact, kind: k})
		}
	}
	return out
}

// apiVersion is the kind's group and first version, as a dump writes it.
func (k *kindDescriptor) apiVersion() string {
	if k.group == "" {
		return k.versions[0]
	}
	return k.group + "/" + k.versions[0]
}

// resource is the kind's resource name (its first live list's).
func (k *kindDescriptor) resource() string { return k.live[0].resource }

// objects is the list the kind's objects are kept in.
func (k *kindDescriptor) objects() *inventoryList { return &inventoryLists[k.list] }
