package source

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

const admissionInput = `apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicy
metadata: {name: p}
spec:
  paramKind: {apiVersion: v1, kind: ConfigMap}
  matchConstraints:
    resourceRules: [{apiGroups: [""], apiVersions: [v1], operations: [CREATE], resources: [pods]}]
  validations: [{expression: "params.data.x == 'y'", messageExpression: "'no'"}]
---
apiVersion: admissionregistration.k8s.io/v1beta1
kind: ValidatingAdmissionPolicyBinding
metadata: {name: b}
spec:
  policyName: p
  validationActions: [Deny]
  paramRef: {name: params, namespace: policy, parameterNotFoundAction: Deny}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: params, namespace: policy}
data: {x: "y"}
---
apiVersion: example.com/v1
kind: Widget
metadata: {name: unrelated, namespace: policy}
spec: {big: "not kept"}
---
apiVersion: kyverno.io/v1
kind: Policy
metadata: {name: k}
spec: {validationFailureAction: Enforce, rules: [{name: r, match: {resources: {kinds: [Pod]}}, validate: {podSecurity: {level: baseline}}}]}
---
apiVersion: constraints.gatekeeper.sh/v1beta1
kind: K8sPSPPrivilegedContainer
metadata: {name: g, namespace: ignored}
spec: {match: {kinds: [{apiGroups: [""], kinds: [Pod]}]}}
`

// TestAdmissionPoliciesDecoded: policies and bindings are kept whole (v1beta1
// too), engine policies with their spec, a policy's parameters with their
// content and other objects by identity only; a dump reads back the same.
func TestAdmissionPoliciesDecoded(t *testing.T) {
	inv, err := LoadFiles(FileOptions{Filenames: []string{"-"}, Stdin: strings.NewReader(admissionInput)})
	if err != nil {
		t.Fatal(err)
	}
	if len(inv.AdmissionPolicies) != 2 {
		t.Fatalf("admission policies: %+v", inv.AdmissionPolicies)
	}
	var pol, bind = inv.AdmissionPolicies[0], inv.AdmissionPolicies[1]
	if pol.Kind == "ValidatingAdmissionPolicyBinding" {
		pol, bind = bind, pol
	}
	if pol.Policy == nil || pol.Policy.ParamKind.Kind != "ConfigMap" || pol.Policy.Validations[0].MessageExpression != "'no'" {
		t.Errorf("policy: %+v", pol.Policy)
	}
	if bind.Binding == nil || bind.Binding.PolicyName != "p" || bind.Binding.ParamRef.Name != "params" || string(bind.Binding.ValidationActions[0]) != "Deny" {
		t.Errorf("binding: %+v", bind.Binding)
	}
	if len(inv.EnginePolicies) != 2 {
		t.Fatalf("engine policies: %+v", inv.EnginePolicies)
	}
	for _, e := range inv.EnginePolicies {
		switch e.Kind {
		case "Policy":
			if e.Namespace != "default" || !bytes.Contains(e.Spec, []byte("podSecurity")) {
				t.Errorf("Kyverno Policy: %+v", e)
			}
		case "K8sPSPPrivilegedContainer":
			if e.Namespace != "" || !bytes.Contains(e.Spec, []byte("match")) {
				t.Errorf("constraint: %+v", e)
			}
		}
	}
	for _, o := range inv.Others {
		switch o.Name {
		case "params":
			if o.Content == nil || o.Content["data"].(map[string]any)["x"] != "y" {
				t.Errorf("param content: %+v", o.Content)
			}
		case "unrelated":
			if o.Content != nil {
				t.Errorf("an object of a kind no policy names is kept whole: %+v", o.Content)
			}
		}
	}
	dump, err := MarshalDump(inv)
	if err != nil {
		t.Fatal(err)
	}
	again, err := LoadFiles(FileOptions{Filenames: []string{"-"}, Stdin: bytes.NewReader(dump)})
	if err != nil {
		t.Fatal(err)
	}
	for i := range inv.AdmissionPolicies {
		a, b := inv.AdmissionPolicies[i], again.AdmissionPolicies[i]
		if !reflect.DeepEqual(a.Policy, b.Policy) || !reflect.DeepEqual(a.Binding, b.Binding) {
			t.Errorf("dump changed %s: %+v != %+v", a.Name, a, b)
		}
	}
	if len(again.EnginePolicies) != 2 {
		t.Fatalf("dump changed the engine policies: %+v", again.EnginePolicies)
	}
	for i, e := range inv.EnginePolicies {
		var a, b any
		if err := json.Unmarshal(e.Spec, &a); err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(again.EnginePolicies[i].Spec, &b); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(a, b) {
			t.Errorf("dump changed %s: %s != %s", e.Name, e.Spec, again.EnginePolicies[i].Spec)
		}
	}
	for _, o := range again.Others {
		if o.Name == "params" && o.Content == nil {
			t.Error("dump lost the parameter's content")
		}
	}
}
