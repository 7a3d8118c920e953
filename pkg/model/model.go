// Package model holds the compact, typed records that the analysis works on.
//
// Both the offline decoder (files) and the live loader (apiserver) produce an
// Inventory; nothing downstream knows where the objects came from. Records keep
// only the fields the analysis needs: a Secret never carries its data, a Pod only
// the parts of its spec that decide identity and host access.
package model

import (
	"encoding/json"
	"reflect"

	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	rbacv1 "k8s.io/api/rbac/v1"
)

// Source says where an object was read from, for error messages and SARIF.
type Source struct {
	File string `json:"file,omitempty"`
	// Doc is the 1-based index of the document in the file (0 when unknown).
	Doc int `json:"doc,omitempty"`
	// Item is the 1-based index inside a List document (0 when not in a List).
	Item int `json:"item,omitempty"`
	// Line is the 1-based line where the document starts (0 when unknown).
	Line int `json:"line,omitempty"`
}

// Meta is the part of ObjectMeta the analysis uses.
type Meta struct {
	Namespace         string            `json:"namespace,omitempty"`
	Name              string            `json:"name"`
	UID               string            `json:"uid,omitempty"`
	Labels            map[string]string `json:"labels,omitempty"`
	Annotations       map[string]string `json:"annotations,omitempty"`
	CreationTimestamp string            `json:"creationTimestamp,omitempty"`
	ResourceVersion   string            `json:"resourceVersion,omitempty"`
	OwnerReferences   []OwnerReference  `json:"ownerReferences,omitempty"`
}

// OwnerReference names an object's controller.
type OwnerReference struct {
	APIVersion string `json:"apiVersion,omitempty"`
	Kind       string `json:"kind"`
	Name       string `json:"name"`
	Controller *bool  `json:"controller,omitempty"`
}

// ClusterRole is a cluster-wide set of rules, possibly aggregated.
type ClusterRole struct {
	Meta
	Rules           []rbacv1.PolicyRule     `json:"rules"`
	AggregationRule *rbacv1.AggregationRule `json:"aggregationRule,omitempty"`
	// Review is set when the role stands for rules a SelfSubjectRulesReview
	// returned (whoami): no such object exists in the cluster.
	Review *RulesReview `json:"-"`
	Source Source       `json:"-"`
}

// Role is a namespaced set of rules.
type Role struct {
	Meta
	Rules []rbacv1.PolicyRule `json:"rules"`
	// Review is set when the role stands for rules a SelfSubjectRulesReview
	// returned (whoami): no such object exists in the cluster.
	Review *RulesReview `json:"-"`
	Source Source       `json:"-"`
}

// RulesReview marks a role or binding that stands for the rules a
// SelfSubjectRulesReview returned to the credentials at hand (whoami without
// RBAC read access). The review names no binding or role, so no step may
// write, bind to or escalate such an object: only its rules are real.
type RulesReview struct {
	// Namespace is the namespace reviewed; empty for the cluster-wide rules
	// (those the review returns in a namespace that cannot exist, where no
	// RoleBinding can be: the rules of ClusterRoleBindings).
	Namespace string
}

// Binding kinds.
const (
	KindClusterRoleBinding = "ClusterRoleBinding"
	KindRoleBinding        = "RoleBinding"
	KindClusterRole        = "ClusterRole"
	KindRole               = "Role"

	KindMutatingWebhookConfiguration   = "MutatingWebhookConfiguration"
	KindValidatingWebhookConfiguration = "ValidatingWebhookConfiguration"
)

// Binding is a ClusterRoleBinding (Namespace empty) or a RoleBinding.
type Binding struct {
	Meta
	// Kind is KindClusterRoleBinding or KindRoleBinding.
	Kind     string           `json:"kind"`
	RoleRef  rbacv1.RoleRef   `json:"roleRef"`
	Subjects []rbacv1.Subject `json:"subjects,omitempty"`
	// Review is set when the binding stands for rules a
	// SelfSubjectRulesReview returned (whoami): no such object exists.
	Review *RulesReview `json:"-"`
	Source Source       `json:"-"`
}

// ID is a stable, human-readable identifier: `ClusterRoleBinding/name` or
// `RoleBinding/namespace/name`.
func (b *Binding) ID() string {
	if b.Kind == KindRoleBinding {
		return b.Kind + "/" + b.Namespace + "/" + b.Name
	}
	return b.Kind + "/" + b.Name
}

// ServiceAccount is a namespaced identity.
type ServiceAccount struct {
	Meta
	AutomountServiceAccountToken *bool    `json:"automountServiceAccountToken,omitempty"`
	Secrets                      []string `json:"secrets,omitempty"`
	Source                       Source   `json:"-"`
}

// Namespace carries its labels (Pod Security admission lives there).
type Namespace struct {
	Meta
	Phase  string `json:"phase,omitempty"`
	Source Source `json:"-"`
}

// Secret is metadata and type only: the decoder has no field for data.
type Secret struct {
	Meta
	Type   string `json:"type,omitempty"`
	Source Source `json:"-"`
}

// Secret types the analysis looks at.
const (
	SecretTypeServiceAccountToken = "kubernetes.io/service-account-token"
	SecretTypeBootstrapToken      = "bootstrap.kubernetes.io/token"
	// AnnotationServiceAccountName names the SA a token Secret belongs to.
	AnnotationServiceAccountName = "kubernetes.io/service-account.name"
)

// PodSpec is the summary of a pod template that decides identity and host access.
type PodSpec struct {
	ServiceAccountName           string   `json:"serviceAccountName,omitempty"`
	NodeName                     string   `json:"nodeName,omitempty"`
	AutomountServiceAccountToken *bool    `json:"automountServiceAccountToken,omitempty"`
	HostPID                      bool     `json:"hostPID,omitempty"`
	HostIPC                      bool     `json:"hostIPC,omitempty"`
	HostNetwork                  bool     `json:"hostNetwork,omitempty"`
	Privileged                   bool     `json:"privileged,omitempty"`
	AllowPrivilegeEscalation     bool     `json:"allowPrivilegeEscalation,omitempty"`
	Capabilities                 []string `json:"capabilities,omitempty"`
	HostPaths                    []string `json:"hostPaths,omitempty"`
	Images                       []string `json:"images,omitempty"`
	// ProjectedToken is true when a projected serviceAccountToken volume is mounted.
	ProjectedToken bool `json:"projectedToken,omitempty"`
	// Stdin names the containers (regular and ephemeral) that keep stdin
	// open (stdin: true), sorted: pods/attach writes only to those.
	Stdin []string `json:"stdin,omitempty"`
}

// Pod is a running or pending pod.
type Pod struct {
	Meta
	Spec   PodSpec `json:"spec"`
	Phase  string  `json:"phase,omitempty"`
	Source Source  `json:"-"`
}

// Workload is a controller with a pod template: Deployment, ReplicaSet,
// StatefulSet, DaemonSet, Job, CronJob, ReplicationController.
type Workload struct {
	Meta
	Kind   string  `json:"kind"`
	Group  string  `json:"group"`
	Spec   PodSpec `json:"template"`
	Source Source  `json:"-"`
}

// Node is a cluster node.
type Node struct {
	Meta
	Unschedulable bool     `json:"unschedulable,omitempty"`
	Taints        []string `json:"taints,omitempty"`
	Source        Source   `json:"-"`
}

// PersistentVolume is cluster-scoped storage; HostPath marks hostPath volumes.
type PersistentVolume struct {
	Meta
	HostPath string `json:"hostPath,omitempty"`
	Source   Source `json:"-"`
}

// PersistentVolumeClaim is a namespaced claim.
type PersistentVolumeClaim struct {
	Meta
	VolumeName string `json:"volumeName,omitempty"`
	Source     Source `json:"-"`
}

// WebhookConfiguration is a Mutating- or ValidatingWebhookConfiguration.
type WebhookConfiguration struct {
	Meta
	Kind     string   `json:"kind"`
	Webhooks []string `json:"webhooks,omitempty"`
	Source   Source   `json:"-"`
}

// AdmissionPolicy is a ValidatingAdmissionPolicy or its Binding, kept whole
// (both are small): the analysis evaluates them on the pods an attacker would
// submit. Exactly one of Policy and Binding is set, by Kind.
type AdmissionPolicy struct {
	Meta
	Kind    string                                                        `json:"kind"`
	Policy  *admissionregistrationv1.ValidatingAdmissionPolicySpec        `json:"policy,omitempty"`
	Binding *admissionregistrationv1.ValidatingAdmissionPolicyBindingSpec `json:"binding,omitempty"`
	Source  Source                                                        `json:"-"`
}

// Admission policy kinds.
const (
	KindValidatingAdmissionPolicy        = "ValidatingAdmissionPolicy"
	KindValidatingAdmissionPolicyBinding = "ValidatingAdmissionPolicyBinding"
)

// EnginePolicy is a policy engine's object that can reject pods: a Kyverno
// ClusterPolicy or Policy, or a Gatekeeper constraint. Its spec is kept as
// read (policies are small); pkg/admission interprets the kinds it knows.
type EnginePolicy struct {
	Meta
	APIVersion string          `json:"apiVersion"`
	Kind       string          `json:"kind"`
	Spec       json.RawMessage `json:"spec,omitempty"`
	Source     Source          `json:"-"`
}

// CertificateSigningRequest keeps who asked for which signer.
type CertificateSigningRequest struct {
	Meta
	SignerName string   `json:"signerName"`
	Username   string   `json:"username,omitempty"`
	Groups     []string `json:"groups,omitempty"`
	Usages     []string `json:"usages,omitempty"`
	Approved   bool     `json:"approved,omitempty"`
	Source     Source   `json:"-"`
}

// ResourceQuota keeps which resources a namespace's quota limits, not the
// amounts: the analysis asks only whether object counts are limited.
type ResourceQuota struct {
	Meta
	// Hard are the names of spec.hard ("pods", "count/deployments.apps", "requests.cpu"), sorted.
	Hard []string `json:"hard,omitempty"`
	// Scopes are the scope names of spec.scopes and spec.scopeSelector
	// (BestEffort, PriorityClass…), sorted: a scoped quota limits only the
	// pods in its scopes.
	Scopes []string `json:"scopes,omitempty"`
	Source Source   `json:"-"`
}

// Object is any other object: identity only, kept for rule packs (CRDs, custom resources).
type Object struct {
	Meta
	APIVersion string `json:"apiVersion"`
	Kind       string `json:"kind"`
	// Content is the whole object when it is the parameter kind of a
	// ValidatingAdmissionPolicy of the input (paramKind), else nil.
	Content map[string]any `json:"-"`
	Source  Source         `json:"-"`
}

// Inventory is everything read from one input (files or a cluster).
type Inventory struct {
	ClusterRoles           []*ClusterRole
	Roles                  []*Role
	ClusterRoleBindings    []*Binding
	RoleBindings           []*Binding
	ServiceAccounts        []*ServiceAccount
	Namespaces             []*Namespace
	Secrets                []*Secret
	Pods                   []*Pod
	Workloads              []*Workload
	Nodes                  []*Node
	PersistentVolumes      []*PersistentVolume
	PersistentVolumeClaims []*PersistentVolumeClaim
	WebhookConfigurations  []*WebhookConfiguration
	AdmissionPolicies      []*AdmissionPolicy
	EnginePolicies         []*EnginePolicy
	CSRs                   []*CertificateSigningRequest
	ResourceQuotas         []*ResourceQuota
	// Others are objects of kinds the core analysis does not use.
	Others []*Object

	// Skipped counts objects of other kinds by "Kind.group".
	Skipped map[string]int
	// Warnings are problems in the input that do not stop the analysis.
	Warnings []string
	// Missing lists kinds that could not be read (live mode), or that an
	// offline input has none of where every cluster has some, with the reason.
	Missing []MissingKind
	// NotSeen are resources an offline input has no object of, which a
	// cluster may well have none of (source.OfflineGaps): noted, not missing.
	NotSeen []string
	// DeclaredRead are the resources a dump's header says were read in full
	// (an empty one was empty in the cluster).
	DeclaredRead []string
	// ServerVersion is the cluster's version when known ("v1.37.2"), else empty.
	ServerVersion string
	// ServedGroups are the API groups the cluster serves (live discovery, or
	// a dump's header), sorted; empty when unknown. Rule packs activate on them.
	ServedGroups []string
}

// MissingKind records a kind that could not be read and what that means.
type MissingKind struct {
	Resource string `json:"resource"`
	Reason   string `json:"reason"`
	Impact   string `json:"impact"`
	// ReadInNamespace is set when the cluster-wide list was forbidden and the
	// kind was read in this namespace only.
	ReadInNamespace string `json:"readInNamespace,omitempty"`
	// Inherent marks what the way of reading cannot see, whatever was
	// left out on purpose (whoami's reviews): --allow-incomplete keeps it.
	Inherent bool `json:"-"`
}

// Count returns the number of kept objects: the records of every list of
// the inventory but Others.
func (inv *Inventory) Count() int {
	v := reflect.ValueOf(inv).Elem()
	n := 0
	for _, i := range recordLists {
		n += v.Field(i).Len()
	}
	return n
}

// recordLists are the indexes of Inventory's lists of kept records: its
// fields that are lists of pointers to records ([]*Role…) but Others. They
// are found by reflection, once, rather than summed by hand: a list added
// for a new kind is counted with no second list of lists to keep in step
// (pkg/source describes each list once and tests this count against it).
var recordLists = func() []int {
	t := reflect.TypeFor[Inventory]()
	others := reflect.TypeFor[[]*Object]()
	var out []int
	for i := range t.NumField() {
		ft := t.Field(i).Type
		if ft.Kind() == reflect.Slice && ft.Elem().Kind() == reflect.Pointer && ft != others {
			out = append(out, i)
		}
	}
	return out
}()
