package admission

import (
	"sort"

	corev1 "k8s.io/api/core/v1"
	psaapi "k8s.io/pod-security-admission/api"
	psapolicy "k8s.io/pod-security-admission/policy"
)

// pssFailure is one Pod Security Standards check a pod fails.
type pssFailure struct {
	id      psapolicy.CheckID
	reason  string
	details string
}

// pssFailures runs the Pod Security Standards checks of k8s.io/pod-security-admission
// (those Pod Security admission and Kyverno's validate.podSecurity run) for
// a level and version, keeping each check's ID so that exclusions can name
// it. Restricted checks that override a baseline check replace it, as in
// the library's registry.
func pssFailures(level psaapi.Level, version psaapi.Version, p *corev1.Pod) []pssFailure {
	if level == psaapi.LevelPrivileged {
		return nil
	}
	type picked struct {
		id  psapolicy.CheckID
		vc  psapolicy.VersionedCheck
		ord int
	}
	var run []picked
	overridden := map[psapolicy.CheckID]bool{}
	for i, c := range psapolicy.DefaultChecks() {
		if c.Level == psaapi.LevelRestricted && level != psaapi.LevelRestricted {
			continue
		}
		var vc *psapolicy.VersionedCheck
		for j := range c.Versions {
			v := c.Versions[j]
			if version.Latest() || !version.Older(v.MinimumVersion) {
				vc = &c.Versions[j]
			}
		}
		if vc == nil {
			continue
		}
		for _, o := range vc.OverrideCheckIDs {
			overridden[o] = true
		}
		run = append(run, picked{c.ID, *vc, i})
	}
	sort.Slice(run, func(i, j int) bool { return run[i].ord < run[j].ord })
	var out []pssFailure
	for _, r := range run {
		if overridden[r.id] {
			continue
		}
		res := r.vc.CheckPod(&p.ObjectMeta, &p.Spec)
		if !res.Allowed {
			out = append(out, pssFailure{id: r.id, reason: res.ForbiddenReason, details: res.ForbiddenDetail})
		}
	}
	return out
}

// kyvernoControls are the control names Kyverno's podSecurity exclusions
// use for the library's checks.
var kyvernoControls = map[psapolicy.CheckID]string{
	"windowsHostProcess":         "HostProcess",
	"hostNamespaces":             "Host Namespaces",
	"privileged":                 "Privileged Containers",
	"capabilities_baseline":      "Capabilities",
	"capabilities_restricted":    "Capabilities",
	"hostPathVolumes":            "HostPath Volumes",
	"hostPorts":                  "Host Ports",
	"appArmorProfile":            "AppArmor",
	"seLinuxOptions":             "SELinux",
	"procMount":                  "/proc Mount Type",
	"seccompProfile_baseline":    "Seccomp",
	"seccompProfile_restricted":  "Seccomp",
	"sysctls":                    "Sysctls",
	"restrictedVolumes":          "Volume Types",
	"allowPrivilegeEscalation":   "Privilege Escalation",
	"runAsNonRoot":               "Running as Non-root",
	"runAsUser":                  "Running as Non-root user",
	"hostProbesAndHostLifecycle": "Host Probes / Lifecycle Hooks",
}
