package cluster

import (
	"fmt"

	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// ShapePolicies is the hostile shape (the same objects, drawn from the same
// streams; their UIDs shift) plus one ValidatingAdmissionPolicy per 50
// namespaces, each denying privileged
// containers in pods, with a binding that selects one namespace by its
// kubernetes.io/metadata.name label: policies that grow with the cluster,
// one per team. Every step that creates a pod asks them; the analysis grew
// with policies × requests × requesters until the twelfth session
// (docs/performance.md). `make bench` runs it when asked, with
// BENCH_POLICIES.
const ShapePolicies = "policies"

// policiesEvery is the number of namespaces per policy.
const policiesEvery = 50

// policiesNamespace writes, for every policiesEvery-th namespace, a policy
// and its binding to ns.
func (g *gen) policiesNamespace(i int, ns string) {
	if i%policiesEvery != 0 {
		return
	}
	name := fmt.Sprintf("no-privileged-%05d", i/policiesEvery)
	fail := admissionregistrationv1.Fail
	g.out(&admissionregistrationv1.ValidatingAdmissionPolicy{
		TypeMeta:   metav1.TypeMeta{APIVersion: "admissionregistration.k8s.io/v1", Kind: "ValidatingAdmissionPolicy"},
		ObjectMeta: g.meta(name, "", nil),
		Spec: admissionregistrationv1.ValidatingAdmissionPolicySpec{
			FailurePolicy: &fail,
			MatchConstraints: &admissionregistrationv1.MatchResources{ResourceRules: []admissionregistrationv1.NamedRuleWithOperations{{
				RuleWithOperations: admissionregistrationv1.RuleWithOperations{
					Operations: []admissionregistrationv1.OperationType{admissionregistrationv1.Create, admissionregistrationv1.Update},
					Rule:       admissionregistrationv1.Rule{APIGroups: []string{""}, APIVersions: []string{"v1"}, Resources: []string{"pods"}},
				}}}},
			Validations: []admissionregistrationv1.Validation{{
				Expression: "object.spec.containers.all(c, !has(c.securityContext) || !has(c.securityContext.privileged) || !c.securityContext.privileged)",
				Message:    "privileged containers are not allowed",
			}},
		},
	})
	g.out(&admissionregistrationv1.ValidatingAdmissionPolicyBinding{
		TypeMeta:   metav1.TypeMeta{APIVersion: "admissionregistration.k8s.io/v1", Kind: "ValidatingAdmissionPolicyBinding"},
		ObjectMeta: g.meta(name, "", nil),
		Spec: admissionregistrationv1.ValidatingAdmissionPolicyBindingSpec{
			PolicyName:        name,
			ValidationActions: []admissionregistrationv1.ValidationAction{admissionregistrationv1.Deny},
			MatchResources: &admissionregistrationv1.MatchResources{NamespaceSelector: &metav1.LabelSelector{
				MatchLabels: map[string]string{"kubernetes.io/metadata.name": ns}}},
		},
	})
}
