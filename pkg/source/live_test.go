package source

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"reflect"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"k8s.io/client-go/rest"

	"github.com/auth-paths/kubectl-auth-paths/pkg/model"
)

// fakeAPI is a small apiserver: typed lists as the real one writes them (items
// without kind and apiVersion), limit/continue pagination, Secrets only as
// PartialObjectMetadataList, and injected failures.
type fakeAPI struct {
	t *testing.T
	// objects by list path, in list order. Secrets carry "type" and "data".
	objects map[string][]map[string]any
	// status answers every request of a path with this HTTP status (403, 404, 500…).
	status map[string]int
	// failFirst answers the first n requests of a path with failStatus.
	failFirst  map[string]int
	failStatus int
	retryAfter string
	// slowFirst delays the first request of a path.
	slowFirst map[string]time.Duration
	// expireContinue answers the first request with a continue token with 410.
	expireContinue map[string]bool
	// plainSecrets makes the server ignore the metadata Accept header (a broken proxy).
	plainSecrets bool
	// dataInMetadata adds a data field to metadata list items.
	dataInMetadata bool
	// block makes list requests wait until the request context ends.
	block bool
	// delay slows every list request down.
	delay time.Duration
	// groups are the API groups /apis serves.
	groups []string

	mu       sync.Mutex
	requests map[string]int
	total    atomic.Int64
	inFlight atomic.Int64
	maxConc  atomic.Int64
}

func newFakeAPI(t *testing.T) *fakeAPI {
	return &fakeAPI{t: t, objects: map[string][]map[string]any{}, status: map[string]int{}, failFirst: map[string]int{},
		slowFirst: map[string]time.Duration{}, expireContinue: map[string]bool{}, requests: map[string]int{}}
}

func (f *fakeAPI) start() (*httptest.Server, *rest.Config) {
	srv := httptest.NewServer(http.HandlerFunc(f.serve))
	f.t.Cleanup(srv.Close)
	return srv, &rest.Config{Host: srv.URL}
}

// namespacedListRE splits a namespaced list path: prefix, namespace, resource.
var namespacedListRE = regexp.MustCompile(`^(/api/v1|/apis/[^/]+/[^/]+)/namespaces/([^/]+)/([^/]+)$`)

// listKinds maps a list path to its kind ("/api/v1/pods" → "Pod").
var listKinds = map[string]string{}

func init() {
	for _, r := range liveLists(nil) {
		for k, info := range kinds {
			plural := strings.ToLower(k) + "s"
			if strings.HasSuffix(plural, "ys") {
				plural = strings.TrimSuffix(plural, "ys") + "ies"
			}
			if info.group == r.group && plural == r.resource {
				listKinds[r.path()] = k
			}
		}
	}
}

func writeTestFile(name string, data []byte) error { return os.WriteFile(name, data, 0o600) }

func writeStatus(w http.ResponseWriter, code int, reason, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(map[string]any{"kind": "Status", "apiVersion": "v1", "status": "Failure",
		"code": code, "reason": reason, "message": msg})
}

func (f *fakeAPI) serve(w http.ResponseWriter, r *http.Request) {
	f.total.Add(1)
	n := f.inFlight.Add(1)
	defer f.inFlight.Add(-1)
	for {
		m := f.maxConc.Load()
		if n <= m || f.maxConc.CompareAndSwap(m, n) {
			break
		}
	}
	if r.URL.Path == "/version" {
		if f.status["/version"] != 0 {
			writeStatus(w, f.status["/version"], "Unauthorized", "Unauthorized")
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"major":"1","minor":"37","gitVersion":"v1.37.2"}`))
		return
	}
	if r.URL.Path == "/apis" {
		if f.status["/apis"] != 0 {
			writeStatus(w, f.status["/apis"], "Forbidden", "Forbidden")
			return
		}
		var gs []string
		for _, g := range f.groups {
			gs = append(gs, fmt.Sprintf(`{"name":%q}`, g))
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"kind":"APIGroupList","apiVersion":"v1","groups":[` + strings.Join(gs, ",") + `]}`))
		return
	}
	path := r.URL.Path
	q := r.URL.Query()
	f.mu.Lock()
	f.requests[path]++
	nreq := f.requests[path]
	f.mu.Unlock()

	if f.block {
		<-r.Context().Done()
		return
	}
	time.Sleep(f.delay)
	if d := f.slowFirst[path]; d > 0 && nreq == 1 {
		time.Sleep(d)
	}
	if code := f.status[path]; code != 0 {
		reason := map[int]string{401: "Unauthorized", 403: "Forbidden", 404: "NotFound", 500: "InternalError", 503: "ServiceUnavailable"}[code]
		writeStatus(w, code, reason, fmt.Sprintf("%s %q is %s", path, q.Get("fieldSelector"), reason))
		return
	}
	if nreq <= f.failFirst[path] {
		if f.retryAfter != "" {
			w.Header().Set("Retry-After", f.retryAfter)
		}
		w.WriteHeader(f.failStatus)
		_, _ = w.Write([]byte("try again later"))
		return
	}
	if q.Get("limit") == "" {
		f.t.Errorf("%s: list without limit", path)
	}
	if q.Get("continue") != "" {
		// Checked and cleared under the lock: other lists are served meanwhile.
		f.mu.Lock()
		expire := f.expireContinue[path]
		f.expireContinue[path] = false
		f.mu.Unlock()
		if expire {
			writeStatus(w, http.StatusGone, "Expired", "The provided continue parameter is too old")
			return
		}
	}

	// A namespaced list (/api/v1/namespaces/NS/pods) serves the cluster-wide
	// list's objects of that namespace.
	listPath, ns := path, ""
	if m := namespacedListRE.FindStringSubmatch(path); m != nil {
		listPath, ns = m[1]+"/"+m[3], m[2]
	}
	items := f.objects[listPath]
	if ns != "" {
		var in []map[string]any
		for _, it := range items {
			if it["metadata"].(map[string]any)["namespace"] == ns {
				in = append(in, it)
			}
		}
		items = in
	}
	isSecrets := listPath == "/api/v1/secrets"
	metadataOnly := false
	if isSecrets {
		accept := r.Header.Get("Accept")
		fs := q.Get("fieldSelector")
		if accept != acceptMetadataList {
			f.t.Errorf("secrets request with Accept %q, want %q", accept, acceptMetadataList)
		}
		byName := strings.HasPrefix(fs, "metadata.name=")
		if byName {
			f.mu.Lock()
			f.requests[path+"?"+fs]++
			f.mu.Unlock()
			if ns == "" {
				f.t.Errorf("secrets by name listed cluster-wide: %s", fs)
			}
		} else if fs != "type="+model.SecretTypeServiceAccountToken && fs != "type="+model.SecretTypeBootstrapToken {
			f.t.Errorf("secrets request with fieldSelector %q", fs)
		}
		metadataOnly = strings.Contains(accept, "as=PartialObjectMetadataList") && !f.plainSecrets
		var sel []map[string]any
		for _, it := range items {
			if "type="+it["type"].(string) == fs || (byName && "metadata.name="+it["metadata"].(map[string]any)["name"].(string) == fs) {
				sel = append(sel, it)
			}
		}
		items = sel
	} else if path == crdList.path() || strings.HasSuffix(path, "/configmaps") {
		// Rule packs' objects: metadata only, ConfigMaps one by name.
		accept := r.Header.Get("Accept")
		if accept != acceptMetadataList {
			f.t.Errorf("%s request with Accept %q, want %q", path, accept, acceptMetadataList)
		}
		metadataOnly = true
		if strings.HasSuffix(path, "/configmaps") {
			name, ok := strings.CutPrefix(q.Get("fieldSelector"), "metadata.name=")
			if !ok {
				f.t.Errorf("%s: listed without a metadata.name field selector", path)
			}
			var sel []map[string]any
			for _, it := range items {
				if it["metadata"].(map[string]any)["name"] == name {
					sel = append(sel, it)
				}
			}
			items = sel
		}
	} else if a := r.Header.Get("Accept"); a != acceptJSON {
		f.t.Errorf("%s: Accept %q, want %q", path, a, acceptJSON)
	}

	limit, _ := strconv.Atoi(q.Get("limit"))
	start, _ := strconv.Atoi(q.Get("continue"))
	end := len(items)
	cont := ""
	if limit > 0 && start+limit < len(items) {
		end = start + limit
		cont = strconv.Itoa(end)
	}
	page := items[start:end]
	out := map[string]any{"metadata": map[string]any{"resourceVersion": "42", "continue": cont}}
	if metadataOnly {
		out["apiVersion"], out["kind"] = "meta.k8s.io/v1", "PartialObjectMetadataList"
		list := []map[string]any{}
		for _, it := range page {
			item := map[string]any{"kind": "PartialObjectMetadata", "apiVersion": "meta.k8s.io/v1", "metadata": it["metadata"]}
			if f.dataInMetadata {
				item["data"] = it["data"]
			}
			list = append(list, item)
		}
		out["items"] = list
	} else {
		group := strings.TrimPrefix(strings.TrimPrefix(listPath, "/api/"), "/apis/")
		group = group[:strings.LastIndexByte(group, '/')]
		out["apiVersion"], out["kind"] = group, listKinds[listPath]+"List"
		if isSecrets {
			out["kind"] = "SecretList"
		}
		out["items"] = page
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(out)
}

func obj(ns, name string, fields map[string]any) map[string]any {
	m := map[string]any{"metadata": map[string]any{"name": name, "uid": "uid-" + ns + "-" + name}}
	if ns != "" {
		m["metadata"].(map[string]any)["namespace"] = ns
	}
	for k, v := range fields {
		m[k] = v
	}
	return m
}

// world fills the fake with a small cluster; every list has more than one page at limit 2.
func (f *fakeAPI) world() {
	rule := func(verbs, res string) map[string]any {
		return map[string]any{"apiGroups": []string{""}, "resources": strings.Split(res, ","), "verbs": strings.Split(verbs, ",")}
	}
	f.objects["/apis/rbac.authorization.k8s.io/v1/clusterroles"] = []map[string]any{
		obj("", "admin", map[string]any{"rules": []any{rule("*", "*")}}),
		obj("", "secret-reader", map[string]any{"rules": []any{rule("get,list", "secrets")}}),
		obj("", "aggregated", map[string]any{"aggregationRule": map[string]any{"clusterRoleSelectors": []any{map[string]any{"matchLabels": map[string]string{"agg": "yes"}}}}, "rules": []any{}}),
		obj("", "agg-part", map[string]any{"rules": []any{rule("create", "pods/exec")}}),
	}
	f.objects["/apis/rbac.authorization.k8s.io/v1/clusterroles"][3]["metadata"].(map[string]any)["labels"] = map[string]string{"agg": "yes"}
	f.objects["/apis/rbac.authorization.k8s.io/v1/clusterrolebindings"] = []map[string]any{
		obj("", "admins", map[string]any{"roleRef": map[string]string{"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "admin"},
			"subjects": []any{map[string]string{"kind": "Group", "name": "admins", "apiGroup": "rbac.authorization.k8s.io"}}}),
		obj("", "readers", map[string]any{"roleRef": map[string]string{"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "secret-reader"},
			"subjects": []any{map[string]string{"kind": "ServiceAccount", "name": "reader", "namespace": "tools"}}}),
		obj("", "agg", map[string]any{"roleRef": map[string]string{"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "aggregated"},
			"subjects": []any{map[string]string{"kind": "User", "name": "dave", "apiGroup": "rbac.authorization.k8s.io"}}}),
	}
	var roles, rbs, sas, pods, deps, secrets, nss []map[string]any
	for i := range 5 {
		ns := fmt.Sprintf("team-%d", i)
		nss = append(nss, obj("", ns, map[string]any{"status": map[string]string{"phase": "Active"}}))
		roles = append(roles, obj(ns, "edit", map[string]any{"rules": []any{rule("get,update", "configmaps")}}))
		rbs = append(rbs, obj(ns, "edit", map[string]any{"roleRef": map[string]string{"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": "edit"},
			"subjects": []any{map[string]string{"kind": "User", "name": fmt.Sprintf("user-%d", i), "apiGroup": "rbac.authorization.k8s.io"}}}))
		sas = append(sas, obj(ns, "default", map[string]any{"secrets": []any{map[string]string{"name": "default-token"}}}))
		pods = append(pods, obj(ns, "web", map[string]any{"spec": map[string]any{"serviceAccountName": "default", "nodeName": "node-1",
			"containers": []any{map[string]any{"name": "c", "image": "nginx", "env": []any{map[string]string{"name": "PASSWORD", "value": "hunter2"}},
				"securityContext": map[string]any{"privileged": i == 0}}},
			"volumes": []any{map[string]any{"name": "h", "hostPath": map[string]string{"path": "/var/run"}}}},
			"status": map[string]string{"phase": "Running"}}))
		deps = append(deps, obj(ns, "api", map[string]any{"spec": map[string]any{"template": map[string]any{"spec": map[string]any{"serviceAccountName": "api", "hostNetwork": true}}}}))
		tok := obj(ns, "default-token", map[string]any{"type": model.SecretTypeServiceAccountToken, "data": map[string]string{"token": "c2VjcmV0"}})
		tok["metadata"].(map[string]any)["annotations"] = map[string]string{model.AnnotationServiceAccountName: "default",
			lastApplied: `{"data":{"token":"c2VjcmV0"}}`}
		secrets = append(secrets, tok, obj(ns, "app-password", map[string]any{"type": "Opaque", "data": map[string]string{"password": "aHVudGVyMg=="}}))
	}
	secrets = append(secrets, obj("kube-system", "bootstrap-token-abcdef", map[string]any{"type": model.SecretTypeBootstrapToken, "data": map[string]string{"token-secret": "eHl6"}}))
	nss = append(nss, obj("", "tools", nil), obj("", "kube-system", nil))
	sas = append(sas, obj("tools", "reader", nil))
	f.objects["/apis/rbac.authorization.k8s.io/v1/roles"] = roles
	f.objects["/apis/rbac.authorization.k8s.io/v1/rolebindings"] = rbs
	f.objects["/api/v1/namespaces"] = nss
	f.objects["/api/v1/serviceaccounts"] = sas
	f.objects["/api/v1/pods"] = pods
	f.objects["/api/v1/secrets"] = secrets
	f.objects["/apis/apps/v1/deployments"] = deps
	f.objects["/api/v1/nodes"] = []map[string]any{obj("", "node-1", map[string]any{"spec": map[string]any{"taints": []any{map[string]string{"key": "node-role.kubernetes.io/control-plane", "effect": "NoSchedule"}}}})}
	f.objects["/apis/admissionregistration.k8s.io/v1/validatingwebhookconfigurations"] = []map[string]any{obj("", "policy", map[string]any{"webhooks": []any{map[string]string{"name": "a.example.com"}}})}
	f.objects["/api/v1/resourcequotas"] = []map[string]any{obj("team-0", "objects", map[string]any{
		"spec":   map[string]any{"hard": map[string]string{"pods": "10", "count/configmaps": "50", "requests.cpu": "4"}},
		"status": map[string]any{"hard": map[string]string{"pods": "10"}, "used": map[string]string{"pods": "1"}}})}
	f.objects["/apis/batch/v1/cronjobs"] = []map[string]any{obj("tools", "backup", map[string]any{"spec": map[string]any{"jobTemplate": map[string]any{"spec": map[string]any{"template": map[string]any{"spec": map[string]any{"serviceAccountName": "reader"}}}}}})}
}

// asFiles writes the fake's objects the way `kubectl get -o json` does (one
// List, kind and apiVersion on every item, Secrets in full), for the offline decoder.
func (f *fakeAPI) asFiles(t *testing.T) string {
	var items []map[string]any
	paths := make([]string, 0, len(f.objects))
	for p := range f.objects {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	for _, p := range paths {
		group := strings.TrimPrefix(strings.TrimPrefix(p, "/api/"), "/apis/")
		group = group[:strings.LastIndexByte(group, '/')]
		for _, it := range f.objects[p] {
			c := map[string]any{"apiVersion": group, "kind": listKinds[p]}
			for k, v := range it {
				c[k] = v
			}
			if p == "/api/v1/secrets" && it["type"] != model.SecretTypeServiceAccountToken && it["type"] != model.SecretTypeBootstrapToken {
				continue // the live mode reads token Secrets only
			}
			items = append(items, c)
		}
	}
	data, err := json.Marshal(map[string]any{"apiVersion": "v1", "kind": "List", "items": items})
	if err != nil {
		t.Fatal(err)
	}
	name := t.TempDir() + "/offline.json"
	if err := writeTestFile(name, data); err != nil {
		t.Fatal(err)
	}
	return name
}

// contents is an inventory without where its objects were read from, as JSON.
func contents(t *testing.T, inv *model.Inventory) string {
	t.Helper()
	c := *inv
	c.ServerVersion = ""
	c.Warnings = nil
	c.Skipped = nil
	c.Missing = nil
	// Objects of every kind with their kind-specific fields (Source is json:"-").
	data, err := json.MarshalIndent(&c, "", " ")
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

func fastOpts() LiveOptions {
	return LiveOptions{PageSize: 2, Workers: 8, Backoff: time.Millisecond, MaxBackoff: 20 * time.Millisecond}
}

func TestLoadLiveMatchesOffline(t *testing.T) {
	f := newFakeAPI(t)
	f.world()
	f.delay = 20 * time.Millisecond
	_, cfg := f.start()
	inv, err := LoadLive(context.Background(), cfg, fastOpts())
	if err != nil {
		t.Fatal(err)
	}
	if len(inv.Missing) != 0 {
		t.Fatalf("missing: %+v", inv.Missing)
	}
	if inv.ServerVersion != "v1.37.2" {
		t.Errorf("server version %q", inv.ServerVersion)
	}
	off, err := LoadFiles(FileOptions{Filenames: []string{f.asFiles(t)}})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := contents(t, inv), contents(t, off); got != want {
		t.Errorf("live and offline inventories differ:\nlive:    %s\noffline: %s", got, want)
	}
	// Items of API lists have no kind: it comes from the List.
	for _, w := range inv.Workloads {
		if w.Kind == "" || w.Group == "" {
			t.Errorf("workload %s/%s without kind or group: %+v", w.Namespace, w.Name, w)
		}
	}
	if len(inv.WebhookConfigurations) != 1 || inv.WebhookConfigurations[0].Kind != "ValidatingWebhookConfiguration" {
		t.Errorf("webhooks: %+v", inv.WebhookConfigurations)
	}
	if len(inv.Secrets) != 6 {
		t.Errorf("got %d secrets, want the 6 token secrets", len(inv.Secrets))
	}
	if len(inv.ResourceQuotas) != 1 || !slices.Equal(inv.ResourceQuotas[0].Hard, []string{"count/configmaps", "pods", "requests.cpu"}) {
		t.Errorf("quotas: %+v (want the names of spec.hard, sorted)", inv.ResourceQuotas)
	}
	for _, s := range inv.Secrets {
		if _, ok := s.Annotations[lastApplied]; ok {
			t.Errorf("secret %s/%s keeps the last-applied annotation", s.Namespace, s.Name)
		}
	}
	// Pagination: 5 pods at limit 2 is 3 requests.
	if n := f.requests["/api/v1/pods"]; n != 3 {
		t.Errorf("pods listed in %d requests, want 3", n)
	}
	if m := f.maxConc.Load(); m < 2 || m > 8 {
		t.Errorf("at most %d requests in flight, want 2 to 8 (workers)", m)
	}
}

func TestLoadLiveDeterministic(t *testing.T) {
	f := newFakeAPI(t)
	f.world()
	_, cfg := f.start()
	var first string
	for i := range 8 {
		opts := fastOpts()
		opts.Workers = 1 + i%8
		inv, err := LoadLive(context.Background(), cfg, opts)
		if err != nil {
			t.Fatal(err)
		}
		data, err := MarshalDump(inv)
		if err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			first = string(data)
		} else if string(data) != first {
			t.Fatalf("run %d (workers %d) differs from run 0", i, opts.Workers)
		}
	}
}

// TestLoadLiveSecretsMetadataOnly: every secrets request asks for a metadata
// list with a type selector (the fake fails the test otherwise), and a
// response that is anything else is refused and nothing of it is kept.
func TestLoadLiveSecretsMetadataOnly(t *testing.T) {
	tests := []struct {
		name           string
		plain          bool
		dataInMetadata bool
		wantSecrets    int
		wantMissing    []string
	}{
		{name: "metadata list", wantSecrets: 6},
		{name: "server returns a plain SecretList", plain: true,
			wantMissing: []string{"secrets (type=kubernetes.io/service-account-token)", "secrets (type=bootstrap.kubernetes.io/token)"}},
		{name: "metadata items with data", dataInMetadata: true,
			wantMissing: []string{"secrets (type=kubernetes.io/service-account-token)", "secrets (type=bootstrap.kubernetes.io/token)"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeAPI(t)
			f.world()
			f.plainSecrets = tt.plain
			f.dataInMetadata = tt.dataInMetadata
			_, cfg := f.start()
			inv, err := LoadLive(context.Background(), cfg, fastOpts())
			if err != nil {
				t.Fatal(err)
			}
			if len(inv.Secrets) != tt.wantSecrets {
				t.Errorf("got %d secrets, want %d", len(inv.Secrets), tt.wantSecrets)
			}
			var missing []string
			for _, m := range inv.Missing {
				missing = append(missing, m.Resource)
				if !strings.Contains(m.Reason, "refusing to read secret objects") {
					t.Errorf("reason %q", m.Reason)
				}
			}
			if !reflect.DeepEqual(missing, tt.wantMissing) {
				t.Errorf("missing %q, want %q", missing, tt.wantMissing)
			}
			dump, err := MarshalDump(inv)
			if err != nil {
				t.Fatal(err)
			}
			for _, secret := range []string{"c2VjcmV0", "aHVudGVyMg==", "eHl6", "hunter2"} {
				if strings.Contains(string(dump), secret) {
					t.Errorf("secret value %q in the inventory", secret)
				}
			}
			if f.requests["/api/v1/secrets"] == 0 {
				t.Error("no secrets request")
			}
		})
	}
}

func TestLoadLivePartial(t *testing.T) {
	tests := []struct {
		name        string
		status      map[string]int
		failFirst   map[string]int
		failStatus  int
		wantMissing []model.MissingKind
		wantErr     error
	}{
		{
			name:   "secrets and pods forbidden",
			status: map[string]int{"/api/v1/secrets": 403, "/api/v1/pods": 403},
			wantMissing: []model.MissingKind{
				{Resource: "secrets (type=kubernetes.io/service-account-token)", Reason: "forbidden", Impact: "read-secrets steps through token Secrets are not evaluated"},
				{Resource: "secrets (type=bootstrap.kubernetes.io/token)", Reason: "forbidden", Impact: "bootstrap tokens are unknown"},
				{Resource: "pods", Reason: "forbidden", Impact: "running pods are unknown: exec and node steps are not evaluated"},
			},
		},
		{
			name:   "resourcequotas forbidden",
			status: map[string]int{"/api/v1/resourcequotas": 403},
			wantMissing: []model.MissingKind{
				{Resource: "resourcequotas", Reason: "forbidden", Impact: "ResourceQuotas are unknown: namespaces where objects can be created without a quota are not reported"},
			},
		},
		{
			name:   "a list keeps failing with 500",
			status: map[string]int{"/api/v1/nodes": 500},
			wantMissing: []model.MissingKind{
				{Resource: "nodes", Reason: "server error 500 InternalError: …", Impact: "nodes are unknown: node steps are not evaluated"},
			},
		},
		{
			name:   "not served (404) is not missing",
			status: map[string]int{"/apis/admissionregistration.k8s.io/v1/validatingadmissionpolicies": 404},
		},
		{
			name:       "429 twice then served",
			failFirst:  map[string]int{"/api/v1/pods": 2, "/api/v1/secrets": 1},
			failStatus: http.StatusTooManyRequests,
		},
		{
			name:       "503 four times then served",
			failFirst:  map[string]int{"/apis/rbac.authorization.k8s.io/v1/roles": 4},
			failStatus: http.StatusServiceUnavailable,
		},
		{
			name:      "429 beyond the attempts",
			failFirst: map[string]int{"/api/v1/namespaces": 100}, failStatus: http.StatusTooManyRequests,
			wantMissing: []model.MissingKind{{Resource: "namespaces", Reason: "throttled (429), retries exhausted", Impact: "Pod Security levels of namespaces are unknown"}},
		},
		{
			name:    "401 on everything is an error",
			status:  map[string]int{"/version": 401},
			wantErr: ErrUnauthorized,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeAPI(t)
			f.world()
			for k, v := range tt.status {
				f.status[k] = v
			}
			for k, v := range tt.failFirst {
				f.failFirst[k] = v
			}
			f.failStatus = tt.failStatus
			_, cfg := f.start()
			inv, err := LoadLive(context.Background(), cfg, fastOpts())
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("err %v, want %v", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			for i, m := range inv.Missing {
				// Reasons ending in … are prefixes.
				if i < len(tt.wantMissing) && strings.HasSuffix(tt.wantMissing[i].Reason, "…") &&
					strings.HasPrefix(m.Reason, strings.TrimSuffix(tt.wantMissing[i].Reason, "…")) {
					inv.Missing[i].Reason = tt.wantMissing[i].Reason
				}
			}
			if !reflect.DeepEqual(inv.Missing, tt.wantMissing) {
				t.Errorf("missing\n got %+v\nwant %+v", inv.Missing, tt.wantMissing)
			}
			for p, code := range tt.status {
				want := 1 // 4xx are not retried
				if code >= 500 {
					want = 5
				}
				if p == "/api/v1/secrets" {
					want *= 2 // two lists
				}
				if p != "/version" && f.requests[p] != want {
					t.Errorf("%s (%d): %d requests, want %d", p, code, f.requests[p], want)
				}
			}
			for p, n := range tt.failFirst {
				if n < 5 && f.requests[p] <= n {
					t.Errorf("%s: %d requests, want a retry after %d failures", p, f.requests[p], n)
				}
				if n >= 5 && f.requests[p] != 5 {
					t.Errorf("%s: %d requests, want 5 attempts", p, f.requests[p])
				}
			}
		})
	}
}

func TestLoadLiveRetryAfter(t *testing.T) {
	f := newFakeAPI(t)
	f.world()
	f.failFirst["/api/v1/pods"] = 1
	f.failStatus = http.StatusTooManyRequests
	f.retryAfter = "1"
	_, cfg := f.start()
	opts := fastOpts()
	opts.MaxBackoff = 2 * time.Second
	start := time.Now()
	inv, err := LoadLive(context.Background(), cfg, opts)
	if err != nil {
		t.Fatal(err)
	}
	if len(inv.Missing) != 0 || len(inv.Pods) != 5 {
		t.Fatalf("missing %+v, %d pods", inv.Missing, len(inv.Pods))
	}
	// The Retry-After of 1s is honoured instead of the 1ms backoff.
	if el := time.Since(start); el < time.Second {
		t.Errorf("loaded in %s: Retry-After not honoured", el)
	}
}

func TestLoadLiveTimeoutRetried(t *testing.T) {
	f := newFakeAPI(t)
	f.world()
	f.slowFirst["/api/v1/serviceaccounts"] = 2 * time.Second
	_, cfg := f.start()
	cfg.Timeout = 300 * time.Millisecond // --request-timeout
	inv, err := LoadLive(context.Background(), cfg, fastOpts())
	if err != nil {
		t.Fatal(err)
	}
	if len(inv.Missing) != 0 || len(inv.ServiceAccounts) != 6 {
		t.Fatalf("missing %+v, %d service accounts", inv.Missing, len(inv.ServiceAccounts))
	}
	if n := f.requests["/api/v1/serviceaccounts"]; n < 2 {
		t.Errorf("%d service account requests, want a retry after the timeout", n)
	}
}

func TestLoadLiveContinueExpired(t *testing.T) {
	f := newFakeAPI(t)
	f.world()
	f.expireContinue["/api/v1/pods"] = true
	_, cfg := f.start()
	inv, err := LoadLive(context.Background(), cfg, fastOpts())
	if err != nil {
		t.Fatal(err)
	}
	if len(inv.Missing) != 0 || len(inv.Pods) != 5 {
		t.Fatalf("missing %+v, %d pods", inv.Missing, len(inv.Pods))
	}
}

func TestLoadLiveCancel(t *testing.T) {
	f := newFakeAPI(t)
	f.world()
	f.block = true
	_, cfg := f.start()
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(200*time.Millisecond, cancel)
	start := time.Now()
	_, err := LoadLive(ctx, cfg, fastOpts())
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err %v, want context.Canceled", err)
	}
	if el := time.Since(start); el > 5*time.Second {
		t.Errorf("cancel took %s", el)
	}
}

func TestLoadLiveUnreachable(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	url := srv.URL
	srv.Close()
	_, err := LoadLive(context.Background(), &rest.Config{Host: url}, fastOpts())
	if !errors.Is(err, ErrUnreachable) {
		t.Fatalf("err %v, want ErrUnreachable", err)
	}
}

func TestLoadLiveProgress(t *testing.T) {
	f := newFakeAPI(t)
	f.world()
	f.status["/api/v1/pods"] = 403
	_, cfg := f.start()
	opts := fastOpts()
	done := map[string]ProgressEvent{}
	opts.Progress = func(ev ProgressEvent) {
		if ev.Done {
			if _, dup := done[ev.Resource]; dup {
				t.Errorf("%s done twice", ev.Resource)
			}
			done[ev.Resource] = ev
		}
	}
	if _, err := LoadLive(context.Background(), cfg, opts); err != nil {
		t.Fatal(err)
	}
	if len(done) != len(liveLists(nil)) {
		t.Errorf("%d lists reported done, want %d", len(done), len(liveLists(nil)))
	}
	if done["pods"].Err == nil || done["serviceaccounts"].Objects != 6 {
		t.Errorf("pods %+v, serviceaccounts %+v", done["pods"], done["serviceaccounts"])
	}
	var b strings.Builder
	p := NewTerminalProgress(&b)
	p.Update(ProgressEvent{Resource: "pods", Objects: 3})
	p.Update(ProgressEvent{Resource: "pods", Objects: 7, Done: true})
	p.Done()
	if !strings.Contains(b.String(), fmt.Sprintf("reading cluster: 1/%d lists, 7 objects (pods: 7)", len(liveLists(nil)))) || !strings.HasSuffix(b.String(), "\r\x1b[K") {
		t.Errorf("progress line %q", b.String())
	}
}

// TestLoadLiveNamespaceFallback: a namespaced kind whose cluster-wide list is
// forbidden is read in LiveOptions.Namespace and reported as read there only;
// cluster-scoped kinds and namespaces where the list is forbidden too stay missing.
func TestLoadLiveNamespaceFallback(t *testing.T) {
	const (
		pods  = "/api/v1/pods"
		roles = "/apis/rbac.authorization.k8s.io/v1/roles"
		nodes = "/api/v1/nodes"
	)
	podsImpact := "running pods are unknown: exec and node steps are not evaluated"
	tests := []struct {
		name        string
		namespace   string
		forbidden   []string
		wantMissing []model.MissingKind
		wantPods    []string
		wantRoles   int
	}{
		{
			name: "allowed cluster-wide: -n does not narrow the read", namespace: "team-1",
			wantPods: []string{"team-0/web", "team-1/web", "team-2/web", "team-3/web", "team-4/web"}, wantRoles: 5,
		},
		{
			name: "pods forbidden cluster-wide, read in team-1", namespace: "team-1", forbidden: []string{pods},
			wantMissing: []model.MissingKind{{Resource: "pods", Reason: "forbidden cluster-wide",
				Impact: "read in namespace team-1 only; in other namespaces: " + podsImpact, ReadInNamespace: "team-1"}},
			wantPods: []string{"team-1/web"}, wantRoles: 5,
		},
		{
			name: "no namespace: no fallback", forbidden: []string{pods},
			wantMissing: []model.MissingKind{{Resource: "pods", Reason: "forbidden", Impact: podsImpact}},
			wantRoles:   5,
		},
		{
			name: "forbidden in the namespace too", namespace: "team-1", forbidden: []string{pods, "/api/v1/namespaces/team-1/pods"},
			wantMissing: []model.MissingKind{{Resource: "pods", Reason: "forbidden", Impact: podsImpact}},
			wantRoles:   5,
		},
		{
			name: "cluster-scoped kinds have no fallback", namespace: "team-3", forbidden: []string{roles, nodes},
			wantMissing: []model.MissingKind{
				{Resource: "roles.rbac.authorization.k8s.io", Reason: "forbidden cluster-wide",
					Impact:          "read in namespace team-3 only; in other namespaces: grants through Roles are not evaluated; results are incomplete",
					ReadInNamespace: "team-3"},
				{Resource: "nodes", Reason: "forbidden", Impact: "nodes are unknown: node steps are not evaluated"},
			},
			wantPods:  []string{"team-0/web", "team-1/web", "team-2/web", "team-3/web", "team-4/web"},
			wantRoles: 1,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeAPI(t)
			f.world()
			for _, p := range tt.forbidden {
				f.status[p] = http.StatusForbidden
			}
			_, cfg := f.start()
			opts := fastOpts()
			opts.Namespace = tt.namespace
			inv, err := LoadLive(context.Background(), cfg, opts)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(inv.Missing, tt.wantMissing) {
				t.Errorf("missing\n got %+v\nwant %+v", inv.Missing, tt.wantMissing)
			}
			var got []string
			for _, p := range inv.Pods {
				got = append(got, p.Namespace+"/"+p.Name)
			}
			if !reflect.DeepEqual(got, tt.wantPods) {
				t.Errorf("pods %q, want %q", got, tt.wantPods)
			}
			if len(inv.Roles) != tt.wantRoles {
				t.Errorf("%d roles, want %d", len(inv.Roles), tt.wantRoles)
			}
			if n := f.requests["/api/v1/namespaces/"+tt.namespace+"/pods"]; tt.namespace != "" && !slices.Contains(tt.forbidden, pods) && n != 0 {
				t.Errorf("%d namespaced pod lists although the cluster-wide list was allowed", n)
			}
		})
	}
}

// TestLiveResourceScope: the namespace fallback knows which lists are namespaced.
func TestLiveResourceScope(t *testing.T) {
	want := map[string]bool{
		"roles": true, "rolebindings": true, "serviceaccounts": true, "secrets": true, "pods": true,
		"persistentvolumeclaims": true, "replicationcontrollers": true, "deployments": true, "replicasets": true,
		"statefulsets": true, "daemonsets": true, "jobs": true, "cronjobs": true, "resourcequotas": true,
		"clusterroles": false, "clusterrolebindings": false, "namespaces": false, "nodes": false,
		"persistentvolumes": false, "mutatingwebhookconfigurations": false, "validatingwebhookconfigurations": false,
		"validatingadmissionpolicies": false, "validatingadmissionpolicybindings": false, "certificatesigningrequests": false,
	}
	for _, r := range liveResources {
		w, ok := want[r.resource]
		if !ok {
			continue // a list added since: its scope comes from its kind
		}
		if got := r.namespaced(); got != w {
			t.Errorf("%s: namespaced %v, want %v", r.display(), got, w)
		}
	}
	if (liveResource{group: "example.com", version: "v1", resource: "widgets"}).namespaced() {
		t.Error("a kind the decoder does not know must have no namespace fallback")
	}
}

// TestLoadLiveServedGroups: discovery's groups are kept sorted; a forbidden
// /apis is a warning, not a failed load.
func TestLoadLiveServedGroups(t *testing.T) {
	f := newFakeAPI(t)
	f.world()
	f.groups = []string{"tekton.dev", "apps", "argoproj.io"}
	_, cfg := f.start()
	inv, err := LoadLive(context.Background(), cfg, fastOpts())
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(inv.ServedGroups, " "); got != "apps argoproj.io tekton.dev" {
		t.Fatalf("ServedGroups %q", got)
	}
	f.status["/apis"] = http.StatusForbidden
	inv, err = LoadLive(context.Background(), cfg, fastOpts())
	if err != nil {
		t.Fatal(err)
	}
	if len(inv.ServedGroups) != 0 || !slices.ContainsFunc(inv.Warnings, func(w string) bool { return strings.HasPrefix(w, "API discovery (/apis): forbidden") }) {
		t.Fatalf("ServedGroups %v, warnings %v", inv.ServedGroups, inv.Warnings)
	}
}

// TestLoadLiveSecretNames: the names a resourceNames rule allows to read are
// looked up one by one (a metadata list with a metadata.name selector in the
// namespace; the fake fails the test on any other secrets request); a Secret
// found is kept as Opaque (its type is not read) without data, a name not found stays absent, and nothing else is asked.
func TestLoadLiveSecretNames(t *testing.T) {
	f := newFakeAPI(t)
	f.world()
	f.objects["/apis/rbac.authorization.k8s.io/v1/roles"] = append(f.objects["/apis/rbac.authorization.k8s.io/v1/roles"],
		obj("team-1", "redis", map[string]any{"rules": []any{
			map[string]any{"apiGroups": []string{""}, "resources": []string{"secrets"}, "verbs": []string{"get"}, "resourceNames": []string{"app-password", "free-name", "default-token"}},
			map[string]any{"apiGroups": []string{""}, "resources": []string{"secrets"}, "verbs": []string{"create"}}}}))
	_, cfg := f.start()
	inv, err := LoadLive(context.Background(), cfg, fastOpts())
	if err != nil {
		t.Fatal(err)
	}
	var found *model.Secret
	for _, s := range inv.Secrets {
		if s.Namespace == "team-1" && s.Name == "app-password" {
			found = s
		}
		if s.Name == "free-name" {
			t.Errorf("a name not found was kept: %+v", s)
		}
	}
	if found == nil || found.Type != "Opaque" {
		t.Fatalf("team-1/app-password: %+v, want an Opaque Secret", found)
	}
	for path, want := range map[string]int{
		"/api/v1/namespaces/team-1/secrets?metadata.name=app-password":  1,
		"/api/v1/namespaces/team-1/secrets?metadata.name=free-name":     1,
		"/api/v1/namespaces/team-1/secrets?metadata.name=default-token": 0, // already read as a token Secret
		"/api/v1/namespaces/team-0/secrets?metadata.name=app-password":  0, // no rule names it there
	} {
		if got := f.requests[path]; got != want {
			t.Errorf("%s: %d requests, want %d", path, got, want)
		}
	}
	data, err := MarshalDump(inv)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(data), "aHVudGVyMg==") {
		t.Fatal("the dump holds a Secret value")
	}
}
