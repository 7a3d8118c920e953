package source

import (
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strings"

	rbacv1 "k8s.io/api/rbac/v1"

	"github.com/auth-paths/kubectl-auth-paths/pkg/model"
)

// KeptKinds returns the kinds the analysis reads, sorted.
func KeptKinds() []string {
	out := make([]string, 0, len(kinds))
	for k := range kinds {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func splitAPIVersion(av string) (group, version string) {
	if i := strings.LastIndexByte(av, '/'); i >= 0 {
		return av[:i], av[i+1:]
	}
	return "", av
}

type objectJSON struct {
	APIVersion string     `json:"apiVersion"`
	Kind       string     `json:"kind"`
	Metadata   model.Meta `json:"metadata"`
}

// decodeObject keeps one object. itemKind/itemAPIVersion are the defaults a typed
// List gives its items.
func (d *decoder) decodeObject(raw []byte, src model.Source, itemKind, itemAPIVersion string) error {
	var o objectJSON
	if err := d.decodeJSON(raw, &o); err != nil {
		return &docError{src: src, msg: "malformed object", err: cleanJSONError(err)}
	}
	// kubectl's last-applied annotation repeats the whole object (a Secret's
	// data, a pod's env values): it is never kept, for any kind.
	o.Metadata = d.strs.meta(secretMeta(o.Metadata))
	if d.seenLog != nil && (o.Kind == "" || o.APIVersion == "") {
		// The fast path: a List may name its items' kind after them, so an
		// item without its own is left to the exact decoder.
		return errNotFast
	}
	if o.Kind == "" {
		o.Kind = itemKind
	}
	if o.APIVersion == "" && itemKind != "" {
		o.APIVersion = itemAPIVersion
	}
	if o.Kind == "" {
		return &docError{src: src, msg: "missing kind"}
	}
	if o.APIVersion == "" {
		return &docError{src: src, msg: fmt.Sprintf("%s %q: missing apiVersion", o.Kind, o.Metadata.Name)}
	}
	group, version := splitAPIVersion(o.APIVersion)
	if isEnginePolicy(group, o.Kind) {
		return d.decodeEnginePolicy(raw, o, group, src)
	}
	info, known := kinds[o.Kind]
	if !known || info.group != group {
		if known && isGroupAlias(info, group) {
			return &docError{src: src, msg: fmt.Sprintf("%s %q: unsupported apiVersion %q (want %s)", o.Kind, o.Metadata.Name, o.APIVersion, wantVersions(info))}
		}
		key := o.Kind
		if group != "" {
			key += "." + group
		}
		d.inv.Skipped[key]++
		if o.Metadata.Name != "" {
			obj := &model.Object{Meta: o.Metadata, APIVersion: o.APIVersion, Kind: o.Kind, Source: src}
			d.inv.Others = append(d.inv.Others, obj)
			if group != "" || o.Kind == "ConfigMap" {
				// A possible paramKind of an admission policy (finish keeps only those).
				if d.othersRaw == nil {
					d.othersRaw = map[*model.Object][]byte{}
				}
				d.othersRaw[obj] = append([]byte(nil), raw...)
			}
		}
		return nil
	}
	if !slices.Contains(info.versions, version) {
		return &docError{src: src, msg: fmt.Sprintf("%s %q: unsupported apiVersion %q (want %s)", o.Kind, o.Metadata.Name, o.APIVersion, wantVersions(info))}
	}
	if o.Metadata.Name == "" {
		return &docError{src: src, msg: fmt.Sprintf("%s: missing metadata.name", o.Kind)}
	}
	if info.namespaced && o.Metadata.Namespace == "" {
		o.Metadata.Namespace = d.defaultNamespace
	}
	if !info.namespaced {
		o.Metadata.Namespace = ""
	}
	key := o.Kind + "/" + o.Metadata.Namespace + "/" + o.Metadata.Name
	prev, again := d.beginRead(key)
	if again {
		// The later wins, as with kubectl apply (duplicates.go).
		d.inv.Warnings = append(d.inv.Warnings, fmt.Sprintf("%s %s: also read from %s; the later one is kept", o.Kind, nsName(o.Metadata), describeSource(prev)))
	}
	d.decoding = info
	list := info.objects()
	before := list.length(d.inv)
	if err := info.decode(d, raw, o.Metadata, src); err != nil {
		return &docError{src: src, msg: fmt.Sprintf("%s %s", o.Kind, nsName(o.Metadata)), err: cleanJSONError(err)}
	}
	d.endRead(key, src, list.length(d.inv) > before)
	return nil
}

// isGroupAlias reports whether group is a home of a kept kind, old or current
// (extensions/v1beta1 Deployments, batch/v1beta1 CronJobs…): known kind,
// unsupported version.
func isGroupAlias(k *kindDescriptor, group string) bool {
	return group == k.group || slices.Contains(k.oldGroups, group)
}

func wantVersions(info *kindDescriptor) string {
	var vs []string
	for _, v := range info.versions {
		if info.group == "" {
			vs = append(vs, v)
		} else {
			vs = append(vs, info.group+"/"+v)
		}
	}
	return strings.Join(vs, " or ")
}

func nsName(m model.Meta) string {
	if m.Namespace == "" {
		return fmt.Sprintf("%q", m.Name)
	}
	return fmt.Sprintf("%q", m.Namespace+"/"+m.Name)
}

func describeSource(s model.Source) string {
	out := s.File
	if s.Doc > 0 {
		out += fmt.Sprintf(" document %d", s.Doc)
	}
	if s.Item > 0 {
		out += fmt.Sprintf(" items[%d]", s.Item-1)
	}
	return out
}

func decodeClusterRole(d *decoder, raw []byte, meta model.Meta, src model.Source) error {
	var o struct {
		Rules           []rbacv1.PolicyRule     `json:"rules"`
		AggregationRule *rbacv1.AggregationRule `json:"aggregationRule"`
	}
	if err := d.decodeJSON(raw, &o); err != nil {
		return err
	}
	d.inv.ClusterRoles = append(d.inv.ClusterRoles, &model.ClusterRole{Meta: meta, Rules: d.strs.policyRules(o.Rules), AggregationRule: o.AggregationRule, Source: src})
	return nil
}

func decodeRole(d *decoder, raw []byte, meta model.Meta, src model.Source) error {
	var o struct {
		Rules []rbacv1.PolicyRule `json:"rules"`
	}
	if err := d.decodeJSON(raw, &o); err != nil {
		return err
	}
	d.inv.Roles = append(d.inv.Roles, d.strs.roles.New(model.Role{Meta: meta, Rules: d.strs.policyRules(o.Rules), Source: src}))
	return nil
}

func decodeBinding(d *decoder, raw []byte, meta model.Meta, src model.Source) error {
	var o struct {
		Kind     string           `json:"kind"`
		RoleRef  rbacv1.RoleRef   `json:"roleRef"`
		Subjects []rbacv1.Subject `json:"subjects"`
	}
	if err := d.decodeJSON(raw, &o); err != nil {
		return err
	}
	if o.Kind == "" {
		o.Kind = model.KindRoleBinding
		if meta.Namespace == "" {
			o.Kind = model.KindClusterRoleBinding
		}
	}
	if o.RoleRef.Name == "" {
		return fmt.Errorf("roleRef.name is required")
	}
	switch o.RoleRef.Kind {
	case model.KindClusterRole:
	case model.KindRole:
		if o.Kind == model.KindClusterRoleBinding {
			return fmt.Errorf("roleRef.kind %q: a ClusterRoleBinding can only reference a ClusterRole", o.RoleRef.Kind)
		}
	default:
		return fmt.Errorf("roleRef.kind %q: want Role or ClusterRole", o.RoleRef.Kind)
	}
	for i, s := range o.Subjects {
		switch s.Kind {
		case rbacv1.UserKind, rbacv1.GroupKind, rbacv1.ServiceAccountKind:
		default:
			return fmt.Errorf("subjects[%d].kind %q: want User, Group or ServiceAccount", i, s.Kind)
		}
		if s.Name == "" {
			return fmt.Errorf("subjects[%d].name is required", i)
		}
		if s.Kind == rbacv1.ServiceAccountKind && s.Namespace == "" && o.Kind == model.KindClusterRoleBinding {
			// The apiserver rejects it: only a RoleBinding gives its own namespace.
			return fmt.Errorf("subjects[%d].namespace is required for a ServiceAccount in a ClusterRoleBinding", i)
		}
	}
	ref := rbacv1.RoleRef{APIGroup: d.strs.str(o.RoleRef.APIGroup), Kind: d.strs.str(o.RoleRef.Kind), Name: d.strs.str(o.RoleRef.Name)}
	b := d.strs.bindings.New(model.Binding{Meta: meta, Kind: d.strs.str(o.Kind), RoleRef: ref, Subjects: d.strs.subjectList(o.Subjects), Source: src})
	if b.Kind == model.KindClusterRoleBinding {
		d.inv.ClusterRoleBindings = append(d.inv.ClusterRoleBindings, b)
	} else {
		d.inv.RoleBindings = append(d.inv.RoleBindings, b)
	}
	return nil
}

func decodeServiceAccount(d *decoder, raw []byte, meta model.Meta, src model.Source) error {
	var o struct {
		AutomountServiceAccountToken *bool `json:"automountServiceAccountToken"`
		Secrets                      []struct {
			Name string `json:"name"`
		} `json:"secrets"`
	}
	if err := d.decodeJSON(raw, &o); err != nil {
		return err
	}
	sa := d.strs.accounts.New(model.ServiceAccount{Meta: meta, AutomountServiceAccountToken: o.AutomountServiceAccountToken, Source: src})
	if len(o.Secrets) > 0 {
		// The names are the account's own: copied, not looked up.
		names := make([]string, len(o.Secrets))
		for i, s := range o.Secrets {
			names[i] = d.strs.own(s.Name)
		}
		sa.Secrets = d.strs.names.Slice(names)
	}
	d.inv.ServiceAccounts = append(d.inv.ServiceAccounts, sa)
	return nil
}

func decodeNamespace(d *decoder, raw []byte, meta model.Meta, src model.Source) error {
	var o struct {
		Status struct {
			Phase string `json:"phase"`
		} `json:"status"`
	}
	if err := d.decodeJSON(raw, &o); err != nil {
		return err
	}
	d.inv.Namespaces = append(d.inv.Namespaces, &model.Namespace{Meta: meta, Phase: o.Status.Phase, Source: src})
	return nil
}

// decodeSecret reads type and metadata only. The struct has no data or
// stringData field, so secret values are never decoded or kept.
func decodeSecret(d *decoder, raw []byte, meta model.Meta, src model.Source) error {
	var o struct {
		Type string `json:"type"`
	}
	if err := d.decodeJSON(raw, &o); err != nil {
		return err
	}
	if o.Type == "" {
		o.Type = "Opaque"
	}
	d.inv.Secrets = append(d.inv.Secrets, d.strs.secrets.New(model.Secret{Meta: secretMeta(meta), Type: d.strs.str(o.Type), Source: src}))
	return nil
}

func decodeNode(d *decoder, raw []byte, meta model.Meta, src model.Source) error {
	var o struct {
		Spec struct {
			Unschedulable bool `json:"unschedulable"`
			Taints        []struct {
				Key    string `json:"key"`
				Effect string `json:"effect"`
			} `json:"taints"`
		} `json:"spec"`
	}
	if err := d.decodeJSON(raw, &o); err != nil {
		return err
	}
	n := &model.Node{Meta: meta, Unschedulable: o.Spec.Unschedulable, Source: src}
	for _, t := range o.Spec.Taints {
		n.Taints = append(n.Taints, t.Key+":"+t.Effect)
	}
	d.inv.Nodes = append(d.inv.Nodes, n)
	return nil
}

func decodePV(d *decoder, raw []byte, meta model.Meta, src model.Source) error {
	var o struct {
		Spec struct {
			HostPath *struct {
				Path string `json:"path"`
			} `json:"hostPath"`
		} `json:"spec"`
	}
	if err := d.decodeJSON(raw, &o); err != nil {
		return err
	}
	pv := &model.PersistentVolume{Meta: meta, Source: src}
	if o.Spec.HostPath != nil {
		pv.HostPath = o.Spec.HostPath.Path
		if pv.HostPath == "" {
			pv.HostPath = "/"
		}
	}
	d.inv.PersistentVolumes = append(d.inv.PersistentVolumes, pv)
	return nil
}

func decodePVC(d *decoder, raw []byte, meta model.Meta, src model.Source) error {
	var o struct {
		Spec struct {
			VolumeName string `json:"volumeName"`
		} `json:"spec"`
	}
	if err := d.decodeJSON(raw, &o); err != nil {
		return err
	}
	d.inv.PersistentVolumeClaims = append(d.inv.PersistentVolumeClaims, &model.PersistentVolumeClaim{Meta: meta, VolumeName: o.Spec.VolumeName, Source: src})
	return nil
}

func decodeWebhookConfig(d *decoder, raw []byte, meta model.Meta, src model.Source) error {
	var o struct {
		Kind     string `json:"kind"`
		Webhooks []struct {
			Name string `json:"name"`
		} `json:"webhooks"`
	}
	if err := d.decodeJSON(raw, &o); err != nil {
		return err
	}
	if o.Kind == "" {
		o.Kind = d.decoding.kind
	}
	w := &model.WebhookConfiguration{Meta: meta, Kind: o.Kind, Source: src}
	for _, h := range o.Webhooks {
		w.Webhooks = append(w.Webhooks, h.Name)
	}
	d.inv.WebhookConfigurations = append(d.inv.WebhookConfigurations, w)
	return nil
}

func decodeCSR(d *decoder, raw []byte, meta model.Meta, src model.Source) error {
	var o struct {
		Spec struct {
			SignerName string   `json:"signerName"`
			Username   string   `json:"username"`
			Groups     []string `json:"groups"`
			Usages     []string `json:"usages"`
		} `json:"spec"`
		Status struct {
			Conditions []struct {
				Type   string `json:"type"`
				Status string `json:"status"`
			} `json:"conditions"`
		} `json:"status"`
	}
	if err := d.decodeJSON(raw, &o); err != nil {
		return err
	}
	c := &model.CertificateSigningRequest{Meta: meta, SignerName: o.Spec.SignerName, Username: o.Spec.Username,
		Groups: o.Spec.Groups, Usages: o.Spec.Usages, Source: src}
	for _, cond := range o.Status.Conditions {
		if cond.Type == "Approved" && cond.Status != "False" {
			c.Approved = true
		}
	}
	d.inv.CSRs = append(d.inv.CSRs, c)
	return nil
}

// decodeResourceQuota keeps the names of spec.hard and the scope names, never
// the amounts or the status: the analysis asks only whether object counts are
// limited, and for which pods.
func decodeResourceQuota(d *decoder, raw []byte, meta model.Meta, src model.Source) error {
	var o struct {
		Spec struct {
			Hard          map[string]json.RawMessage `json:"hard"`
			Scopes        []string                   `json:"scopes"`
			ScopeSelector *struct {
				MatchExpressions []struct {
					ScopeName string `json:"scopeName"`
				} `json:"matchExpressions"`
			} `json:"scopeSelector"`
		} `json:"spec"`
	}
	if err := d.decodeJSON(raw, &o); err != nil {
		return err
	}
	q := &model.ResourceQuota{Meta: meta, Source: src}
	for name := range o.Spec.Hard {
		q.Hard = append(q.Hard, name)
	}
	sort.Strings(q.Hard)
	q.Scopes = append(q.Scopes, o.Spec.Scopes...)
	if sel := o.Spec.ScopeSelector; sel != nil {
		for _, e := range sel.MatchExpressions {
			q.Scopes = append(q.Scopes, e.ScopeName)
		}
	}
	sort.Strings(q.Scopes)
	q.Scopes = slices.Compact(q.Scopes)
	d.inv.ResourceQuotas = append(d.inv.ResourceQuotas, q)
	return nil
}
