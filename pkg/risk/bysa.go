package risk

import "github.com/auth-paths/kubectl-auth-paths/pkg/model"

// manyPerNamespace is how many pods or token Secrets a namespace has before
// the ServiceAccounts they run as or belong to are indexed (bySA): below
// it, a scan of the namespace costs less than the index.
const manyPerNamespace = 64

// saObjects are a namespace's pods and legacy token Secrets by
// ServiceAccount name, each list in inventory order.
type saObjects struct {
	pods    map[string][]*model.Pod
	secrets map[string][]*model.Secret
}

// podsRunningAs returns the pods of ns whose serviceAccountName is sa, in
// inventory order. Every path's entries (saEntries) and every admin's
// findings ask it: in one namespace of thousands of pods and
// ServiceAccounts, a scan of the namespace per question made both grow with
// the square of the namespace.
func (a *Analysis) podsRunningAs(ns, sa string) []*model.Pod {
	pods := a.podsByNS[ns]
	if len(pods) < manyPerNamespace {
		var out []*model.Pod
		for _, p := range pods {
			if p.Spec.ServiceAccountName == sa {
				out = append(out, p)
			}
		}
		return out
	}
	return a.saObjectsOf(ns).pods[sa]
}

// tokenSecretsOf returns the legacy token Secrets of ns annotated for
// ServiceAccount sa, in inventory order (podsRunningAs's counterpart).
func (a *Analysis) tokenSecretsOf(ns, sa string) []*model.Secret {
	secrets := a.tokenSecrets[ns]
	if len(secrets) < manyPerNamespace {
		var out []*model.Secret
		for _, s := range secrets {
			if s.Annotations[model.AnnotationServiceAccountName] == sa {
				out = append(out, s)
			}
		}
		return out
	}
	return a.saObjectsOf(ns).secrets[sa]
}

// saObjectsOf indexes ns once (the analysis' outputs may ask from several
// goroutines).
func (a *Analysis) saObjectsOf(ns string) *saObjects {
	return memo(&a.mu, &a.bySA, ns, func() *saObjects {
		o := &saObjects{pods: map[string][]*model.Pod{}, secrets: map[string][]*model.Secret{}}
		for _, p := range a.podsByNS[ns] {
			o.pods[p.Spec.ServiceAccountName] = append(o.pods[p.Spec.ServiceAccountName], p)
		}
		for _, s := range a.tokenSecrets[ns] {
			name := s.Annotations[model.AnnotationServiceAccountName]
			o.secrets[name] = append(o.secrets[name], s)
		}
		return o
	})
}
