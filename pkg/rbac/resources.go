package rbac

import (
	"fmt"
	"sort"
	"strings"
)

// ResourceInfo describes a built-in resource, for resolving what users type.
type ResourceInfo struct {
	Group      string
	Resource   string
	Singular   string
	ShortNames []string
	Namespaced bool
}

// builtinResources are the served resources of a v1.37 cluster that users name
// on the command line. Offline there is no discovery, so this table stands in
// for it; unknown resources are taken literally.
var builtinResources = []ResourceInfo{
	{"", "bindings", "binding", nil, true},
	{"", "componentstatuses", "componentstatus", []string{"cs"}, false},
	{"", "configmaps", "configmap", []string{"cm"}, true},
	{"", "endpoints", "endpoints", []string{"ep"}, true},
	{"", "events", "event", []string{"ev"}, true},
	{"", "limitranges", "limitrange", []string{"limits"}, true},
	{"", "namespaces", "namespace", []string{"ns"}, false},
	{"", "nodes", "node", []string{"no"}, false},
	{"", "persistentvolumeclaims", "persistentvolumeclaim", []string{"pvc"}, true},
	{"", "persistentvolumes", "persistentvolume", []string{"pv"}, false},
	{"", "pods", "pod", []string{"po"}, true},
	{"", "podtemplates", "podtemplate", nil, true},
	{"", "replicationcontrollers", "replicationcontroller", []string{"rc"}, true},
	{"", "resourcequotas", "resourcequota", []string{"quota"}, true},
	{"", "secrets", "secret", nil, true},
	{"", "serviceaccounts", "serviceaccount", []string{"sa"}, true},
	{"", "services", "service", []string{"svc"}, true},
	{"admissionregistration.k8s.io", "mutatingwebhookconfigurations", "mutatingwebhookconfiguration", nil, false},
	{"admissionregistration.k8s.io", "validatingwebhookconfigurations", "validatingwebhookconfiguration", nil, false},
	{"admissionregistration.k8s.io", "validatingadmissionpolicies", "validatingadmissionpolicy", nil, false},
	{"admissionregistration.k8s.io", "validatingadmissionpolicybindings", "validatingadmissionpolicybinding", nil, false},
	{"admissionregistration.k8s.io", "mutatingadmissionpolicies", "mutatingadmissionpolicy", nil, false},
	{"admissionregistration.k8s.io", "mutatingadmissionpolicybindings", "mutatingadmissionpolicybinding", nil, false},
	{"apiextensions.k8s.io", "customresourcedefinitions", "customresourcedefinition", []string{"crd", "crds"}, false},
	{"apiregistration.k8s.io", "apiservices", "apiservice", nil, false},
	{"apps", "controllerrevisions", "controllerrevision", nil, true},
	{"apps", "daemonsets", "daemonset", []string{"ds"}, true},
	{"apps", "deployments", "deployment", []string{"deploy"}, true},
	{"apps", "replicasets", "replicaset", []string{"rs"}, true},
	{"apps", "statefulsets", "statefulset", []string{"sts"}, true},
	{"authentication.k8s.io", "selfsubjectreviews", "selfsubjectreview", nil, false},
	{"authentication.k8s.io", "tokenreviews", "tokenreview", nil, false},
	{"authorization.k8s.io", "localsubjectaccessreviews", "localsubjectaccessreview", nil, true},
	{"authorization.k8s.io", "selfsubjectaccessreviews", "selfsubjectaccessreview", nil, false},
	{"authorization.k8s.io", "selfsubjectrulesreviews", "selfsubjectrulesreview", nil, false},
	{"authorization.k8s.io", "subjectaccessreviews", "subjectaccessreview", nil, false},
	{"autoscaling", "horizontalpodautoscalers", "horizontalpodautoscaler", []string{"hpa"}, true},
	{"batch", "cronjobs", "cronjob", []string{"cj"}, true},
	{"batch", "jobs", "job", nil, true},
	{"certificates.k8s.io", "certificatesigningrequests", "certificatesigningrequest", []string{"csr"}, false},
	{"certificates.k8s.io", "clustertrustbundles", "clustertrustbundle", nil, false},
	{"certificates.k8s.io", "signers", "signer", nil, false},
	{"coordination.k8s.io", "leases", "lease", nil, true},
	{"discovery.k8s.io", "endpointslices", "endpointslice", nil, true},
	{"events.k8s.io", "events", "event", []string{"ev"}, true},
	{"flowcontrol.apiserver.k8s.io", "flowschemas", "flowschema", nil, false},
	{"flowcontrol.apiserver.k8s.io", "prioritylevelconfigurations", "prioritylevelconfiguration", nil, false},
	{"networking.k8s.io", "ingressclasses", "ingressclass", nil, false},
	{"networking.k8s.io", "ingresses", "ingress", []string{"ing"}, true},
	{"networking.k8s.io", "networkpolicies", "networkpolicy", []string{"netpol"}, true},
	{"networking.k8s.io", "ipaddresses", "ipaddress", []string{"ip"}, false},
	{"networking.k8s.io", "servicecidrs", "servicecidr", nil, false},
	{"node.k8s.io", "runtimeclasses", "runtimeclass", nil, false},
	{"policy", "poddisruptionbudgets", "poddisruptionbudget", []string{"pdb"}, true},
	{"rbac.authorization.k8s.io", "clusterrolebindings", "clusterrolebinding", nil, false},
	{"rbac.authorization.k8s.io", "clusterroles", "clusterrole", nil, false},
	{"rbac.authorization.k8s.io", "rolebindings", "rolebinding", nil, true},
	{"rbac.authorization.k8s.io", "roles", "role", nil, true},
	{"resource.k8s.io", "deviceclasses", "deviceclass", nil, false},
	{"resource.k8s.io", "resourceclaims", "resourceclaim", nil, true},
	{"resource.k8s.io", "resourceclaimtemplates", "resourceclaimtemplate", nil, true},
	{"resource.k8s.io", "resourceslices", "resourceslice", nil, false},
	{"scheduling.k8s.io", "priorityclasses", "priorityclass", []string{"pc"}, false},
	{"storage.k8s.io", "csidrivers", "csidriver", nil, false},
	{"storage.k8s.io", "csinodes", "csinode", nil, false},
	{"storage.k8s.io", "csistoragecapacities", "csistoragecapacity", nil, true},
	{"storage.k8s.io", "storageclasses", "storageclass", []string{"sc"}, false},
	{"storage.k8s.io", "volumeattachments", "volumeattachment", nil, false},
	{"storage.k8s.io", "volumeattributesclasses", "volumeattributesclass", []string{"vac"}, false},
}

// resourceIndex maps every name users may type (plural, singular, short name,
// each optionally with ".group") to the resources it can mean.
var resourceIndex = func() map[string][]ResourceInfo {
	idx := map[string][]ResourceInfo{}
	add := func(key string, ri ResourceInfo) {
		for _, existing := range idx[key] {
			if existing.Group == ri.Group && existing.Resource == ri.Resource {
				return
			}
		}
		idx[key] = append(idx[key], ri)
	}
	for _, ri := range builtinResources {
		names := append([]string{ri.Resource, ri.Singular}, ri.ShortNames...)
		for _, n := range names {
			add(n, ri)
			if ri.Group != "" {
				add(n+"."+ri.Group, ri)
			}
		}
	}
	return idx
}()

// LookupResource returns the built-in resource with that group and plural name.
func LookupResource(group, resource string) (ResourceInfo, bool) {
	for _, ri := range builtinResources {
		if ri.Group == group && ri.Resource == resource {
			return ri, true
		}
	}
	return ResourceInfo{}, false
}

// ParseResource resolves "RESOURCE[.GROUP][/SUBRESOURCE]" as users type it:
// plural, singular or short names of built-in resources, with or without the
// group. A name that is not built in is taken literally: the part before the
// first dot is the resource and the rest its group (as for CRDs,
// "widgets.example.com"). The returned info tells whether the resource is
// known and namespaced.
func ParseResource(s string) (group, resource, subresource string, info ResourceInfo, known bool, err error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", "", "", ResourceInfo{}, false, fmt.Errorf("empty resource")
	}
	if i := strings.IndexByte(s, '/'); i >= 0 {
		s, subresource = s[:i], s[i+1:]
		if subresource == "" || strings.Contains(subresource, "/") {
			return "", "", "", ResourceInfo{}, false, fmt.Errorf("invalid subresource in %q: want RESOURCE[.GROUP]/SUBRESOURCE", s+"/"+subresource)
		}
	}
	if s == Wildcard {
		return Wildcard, Wildcard, subresource, ResourceInfo{}, false, nil
	}
	lower := strings.ToLower(s)
	if cands := resourceIndex[lower]; len(cands) > 0 {
		if len(cands) > 1 {
			// Sort a copy: the index is shared by concurrent callers.
			cands = append([]ResourceInfo(nil), cands...)
			// Prefer the core group for an ambiguous bare name (kubectl does the same for "events").
			sort.SliceStable(cands, func(i, j int) bool { return cands[i].Group < cands[j].Group })
			if cands[0].Group != "" {
				var opts []string
				for _, c := range cands {
					opts = append(opts, c.Resource+"."+c.Group)
				}
				return "", "", "", ResourceInfo{}, false, fmt.Errorf("resource %q is ambiguous: use one of %s", s, strings.Join(opts, ", "))
			}
		}
		c := cands[0]
		return c.Group, c.Resource, subresource, c, true, nil
	}
	resource = s
	if i := strings.IndexByte(s, '.'); i >= 0 {
		resource, group = s[:i], s[i+1:]
	}
	if resource == "" {
		return "", "", "", ResourceInfo{}, false, fmt.Errorf("invalid resource %q: want RESOURCE[.GROUP][/SUBRESOURCE]", s)
	}
	if ri, ok := LookupResource(group, resource); ok {
		return group, resource, subresource, ri, true, nil
	}
	return group, resource, subresource, ResourceInfo{Group: group, Resource: resource, Namespaced: true}, false, nil
}

// BuiltinResources returns a copy of the built-in resource table (for shell completion).
func BuiltinResources() []ResourceInfo { return append([]ResourceInfo(nil), builtinResources...) }
