package risk

import "fmt"

// csrNodeClient: kube-controller-manager's csrapproving controller (on by
// default) approves a kubelet client CSR — signer
// kubernetes.io/kube-apiserver-client-kubelet, CN=system:node:NAME,
// O=system:nodes, client-auth usages — when a SubjectAccessReview says its
// requester may create certificatesigningrequests/nodeclient, whatever NAME
// is (bootstrap tokens' groups hold that by default), and the kubelet signer
// issues it. With create certificatesigningrequests and a way to read the
// CSR back (get, list or watch; no approval update here), the requester
// holds the API identity of a node of its choice. The controller is a
// process the input does not show: its running is an assumption, said in
// the step and turned off by Options.NoCSRAutoApproval. A renewal
// (certificatesigningrequests/selfnodeclient) is approved only for the
// requester's own node name: no new identity, so no edge.
type csrNodeClient struct{}

func init() { register(csrNodeClient{}) }

func (csrNodeClient) ID() string { return "csr-nodeclient" }
func (csrNodeClient) Summary() string {
	return "create a kubelet client CSR the csrapproving controller auto-approves (certificatesigningrequests/nodeclient) → a node's API identity"
}
func (csrNodeClient) Color() string        { return "#9f1239" }
func (csrNodeClient) Techniques() []string { return []string{"T1098", "T1078"} }

func (csrNodeClient) Evaluate(a *Analysis, p *Principal) []Candidate {
	create, ok := p.First(res("create", certGroup, "certificatesigningrequests", "", "", ""))
	if !ok {
		return nil
	}
	// The controller's SubjectAccessReview names no CSR: a rule with
	// resourceNames does not allow it.
	nodeClient, ok := p.First(res("create", certGroup, "certificatesigningrequests", "nodeclient", "", ""))
	if !ok {
		if _, self := p.First(res("create", certGroup, "certificatesigningrequests", "selfnodeclient", "", "")); self {
			return []Candidate{{Primitive: "csr-nodeclient", Hops: 1, Grants: grants(create), To: a.phantom("Signer:"+signerAPIServerClientKubelet, "signer "+signerAPIServerClientKubelet),
				Why: "may create certificatesigningrequests/selfnodeclient only: the csrapproving controller then approves renewals of the requester's own node name, no other identity"}}
		}
		return []Candidate{{Primitive: "csr-nodeclient", Hops: 1, Grants: grants(create), To: a.phantom("Signer:"+signerAPIServerClientKubelet, "signer "+signerAPIServerClientKubelet),
			Why: "may create CSRs but not certificatesigningrequests/nodeclient: the csrapproving controller approves none of its kubelet client CSRs"}}
	}
	read, ok := readCSR(p)
	if !ok {
		return []Candidate{{Primitive: "csr-nodeclient", Hops: 1, Grants: grants(create, nodeClient), To: a.phantom("Signer:"+signerAPIServerClientKubelet, "signer "+signerAPIServerClientKubelet),
			Why: "may create kubelet client CSRs the csrapproving controller approves, but cannot get, list or watch a CSR to read the certificate"}}
	}
	if a.Opts.NoCSRAutoApproval {
		return []Candidate{{Primitive: "csr-nodeclient", Hops: 1, Grants: grants(create, nodeClient, read), To: a.phantom("Signer:"+signerAPIServerClientKubelet, "signer "+signerAPIServerClientKubelet),
			Why: "may create certificatesigningrequests/nodeclient, but the control plane runs no csrapproving controller (--no-csr-auto-approval)"}}
	}
	how := fmt.Sprintf("create a %s CSR for CN=system:node:<a node of its choosing>, O=system:nodes, which kube-controller-manager's csrapproving controller approves (assumes it runs, as by default; --no-csr-auto-approval if not), and read the certificate",
		signerAPIServerClientKubelet)
	c := a.kubeletIdentityStep("csr-nodeclient", allNodes, how, grants(create, nodeClient, read)...)
	c.Assumed = c.Holds // the controller's running is assumed
	return []Candidate{c}
}
