package source

import (
	"sort"

	"github.com/auth-paths/kubectl-auth-paths/pkg/model"
)

// podSpecJSON mirrors the parts of core/v1 PodSpec that decide a pod's
// identity and how much of its node it can reach.
type podSpecJSON struct {
	ServiceAccountName           string          `json:"serviceAccountName"`
	ServiceAccount               string          `json:"serviceAccount"` // deprecated alias
	NodeName                     string          `json:"nodeName"`
	AutomountServiceAccountToken *bool           `json:"automountServiceAccountToken"`
	HostPID                      bool            `json:"hostPID"`
	HostIPC                      bool            `json:"hostIPC"`
	HostNetwork                  bool            `json:"hostNetwork"`
	Containers                   []containerJSON `json:"containers"`
	InitContainers               []containerJSON `json:"initContainers"`
	EphemeralContainers          []containerJSON `json:"ephemeralContainers"`
	Volumes                      []volumeJSON    `json:"volumes"`
}

type containerJSON struct {
	Name  string `json:"name"`
	Image string `json:"image"`
	Stdin bool   `json:"stdin"`
	// RestartPolicy Always makes an init container a sidecar, running with the pod.
	RestartPolicy   string `json:"restartPolicy"`
	SecurityContext *struct {
		Privileged               *bool `json:"privileged"`
		AllowPrivilegeEscalation *bool `json:"allowPrivilegeEscalation"`
		Capabilities             *struct {
			Add []string `json:"add"`
		} `json:"capabilities"`
	} `json:"securityContext"`
}

type volumeJSON struct {
	HostPath *struct {
		Path string `json:"path"`
	} `json:"hostPath"`
	Projected *struct {
		Sources []struct {
			ServiceAccountToken *struct {
				Path string `json:"path"`
			} `json:"serviceAccountToken"`
		} `json:"sources"`
	} `json:"projected"`
}

func (p *podSpecJSON) summary() model.PodSpec {
	s := model.PodSpec{
		ServiceAccountName:           p.ServiceAccountName,
		NodeName:                     p.NodeName,
		AutomountServiceAccountToken: p.AutomountServiceAccountToken,
		HostPID:                      p.HostPID,
		HostIPC:                      p.HostIPC,
		HostNetwork:                  p.HostNetwork,
	}
	if s.ServiceAccountName == "" {
		s.ServiceAccountName = p.ServiceAccount
	}
	if s.ServiceAccountName == "" {
		// The ServiceAccount admission plugin assigns "default".
		s.ServiceAccountName = "default"
	}
	caps := map[string]bool{}
	images := map[string]bool{}
	for i, list := range [][]containerJSON{p.InitContainers, p.Containers, p.EphemeralContainers} {
		for _, c := range list {
			if c.Image != "" {
				images[c.Image] = true
			}
			// Init containers have exited when the pod runs, except sidecars:
			// attach reaches running containers only.
			if c.Stdin && (i > 0 || c.RestartPolicy == "Always") {
				s.Stdin = append(s.Stdin, c.Name)
			}
			sc := c.SecurityContext
			if sc == nil {
				continue
			}
			if sc.Privileged != nil && *sc.Privileged {
				s.Privileged = true
			}
			if sc.AllowPrivilegeEscalation != nil && *sc.AllowPrivilegeEscalation {
				s.AllowPrivilegeEscalation = true
			}
			if sc.Capabilities != nil {
				for _, c := range sc.Capabilities.Add {
					caps[c] = true
				}
			}
		}
	}
	for _, v := range p.Volumes {
		if v.HostPath != nil {
			s.HostPaths = append(s.HostPaths, v.HostPath.Path)
		}
		if v.Projected != nil {
			for _, src := range v.Projected.Sources {
				if src.ServiceAccountToken != nil {
					s.ProjectedToken = true
				}
			}
		}
	}
	s.Capabilities = sortedKeys(caps)
	s.Images = sortedKeys(images)
	sort.Strings(s.HostPaths)
	sort.Strings(s.Stdin)
	return s
}

func sortedKeys(m map[string]bool) []string {
	if len(m) == 0 {
		return nil
	}
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// annotationMirrorPod marks the API mirror of a kubelet's static pod.
const annotationMirrorPod = "kubernetes.io/config.mirror"

func decodePod(d *decoder, raw []byte, meta model.Meta, src model.Source) error {
	var o struct {
		Spec   podSpecJSON `json:"spec"`
		Status struct {
			Phase string `json:"phase"`
		} `json:"status"`
	}
	if err := d.decodeJSON(raw, &o); err != nil {
		return err
	}
	spec := d.strs.podSpec(o.Spec.summary())
	if _, mirror := meta.Annotations[annotationMirrorPod]; mirror && o.Spec.ServiceAccountName == "" && o.Spec.ServiceAccount == "" {
		// The ServiceAccount admission plugin gives mirror (static) pods no
		// ServiceAccount: they hold no token.
		spec.ServiceAccountName = ""
	}
	d.inv.Pods = append(d.inv.Pods, d.strs.pods.New(model.Pod{Meta: meta, Spec: spec, Phase: d.strs.str(o.Status.Phase), Source: src}))
	return nil
}

func decodeWorkload(d *decoder, raw []byte, meta model.Meta, src model.Source) error {
	var o struct {
		Kind string `json:"kind"`
		Spec struct {
			Template *struct {
				Spec podSpecJSON `json:"spec"`
			} `json:"template"`
		} `json:"spec"`
	}
	if err := d.decodeJSON(raw, &o); err != nil {
		return err
	}
	if o.Kind == "" {
		o.Kind = d.decoding.kind
	}
	w := d.strs.workloads.New(model.Workload{Meta: meta, Kind: d.strs.str(o.Kind), Group: d.decoding.group, Source: src})
	if o.Spec.Template != nil {
		w.Spec = d.strs.podSpec(o.Spec.Template.Spec.summary())
	} else {
		w.Spec.ServiceAccountName = "default"
	}
	d.inv.Workloads = append(d.inv.Workloads, w)
	return nil
}

func decodeCronJob(d *decoder, raw []byte, meta model.Meta, src model.Source) error {
	var o struct {
		Spec struct {
			JobTemplate struct {
				Spec struct {
					Template struct {
						Spec podSpecJSON `json:"spec"`
					} `json:"template"`
				} `json:"spec"`
			} `json:"jobTemplate"`
		} `json:"spec"`
	}
	if err := d.decodeJSON(raw, &o); err != nil {
		return err
	}
	w := d.strs.workloads.New(model.Workload{Meta: meta, Kind: "CronJob", Group: "batch", Spec: d.strs.podSpec(o.Spec.JobTemplate.Spec.Template.Spec.summary()), Source: src})
	d.inv.Workloads = append(d.inv.Workloads, w)
	return nil
}
