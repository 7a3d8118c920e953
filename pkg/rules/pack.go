// Package rules reads rule packs: declarative escalation rules for CRD
// controllers and managed-platform identity maps. A rule only adds edges, in
// the vocabulary of the built-in primitives (a permission, a condition, a
// gained identity); the graph code has no special case for them.
package rules

// APIVersion is the newest rule-pack format version this build reads:
// v1alpha2 adds expected declarations, name prefixes in activation
// objects and controller identities (activation.controllers). APIVersionV1Alpha1 packs (rules only) are still read.
const (
	APIVersion         = "auth-paths.io/v1alpha2"
	APIVersionV1Alpha1 = "auth-paths.io/v1alpha1"
)

// Kind of a rule-pack document.
const Kind = "RulePack"

// Pack is one rule-pack file.
type Pack struct {
	APIVersion string     `json:"apiVersion"`
	Kind       string     `json:"kind"`
	Metadata   PackMeta   `json:"metadata"`
	Activation Activation `json:"activation"`
	Rules      []Rule     `json:"rules,omitempty"`
	// Expected (v1alpha2) declares known-benign default bindings of a
	// platform: paths through them are labelled, never hidden.
	Expected []Expectation `json:"expected,omitempty"`

	// Source is where the pack was loaded from ("embedded:plugins/packs/x.yaml" or a path).
	Source string `json:"-"`
}

// PackMeta names and describes a pack.
type PackMeta struct {
	Name        string `json:"name"`
	Description string `json:"description,omitempty"`
	// Expected was reserved by v1alpha1 and never implemented; lint rejects
	// it and points to the v1alpha2 expected list.
	Expected bool `json:"expected,omitempty"`
}

// Activation says when a pack applies: any one piece of evidence that the
// controller is installed suffices (see Active). An empty Activation is
// always active.
type Activation struct {
	// CRDs by name (workflows.argoproj.io).
	CRDs []string `json:"crds,omitempty"`
	// APIGroups: the group is served (live discovery) or an object of the
	// group is in the input. RBAC rules naming the group are not evidence.
	APIGroups []string `json:"apiGroups,omitempty"`
	// Objects activate the pack when one of them exists ("ConfigMap kube-system/aws-auth").
	Objects []ObjectRef `json:"objects,omitempty"`
	// Controllers (v1alpha2): the controller's own ServiceAccount exists and
	// may do what the controller does.
	Controllers []Controller `json:"controllers,omitempty"`
}

// ObjectRef names an object: by exact name, or (v1alpha2) by a name prefix
// the platform documents ("eks:" ClusterRoles).
type ObjectRef struct {
	Kind       string `json:"kind"`
	Namespace  string `json:"namespace,omitempty"`
	Name       string `json:"name,omitempty"`
	NamePrefix string `json:"namePrefix,omitempty"`
}

// Rule is one escalation: holding Permission (and what Requires asks of the
// cluster) gives Gain.
type Rule struct {
	ID          string     `json:"id"`
	Description string     `json:"description"`
	Reference   string     `json:"reference,omitempty"`
	Permission  Permission `json:"permission"`
	Gain        Gain       `json:"gain"`
	// Condition is the sentence shown with each step.
	Condition string `json:"condition,omitempty"`
	// Techniques (v1alpha2) are the MITRE ATT&CK for Containers techniques
	// the step is an instance of ("T1610"), as built-in primitives carry them.
	Techniques []string `json:"techniques,omitempty"`
}

// Permission is what the principal must be allowed, in RBAC's terms.
type Permission struct {
	// Verbs: any one of them suffices.
	Verbs    []string `json:"verbs"`
	APIGroup string   `json:"apiGroup"`
	Resource string   `json:"resource"`
	// Subresource, e.g. "status"; empty for the resource itself.
	Subresource string `json:"subresource,omitempty"`
	// Scope is "namespace" (checked in each namespace) or "cluster".
	Scope string `json:"scope"`
	// Namespaces, if set, limits a namespaced permission to these namespaces
	// (e.g. Argo CD Applications in argocd).
	Namespaces []string `json:"namespaces,omitempty"`
	// ResourceNames, if set, is checked per name (e.g. the aws-auth ConfigMap).
	ResourceNames []string `json:"resourceNames,omitempty"`
}

// Gain kinds.
const (
	// GainAnyServiceAccount: run as any ServiceAccount of the namespace where the permission holds.
	GainAnyServiceAccount = "any-serviceaccount-in-namespace"
	// GainServiceAccount: run as a named ServiceAccount (a controller's).
	GainServiceAccount = "serviceaccount"
	// GainIdentity: become a user or group (Group system:masters is cluster-admin).
	GainIdentity = "identity"
)

// Gain is what the rule gives.
type Gain struct {
	Type string `json:"type"`
	// ServiceAccount for GainServiceAccount ("namespace/name").
	ServiceAccount string `json:"serviceAccount,omitempty"`
	// Identity for GainIdentity ("Group:system:masters", "User:admin").
	Identity string `json:"identity,omitempty"`
}
