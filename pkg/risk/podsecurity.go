package risk

import (
	"fmt"
	"path"
	"strings"

	"github.com/auth-paths/kubectl-auth-paths/pkg/model"
)

// Pod Security Standards levels.
const (
	LevelPrivileged = "privileged"
	LevelBaseline   = "baseline"
	LevelRestricted = "restricted"
	// LabelEnforce is the namespace label Pod Security admission enforces.
	LabelEnforce = "pod-security.kubernetes.io/enforce"
)

// EnforceLevel returns a namespace's enforced Pod Security level and whether
// it came from the label (false: the cluster default applies).
//
// Like Pod Security admission (k8s.io/pod-security-admission/api
// PolicyToEvaluate and ParseLevel), a label whose value is not exactly
// "privileged", "baseline" or "restricted" (case-sensitive, empty included)
// enforces "restricted": an invalid label fails closed, it does not fall back
// to the default.
func (a *Analysis) EnforceLevel(ns string) (string, bool) {
	if n := a.nsObjects[ns]; n != nil {
		if l, ok := n.Labels[LabelEnforce]; ok {
			switch l {
			case LevelPrivileged, LevelBaseline, LevelRestricted:
				return l, true
			}
			return LevelRestricted, true
		}
	}
	return a.Opts.PodSecurityDefault, false
}

// allowsHostAccess reports whether pods created in ns may be privileged or
// mount the host: only the privileged level allows that.
func (a *Analysis) allowsHostAccess(ns string) (bool, string) {
	// Memoised: asked per namespace by every principal that may create
	// pods or patch namespaces there.
	h := memo(&a.mu, &a.hostAccess, ns, func() hostAccess {
		allowed, why := a.hostAccessOf(ns)
		return hostAccess{allowed, why}
	})
	return h.allowed, h.why
}

type hostAccess struct {
	allowed bool
	why     string
}

func (a *Analysis) hostAccessOf(ns string) (bool, string) {
	level, labelled := a.EnforceLevel(ns)
	src := "its " + LabelEnforce + " label"
	if !labelled {
		src = "no enforce label, cluster default"
	}
	if level == LevelPrivileged {
		return true, fmt.Sprintf("namespace %s enforces Pod Security level %q (%s): privileged pods and hostPath are admitted", ns, level, src)
	}
	return false, fmt.Sprintf("namespace %s enforces Pod Security level %q (%s), which forbids privileged pods, host namespaces and hostPath", ns, level, src)
}

// hostEscapes says whether a pod spec gives its containers the node: its
// root filesystem, its kubelet credentials or code execution as root on it.
func hostEscapes(s model.PodSpec) (bool, string) {
	var why []string
	if s.Privileged {
		why = append(why, "privileged container")
	}
	for _, p := range s.HostPaths {
		if sensitiveHostPath(p) {
			why = append(why, "hostPath "+p)
		}
	}
	for _, c := range s.Capabilities {
		switch strings.TrimPrefix(strings.ToUpper(c), "CAP_") {
		// ALL adds every capability (the runtime expands it), SYS_ADMIN
		// mounts the host's devices or cgroups, SYS_MODULE loads kernel
		// modules, DAC_READ_SEARCH opens host files by handle
		// (open_by_handle_at from a host bind mount such as /etc/hosts).
		case "ALL", "SYS_ADMIN", "SYS_MODULE", "DAC_READ_SEARCH":
			why = append(why, "capability "+c)
		case "SYS_PTRACE":
			if s.HostPID {
				why = append(why, "capability "+c+" with hostPID")
			}
		}
	}
	if len(why) == 0 {
		return false, ""
	}
	return true, strings.Join(why, ", ")
}

// readsPodTokens says whether a pod that does not escape to its node still
// mounts the kubelet's pod directory (/var/lib/kubelet/pods or a directory
// below it), where the tokens of every pod on the node are written: that
// gives those pods' ServiceAccounts, not the kubelet's own key (which lives
// in /var/lib/kubelet/pki).
func readsPodTokens(s model.PodSpec) (bool, string) {
	for _, p := range s.HostPaths {
		p = cleanHostPath(p)
		if p == kubeletPodsDir || strings.HasPrefix(p, kubeletPodsDir+"/") {
			return true, "hostPath " + p + " (the kubelet's pod volumes)"
		}
	}
	return false, ""
}

const kubeletPodsDir = "/var/lib/kubelet/pods"

// hostSensitiveRoots are host directories whose content gives the node: a
// hostPath equal to one, below one, or above one (e.g. /, /var) exposes it.
var hostSensitiveRoots = []string{
	// kubelet kubeconfig, static pod manifests and pki in /etc/kubernetes; shadow, cron.
	"/etc",
	// SSH keys and shell profiles.
	"/root", "/home",
	// /proc/sys/kernel/core_pattern, /proc/1/root, /sys/kernel/uevent_helper,
	// cgroup v1 release_agent: code run by the host kernel as root.
	"/proc", "/sys",
	// Block devices, kernel and binaries root runs on the node.
	"/dev", "/boot", "/usr", "/bin", "/sbin", "/lib", "/lib64",
	// CNI plugins the kubelet runs as root.
	"/opt/cni",
	// Container runtime sockets (docker.sock, containerd.sock, crio.sock).
	"/run", "/var/run",
	// The kubelet's client key (/var/lib/kubelet/pki); its pods directory
	// alone is handled by readsPodTokens.
	"/var/lib/kubelet",
	// etcd data: every Secret of the cluster.
	"/var/lib/etcd",
	// Other containers' filesystems.
	"/var/lib/docker", "/var/lib/containerd", "/var/lib/containers",
	// Root crontabs.
	"/var/spool/cron",
	// The kubelet follows symlinks planted here when it serves container
	// logs (pods/log, nodes/log), reading any file of the node as root.
	"/var/log",
}

// cleanHostPath normalises a hostPath as the kubelet resolves it (a relative
// path is relative to /).
func cleanHostPath(p string) string { return path.Clean("/" + strings.TrimSpace(p)) }

// sensitiveHostPath: mounts that expose the node's credentials or root.
func sensitiveHostPath(p string) bool {
	p = cleanHostPath(p)
	if p == "/" {
		return true
	}
	if p == kubeletPodsDir || strings.HasPrefix(p, kubeletPodsDir+"/") {
		return false // pod tokens only: see readsPodTokens
	}
	for _, s := range hostSensitiveRoots {
		if p == s || strings.HasPrefix(p, s+"/") || strings.HasPrefix(s, p+"/") {
			return true
		}
	}
	return false
}

// isControlPlane reports whether a node is a control-plane node.
func isControlPlane(n *model.Node) bool {
	for _, l := range []string{"node-role.kubernetes.io/control-plane", "node-role.kubernetes.io/master"} {
		if _, ok := n.Labels[l]; ok {
			return true
		}
	}
	return false
}

// tokenMounted: a pod's containers hold its ServiceAccount's token.
func (a *Analysis) tokenMounted(p *model.Pod) bool {
	if p.Spec.ServiceAccountName == "" {
		// Mirror (static) pods have no ServiceAccount.
		return false
	}
	if p.Spec.ProjectedToken {
		return true
	}
	if p.Spec.AutomountServiceAccountToken != nil {
		return *p.Spec.AutomountServiceAccountToken
	}
	if sa := a.saByKey[p.Namespace+"/"+p.Spec.ServiceAccountName]; sa != nil && sa.AutomountServiceAccountToken != nil {
		return *sa.AutomountServiceAccountToken
	}
	return true
}
