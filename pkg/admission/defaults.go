package admission

import (
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// Kinds and resources of the requests the steps make.
var (
	PodKind   = corev1.SchemeGroupVersion.WithKind("Pod")
	PodGVR    = corev1.SchemeGroupVersion.WithResource("pods")
	PVKind    = corev1.SchemeGroupVersion.WithKind("PersistentVolume")
	PVGVR     = corev1.SchemeGroupVersion.WithResource("persistentvolumes")
	PVCKind   = corev1.SchemeGroupVersion.WithKind("PersistentVolumeClaim")
	PVCGVR    = corev1.SchemeGroupVersion.WithResource("persistentvolumeclaims")
	coreGroup = schema.GroupVersion{Version: "v1"}
)

// DefaultPod fills in what the apiserver adds to a pod before validating
// admission runs (the defaulting of core/v1 and the ServiceAccount admission
// plugin's token volume), so that a policy sees the pod it would see.
// Fields a policy rarely reads (tolerations of DefaultTolerationSeconds,
// priority) are left out.
func DefaultPod(p *corev1.Pod, tokenMounted bool) {
	p.APIVersion, p.Kind = coreGroup.String(), "Pod"
	s := &p.Spec
	if s.ServiceAccountName == "" {
		s.ServiceAccountName = "default"
	}
	if s.RestartPolicy == "" {
		s.RestartPolicy = corev1.RestartPolicyAlways
	}
	if s.DNSPolicy == "" {
		s.DNSPolicy = corev1.DNSClusterFirst
	}
	if s.SchedulerName == "" {
		s.SchedulerName = corev1.DefaultSchedulerName
	}
	if s.SecurityContext == nil {
		s.SecurityContext = &corev1.PodSecurityContext{}
	}
	if s.TerminationGracePeriodSeconds == nil {
		g := int64(corev1.DefaultTerminationGracePeriodSeconds)
		s.TerminationGracePeriodSeconds = &g
	}
	if s.EnableServiceLinks == nil {
		t := true
		s.EnableServiceLinks = &t
	}
	if tokenMounted {
		const vol = "kube-api-access-probe"
		exp := int64(3607)
		mode := int32(0o644)
		s.Volumes = append(s.Volumes, corev1.Volume{Name: vol, VolumeSource: corev1.VolumeSource{Projected: &corev1.ProjectedVolumeSource{
			DefaultMode: &mode,
			Sources: []corev1.VolumeProjection{
				{ServiceAccountToken: &corev1.ServiceAccountTokenProjection{Path: "token", ExpirationSeconds: &exp}},
				{ConfigMap: &corev1.ConfigMapProjection{LocalObjectReference: corev1.LocalObjectReference{Name: "kube-root-ca.crt"},
					Items: []corev1.KeyToPath{{Key: "ca.crt", Path: "ca.crt"}}}},
				{DownwardAPI: &corev1.DownwardAPIProjection{Items: []corev1.DownwardAPIVolumeFile{{Path: "namespace",
					FieldRef: &corev1.ObjectFieldSelector{APIVersion: "v1", FieldPath: "metadata.namespace"}}}}},
			},
		}}})
		for i := range s.Containers {
			s.Containers[i].VolumeMounts = append(s.Containers[i].VolumeMounts, corev1.VolumeMount{Name: vol, ReadOnly: true,
				MountPath: "/var/run/secrets/kubernetes.io/serviceaccount"})
		}
	}
	for i := range s.Containers {
		c := &s.Containers[i]
		if c.TerminationMessagePath == "" {
			c.TerminationMessagePath = corev1.TerminationMessagePathDefault
		}
		if c.TerminationMessagePolicy == "" {
			c.TerminationMessagePolicy = corev1.TerminationMessageReadFile
		}
		if c.ImagePullPolicy == "" {
			c.ImagePullPolicy = corev1.PullIfNotPresent
		}
	}
	for i := range s.Volumes {
		if hp := s.Volumes[i].HostPath; hp != nil && hp.Type == nil {
			t := corev1.HostPathUnset
			hp.Type = &t
		}
	}
}

// DefaultPV fills in a PersistentVolume's defaults.
func DefaultPV(pv *corev1.PersistentVolume) {
	pv.APIVersion, pv.Kind = coreGroup.String(), "PersistentVolume"
	if pv.Spec.PersistentVolumeReclaimPolicy == "" {
		pv.Spec.PersistentVolumeReclaimPolicy = corev1.PersistentVolumeReclaimRetain
	}
	if pv.Spec.VolumeMode == nil {
		m := corev1.PersistentVolumeFilesystem
		pv.Spec.VolumeMode = &m
	}
	if hp := pv.Spec.HostPath; hp != nil && hp.Type == nil {
		t := corev1.HostPathUnset
		hp.Type = &t
	}
	if pv.Spec.Capacity == nil {
		pv.Spec.Capacity = corev1.ResourceList{corev1.ResourceStorage: resource.MustParse("1Gi")}
	}
}

// DefaultPVC fills in a claim's defaults.
func DefaultPVC(c *corev1.PersistentVolumeClaim) {
	c.APIVersion, c.Kind = coreGroup.String(), "PersistentVolumeClaim"
	if c.Spec.VolumeMode == nil {
		m := corev1.PersistentVolumeFilesystem
		c.Spec.VolumeMode = &m
	}
}
