package source

import (
	"encoding/json"
	"fmt"
	"strings"

	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"

	"github.com/auth-paths/kubectl-auth-paths/pkg/model"
)

// Policy engines whose objects can reject pods. Kyverno's policies live in
// kyverno.io (v1, and v2beta1 which has the same validate rules); each
// Gatekeeper constraint is a kind of its own in constraints.gatekeeper.sh,
// named after its ConstraintTemplate.
const (
	GroupKyverno    = "kyverno.io"
	GroupGatekeeper = "constraints.gatekeeper.sh"
)

// isEnginePolicy tells whether an object is a policy engine's rule set that
// the admission evaluation reads.
func isEnginePolicy(group, kind string) bool {
	switch group {
	case GroupKyverno:
		return kind == "ClusterPolicy" || kind == "Policy"
	case GroupGatekeeper:
		return kind != ""
	}
	return false
}

// decodeEnginePolicy keeps a Kyverno policy or Gatekeeper constraint whole
// (its spec; status is dropped). A Kyverno Policy is namespaced; the rest
// are cluster-scoped.
func (d *decoder) decodeEnginePolicy(raw []byte, o objectJSON, group string, src model.Source) error {
	if o.Metadata.Name == "" {
		return &docError{src: src, msg: fmt.Sprintf("%s: missing metadata.name", o.Kind)}
	}
	if group == GroupKyverno && o.Kind == "Policy" {
		if o.Metadata.Namespace == "" {
			o.Metadata.Namespace = d.defaultNamespace
		}
	} else {
		o.Metadata.Namespace = ""
	}
	var body struct {
		Spec json.RawMessage `json:"spec"`
	}
	if err := d.decodeJSON(raw, &body); err != nil {
		return &docError{src: src, msg: fmt.Sprintf("%s %s", o.Kind, nsName(o.Metadata)), err: cleanJSONError(err)}
	}
	// The key is the list's (inventorylists.go): the later wins (duplicates.go).
	key := o.APIVersion + "/" + o.Kind + "/" + o.Metadata.Namespace + "/" + o.Metadata.Name
	prev, again := d.beginRead(key)
	if again {
		d.inv.Warnings = append(d.inv.Warnings, fmt.Sprintf("%s %s: also read from %s; the later one is kept", o.Kind, nsName(o.Metadata), describeSource(prev)))
	}
	d.inv.EnginePolicies = append(d.inv.EnginePolicies, &model.EnginePolicy{Meta: o.Metadata, APIVersion: o.APIVersion, Kind: o.Kind,
		Spec: append(json.RawMessage(nil), body.Spec...), Source: src})
	d.endRead(key, src, true)
	return nil
}

// decodeAdmissionPolicy keeps a ValidatingAdmissionPolicy or its binding
// with its whole spec (v1beta1 has the same fields as v1).
func decodeAdmissionPolicy(d *decoder, raw []byte, meta model.Meta, src model.Source) error {
	var o struct {
		Kind string          `json:"kind"`
		Spec json.RawMessage `json:"spec"`
	}
	if err := d.decodeJSON(raw, &o); err != nil {
		return err
	}
	if o.Kind == "" {
		o.Kind = d.decoding.kind
	}
	ap := &model.AdmissionPolicy{Meta: meta, Kind: o.Kind, Source: src}
	spec := []byte(o.Spec)
	if len(spec) == 0 || string(spec) == "null" {
		spec = []byte("{}")
	}
	if o.Kind == model.KindValidatingAdmissionPolicy {
		ap.Policy = &admissionregistrationv1.ValidatingAdmissionPolicySpec{}
		if err := json.Unmarshal(spec, ap.Policy); err != nil {
			return fmt.Errorf("spec: %w", err)
		}
	} else {
		ap.Binding = &admissionregistrationv1.ValidatingAdmissionPolicyBindingSpec{}
		if err := json.Unmarshal(spec, ap.Binding); err != nil {
			return fmt.Errorf("spec: %w", err)
		}
		if ap.Binding.PolicyName == "" {
			d.inv.Warnings = append(d.inv.Warnings, fmt.Sprintf("%s %s (%s): spec.policyName is empty: the binding binds nothing", o.Kind, meta.Name, describeSource(src)))
		}
	}
	d.inv.AdmissionPolicies = append(d.inv.AdmissionPolicies, ap)
	return nil
}

// keepParams keeps the content of the objects a ValidatingAdmissionPolicy of
// the input names as its paramKind (and only those: other objects of
// unknown kinds stay identity only). raw holds the JSON of d.inv.Others.
func keepParams(inv *model.Inventory, raw map[*model.Object][]byte) {
	if len(raw) == 0 {
		return
	}
	want := map[string]bool{}
	for _, p := range inv.AdmissionPolicies {
		if p.Policy != nil && p.Policy.ParamKind != nil {
			want[p.Policy.ParamKind.APIVersion+"/"+p.Policy.ParamKind.Kind] = true
		}
	}
	for _, o := range inv.Others {
		r, ok := raw[o]
		if !ok || !want[o.APIVersion+"/"+o.Kind] {
			continue
		}
		var content map[string]any
		if err := json.Unmarshal(r, &content); err != nil {
			continue // it decoded once as an object header: cannot happen
		}
		if md, ok := content["metadata"].(map[string]any); ok {
			if ann, ok := md["annotations"].(map[string]any); ok {
				for k := range ann {
					if strings.HasPrefix(k, "kubectl.kubernetes.io/last-applied") {
						delete(ann, k)
					}
				}
			}
		}
		o.Content = content
	}
}
