package admission

import (
	"strings"

	"github.com/auth-paths/kubectl-auth-paths/pkg/model"
)

// addEnginePolicy files a Kyverno policy or Gatekeeper constraint.
func (e *Evaluator) addEnginePolicy(p *model.EnginePolicy) {
	group, _, _ := strings.Cut(p.APIVersion, "/")
	switch group {
	case "kyverno.io":
		e.addKyverno(p)
	case "constraints.gatekeeper.sh":
		e.addGatekeeper(p)
	default:
		e.unknown = append(e.unknown, Finding{Engine: p.Kind, Policy: p.Kind + "/" + p.Name, Message: "policy engine not recognised"})
	}
}
