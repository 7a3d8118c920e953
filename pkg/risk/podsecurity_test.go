package risk

import (
	"testing"

	"github.com/auth-paths/kubectl-auth-paths/pkg/model"
)

func boolp(b bool) *bool { return &b }

func TestSensitiveHostPath(t *testing.T) {
	for _, tc := range []struct {
		path string
		want bool
	}{
		{"/", true},
		{"", true}, // relative to /: the root
		{"//", true},
		{"/var", true},     // contains /var/lib/kubelet, /var/log, /var/run
		{"/var/lib", true}, // contains /var/lib/kubelet
		{"/var/lib/kubelet", true},
		{"/var/lib/kubelet/pki", true},
		{"/var/lib/kubelet/", true},
		{"/var/lib/kubelet/pods", false}, // pod tokens only: readsPodTokens
		{"/var/lib/kubelet/pods/0a1b/volumes", false},
		{"/etc", true},
		{"/etc/kubernetes", true},
		{"/etc/kubernetes/pki", true},
		{"/etc/ssl/certs", true}, // under /etc: writable trust store and more
		{"/root/.ssh", true},
		{"/home/admin", true},
		{"/proc", true},
		{"/proc/sys/kernel", true}, // core_pattern
		{"/sys/fs/cgroup", true},
		{"/dev", true},
		{"/run/containerd/containerd.sock", true},
		{"/var/run/docker.sock", true},
		{"/var/run/crio/crio.sock", true},
		{"/var/log", true},
		{"/var/log/pods", true},
		{"/var/lib/etcd", true},
		{"/var/lib/docker/overlay2", true},
		{"/usr/local/bin", true},
		{"/lib/modules", true},
		{"/opt/cni/bin", true},
		{"/var/spool/cron/crontabs", true},
		{"/tmp", false},
		{"/data", false},
		{"/mnt/disks/ssd0", false},
		{"/opt", true}, // contains /opt/cni/bin
		{"/opt/local-path-provisioner", false},
		{"/var/lib/mysql", false},
		{"/var/lib/kubeletx", false}, // a sibling, not below /var/lib/kubelet
		{"/etcd-backup", false},
		{"/var/cache/apt", false},
	} {
		if got := sensitiveHostPath(tc.path); got != tc.want {
			t.Errorf("sensitiveHostPath(%q) = %v, want %v", tc.path, got, tc.want)
		}
	}
}

func TestHostEscapes(t *testing.T) {
	for _, tc := range []struct {
		name string
		spec model.PodSpec
		want bool
		why  string
	}{
		{"plain", model.PodSpec{}, false, ""},
		{"privileged", model.PodSpec{Privileged: true}, true, "privileged container"},
		{"hostPath root", model.PodSpec{HostPaths: []string{"/"}}, true, "hostPath /"},
		{"harmless hostPath", model.PodSpec{HostPaths: []string{"/tmp", "/data"}}, false, ""},
		{"kubelet pods dir only", model.PodSpec{HostPaths: []string{"/var/lib/kubelet/pods"}}, false, ""},
		{"SYS_ADMIN", model.PodSpec{Capabilities: []string{"SYS_ADMIN"}}, true, "capability SYS_ADMIN"},
		{"CAP_SYS_MODULE lower case", model.PodSpec{Capabilities: []string{"cap_sys_module"}}, true, "capability cap_sys_module"},
		{"SYS_PTRACE without hostPID", model.PodSpec{Capabilities: []string{"SYS_PTRACE"}}, false, ""},
		{"SYS_PTRACE with hostPID", model.PodSpec{HostPID: true, Capabilities: []string{"SYS_PTRACE"}}, true, "capability SYS_PTRACE with hostPID"},
		{"hostPID alone", model.PodSpec{HostPID: true}, false, ""},
		{"hostNetwork alone", model.PodSpec{HostNetwork: true}, false, ""},
		{"NET_ADMIN", model.PodSpec{Capabilities: []string{"NET_ADMIN", "NET_RAW"}}, false, ""},
		{"ALL", model.PodSpec{Capabilities: []string{"ALL"}}, true, "capability ALL"},
		{"DAC_READ_SEARCH", model.PodSpec{Capabilities: []string{"DAC_READ_SEARCH"}}, true, "capability DAC_READ_SEARCH"},
		{"several reasons", model.PodSpec{Privileged: true, HostPaths: []string{"/etc/kubernetes"}}, true, "privileged container, hostPath /etc/kubernetes"},
	} {
		got, why := hostEscapes(tc.spec)
		if got != tc.want || why != tc.why {
			t.Errorf("%s: hostEscapes = %v, %q; want %v, %q", tc.name, got, why, tc.want, tc.why)
		}
	}
}

func TestReadsPodTokens(t *testing.T) {
	for _, tc := range []struct {
		paths []string
		want  bool
	}{
		{nil, false},
		{[]string{"/var/lib/kubelet/pods"}, true},
		{[]string{"/var/lib/kubelet/pods/"}, true},
		{[]string{"/var/lib/kubelet/pods/1234/volumes"}, true},
		{[]string{"/var/lib/kubelet/plugins"}, false},
		{[]string{"/var/lib/kubelet/podsx"}, false},
		{[]string{"/tmp"}, false},
	} {
		if got, _ := readsPodTokens(model.PodSpec{HostPaths: tc.paths}); got != tc.want {
			t.Errorf("readsPodTokens(%v) = %v, want %v", tc.paths, got, tc.want)
		}
	}
}

func TestEnforceLevel(t *testing.T) {
	ns := func(name string, labels map[string]string) *model.Namespace {
		return &model.Namespace{Meta: model.Meta{Name: name, Labels: labels}}
	}
	inv := &model.Inventory{Namespaces: []*model.Namespace{
		ns("priv", map[string]string{LabelEnforce: "privileged"}),
		ns("base", map[string]string{LabelEnforce: "baseline", "pod-security.kubernetes.io/enforce-version": "v1.30"}),
		ns("restr", map[string]string{LabelEnforce: "restricted"}),
		ns("none", map[string]string{"kubernetes.io/metadata.name": "none"}),
		ns("warn-only", map[string]string{"pod-security.kubernetes.io/warn": "restricted", "pod-security.kubernetes.io/audit": "restricted"}),
		ns("capital", map[string]string{LabelEnforce: "Privileged"}),
		ns("empty", map[string]string{LabelEnforce: ""}),
		ns("typo", map[string]string{LabelEnforce: "privilged"}),
	}}
	for _, def := range []string{LevelPrivileged, LevelBaseline} {
		a := Analyze(inv, Options{PodSecurityDefault: def})
		for _, tc := range []struct {
			ns       string
			want     string
			labelled bool
		}{
			{"priv", LevelPrivileged, true},
			{"base", LevelBaseline, true},
			{"restr", LevelRestricted, true},
			{"none", def, false},
			{"warn-only", def, false}, // warn and audit never block
			{"absent", def, false},    // namespace not in the input
			// PolicyToEvaluate/ParseLevel: an invalid enforce value enforces restricted.
			{"capital", LevelRestricted, true},
			{"empty", LevelRestricted, true},
			{"typo", LevelRestricted, true},
		} {
			level, labelled := a.EnforceLevel(tc.ns)
			if level != tc.want || labelled != tc.labelled {
				t.Errorf("default %s: EnforceLevel(%s) = %s, %v; want %s, %v", def, tc.ns, level, labelled, tc.want, tc.labelled)
			}
			allowed, _ := a.allowsHostAccess(tc.ns)
			if allowed != (tc.want == LevelPrivileged) {
				t.Errorf("default %s: allowsHostAccess(%s) = %v", def, tc.ns, allowed)
			}
		}
	}
}

func TestTokenMounted(t *testing.T) {
	inv := &model.Inventory{ServiceAccounts: []*model.ServiceAccount{
		{Meta: model.Meta{Namespace: "ns", Name: "plain"}},
		{Meta: model.Meta{Namespace: "ns", Name: "off"}, AutomountServiceAccountToken: boolp(false)},
		{Meta: model.Meta{Namespace: "ns", Name: "on"}, AutomountServiceAccountToken: boolp(true)},
	}}
	a := Analyze(inv, Options{})
	for _, tc := range []struct {
		name      string
		sa        string
		pod       *bool
		projected bool
		want      bool
	}{
		{"defaults", "plain", nil, false, true},
		{"pod off", "plain", boolp(false), false, false},
		{"pod on", "plain", boolp(true), false, true},
		{"sa off", "off", nil, false, false},
		{"sa off, pod on wins", "off", boolp(true), false, true},
		{"sa on, pod off wins", "on", boolp(false), false, false},
		{"sa missing from input", "ghost", nil, false, true},
		// A projected serviceAccountToken volume is a token whatever automount says.
		{"pod off but projected token volume", "off", boolp(false), true, true},
	} {
		p := &model.Pod{Meta: model.Meta{Namespace: "ns", Name: "p"}, Spec: model.PodSpec{ServiceAccountName: tc.sa, AutomountServiceAccountToken: tc.pod, ProjectedToken: tc.projected}}
		if got := a.tokenMounted(p); got != tc.want {
			t.Errorf("%s: tokenMounted = %v, want %v", tc.name, got, tc.want)
		}
	}
}
