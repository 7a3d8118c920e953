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
// signer, by name or "domain/*", as the CertificateApproval admission plugin
// checks) and reads it back gets a client certificate the controller manager
// signs. For kube-apiserver-client the subject is free, except that the
// CertificateSubjectRestriction admission plugin (on by default) refuses
// O=system:masters: the certificate names any other user, group or
// ServiceAccount (RBAC matches a ServiceAccount subject by its user name).
// For kube-apiserver-client-kubelet it is CN=system:node:NAME,
// O=system:nodes: a node's API identity, which is not the node's disk.
// The certificate is read back with get, list or watch on the CSR, or from
// the response of an approval update (the whole object, status included).
type csrApprove struct{}

func init() { register(csrApprove{}) }

func (csrApprove) ID() string { return "csr-approve" }
func (csrApprove) Summary() string {
	return "create + approve a CSR for a client signer → any identity but system:masters (kube-apiserver-client) or a node's API identity"
}
func (csrApprove) Color() string        { return "#be123c" }
func (csrApprove) Techniques() []string { return []string{"T1098", "T1078"} }

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
		if _, canApprove := firstIgnoringNames(p, "approve", certGroup, "signers", ""); canApprove {
			return []Candidate{{Primitive: "csr-approve", Hops: 1, Grants: grants(create), To: a.Sink(),
				Why: "can create CSRs and approve for a signer, but cannot update certificatesigningrequests/approval"}}
		}
		return nil
	}
	// The issued certificate is in the CSR's status: any read verb gets it,
	// and so does the approval update itself, whose response is the whole
	// object (status included): sent again once the controller has signed,
	// it returns the certificate. The approval grant is thus enough.
	read, readOK := readCSR(p)
	readHow := "read"
	if !readOK {
		readHow = "read (from the response of a second approval update: the object, status.certificate included)"
	}
	var out []Candidate
	for _, signer := range []string{signerAPIServerClient, signerAPIServerClientKubelet} {
		domain, _, _ := strings.Cut(signer, "/")
		sg, ok := p.First(res("approve", certGroup, "signers", "", "", signer))
		if !ok {
			sg, ok = p.First(res("approve", certGroup, "signers", "", "", domain+"/*"))
		}
		if !ok {
			out = append(out, Candidate{Primitive: "csr-approve", Hops: 1, Grants: grants(create, approval), To: a.phantom("Signer:"+signer, "signer "+signer),
				Why: fmt.Sprintf("can create CSRs and update their approval, but has no approve on signers %q or %q", signer, domain+"/*")})
			continue
		}
		gs := grants(create, approval, sg)
		if readOK {
			gs = grants(create, approval, sg, read)
		}
		if signer == signerAPIServerClientKubelet {
			out = append(out, a.kubeletIdentityStep("csr-approve", allNodes,
				fmt.Sprintf("request, approve and %s a %s certificate for CN=system:node:<a node of its choosing>, O=system:nodes", readHow, signer), gs...))
			continue
		}
		out = append(out, Candidate{Primitive: "csr-approve", Hops: 1, Grants: gs, To: a.Sink(),
			Why: fmt.Sprintf("a %s certificate with O=%s is refused by the CertificateSubjectRestriction admission plugin (enabled by default)", signer, rbac.GroupMasters)})
		how := fmt.Sprintf("request, approve and %s a %s certificate", readHow, signer)
		if scope := a.anyIdentity(); scope != nil {
			out = append(out, Candidate{Primitive: "csr-approve", To: scope, Hops: 1, Holds: true, Grants: gs,
				Condition: how + " with the CN (user) and O (groups) of its choosing, except O=" + rbac.GroupMasters + " (RBAC matches a ServiceAccount by its user name)"})
		}
		out = append(out, a.kubeletIdentityStep("csr-approve", allNodes, how+" with CN=system:node:<a node of its choosing>, O=system:nodes", gs...))
	}
	return dedupeCandidates(out)
}

// readCSR finds a rule to read a CSR the principal created (get, list or
// watch; its name is the creator's choice, so any resourceNames do).
func readCSR(p *Principal) (rbacBound, bool) {
	for _, verb := range readVerbs {
		if br, ok := firstIgnoringNames(p, verb, certGroup, "certificatesigningrequests", ""); ok {
			return br, true
		}
	}
	return rbacBound{}, false
}

// firstIgnoringNames finds a rule for the verb on the resource, whatever its resourceNames.
// Only rules bound cluster-wide count (the resources asked about are
// cluster-scoped); they are visited through the principal's index, without
// copying the others.
func firstIgnoringNames(p *Principal, verb, group, resource, sub string) (rbacBound, bool) {
	req := res(verb, group, resource, sub, "", "")
	var found rbacBound
	ok := false
	p.eachApplicable("", func(br *rbacBound) bool {
		probe := *br.Rule
		probe.ResourceNames = nil
		if rbac.RuleAllows(req, &probe) {
			found, ok = *br, true
			return false
		}
		return true
	})
	return found, ok
}
