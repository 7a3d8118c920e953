package source

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"

	"github.com/auth-paths/kubectl-auth-paths/pkg/model"
)

// liveResource is one list the live loader makes.
type liveResource struct {
	group, version, resource string
	// secretType, when set, lists Secrets of that type as metadata only.
	secretType string
	impact     string
}

func (r liveResource) path() string {
	if r.group == "" {
		return "/api/" + r.version + "/" + r.resource
	}
	return "/apis/" + r.group + "/" + r.version + "/" + r.resource
}

func (r liveResource) display() string {
	s := r.resource
	if r.group != "" {
		s += "." + r.group
	}
	if r.secretType != "" {
		s += " (type=" + r.secretType + ")"
	}
	return s
}

// liveResources are the lists a live load makes, with what is lost when one
// cannot be read.
var liveResources = []liveResource{
	{"rbac.authorization.k8s.io", "v1", "clusterroles", "", "grants through ClusterRoles are unknown; results are incomplete"},
	{"rbac.authorization.k8s.io", "v1", "clusterrolebindings", "", "cluster-wide grants are unknown; results are incomplete"},
	{"rbac.authorization.k8s.io", "v1", "roles", "", "grants through Roles are unknown; results are incomplete"},
	{"rbac.authorization.k8s.io", "v1", "rolebindings", "", "namespaced grants are unknown; results are incomplete"},
	{"", "v1", "namespaces", "", "Pod Security levels unknown"},
	{"", "v1", "serviceaccounts", "", "ServiceAccounts that no binding names are unknown"},
	{"", "v1", "secrets", model.SecretTypeServiceAccountToken, "token Secrets unknown: read-secrets steps through them are not evaluated"},
	{"", "v1", "secrets", model.SecretTypeBootstrapToken, "bootstrap tokens unknown"},
	{"", "v1", "pods", "", "running pods unknown: exec and node steps are not evaluated"},
	{"", "v1", "nodes", "", "nodes unknown: node steps are not evaluated"},
	{"", "v1", "persistentvolumes", "", "PersistentVolumes unknown"},
	{"", "v1", "persistentvolumeclaims", "", "PersistentVolumeClaims unknown"},
	{"", "v1", "replicationcontrollers", "", "ReplicationControllers unknown: modify-workload steps through them are not evaluated"},
	{"apps", "v1", "deployments", "", "Deployments unknown: modify-workload steps through them are not evaluated"},
	{"apps", "v1", "replicasets", "", "ReplicaSets unknown: modify-workload steps through them are not evaluated"},
	{"apps", "v1", "statefulsets", "", "StatefulSets unknown: modify-workload steps through them are not evaluated"},
	{"apps", "v1", "daemonsets", "", "DaemonSets unknown: modify-workload steps through them are not evaluated"},
	{"batch", "v1", "jobs", "", "Jobs unknown: modify-workload steps through them are not evaluated"},
	{"batch", "v1", "cronjobs", "", "CronJobs unknown: modify-workload steps through them are not evaluated"},
	{"admissionregistration.k8s.io", "v1", "mutatingwebhookconfigurations", "", "webhook configurations unknown"},
	{"admissionregistration.k8s.io", "v1", "validatingwebhookconfigurations", "", "webhook configurations unknown"},
	{"admissionregistration.k8s.io", "v1", "validatingadmissionpolicies", "", "admission policies unknown"},
	{"admissionregistration.k8s.io", "v1", "validatingadmissionpolicybindings", "", "admission policy bindings unknown"},
	{"certificates.k8s.io", "v1", "certificatesigningrequests", "", "CertificateSigningRequests unknown"},
}

// LiveOptions tune a live load.
type LiveOptions struct {
	// PageSize is the limit of each list request.
	PageSize int64
}

// LoadLive reads the same kinds as the offline mode from a cluster. Secrets
// are listed as metadata only (PartialObjectMetadataList), filtered by type, so
// their values never leave the apiserver. A list that is forbidden does not
// stop the load: it is recorded in Inventory.Missing with what it means.
func LoadLive(ctx context.Context, cfg *rest.Config, opts LiveOptions) (*model.Inventory, error) {
	if opts.PageSize <= 0 {
		opts.PageSize = 500
	}
	cs, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		return nil, fmt.Errorf("cluster client: %w", err)
	}
	d := newDecoder("")
	client := cs.Discovery().RESTClient()
	if v, err := cs.Discovery().ServerVersion(); err == nil {
		d.inv.ServerVersion = v.GitVersion
	} else if isConnectionError(err) {
		return nil, fmt.Errorf("cannot reach the cluster at %s: %w", cfg.Host, err)
	}
	for _, r := range liveResources {
		if err := d.listLive(ctx, client, r, opts.PageSize); err != nil {
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			if apierrors.IsNotFound(err) {
				// Not served by this cluster: nothing to read.
				continue
			}
			if apierrors.IsForbidden(err) || apierrors.IsUnauthorized(err) {
				reason := "forbidden"
				if apierrors.IsUnauthorized(err) {
					reason = "unauthorized"
				}
				d.inv.Missing = append(d.inv.Missing, model.MissingKind{Resource: r.display(), Reason: reason, Impact: r.impact})
				continue
			}
			return nil, fmt.Errorf("list %s: %w", r.display(), err)
		}
	}
	return d.finish(), nil
}

func isConnectionError(err error) bool {
	var se apierrors.APIStatus
	return !errors.As(err, &se)
}

type listMeta struct {
	Metadata struct {
		Continue string `json:"continue"`
	} `json:"metadata"`
}

func (d *decoder) listLive(ctx context.Context, client rest.Interface, r liveResource, pageSize int64) error {
	cont := ""
	for page := 1; ; page++ {
		req := client.Get().AbsPath(r.path()).Param("limit", fmt.Sprint(pageSize))
		if cont != "" {
			req = req.Param("continue", cont)
		}
		if r.secretType != "" {
			req = req.Param("fieldSelector", "type="+r.secretType).
				SetHeader("Accept", "application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1")
		}
		raw, err := req.DoRaw(ctx)
		if err != nil {
			return err
		}
		src := model.Source{File: "cluster:" + r.display(), Doc: page}
		if r.secretType != "" {
			if err := d.decodeSecretMetadataList(raw, r.secretType, src); err != nil {
				return err
			}
		} else if _, err := d.decodeDocument(raw, src); err != nil {
			return err
		}
		var lm listMeta
		if err := json.Unmarshal(raw, &lm); err != nil {
			return fmt.Errorf("list %s: %w", r.display(), err)
		}
		if lm.Metadata.Continue == "" {
			return nil
		}
		cont = lm.Metadata.Continue
	}
}

// decodeSecretMetadataList keeps Secrets from a PartialObjectMetadataList: the
// response has no data, and the type is the one the field selector asked for.
func (d *decoder) decodeSecretMetadataList(raw []byte, secretType string, src model.Source) error {
	var list struct {
		Kind  string `json:"kind"`
		Items []struct {
			Kind     string     `json:"kind"`
			Metadata model.Meta `json:"metadata"`
		} `json:"items"`
	}
	if err := json.Unmarshal(raw, &list); err != nil {
		return &docError{src: src, msg: "malformed metadata list", err: err}
	}
	if list.Kind != "PartialObjectMetadataList" {
		return &docError{src: src, msg: fmt.Sprintf("expected a PartialObjectMetadataList for secrets, got %q: refusing to read secret objects", list.Kind)}
	}
	for i, it := range list.Items {
		isrc := src
		isrc.Item = i + 1
		if it.Metadata.Name == "" || !strings.EqualFold(it.Kind, "PartialObjectMetadata") && it.Kind != "" {
			return &docError{src: isrc, msg: "unexpected item in secret metadata list"}
		}
		d.inv.Secrets = append(d.inv.Secrets, &model.Secret{Meta: it.Metadata, Type: secretType, Source: isrc})
	}
	return nil
}
