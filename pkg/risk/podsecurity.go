package risk

import (
	"fmt"
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
func (a *Analysis) EnforceLevel(ns string) (string, bool) {
	if n := a.nsObjects[ns]; n != nil {
		if l, ok := n.Labels[LabelEnforce]; ok {
			switch l {
			case LevelPrivileged, LevelBaseline, LevelRestricted:
				return l, true
			}
		}
	}
	return a.Opts.PodSecurityDefault, false
}

// allowsHostAccess reports whether pods created in ns may be privileged or
// mount the host: only the privileged level allows that.
func (a *Analysis) allowsHostAccess(ns string) (bool, string) {
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

// hostEscapes says whether a pod spec gives its containers the node.
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
		case "SYS_ADMIN", "SYS_MODULE":
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

// sensitiveHostPath: mounts that expose the node's credentials or root.
func sensitiveHostPath(p string) bool {
	p = strings.TrimRight(p, "/")
	if p == "" {
		return true // "/"
	}
	for _, s := range []string{"/etc", "/var", "/var/lib", "/var/lib/kubelet", "/etc/kubernetes", "/root", "/proc", "/run", "/var/run", "/home", "/dev", "/var/run/docker.sock", "/run/containerd", "/run/containerd/containerd.sock", "/var/run/crio", "/var/lib/etcd", "/var/log"} {
		if p == s {
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
