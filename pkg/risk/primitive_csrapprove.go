package risk

import (
	"fmt"
	"strings"

	"github.com/auth-paths/kubectl-auth-paths/pkg/rbac"
)

// Signers with a known effect.
const (
	signerAPIServerClient        = "kubernetes.io/kube-apiserver-client"
	signerAPIServerClientKubelet = "kubernetes.io/kube-apiserver-client-kubelet"
)

// csrApprove: a principal that creates a CertificateSigningRequest, approves
// it (update certificatesigningrequests/approval plus `approve` on the
// signer, by name or "domain/*") and reads it back gets a client certificate
// the controller manager signs: for kube-apiserver-client any user and group
// (system:masters), for kube-apiserver-client-kubelet a node's identity.
type csrApprove struct{}

func init() { register(csrApprove{}) }

func (csrApprove) ID() string { return "csr-approve" }
func (csrApprove) Summary() string {
	return "create + approve a CSR for a client signer → any identity (kube-apiserver-client: system:masters) or a node's"
}

const certGroup = "certificates.k8s.io"

func (csrApprove) Evaluate(a *Analysis, p *Principal) []Candidate {
	create, ok := p.First(res("create", certGroup, "certificatesigningrequests", "", "", ""))
	if !ok {
		return nil
	}
	// The CSR's name is the creator's choice, so any approval/read rule works.
	approval, ok := firstIgnoringNames(p, "update", certGroup, "certificatesigningrequests", "approval")
	if !ok {
		approval, ok = firstIgnoringNames(p, "patch", certGroup, "certificatesigningrequests", "approval")
	}
	if !ok {
		return nil
	}
	read, readOK := firstIgnoringNames(p, "get", certGroup, "certificatesigningrequests", "")
	if !readOK {
		read, readOK = firstIgnoringNames(p, "list", certGroup, "certificatesigningrequests", "")
	}
	var out []Candidate
	for _, signer := range []string{signerAPIServerClient, signerAPIServerClientKubelet} {
		domain, _, _ := strings.Cut(signer, "/")
		sg, ok := p.First(res("approve", certGroup, "signers", "", "", signer))
		if !ok {
			sg, ok = p.First(res("approve", certGroup, "signers", "", "", domain+"/*"))
		}
		if !ok {
			continue
		}
		if !readOK {
			out = append(out, Candidate{Primitive: "csr-approve", Hops: 1, Grants: grants(create, approval, sg), To: a.Sink(),
				Why: fmt.Sprintf("can create and approve CSRs for %s, but cannot read a CSR back to get the certificate", signer)})
			continue
		}
		if signer == signerAPIServerClient {
			out = append(out, Candidate{Primitive: "csr-approve", To: a.Sink(), Hops: 1, Holds: true, Grants: grants(create, approval, sg, read),
				Condition: fmt.Sprintf("request, approve and read a %s certificate with O=%s", signer, rbac.GroupMasters)})
			continue
		}
		for _, n := range a.nodes {
			out = append(out, Candidate{Primitive: "csr-approve", To: a.NodeIdentity(n.Name), Hops: 1, Holds: true, Grants: grants(create, approval, sg, read),
				Condition: fmt.Sprintf("request, approve and read a %s certificate for CN=system:node:%s, O=system:nodes", signer, n.Name)})
		}
	}
	return out
}

// firstIgnoringNames finds a rule for the verb on the resource, whatever its resourceNames.
func firstIgnoringNames(p *Principal, verb, group, resource, sub string) (rbacBound, bool) {
	for _, br := range p.Rules {
		if br.Namespace != "" {
			continue
		}
		probe := br
		probe.Rule.ResourceNames = nil
		if ruleAllows(probe, res(verb, group, resource, sub, "", "")) {
			return br, true
		}
	}
	return rbacBound{}, false
}
