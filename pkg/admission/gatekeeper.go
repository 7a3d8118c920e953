package admission

import (
	"encoding/json"
	"fmt"
	"path"
	"sort"
	"strings"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"

	"github.com/auth-paths/kubectl-auth-paths/pkg/model"
)

// Gatekeeper constraints of the gatekeeper-library pod-security-policy
// templates, evaluated by the templates' documented rules. The Rego of a
// ConstraintTemplate is not run: a constraint of any other kind is reported
// as not evaluated.
//
// Recognised kinds (and parameters):
//   - K8sPSPPrivilegedContainer (exemptImages): no privileged container.
//   - K8sPSPHostFilesystem (allowedHostPaths pathPrefix/readOnly): hostPath
//     volumes only under an allowed prefix, read-only when it says so.
//   - K8sPSPHostNamespace: no hostPID, no hostIPC.
//   - K8sPSPCapabilities (allowedCapabilities, requiredDropCapabilities,
//     exemptImages): added capabilities allowed ("*" all), required ones
//     dropped ("ALL" drops all).
//   - K8sPSPAllowPrivilegeEscalationContainer (exemptImages):
//     allowPrivilegeEscalation set to false.
//   - K8sPSPHostNetworkingPorts (hostNetwork, min, max): hostNetwork only
//     when allowed, host ports within [min, max].
type gatekeeperConstraint struct {
	obj    *model.EnginePolicy
	action string
	match  gkMatch
	params map[string]any
	check  func(c *gatekeeperConstraint, pod *corev1.Pod) []string
}

type gkMatch struct {
	Kinds []struct {
		APIGroups []string `json:"apiGroups"`
		Kinds     []string `json:"kinds"`
	} `json:"kinds"`
	Scope              string                `json:"scope"`
	Namespaces         []string              `json:"namespaces"`
	ExcludedNamespaces []string              `json:"excludedNamespaces"`
	LabelSelector      *metav1.LabelSelector `json:"labelSelector"`
	NamespaceSelector  *metav1.LabelSelector `json:"namespaceSelector"`
	Name               string                `json:"name"`
}

var gatekeeperChecks = map[string]func(c *gatekeeperConstraint, pod *corev1.Pod) []string{
	"K8sPSPPrivilegedContainer":               gkPrivileged,
	"K8sPSPHostFilesystem":                    gkHostFilesystem,
	"K8sPSPHostNamespace":                     gkHostNamespace,
	"K8sPSPCapabilities":                      gkCapabilities,
	"K8sPSPAllowPrivilegeEscalationContainer": gkPrivilegeEscalation,
	"K8sPSPHostNetworkingPorts":               gkHostNetwork,
}

func (e *Evaluator) addGatekeeper(p *model.EnginePolicy) {
	name := p.Kind + "/" + p.Name
	check, ok := gatekeeperChecks[p.Kind]
	if !ok {
		e.unknown = append(e.unknown, Finding{Engine: EngineGatekeeper, Policy: name, Message: "constraint kind not recognised (its template's Rego is not run)"})
		return
	}
	var spec struct {
		EnforcementAction string         `json:"enforcementAction"`
		Match             gkMatch        `json:"match"`
		Parameters        map[string]any `json:"parameters"`
		Scoped            []struct {
			Action            string `json:"action"`
			EnforcementPoints []struct {
				Name string `json:"name"`
			} `json:"enforcementPoints"`
		} `json:"scopedEnforcementActions"`
	}
	if len(p.Spec) > 0 {
		if err := json.Unmarshal(p.Spec, &spec); err != nil {
			e.unknown = append(e.unknown, Finding{Engine: EngineGatekeeper, Policy: name, Message: "spec not understood: " + err.Error()})
			return
		}
	}
	action := strings.ToLower(spec.EnforcementAction)
	if action == "" {
		action = "deny"
	}
	if action == "scoped" {
		// Deny at admission only when the webhook enforcement point denies.
		action = "warn"
		for _, s := range spec.Scoped {
			for _, ep := range s.EnforcementPoints {
				if (ep.Name == "validation.gatekeeper.sh" || ep.Name == "*") && strings.ToLower(s.Action) == "deny" {
					action = "deny"
				}
			}
		}
	}
	e.gatekeeper = append(e.gatekeeper, &gatekeeperConstraint{obj: p, action: action, match: spec.Match, params: spec.Parameters, check: check})
}

func (e *Evaluator) evalGatekeeper(req Request, v *Verdict) {
	pod, isPod := req.Object.(*corev1.Pod)
	for _, c := range e.gatekeeper {
		name := c.obj.Kind + "/" + c.obj.Name
		if !c.matches(e, req) {
			continue
		}
		if req.Namespace == "gatekeeper-system" {
			v.NotEvaluated = append(v.NotEvaluated, Finding{Engine: EngineGatekeeper, Policy: name,
				Message: "gatekeeper-system is exempted by Gatekeeper's default installation (--exempt-namespace)"})
			continue
		}
		if !isPod {
			continue // the recognised templates check pods only
		}
		viol := c.check(c, pod)
		if len(viol) == 0 {
			continue
		}
		f := Finding{Engine: EngineGatekeeper, Policy: name, Expression: c.obj.Kind, Message: strings.Join(viol, "; ")}
		switch c.action {
		case "deny":
			v.Denied = append(v.Denied, f)
		case "warn", "dryrun":
			f.Message += " (enforcementAction " + c.action + ": not enforced)"
			v.Warned = append(v.Warned, f)
		default:
			f.Message = "enforcementAction " + c.action + " not recognised"
			v.NotEvaluated = append(v.NotEvaluated, f)
		}
	}
}

// matches applies spec.match: every given criterion must hold.
func (c *gatekeeperConstraint) matches(e *Evaluator, req Request) bool {
	m := c.match
	if len(m.Kinds) > 0 {
		ok := false
		for _, k := range m.Kinds {
			if matchList(k.APIGroups, req.Kind.Group) && matchList(k.Kinds, req.Kind.Kind) {
				ok = true
			}
		}
		if !ok {
			return false
		}
	}
	switch m.Scope {
	case "Cluster":
		if req.Namespace != "" {
			return false
		}
	case "Namespaced":
		if req.Namespace == "" {
			return false
		}
	}
	if m.Name != "" && !globMatch(m.Name, req.Name) {
		return false
	}
	if req.Namespace != "" {
		if len(m.Namespaces) > 0 && !anyPrefixGlob(m.Namespaces, req.Namespace) {
			return false
		}
		if anyPrefixGlob(m.ExcludedNamespaces, req.Namespace) {
			return false
		}
		if m.NamespaceSelector != nil && !selectorMatches(m.NamespaceSelector, e.namespaceLabels(req)) {
			return false
		}
	}
	if m.LabelSelector != nil && !selectorMatches(m.LabelSelector, objectLabels(req)) {
		return false
	}
	return true
}

func matchList(list []string, s string) bool {
	for _, x := range list {
		if x == "*" || x == s {
			return true
		}
	}
	return false
}

// anyPrefixGlob: Gatekeeper namespace lists allow one leading or trailing "*".
func anyPrefixGlob(list []string, s string) bool {
	for _, x := range list {
		switch {
		case x == "*":
			return true
		case strings.HasSuffix(x, "*") && strings.HasPrefix(s, strings.TrimSuffix(x, "*")):
			return true
		case strings.HasPrefix(x, "*") && strings.HasSuffix(s, strings.TrimPrefix(x, "*")):
			return true
		case x == s:
			return true
		}
	}
	return false
}

func selectorMatches(ls *metav1.LabelSelector, set map[string]string) bool {
	sel, err := metav1.LabelSelectorAsSelector(ls)
	if err != nil {
		return false
	}
	return sel.Matches(labels.Set(set))
}

func objectLabels(req Request) map[string]string {
	switch o := req.Object.(type) {
	case *corev1.Pod:
		return o.Labels
	case *corev1.PersistentVolume:
		return o.Labels
	case *corev1.PersistentVolumeClaim:
		return o.Labels
	}
	return nil
}

// allContainers are the containers the library templates check.
func allContainers(p *corev1.Pod) []corev1.Container {
	out := append([]corev1.Container(nil), p.Spec.InitContainers...)
	out = append(out, p.Spec.Containers...)
	for _, ec := range p.Spec.EphemeralContainers {
		out = append(out, corev1.Container(ec.EphemeralContainerCommon))
	}
	return out
}

func (c *gatekeeperConstraint) strings(key string) []string {
	raw, _ := c.params[key].([]any)
	var out []string
	for _, r := range raw {
		if s, ok := r.(string); ok {
			out = append(out, s)
		}
	}
	return out
}

// exempt: exemptImages entries match exactly, or by prefix when they end in "*".
func (c *gatekeeperConstraint) exempt(image string) bool {
	for _, x := range c.strings("exemptImages") {
		if x == image || (strings.HasSuffix(x, "*") && strings.HasPrefix(image, strings.TrimSuffix(x, "*"))) {
			return true
		}
	}
	return false
}

func gkPrivileged(c *gatekeeperConstraint, p *corev1.Pod) []string {
	var out []string
	for _, ct := range allContainers(p) {
		if sc := ct.SecurityContext; sc != nil && sc.Privileged != nil && *sc.Privileged && !c.exempt(ct.Image) {
			out = append(out, fmt.Sprintf("privileged container is not allowed: %s", ct.Name))
		}
	}
	return out
}

func gkHostFilesystem(c *gatekeeperConstraint, p *corev1.Pod) []string {
	type allowed struct {
		prefix   string
		readOnly bool
	}
	var allow []allowed
	raw, _ := c.params["allowedHostPaths"].([]any)
	for _, r := range raw {
		m, _ := r.(map[string]any)
		pfx, _ := m["pathPrefix"].(string)
		ro, _ := m["readOnly"].(bool)
		allow = append(allow, allowed{pfx, ro})
	}
	var out []string
	for _, vol := range p.Spec.Volumes {
		if vol.HostPath == nil {
			continue
		}
		ok := false
		for _, a := range allow {
			if !pathPrefixMatches(a.prefix, vol.HostPath.Path) {
				continue
			}
			if a.readOnly && writableMount(p, vol.Name) {
				continue
			}
			ok = true
		}
		if !ok {
			out = append(out, fmt.Sprintf("HostPath volume %s (path %s) is not allowed", vol.Name, vol.HostPath.Path))
		}
	}
	return out
}

// pathPrefixMatches compares paths component by component.
func pathPrefixMatches(prefix, p string) bool {
	a := strings.Split(strings.Trim(path.Clean("/"+prefix), "/"), "/")
	b := strings.Split(strings.Trim(path.Clean("/"+p), "/"), "/")
	if len(a) == 1 && a[0] == "" {
		return true
	}
	if len(a) > len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func writableMount(p *corev1.Pod, vol string) bool {
	for _, ct := range allContainers(p) {
		for _, m := range ct.VolumeMounts {
			if m.Name == vol && !m.ReadOnly {
				return true
			}
		}
	}
	return false
}

func gkHostNamespace(_ *gatekeeperConstraint, p *corev1.Pod) []string {
	if p.Spec.HostPID || p.Spec.HostIPC {
		return []string{"sharing the host namespace is not allowed (hostPID or hostIPC)"}
	}
	return nil
}

func gkCapabilities(c *gatekeeperConstraint, p *corev1.Pod) []string {
	allowed := lowerSet(c.strings("allowedCapabilities"))
	mustDrop := lowerSet(c.strings("requiredDropCapabilities"))
	var out []string
	for _, ct := range allContainers(p) {
		if c.exempt(ct.Image) {
			continue
		}
		var add, drop map[string]bool
		if sc := ct.SecurityContext; sc != nil && sc.Capabilities != nil {
			add = lowerSet(capStrings(sc.Capabilities.Add))
			drop = lowerSet(capStrings(sc.Capabilities.Drop))
		}
		if !allowed["*"] {
			for a := range add {
				if !allowed[a] {
					out = append(out, fmt.Sprintf("container %s has a disallowed capability %s", ct.Name, strings.ToUpper(a)))
				}
			}
		}
		if !drop["all"] {
			var missing []string
			for d := range mustDrop {
				if !drop[d] {
					missing = append(missing, strings.ToUpper(d))
				}
			}
			if len(missing) > 0 {
				sort.Strings(missing)
				out = append(out, fmt.Sprintf("container %s is not dropping all required capabilities (%s)", ct.Name, strings.Join(missing, ",")))
			}
		}
	}
	sort.Strings(out)
	return out
}

func gkPrivilegeEscalation(c *gatekeeperConstraint, p *corev1.Pod) []string {
	var out []string
	for _, ct := range allContainers(p) {
		sc := ct.SecurityContext
		if c.exempt(ct.Image) || (sc != nil && sc.AllowPrivilegeEscalation != nil && !*sc.AllowPrivilegeEscalation) {
			continue
		}
		out = append(out, fmt.Sprintf("privilege escalation container is not allowed: %s", ct.Name))
	}
	return out
}

func gkHostNetwork(c *gatekeeperConstraint, p *corev1.Pod) []string {
	allowNet, _ := c.params["hostNetwork"].(bool)
	var out []string
	if p.Spec.HostNetwork && !allowNet {
		out = append(out, "hostNetwork is not allowed")
	}
	minP, hasMin := c.params["min"].(float64)
	maxP, hasMax := c.params["max"].(float64)
	for _, ct := range allContainers(p) {
		for _, port := range ct.Ports {
			if port.HostPort == 0 {
				continue
			}
			if !hasMin || !hasMax || float64(port.HostPort) < minP || float64(port.HostPort) > maxP {
				out = append(out, fmt.Sprintf("host port %d of container %s is not allowed", port.HostPort, ct.Name))
			}
		}
	}
	return out
}

func lowerSet(list []string) map[string]bool {
	out := map[string]bool{}
	for _, s := range list {
		out[strings.ToLower(s)] = true
	}
	return out
}

func capStrings(cs []corev1.Capability) []string {
	out := make([]string, len(cs))
	for i, c := range cs {
		out[i] = string(c)
	}
	return out
}
