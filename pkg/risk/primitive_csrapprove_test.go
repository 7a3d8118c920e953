package risk_test

import (
	"testing"

	"github.com/auth-paths/kubectl-auth-paths/pkg/risk"
)

// The kube-apiserver-client signer gives any identity but system:masters
// (CertificateSubjectRestriction); the kubelet signer gives a node's API
// identity, never the node itself.
func TestCSRApproveTargets(t *testing.T) {
	a := scenarioAnalysis(t, "csr-approve-client-signer-by-name", risk.Options{})
	if !hasEdge(a, "User:kate", "csr-approve", "Group:kubeadm:cluster-admins") {
		t.Errorf("want csr-approve → Group:kubeadm:cluster-admins, got %v", edgesFrom(a, "User:kate"))
	}
	if hasEdge(a, "User:kate", "csr-approve", "cluster-admin") || hasEdge(a, "User:kate", "csr-approve", "Group:system:masters") {
		t.Error("a kube-apiserver-client certificate for system:masters is refused by CertificateSubjectRestriction")
	}
	b := scenarioAnalysis(t, "csr-approve-kubelet-signer-control-plane", risk.Options{})
	for _, e := range edgesFrom(b, "User:kate") {
		if e == "csr-approve→Node:cp-1" || e == "csr-approve→cluster-admin" {
			t.Errorf("a kubelet client certificate is the node's API identity, not the node: %s", e)
		}
	}
	if !hasEdge(b, "User:kate", "csr-approve", "ServiceAccount:kube-system:kube-proxy") {
		t.Errorf("want the ServiceAccount of the pod on cp-1, got %v", edgesFrom(b, "User:kate"))
	}
}
