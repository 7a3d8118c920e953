package rbac

import (
	"fmt"
	"strings"
)

// Request is what an authorizer is asked: a resource request (Resource set)
// or a non-resource request (Path set). Namespace is empty for cluster-wide
// and cluster-scoped requests.
type Request struct {
	Verb        string `json:"verb"`
	APIGroup    string `json:"apiGroup,omitempty"`
	Resource    string `json:"resource,omitempty"`
	Subresource string `json:"subresource,omitempty"`
	Name        string `json:"name,omitempty"`
	Namespace   string `json:"namespace,omitempty"`
	Path        string `json:"path,omitempty"`
}

// IsResourceRequest is true unless the request is for a non-resource URL.
func (r Request) IsResourceRequest() bool { return r.Path == "" }

// String renders the request the way `kubectl auth can-i` takes it.
func (r Request) String() string {
	if !r.IsResourceRequest() {
		return r.Verb + " " + r.Path
	}
	var b strings.Builder
	b.WriteString(r.Verb)
	b.WriteByte(' ')
	b.WriteString(r.Resource)
	if r.APIGroup != "" {
		b.WriteString("." + r.APIGroup)
	}
	if r.Subresource != "" {
		b.WriteString("/" + r.Subresource)
	}
	if r.Name != "" {
		b.WriteString(" " + r.Name)
	}
	if r.Namespace != "" {
		fmt.Fprintf(&b, " -n %s", r.Namespace)
	} else {
		b.WriteString(" (cluster-wide)")
	}
	return b.String()
}
