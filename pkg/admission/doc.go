// Package admission asks the admission policies of an inventory whether they
// admit a write an attacker's step makes (the pod of a node escape, the
// hostPath PersistentVolume of create-pv…).
//
// ValidatingAdmissionPolicies are evaluated with the apiserver's own code:
// the CEL environment, compiler and validator of k8s.io/apiserver (as the
// ValidatingAdmissionPolicy plugin builds them) and its matcher for
// matchConstraints and binding matchResources. Kyverno and Gatekeeper
// policies are read by the documented semantics of the kinds listed in
// kyverno.go and gatekeeper.go; anything else is reported as not evaluated,
// never as blocking.
package admission
