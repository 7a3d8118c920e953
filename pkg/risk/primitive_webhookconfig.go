package risk

import (
	"fmt"

	"github.com/auth-paths/kubectl-auth-paths/graph"
	"github.com/auth-paths/kubectl-auth-paths/pkg/model"
)

// webhookConfig: a mutating admission webhook (or mutating admission policy)
// the principal registers can rewrite every pod the cluster creates, e.g. give
// a control-plane controller's pod a privileged container: cluster-admin. A
// validating webhook sees every object written, Secrets included, so it
// collects the tokens of service-account-token Secrets when they are written.
type webhookConfig struct{}

func init() { register(webhookConfig{}) }

func (webhookConfig) ID() string { return "webhook-config" }
func (webhookConfig) Summary() string {
	return "create/update mutating webhook configurations → cluster-admin; validating ones → token Secrets as they are written"
}
func (webhookConfig) Color() string        { return "#4f46e5" }
func (webhookConfig) Techniques() []string { return []string{"T1610", "T1552.007"} }

const admissionGroup = "admissionregistration.k8s.io"

func (webhookConfig) Evaluate(a *Analysis, p *Principal) []Candidate {
	var out []Candidate
	if br, how, ok := writeConfig(a, p, "mutatingwebhookconfigurations", model.KindMutatingWebhookConfiguration); ok {
		out = append(out, Candidate{Primitive: "webhook-config", To: a.Sink(), Hops: 1, Holds: true, Grants: grants(br),
			Condition: how + ": a mutating webhook rewrites every pod created in the cluster"})
	} else if pol, ok := p.First(res("create", admissionGroup, "mutatingadmissionpolicies", "", "", "")); ok {
		if pb, ok := p.First(res("create", admissionGroup, "mutatingadmissionpolicybindings", "", "", "")); ok {
			out = append(out, Candidate{Primitive: "webhook-config", To: a.Sink(), Hops: 1, Holds: true, Grants: grants(pol, pb),
				Condition: "create a MutatingAdmissionPolicy and its binding: it rewrites every pod created in the cluster"})
		}
	}
	if br, how, ok := writeConfig(a, p, "validatingwebhookconfigurations", model.KindValidatingWebhookConfiguration); ok {
		if scope := a.writtenTokenSecrets(); scope != nil {
			out = append(out, Candidate{Primitive: "webhook-config", To: scope, Hops: 1, Holds: true, Grants: grants(br),
				Condition: how + ": a validating webhook on secrets receives every Secret when it is next written"})
		}
	}
	return dedupeByTarget(out)
}

// writeConfig: create a configuration, or update/patch an existing one.
func writeConfig(a *Analysis, p *Principal, resource, kind string) (rbacBound, string, bool) {
	if br, ok := p.First(res("create", admissionGroup, resource, "", "", "")); ok {
		return br, "create a " + kind, true
	}
	mayWrite := false
	for _, v := range modifyVerbs {
		mayWrite = mayWrite || p.mayAllow(res(v, admissionGroup, resource, "", "", ""))
	}
	if !mayWrite {
		return rbacBound{}, "", false // spares asking per configuration, for every principal
	}
	for _, w := range a.Inv.WebhookConfigurations {
		if w.Kind != kind {
			continue
		}
		if br, ok := p.FirstAny(modifyVerbs, res("", admissionGroup, resource, "", "", w.Name)); ok {
			return br, fmt.Sprintf("change %s %q", kind, w.Name), true
		}
	}
	return rbacBound{}, "", false
}

// writtenTokenSecrets is the scope "token Secrets as they are next
// written": a validating webhook on secrets receives each
// service-account-token Secret of an existing ServiceAccount, token
// included. Whoever may register one reaches the same; it is nil when the
// input has no such Secret.
func (a *Analysis) writtenTokenSecrets() *graph.Node {
	return a.sharedScope(scopeKey("written-token-secrets"), "written-token-secrets", allNamespaces, "token Secrets as they are written", func() []Candidate {
		var picks []Candidate
		for _, s := range a.Inv.Secrets {
			if s.Type != model.SecretTypeServiceAccountToken {
				continue
			}
			sa := s.Annotations[model.AnnotationServiceAccountName]
			if sa == "" || a.saByKey[s.Namespace+"/"+sa] == nil {
				continue
			}
			picks = append(picks, Candidate{Primitive: pickServiceAccount, To: a.SANode(s.Namespace, sa), Holds: true,
				Condition: fmt.Sprintf("Secret %s/%s holds a token of ServiceAccount %s", s.Namespace, s.Name, sa)})
		}
		return dedupeByTarget(picks)
	})
}
