package rbac

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

// Target spells what the request acts on, as typed: secrets, deployments.apps/scale web, /metrics.
func (r Request) Target() string {
	if !r.IsResourceRequest() {
		return r.Path
	}
	s := r.Resource
	if r.APIGroup != "" {
		s += "." + r.APIGroup
	}
	if r.Subresource != "" {
		s += "/" + r.Subresource
	}
	if r.Name != "" {
		s += " " + r.Name
	}
	return s
}

// Action is the verb and the target, without where the request is evaluated:
// get secrets, update deployments.apps/scale web, get /metrics.
func (r Request) Action() string { return r.Verb + " " + r.Target() }

// String renders the request the way `kubectl auth can-i` takes it.
func (r Request) String() string {
	if !r.IsResourceRequest() {
		return r.Action()
	}
	if r.Namespace != "" {
		return r.Action() + " -n " + r.Namespace
	}
	return r.Action() + " (cluster-wide)"
}
