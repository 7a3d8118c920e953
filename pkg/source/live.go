package source

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

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
	// kind is the kept kind listed (nil for the lists of other objects).
	kind *kindDescriptor
}

func (r liveResource) path() string {
	if r.group == "" {
		return "/api/" + r.version + "/" + r.resource
	}
	return "/apis/" + r.group + "/" + r.version + "/" + r.resource
}

// namespacedPath lists the resource in one namespace.
func (r liveResource) namespacedPath(ns string) string {
	prefix := "/api/" + r.version
	if r.group != "" {
		prefix = "/apis/" + r.group + "/" + r.version
	}
	return prefix + "/namespaces/" + url.PathEscape(ns) + "/" + r.resource
}

// namespaced tells whether the loader's list of r is of a namespaced kind.
// When a cluster-wide list of a namespaced kind is forbidden, it is listed
// again in LiveOptions.Namespace only: a user allowed to read one namespace
// gets what that namespace holds. Lists of kinds the decoder does not keep
// (CRDs, ConfigMaps, engine policies) have no such fallback.
func (r liveResource) namespaced() bool {
	return r.kind != nil && r.kind.namespaced
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

// liveList is one list request: a liveResource, or a metadata-only list
// (see live_metadata.go).
type liveList struct {
	liveResource
	// meta, when set, lists metadata only and gives the items this kind
	// and apiVersion.
	meta *metaKind
	// namespace and name, when set, list one object by field selector.
	namespace, name string
}

func (r liveList) path() string {
	if r.namespace != "" {
		return r.namespacedPath(r.namespace)
	}
	return r.liveResource.path()
}

func (r liveList) display() string {
	s := r.liveResource.display()
	if r.name != "" {
		s += " " + r.namespace + "/" + r.name
	}
	return s
}

// LiveResources returns the lists a live load makes ("secrets (type=…)" for
// the two metadata-only Secret lists), in load order.
func LiveResources() []string {
	lists := liveLists(nil)
	out := make([]string, len(lists))
	for i, r := range lists {
		out[i] = r.display()
	}
	return out
}

// Accept headers. Everything is read as JSON so that the offline decoder is
// the only decoder; Secrets are read as metadata only.
const (
	acceptJSON         = "application/json"
	acceptMetadataList = "application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1"
)

// LiveOptions tune a live load. The zero value is usable.
type LiveOptions struct {
	// PageSize is the limit of each list request (kubectl's --chunk-size); 0 means 500.
	PageSize int64
	// Workers is the number of lists in flight at once; 0 means 6.
	Workers int
	// MaxAttempts bounds the tries of one request on 429, 5xx and timeouts; 0 means 5.
	MaxAttempts int
	// Backoff is the first retry delay, doubled on each retry up to MaxBackoff;
	// 0 means 500ms. A Retry-After from the server is honoured instead when longer.
	Backoff time.Duration
	// MaxBackoff caps one retry delay (Retry-After included); 0 means 30s.
	MaxBackoff time.Duration
	// Namespace, when set, is where a namespaced kind is listed when its
	// cluster-wide list is forbidden (the -n flag, else the context's
	// namespace). The kind is then recorded as missing outside that namespace.
	Namespace string
	// Objects are read by name in addition to the lists (the ConfigMaps rule
	// packs activate on), as metadata only.
	Objects []NamedObject
	// Progress, when set, is called after every page with the resource, the
	// number of objects read so far for it, and whether the list is complete.
	// Calls come from several goroutines, one at a time.
	Progress func(ev ProgressEvent)
}

// ProgressEvent is reported after each page of a live load.
type ProgressEvent struct {
	Resource string
	Objects  int
	Done     bool
	// Err is set when the list failed (Done is then true).
	Err error
}

func (o *LiveOptions) defaults() {
	if o.PageSize <= 0 {
		o.PageSize = 500
	}
	if o.Workers <= 0 {
		o.Workers = 6
	}
	if o.MaxAttempts <= 0 {
		o.MaxAttempts = 5
	}
	if o.Backoff <= 0 {
		o.Backoff = 500 * time.Millisecond
	}
	if o.MaxBackoff <= 0 {
		o.MaxBackoff = 30 * time.Second
	}
}

// ErrUnreachable and ErrUnauthorized mark live loads that read nothing: they
// are errors, not partial results.
var (
	ErrUnreachable  = errors.New("cluster unreachable")
	ErrUnauthorized = errors.New("credentials rejected (401 Unauthorized)")
)

// listResult is what one worker produced for one resource.
type listResult struct {
	inv   *model.Inventory
	err   error
	pages int
	// namespace is set when the cluster-wide list was forbidden and inv holds
	// this namespace only.
	namespace string
}

// LoadLive reads the same kinds as the offline mode from a cluster.
//
// Lists run concurrently (Workers at a time), each one paginated with
// limit/continue. Every response is raw JSON fed to the offline decoder, one
// decoder per list; the results are merged in a fixed order and sorted, so the
// inventory does not depend on timing. Secrets are listed as metadata only
// (PartialObjectMetadataList), filtered by type, so their values never leave
// the apiserver. A list that is forbidden or keeps failing does not stop the
// load: it is recorded in Inventory.Missing with what it means. When nothing
// could be read because the cluster is unreachable or the credentials are
// rejected, LoadLive returns an error.
func LoadLive(ctx context.Context, cfg *rest.Config, opts LiveOptions) (*model.Inventory, error) {
	opts.defaults()
	cfg = rest.CopyConfig(cfg)
	if cfg.QPS == 0 {
		// client-go's default (5 QPS) would throttle the pages of a large cluster.
		cfg.QPS, cfg.Burst = 50, 100
	}
	cs, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		return nil, fmt.Errorf("cluster client: %w", err)
	}
	client := cs.Discovery().RESTClient()
	l := &liveLoader{client: client, opts: opts}

	serverVersion := ""
	if v, err := l.serverVersion(ctx); err == nil {
		serverVersion = v
	} else {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		if apierrors.IsUnauthorized(err) {
			return nil, fmt.Errorf("%s: %w", cfg.Host, ErrUnauthorized)
		}
		if isConnectionError(err) {
			return nil, fmt.Errorf("cannot reach the cluster at %s: %w: %w", cfg.Host, ErrUnreachable, err)
		}
		// Some clusters hide /version; the lists decide.
	}

	resources := liveLists(opts.Objects)
	results := make([]listResult, len(resources))
	jobs := make(chan int)
	var wg sync.WaitGroup
	for w := 0; w < opts.Workers && w < len(resources); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				results[i] = l.list(ctx, resources[i])
			}
		}()
	}
feed:
	for i := range resources {
		select {
		case jobs <- i:
		case <-ctx.Done():
			break feed
		}
	}
	close(jobs)
	wg.Wait()
	if ctx.Err() != nil {
		return nil, ctx.Err()
	}

	d := newDecoder("")
	d.inv.ServerVersion = serverVersion
	if groups, err := l.servedGroups(ctx); err == nil {
		d.inv.ServedGroups = groups
	} else if ctx.Err() == nil {
		d.inv.Warnings = append(d.inv.Warnings, fmt.Sprintf("API discovery (/apis): %s: rule packs do not activate on served API groups", reasonFor(err)))
	}
	read, unauthorized, unreachable := 0, 0, 0
	var firstErr error
	for i, r := range resources {
		res := results[i]
		if res.err == nil {
			read++
			mergeInventory(d.inv, res.inv)
			if res.namespace != "" {
				d.inv.Missing = append(d.inv.Missing, model.MissingKind{
					Resource:        r.display(),
					Reason:          "forbidden cluster-wide",
					Impact:          fmt.Sprintf("read in namespace %s only; in other namespaces: %s", res.namespace, r.impact),
					ReadInNamespace: res.namespace,
				})
			}
			continue
		}
		if apierrors.IsNotFound(res.err) {
			// Not served by this cluster (an older version): nothing to read.
			d.inv.Warnings = append(d.inv.Warnings, fmt.Sprintf("%s: not served by this cluster", r.display()))
			read++
			continue
		}
		if firstErr == nil {
			firstErr = res.err
		}
		switch {
		case apierrors.IsUnauthorized(res.err):
			unauthorized++
		case isConnectionError(res.err):
			unreachable++
		}
		d.inv.Missing = append(d.inv.Missing, model.MissingKind{Resource: r.display(), Reason: reasonFor(res.err), Impact: r.impact})
	}
	// Policy engines' objects, listed when their CRDs are served.
	for _, r := range engineLists(d.inv.Others) {
		res := l.list(ctx, r)
		switch {
		case res.err == nil:
			mergeInventory(d.inv, res.inv)
		case apierrors.IsNotFound(res.err):
			// The CRD exists but this version is not served: nothing to read.
		default:
			d.inv.Missing = append(d.inv.Missing, model.MissingKind{Resource: r.display(), Reason: reasonFor(res.err), Impact: r.impact})
		}
	}
	if read > 0 {
		l.lookUpSecretNames(ctx, d)
	}
	if read == 0 {
		switch {
		case unauthorized == len(resources):
			return nil, fmt.Errorf("%s: %w", cfg.Host, ErrUnauthorized)
		case unauthorized+unreachable == len(resources):
			return nil, fmt.Errorf("cannot read from the cluster at %s: %w: %w", cfg.Host, ErrUnreachable, firstErr)
		}
	}
	return d.finish(), nil
}

// serverVersion asks /version (readable by everyone authenticated): it tells
// an unreachable cluster or rejected credentials apart before the lists start.
func (l *liveLoader) serverVersion(ctx context.Context) (string, error) {
	res := l.client.Get().AbsPath("/version").MaxRetries(0).Do(ctx)
	raw, err := res.Raw()
	if err != nil {
		return "", res.Error()
	}
	var info struct {
		GitVersion string `json:"gitVersion"`
	}
	if err := json.Unmarshal(raw, &info); err != nil {
		return "", fmt.Errorf("/version: %w", err)
	}
	return info.GitVersion, nil
}

// servedGroups asks discovery (/apis, readable by every authenticated user
// through system:discovery) which API groups the cluster serves: a group of
// an aggregated API server or of a CRD the loader may not list still shows.
// Only group names are kept, sorted.
func (l *liveLoader) servedGroups(ctx context.Context) ([]string, error) {
	res := l.client.Get().AbsPath("/apis").SetHeader("Accept", acceptJSON).Do(ctx)
	raw, err := res.Raw()
	if err != nil {
		return nil, res.Error()
	}
	var list struct {
		Kind   string `json:"kind"`
		Groups []struct {
			Name string `json:"name"`
		} `json:"groups"`
	}
	if err := json.Unmarshal(raw, &list); err != nil {
		return nil, fmt.Errorf("/apis: %w", err)
	}
	if list.Kind != "APIGroupList" {
		return nil, fmt.Errorf("/apis: expected an APIGroupList, got %q", list.Kind)
	}
	var out []string
	for _, g := range list.Groups {
		if g.Name != "" {
			out = append(out, g.Name)
		}
	}
	slices.Sort(out)
	return slices.Compact(out), nil
}

// reasonFor is the short reason shown for a list that could not be read.
func reasonFor(err error) string {
	switch {
	case apierrors.IsForbidden(err):
		return "forbidden"
	case apierrors.IsUnauthorized(err):
		return "unauthorized"
	case apierrors.IsTooManyRequests(err):
		return "throttled (429), retries exhausted"
	}
	var se apierrors.APIStatus
	if errors.As(err, &se) {
		st := se.Status()
		return fmt.Sprintf("server error %d %s: %s", st.Code, st.Reason, firstLine(st.Message))
	}
	return firstLine(err.Error())
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	if len(s) > 200 {
		s = s[:200] + "…"
	}
	return s
}

// isConnectionError is true for errors that did not come from the apiserver.
func isConnectionError(err error) bool {
	var se apierrors.APIStatus
	var ne net.Error
	var ue *url.Error
	return !errors.As(err, &se) && (errors.As(err, &ne) || errors.As(err, &ue))
}

type liveLoader struct {
	client rest.Interface
	opts   LiveOptions
	mu     sync.Mutex // serialises Progress calls
}

func (l *liveLoader) progress(ev ProgressEvent) {
	if l.opts.Progress == nil {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	l.opts.Progress(ev)
}

type listMeta struct {
	Metadata struct {
		Continue string `json:"continue"`
	} `json:"metadata"`
}

// list reads every page of one resource into its own decoder. When the
// continue token expires mid-list (410 Gone), the list starts over once. A
// namespaced kind whose cluster-wide list is forbidden is listed in
// LiveOptions.Namespace, when set.
func (l *liveLoader) list(ctx context.Context, r liveList) listResult {
	res := l.listRestarting(ctx, r, r.path())
	if apierrors.IsForbidden(res.err) && l.opts.Namespace != "" && r.namespaced() {
		if nsRes := l.listRestarting(ctx, r, r.namespacedPath(l.opts.Namespace)); nsRes.err == nil {
			nsRes.namespace = l.opts.Namespace
			res = nsRes
		}
	}
	ev := ProgressEvent{Resource: r.display(), Done: true, Err: res.err}
	if res.inv != nil {
		ev.Objects = res.inv.Count()
	}
	l.progress(ev)
	return res
}

func (l *liveLoader) listRestarting(ctx context.Context, r liveList, path string) listResult {
	var res listResult
	for restart := 0; ; restart++ {
		res = l.listOnce(ctx, r, path)
		if res.err != nil && res.pages > 0 && restart == 0 && (apierrors.IsResourceExpired(res.err) || apierrors.IsGone(res.err)) {
			continue
		}
		return res
	}
}

func (l *liveLoader) listOnce(ctx context.Context, r liveList, path string) listResult {
	d := newDecoder("")
	cont := ""
	for page := 1; ; page++ {
		raw, err := l.get(ctx, r, path, cont)
		if err != nil {
			return listResult{err: err, pages: page - 1}
		}
		src := model.Source{File: "cluster:" + r.display(), Doc: page}
		switch {
		case r.secretType != "":
			err = d.decodeSecretMetadataList(raw, r.secretType, src)
		case r.meta != nil:
			err = d.decodeMetadataList(raw, *r.meta, src)
		default:
			_, err = d.decodeDocument(raw, src, nil)
		}
		if err != nil {
			return listResult{err: err, pages: page}
		}
		var lm listMeta
		if err := json.Unmarshal(raw, &lm); err != nil {
			return listResult{err: fmt.Errorf("list %s: %w", r.display(), err), pages: page}
		}
		if lm.Metadata.Continue == "" {
			return listResult{inv: d.inv, pages: page}
		}
		l.progress(ProgressEvent{Resource: r.display(), Objects: d.inv.Count()})
		cont = lm.Metadata.Continue
	}
}

// get makes one list request, retrying 429, 5xx and timeouts with exponential
// backoff (Retry-After honoured) up to MaxAttempts tries.
func (l *liveLoader) get(ctx context.Context, r liveList, path, cont string) ([]byte, error) {
	delay := l.opts.Backoff
	for attempt := 1; ; attempt++ {
		req := l.client.Get().AbsPath(path).
			Param("limit", strconv.FormatInt(l.opts.PageSize, 10)).
			MaxRetries(0) // retries are ours, bounded and uniform
		if cont != "" {
			req = req.Param("continue", cont)
		}
		switch {
		case r.secretType != "":
			req = req.Param("fieldSelector", "type="+r.secretType).SetHeader("Accept", acceptMetadataList)
		case r.meta != nil:
			if r.name != "" {
				req = req.Param("fieldSelector", "metadata.name="+r.name)
			}
			req = req.SetHeader("Accept", acceptMetadataList)
		default:
			req = req.SetHeader("Accept", acceptJSON)
		}
		var contentType string
		res := req.Do(ctx).ContentType(&contentType)
		raw, err := res.Raw()
		if err != nil {
			// Error decodes the apiserver's Status (reason, message, retryAfterSeconds).
			err = res.Error()
		}
		if err == nil {
			if !strings.HasPrefix(contentType, "application/json") {
				return nil, fmt.Errorf("list %s: unexpected content type %q (want JSON)", r.display(), contentType)
			}
			return raw, nil
		}
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		if attempt >= l.opts.MaxAttempts || !retriable(err) {
			return nil, err
		}
		wait := delay
		if s, ok := apierrors.SuggestsClientDelay(err); ok && time.Duration(s)*time.Second > wait {
			wait = time.Duration(s) * time.Second
		}
		wait = min(wait, l.opts.MaxBackoff)
		// Up to 20% jitter so that workers retrying together spread out.
		wait += time.Duration(rand.Int64N(int64(wait)/5 + 1))
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil, ctx.Err()
		case <-t.C:
		}
		delay = min(delay*2, l.opts.MaxBackoff)
	}
}

// retriable is true for throttling, server errors and timeouts.
func retriable(err error) bool {
	var se apierrors.APIStatus
	if errors.As(err, &se) {
		code := se.Status().Code
		return code == http.StatusTooManyRequests || code >= 500 ||
			apierrors.IsTooManyRequests(err) || apierrors.IsServerTimeout(err) || apierrors.IsTimeout(err)
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return true
	}
	// A connection reset or refused mid-load is worth another try; a host that
	// never answered fails the /version probe before the lists start.
	return isConnectionError(err)
}

// metadataOnlyFields are the only fields a PartialObjectMetadata item may have.
var metadataOnlyFields = map[string]bool{"kind": true, "apiVersion": true, "metadata": true}

// decodeSecretMetadataList keeps Secrets from a PartialObjectMetadataList. Any
// other response (a plain SecretList, an item with data, type or any field
// besides kind, apiVersion and metadata) is rejected without keeping anything.
func (d *decoder) decodeSecretMetadataList(raw []byte, secretType string, src model.Source) error {
	var list struct {
		APIVersion string            `json:"apiVersion"`
		Kind       string            `json:"kind"`
		Items      []json.RawMessage `json:"items"`
	}
	if err := json.Unmarshal(raw, &list); err != nil {
		return &docError{src: src, msg: "malformed metadata list", err: err}
	}
	if list.Kind != "PartialObjectMetadataList" || list.APIVersion != "meta.k8s.io/v1" {
		return &docError{src: src, msg: fmt.Sprintf("expected a meta.k8s.io/v1 PartialObjectMetadataList for secrets, got %s %q: refusing to read secret objects", list.APIVersion, list.Kind)}
	}
	secrets := make([]*model.Secret, 0, len(list.Items))
	for i, item := range list.Items {
		isrc := src
		isrc.Item = i + 1
		var fields map[string]json.RawMessage
		if err := json.Unmarshal(item, &fields); err != nil {
			return &docError{src: isrc, msg: "malformed item in secret metadata list", err: err}
		}
		for f := range fields {
			if !metadataOnlyFields[f] {
				return &docError{src: isrc, msg: fmt.Sprintf("secret metadata list item has field %q: refusing to read secret objects", f)}
			}
		}
		var it struct {
			Kind     string     `json:"kind"`
			Metadata model.Meta `json:"metadata"`
		}
		if err := json.Unmarshal(item, &it); err != nil {
			return &docError{src: isrc, msg: "malformed item in secret metadata list", err: err}
		}
		if it.Metadata.Name == "" || (it.Kind != "" && it.Kind != "PartialObjectMetadata") {
			return &docError{src: isrc, msg: "unexpected item in secret metadata list"}
		}
		secrets = append(secrets, &model.Secret{Meta: secretMeta(it.Metadata), Type: secretType, Source: isrc})
	}
	d.inv.Secrets = append(d.inv.Secrets, secrets...)
	return nil
}

// lastApplied is kubectl's annotation holding the whole applied object: on a
// Secret it holds the data, so it is never kept.
const lastApplied = "kubectl.kubernetes.io/last-applied-configuration"

// secretMeta drops annotations that may carry a Secret's values.
func secretMeta(m model.Meta) model.Meta {
	if _, ok := m.Annotations[lastApplied]; !ok {
		return m
	}
	ann := make(map[string]string, len(m.Annotations))
	for k, v := range m.Annotations {
		if k != lastApplied {
			ann[k] = v
		}
	}
	if len(ann) == 0 {
		ann = nil
	}
	m.Annotations = ann
	return m
}
