package source

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	rbacv1 "k8s.io/api/rbac/v1"

	"github.com/auth-paths/kubectl-auth-paths/pkg/model"
)

// A dump is one v1 List of everything an inventory holds, re-encoded from the
// model with each kind's own shape (roles with rules, bindings with roleRef
// and subjects, pods with the spec fields the analysis keeps…). Reading it back
// with the offline decoder gives the same inventory; a reviewer can read it as
// ordinary Kubernetes YAML. It never holds a Secret's data: the model has none.

// DumpList is the v1 List written by `dump`.
type DumpList struct {
	APIVersion string `json:"apiVersion"`
	Kind       string `json:"kind"`
	Metadata   struct {
		// ResourceVersion is always empty: a dump is not one consistent read.
		ResourceVersion string `json:"resourceVersion"`
	} `json:"metadata"`
	Items []any `json:"items"`
}

type typeMeta struct {
	APIVersion string     `json:"apiVersion"`
	Kind       string     `json:"kind"`
	Metadata   model.Meta `json:"metadata"`
}

type dumpClusterRole struct {
	typeMeta
	AggregationRule *rbacv1.AggregationRule `json:"aggregationRule,omitempty"`
	Rules           []rbacv1.PolicyRule     `json:"rules"`
}

type dumpRole struct {
	typeMeta
	Rules []rbacv1.PolicyRule `json:"rules"`
}

type dumpBinding struct {
	typeMeta
	RoleRef  rbacv1.RoleRef   `json:"roleRef"`
	Subjects []rbacv1.Subject `json:"subjects,omitempty"`
}

// dumpAdmissionPolicy is a ValidatingAdmissionPolicy or binding, whole.
type dumpAdmissionPolicy struct {
	typeMeta
	Spec any `json:"spec,omitempty"`
}

// dumpEnginePolicy is a Kyverno policy or Gatekeeper constraint, whole.
type dumpEnginePolicy struct {
	typeMeta
	Spec json.RawMessage `json:"spec,omitempty"`
}

type nameRef struct {
	Name string `json:"name"`
}

type dumpServiceAccount struct {
	typeMeta
	AutomountServiceAccountToken *bool     `json:"automountServiceAccountToken,omitempty"`
	Secrets                      []nameRef `json:"secrets,omitempty"`
}

type phaseStatus struct {
	Phase string `json:"phase,omitempty"`
}

type dumpNamespace struct {
	typeMeta
	Status *phaseStatus `json:"status,omitempty"`
}

type dumpSecret struct {
	typeMeta
	Type string `json:"type"`
}

type dumpPod struct {
	typeMeta
	Spec   dumpPodSpec  `json:"spec"`
	Status *phaseStatus `json:"status,omitempty"`
}

type dumpPodSpec struct {
	ServiceAccountName           string          `json:"serviceAccountName,omitempty"`
	NodeName                     string          `json:"nodeName,omitempty"`
	AutomountServiceAccountToken *bool           `json:"automountServiceAccountToken,omitempty"`
	HostPID                      bool            `json:"hostPID,omitempty"`
	HostIPC                      bool            `json:"hostIPC,omitempty"`
	HostNetwork                  bool            `json:"hostNetwork,omitempty"`
	Containers                   []dumpContainer `json:"containers"`
	Volumes                      []dumpVolume    `json:"volumes,omitempty"`
}

type dumpContainer struct {
	Name            string               `json:"name"`
	Image           string               `json:"image,omitempty"`
	Stdin           bool                 `json:"stdin,omitempty"`
	SecurityContext *dumpSecurityContext `json:"securityContext,omitempty"`
}

type dumpSecurityContext struct {
	Privileged               *bool `json:"privileged,omitempty"`
	AllowPrivilegeEscalation *bool `json:"allowPrivilegeEscalation,omitempty"`
	Capabilities             *struct {
		Add []string `json:"add"`
	} `json:"capabilities,omitempty"`
}

type dumpVolume struct {
	Name     string `json:"name"`
	HostPath *struct {
		Path string `json:"path"`
	} `json:"hostPath,omitempty"`
	Projected *dumpProjected `json:"projected,omitempty"`
}

type dumpProjected struct {
	Sources []struct {
		ServiceAccountToken struct {
			Path string `json:"path"`
		} `json:"serviceAccountToken"`
	} `json:"sources"`
}

type podTemplate struct {
	Spec dumpPodSpec `json:"spec"`
}

type dumpWorkload struct {
	typeMeta
	Spec struct {
		Template podTemplate `json:"template"`
	} `json:"spec"`
}

type dumpCronJob struct {
	typeMeta
	Spec struct {
		JobTemplate struct {
			Spec struct {
				Template podTemplate `json:"template"`
			} `json:"spec"`
		} `json:"jobTemplate"`
	} `json:"spec"`
}

type dumpTaint struct {
	Key    string `json:"key"`
	Effect string `json:"effect"`
}

type dumpNode struct {
	typeMeta
	Spec struct {
		Unschedulable bool        `json:"unschedulable,omitempty"`
		Taints        []dumpTaint `json:"taints,omitempty"`
	} `json:"spec"`
}

type dumpPV struct {
	typeMeta
	Spec struct {
		HostPath *struct {
			Path string `json:"path"`
		} `json:"hostPath,omitempty"`
	} `json:"spec"`
}

type dumpPVC struct {
	typeMeta
	Spec struct {
		VolumeName string `json:"volumeName,omitempty"`
	} `json:"spec"`
}

type dumpWebhookConfig struct {
	typeMeta
	Webhooks []nameRef `json:"webhooks,omitempty"`
}

type dumpCondition struct {
	Type   string `json:"type"`
	Status string `json:"status"`
}

type dumpCSR struct {
	typeMeta
	Spec struct {
		SignerName string   `json:"signerName"`
		Username   string   `json:"username,omitempty"`
		Groups     []string `json:"groups,omitempty"`
		Usages     []string `json:"usages,omitempty"`
	} `json:"spec"`
	Status struct {
		Conditions []dumpCondition `json:"conditions,omitempty"`
	} `json:"status"`
}

// dumpResourceQuota writes spec.hard's names and the scopes (a scopeSelector
// as the equivalent scopes). The model keeps no amounts, so each limit is
// written as "0": a valid quantity, not what the cluster holds — a dump is
// for reading back, never for applying.
type dumpResourceQuota struct {
	typeMeta
	Spec struct {
		Hard   map[string]string `json:"hard,omitempty"`
		Scopes []string          `json:"scopes,omitempty"`
	} `json:"spec"`
}

const rbacAPIVersion = "rbac.authorization.k8s.io/v1"

func apiVersion(group string) string {
	if group == "" {
		return "v1"
	}
	return group + "/v1"
}

func tm(apiVersion, kind string, m model.Meta) typeMeta {
	// kubectl's last-applied annotation repeats the whole object (env values,
	// Secret data): a dump never carries it.
	return typeMeta{APIVersion: apiVersion, Kind: kind, Metadata: secretMeta(m)}
}

func phase(p string) *phaseStatus {
	if p == "" {
		return nil
	}
	return &phaseStatus{Phase: p}
}

// encodePodSpec writes a pod spec whose summary is s: one container per image,
// the security settings on the first container, one container per name of
// s.Stdin, one volume per host path and
// a projected token volume when s has one.
func encodePodSpec(s model.PodSpec) dumpPodSpec {
	out := dumpPodSpec{
		ServiceAccountName:           s.ServiceAccountName,
		NodeName:                     s.NodeName,
		AutomountServiceAccountToken: s.AutomountServiceAccountToken,
		HostPID:                      s.HostPID,
		HostIPC:                      s.HostIPC,
		HostNetwork:                  s.HostNetwork,
		Containers:                   []dumpContainer{},
	}
	for i, img := range s.Images {
		out.Containers = append(out.Containers, dumpContainer{Name: "container-" + strconv.Itoa(i+1), Image: img})
	}
	if s.Privileged || s.AllowPrivilegeEscalation || len(s.Capabilities) > 0 {
		if len(out.Containers) == 0 {
			out.Containers = append(out.Containers, dumpContainer{Name: "container-1"})
		}
		sc := &dumpSecurityContext{}
		t := true
		if s.Privileged {
			sc.Privileged = &t
		}
		if s.AllowPrivilegeEscalation {
			sc.AllowPrivilegeEscalation = &t
		}
		if len(s.Capabilities) > 0 {
			sc.Capabilities = &struct {
				Add []string `json:"add"`
			}{Add: s.Capabilities}
		}
		out.Containers[0].SecurityContext = sc
	}
	// Containers that keep stdin open, by their names (pods/attach targets them).
	for _, name := range s.Stdin {
		out.Containers = append(out.Containers, dumpContainer{Name: name, Stdin: true})
	}
	for i, p := range s.HostPaths {
		v := dumpVolume{Name: "host-path-" + strconv.Itoa(i+1), HostPath: &struct {
			Path string `json:"path"`
		}{Path: p}}
		out.Volumes = append(out.Volumes, v)
	}
	if s.ProjectedToken {
		pr := &dumpProjected{}
		pr.Sources = make([]struct {
			ServiceAccountToken struct {
				Path string `json:"path"`
			} `json:"serviceAccountToken"`
		}, 1)
		pr.Sources[0].ServiceAccountToken.Path = "token"
		out.Volumes = append(out.Volumes, dumpVolume{Name: "service-account-token", Projected: pr})
	}
	return out
}

// NewDumpList re-encodes an inventory as a v1 List, in the inventory's order
// (list by list in inventoryLists' order, each sorted by kind, namespace and
// name). Secrets carry metadata and type only.
func NewDumpList(inv *model.Inventory) *DumpList {
	l := &DumpList{APIVersion: "v1", Kind: "List", Items: make([]any, 0, inv.Count()+len(inv.Others))}
	add := func(v any) { l.Items = append(l.Items, v) }
	for _, list := range inventoryLists {
		list.dump(inv, add)
	}
	return l
}

// The encoders below write one object of each list as its kind's manifest.

func encodeNamespace(o *model.Namespace) any {
	return dumpNamespace{typeMeta: tm("v1", "Namespace", o.Meta), Status: phase(o.Phase)}
}

func encodeClusterRole(o *model.ClusterRole) any {
	return dumpClusterRole{typeMeta: tm(rbacAPIVersion, model.KindClusterRole, o.Meta), AggregationRule: o.AggregationRule, Rules: o.Rules}
}

// encodeClusterRoleBinding and encodeRoleBinding write the kind of the list
// the binding is in.
func encodeClusterRoleBinding(o *model.Binding) any {
	return dumpBinding{typeMeta: tm(rbacAPIVersion, model.KindClusterRoleBinding, o.Meta), RoleRef: o.RoleRef, Subjects: o.Subjects}
}

func encodeRole(o *model.Role) any {
	return dumpRole{typeMeta: tm(rbacAPIVersion, model.KindRole, o.Meta), Rules: o.Rules}
}

func encodeRoleBinding(o *model.Binding) any {
	return dumpBinding{typeMeta: tm(rbacAPIVersion, model.KindRoleBinding, o.Meta), RoleRef: o.RoleRef, Subjects: o.Subjects}
}

func encodeServiceAccount(o *model.ServiceAccount) any {
	sa := dumpServiceAccount{typeMeta: tm("v1", "ServiceAccount", o.Meta), AutomountServiceAccountToken: o.AutomountServiceAccountToken}
	for _, s := range o.Secrets {
		sa.Secrets = append(sa.Secrets, nameRef{Name: s})
	}
	return sa
}

func encodeSecret(o *model.Secret) any {
	return dumpSecret{typeMeta: tm("v1", "Secret", secretMeta(o.Meta)), Type: o.Type}
}

func encodePod(o *model.Pod) any {
	return dumpPod{typeMeta: tm("v1", "Pod", o.Meta), Spec: encodePodSpec(o.Spec), Status: phase(o.Phase)}
}

// sharedAPIVersion is the apiVersion a dump writes an object of a list that
// several kinds share in: its kind's descriptor's (group and first version),
// so that a kind added to the list reads back without a change here, else
// fallback (an inventory not read by this package).
func sharedAPIVersion(kind string, list listID, fallback string) string {
	if k, ok := kinds[kind]; ok && k.list == list {
		return k.apiVersion()
	}
	return fallback
}

// encodeWorkload writes a workload of a kind not kept in the group it carries.
func encodeWorkload(o *model.Workload) any {
	av := sharedAPIVersion(o.Kind, workloadList, apiVersion(o.Group))
	if o.Kind == "CronJob" {
		cj := dumpCronJob{typeMeta: tm(av, o.Kind, o.Meta)}
		cj.Spec.JobTemplate.Spec.Template.Spec = encodePodSpec(o.Spec)
		return cj
	}
	w := dumpWorkload{typeMeta: tm(av, o.Kind, o.Meta)}
	w.Spec.Template.Spec = encodePodSpec(o.Spec)
	return w
}

func encodeNode(o *model.Node) any {
	n := dumpNode{typeMeta: tm("v1", "Node", o.Meta)}
	n.Spec.Unschedulable = o.Unschedulable
	for _, t := range o.Taints {
		key, effect := t, ""
		if i := strings.LastIndexByte(t, ':'); i >= 0 {
			key, effect = t[:i], t[i+1:]
		}
		n.Spec.Taints = append(n.Spec.Taints, dumpTaint{Key: key, Effect: effect})
	}
	return n
}

func encodePV(o *model.PersistentVolume) any {
	pv := dumpPV{typeMeta: tm("v1", "PersistentVolume", o.Meta)}
	if o.HostPath != "" {
		pv.Spec.HostPath = &struct {
			Path string `json:"path"`
		}{Path: o.HostPath}
	}
	return pv
}

func encodePVC(o *model.PersistentVolumeClaim) any {
	pvc := dumpPVC{typeMeta: tm("v1", "PersistentVolumeClaim", o.Meta)}
	pvc.Spec.VolumeName = o.VolumeName
	return pvc
}

func encodeWebhookConfig(o *model.WebhookConfiguration) any {
	w := dumpWebhookConfig{typeMeta: tm(sharedAPIVersion(o.Kind, webhookList, groupAdmission+"/v1"), o.Kind, o.Meta)}
	for _, h := range o.Webhooks {
		w.Webhooks = append(w.Webhooks, nameRef{Name: h})
	}
	return w
}

func encodeAdmissionPolicy(o *model.AdmissionPolicy) any {
	d := dumpAdmissionPolicy{typeMeta: tm(sharedAPIVersion(o.Kind, admissionPolicyList, groupAdmission+"/v1"), o.Kind, o.Meta)}
	if o.Policy != nil {
		d.Spec = o.Policy
	} else if o.Binding != nil {
		d.Spec = o.Binding
	}
	return d
}

func encodeEnginePolicy(o *model.EnginePolicy) any {
	return dumpEnginePolicy{typeMeta: tm(o.APIVersion, o.Kind, o.Meta), Spec: o.Spec}
}

func encodeCSR(o *model.CertificateSigningRequest) any {
	c := dumpCSR{typeMeta: tm("certificates.k8s.io/v1", "CertificateSigningRequest", o.Meta)}
	c.Spec.SignerName = o.SignerName
	c.Spec.Username = o.Username
	c.Spec.Groups = o.Groups
	c.Spec.Usages = o.Usages
	if o.Approved {
		c.Status.Conditions = []dumpCondition{{Type: "Approved", Status: "True"}}
	}
	return c
}

func encodeResourceQuota(o *model.ResourceQuota) any {
	q := dumpResourceQuota{typeMeta: tm("v1", "ResourceQuota", o.Meta)}
	if len(o.Hard) > 0 {
		q.Spec.Hard = map[string]string{}
		for _, h := range o.Hard {
			q.Spec.Hard[h] = "0"
		}
	}
	q.Spec.Scopes = o.Scopes
	return q
}

func encodeOther(o *model.Object) any {
	if o.Content != nil {
		// An admission policy's parameter: its content is what the policy reads.
		c := make(map[string]any, len(o.Content))
		for k, v := range o.Content {
			c[k] = v
		}
		c["metadata"] = o.Meta
		return c
	}
	return tm(o.APIVersion, o.Kind, o.Meta)
}

// MarshalDump encodes an inventory as an indented JSON v1 List.
func MarshalDump(inv *model.Inventory) ([]byte, error) {
	data, err := json.MarshalIndent(NewDumpList(inv), "", "  ")
	if err != nil {
		return nil, fmt.Errorf("encoding the dump: %w", err)
	}
	return append(data, '\n'), nil
}
