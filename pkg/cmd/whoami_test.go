package cmd

import (
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	authorizationv1 "k8s.io/api/authorization/v1"
	"k8s.io/client-go/kubernetes/scheme"

	"github.com/auth-paths/kubectl-auth-paths/pkg/selfview"
)

// Rules as a SelfSubjectRulesReview returns them.
const (
	ruleImpersonateMasters = `{"verbs":["impersonate"],"apiGroups":[""],"resources":["groups"],"resourceNames":["system:masters"]}`
	ruleImpersonateUser    = `{"verbs":["impersonate"],"apiGroups":[""],"resources":["users"],"resourceNames":["ops-lead"]}`
	ruleReviews            = `{"verbs":["create"],"apiGroups":["authorization.k8s.io"],"resources":["selfsubjectrulesreviews"]}`
	ruleReadPods           = `{"verbs":["get","list"],"apiGroups":[""],"resources":["pods"]}`
)

// whoamiServer is a fake apiserver for whoami: a SelfSubjectReview answer,
// SelfSubjectRulesReviews built from cluster-wide rules (returned in every
// namespace, as the RBAC authorizer does, in an order that changes from call
// to call) and rules per namespace, and RBAC lists forbidden unless
// rbacReadable.
type whoamiServer struct {
	user, groups string // JSON
	cluster      []string
	namespaced   map[string][]string
	rbacReadable bool
	// namespaces, when set, are listable.
	namespaces []string
	// ssrStatus answers SelfSubjectReviews of v1 (and v1beta1) with this code.
	ssrStatus, ssrBetaStatus int
	// clusterReviewStatus answers the cluster-wide review with this code.
	clusterReviewStatus int
	// tls serves HTTPS (as the in-cluster config requires).
	tls bool

	mu sync.Mutex
	// tokens are the bearer tokens of the SelfSubjectReviews.
	tokens   []string
	reviewed []string
	calls    int
}

func (f *whoamiServer) start(t *testing.T) *httptest.Server {
	t.Helper()
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		status := func(code int, reason string) {
			w.WriteHeader(code)
			fmt.Fprintf(w, `{"kind":"Status","apiVersion":"v1","status":"Failure","reason":%q,"code":%d,"message":"%s: %s"}`, reason, code, r.URL.Path, reason)
		}
		p := r.URL.Path
		switch {
		case p == "/version":
			fmt.Fprint(w, `{"gitVersion":"v1.37.2"}`)
		case p == "/apis/authentication.k8s.io/v1/selfsubjectreviews" || p == "/apis/authentication.k8s.io/v1beta1/selfsubjectreviews":
			code := f.ssrStatus
			if strings.Contains(p, "v1beta1") {
				code = f.ssrBetaStatus
			}
			f.mu.Lock()
			f.tokens = append(f.tokens, r.Header.Get("Authorization"))
			f.mu.Unlock()
			if code != 0 {
				status(code, http.StatusText(code))
				return
			}
			version := strings.Split(p, "/")[3]
			fmt.Fprintf(w, `{"kind":"SelfSubjectReview","apiVersion":"authentication.k8s.io/%s","status":{"userInfo":{"username":%s,"groups":%s}}}`, version, f.user, f.groups)
		case p == "/apis/authorization.k8s.io/v1/selfsubjectrulesreviews":
			// client-go sends built-in kinds as protobuf.
			body, _ := io.ReadAll(r.Body)
			obj, _, err := scheme.Codecs.UniversalDeserializer().Decode(body, nil, nil)
			req, ok := obj.(*authorizationv1.SelfSubjectRulesReview)
			if err != nil || !ok {
				t.Errorf("SelfSubjectRulesReview request: %v (%T)", err, obj)
				status(http.StatusBadRequest, "BadRequest")
				return
			}
			ns := req.Spec.Namespace
			f.mu.Lock()
			f.reviewed = append(f.reviewed, ns)
			f.calls++
			rules := append([]string{}, f.cluster...)
			if f.calls%2 == 0 {
				slices.Reverse(rules) // the informer cache lists bindings in no fixed order
			}
			f.mu.Unlock()
			if ns == selfview.ClusterScopeNamespace && f.clusterReviewStatus != 0 {
				status(f.clusterReviewStatus, "Invalid")
				return
			}
			rules = append(rules, f.namespaced[ns]...)
			fmt.Fprintf(w, `{"kind":"SelfSubjectRulesReview","apiVersion":"authorization.k8s.io/v1","spec":{},"status":{"resourceRules":[%s],"nonResourceRules":[],"incomplete":false}}`, strings.Join(rules, ","))
		case strings.HasPrefix(p, "/apis/rbac.authorization.k8s.io/") && !f.rbacReadable:
			status(http.StatusForbidden, "Forbidden")
		case p == "/api/v1/namespaces" && f.namespaces != nil:
			var items []string
			for _, n := range f.namespaces {
				items = append(items, fmt.Sprintf(`{"metadata":{"name":%q}}`, n))
			}
			fmt.Fprintf(w, `{"kind":"NamespaceList","apiVersion":"v1","metadata":{},"items":[%s]}`, strings.Join(items, ","))
		case p == "/api/v1/namespaces" || p == "/api/v1/secrets" || p == "/api/v1/nodes":
			status(http.StatusForbidden, "Forbidden")
		case strings.Contains(r.Header.Get("Accept"), "as=PartialObjectMetadataList"):
			fmt.Fprint(w, `{"kind":"PartialObjectMetadataList","apiVersion":"meta.k8s.io/v1","metadata":{},"items":[]}`)
		default:
			parts := strings.Split(p, "/")
			fmt.Fprintf(w, `{"kind":"%sList","apiVersion":"v1","metadata":{},"items":[]}`, parts[len(parts)-1])
		}
	}))
	if f.tls {
		srv.StartTLS()
	} else {
		srv.Start()
	}
	t.Cleanup(srv.Close)
	return srv
}

func (f *whoamiServer) reviewedNamespaces() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := append([]string{}, f.reviewed...)
	slices.Sort(out)
	return out
}

// probeServer is a ServiceAccount in namespace ci that may impersonate
// system:masters (and a user to carry it) through a ClusterRoleBinding.
func probeServer() *whoamiServer {
	return &whoamiServer{
		user:    `"system:serviceaccount:ci:probe"`,
		groups:  `["system:serviceaccounts","system:serviceaccounts:ci","system:authenticated"]`,
		cluster: []string{ruleReviews, ruleImpersonateMasters, ruleImpersonateUser},
		namespaced: map[string][]string{
			"ci": {ruleReadPods},
		},
	}
}

func parseWhoAmIResult(t *testing.T, stdout string) WhoAmIResult {
	t.Helper()
	var res WhoAmIResult
	if err := json.Unmarshal([]byte(stdout), &res); err != nil {
		t.Fatalf("%v\n%s", err, stdout)
	}
	return res
}

func incompleteOf(res WhoAmIResult) []string {
	var out []string
	for _, m := range res.Incomplete {
		out = append(out, m.Resource)
	}
	return out
}

func TestWhoAmIFindsThePathOfItsClusterWideRules(t *testing.T) {
	f := probeServer()
	srv := f.start(t)
	stdout, stderr, code := runRoot(t, "--server", srv.URL, "whoami", "-o", "json")
	if code != ExitPartial {
		t.Fatalf("exit %d, want %d (incomplete)\nstderr: %s", code, ExitPartial, stderr)
	}
	res := parseWhoAmIResult(t, stdout)
	if res.Subject != "ServiceAccount:ci:probe" || res.Rules != "selfsubjectrulesreviews" {
		t.Errorf("subject %q, rules %q", res.Subject, res.Rules)
	}
	if len(res.Paths) != 1 || len(res.Paths[0].Steps) != 1 || res.Paths[0].Steps[0].Primitive != "impersonate" || res.Paths[0].Target != "cluster-admin" {
		t.Fatalf("paths %+v, want one impersonate step to cluster-admin", res.Paths)
	}
	step := res.Paths[0].Steps[0]
	wantBy := []string{
		`SelfSubjectRulesReview of cluster-wide rules (from ClusterRoleBindings): rule verbs=impersonate apiGroups="" resources=users resourceNames=ops-lead to ServiceAccount "ci/probe"`,
		`SelfSubjectRulesReview of cluster-wide rules (from ClusterRoleBindings): rule verbs=impersonate apiGroups="" resources=groups resourceNames=system:masters to ServiceAccount "ci/probe"`,
	}
	if !slices.Equal(step.GrantedBy, wantBy) {
		t.Errorf("grantedBy:\n%s\nwant:\n%s", strings.Join(step.GrantedBy, "\n"), strings.Join(wantBy, "\n"))
	}
	if !slices.Equal(step.Bindings, []string{"ClusterRoleBinding/" + selfview.StandInName}) {
		t.Errorf("bindings %v", step.Bindings)
	}
	if got, want := f.reviewedNamespaces(), []string{selfview.ClusterScopeNamespace, "ci", "default", "kube-system"}; !slices.Equal(got, want) {
		t.Errorf("reviewed %v, want %v (cluster-wide, then default, kube-system and its own)", got, want)
	}
	wantIncomplete := []string{"clusterroles.rbac.authorization.k8s.io", "clusterrolebindings.rbac.authorization.k8s.io",
		"roles.rbac.authorization.k8s.io", "rolebindings.rbac.authorization.k8s.io", "namespaces", "secrets (type=kubernetes.io/service-account-token)",
		"secrets (type=bootstrap.kubernetes.io/token)", "nodes", "rolebindings (namespaces not reviewed)"}
	if got := incompleteOf(res); !slices.Equal(got, wantIncomplete) {
		t.Errorf("incomplete %q\nwant %q", got, wantIncomplete)
	}
	for _, want := range []string{
		"warning: could not read rolebindings.rbac.authorization.k8s.io (forbidden): the credentials' own rules come from SelfSubjectRulesReviews instead",
		"warning: could not read rolebindings (namespaces not reviewed) (SelfSubjectRulesReviews asked in ci, default, kube-system only)",
		// Refused cluster-wide, listed in the ServiceAccount's namespace.
		"warning: could not read secrets (type=kubernetes.io/service-account-token) (forbidden cluster-wide): read in namespace ci only",
	} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr)
		}
	}
}

// The same rules granted by a RoleBinding in kube-system are in that
// namespace's review but not in the cluster-wide one: users and groups are
// cluster-scoped, so they grant nothing.
func TestWhoAmIRulesOfARoleBindingGrantNothingClusterScoped(t *testing.T) {
	f := probeServer()
	f.cluster = []string{ruleReviews}
	f.namespaced["kube-system"] = []string{ruleImpersonateMasters, ruleImpersonateUser}
	srv := f.start(t)
	stdout, stderr, code := runRoot(t, "--server", srv.URL, "whoami", "-o", "json")
	if code != ExitPartial {
		t.Fatalf("exit %d\nstderr: %s", code, stderr)
	}
	if res := parseWhoAmIResult(t, stdout); len(res.Paths) != 0 {
		t.Errorf("paths %+v, want none", res.Paths)
	}
}

// Without the cluster-wide review, every rule counts in the namespaces
// reviewed only: the impersonation (cluster-scoped) is then not granted,
// and the result says why.
func TestWhoAmIWithoutTheClusterWideReviewKeepsRulesNamespaced(t *testing.T) {
	f := probeServer()
	f.clusterReviewStatus = http.StatusUnprocessableEntity
	srv := f.start(t)
	stdout, stderr, code := runRoot(t, "--server", srv.URL, "whoami", "-o", "json")
	if code != ExitPartial {
		t.Fatalf("exit %d\nstderr: %s", code, stderr)
	}
	res := parseWhoAmIResult(t, stdout)
	if len(res.Paths) != 0 {
		t.Errorf("paths %+v, want none", res.Paths)
	}
	if !slices.Contains(incompleteOf(res), "selfsubjectrulesreviews (cluster-wide rules)") ||
		!strings.Contains(stderr, "their cluster-scoped resources and non-resource URLs not at all") {
		t.Errorf("incomplete %q\nstderr: %s", incompleteOf(res), stderr)
	}
}

func TestWhoAmIReviewsNamespaces(t *testing.T) {
	tests := []struct {
		name       string
		namespaces []string
		args       []string
		want       []string
		notAll     bool
		// listedIn is where Secrets refused cluster-wide are listed.
		listedIn string
	}{
		{name: "namespaces not listable: default, kube-system and its own", want: []string{"ci", "default", "kube-system"}, notAll: true, listedIn: "ci"},
		{name: "every namespace it may list", namespaces: []string{"ci", "default", "kube-system", "team-a"}, want: []string{"ci", "default", "kube-system", "team-a"}, listedIn: "ci"},
		{name: "-n names one", namespaces: []string{"ci", "default", "kube-system", "team-a"}, args: []string{"-n", "team-b"}, want: []string{"ci", "default", "kube-system", "team-b"}, notAll: true, listedIn: "team-b"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := probeServer()
			f.namespaces = tt.namespaces
			srv := f.start(t)
			stdout, stderr, code := runRoot(t, append([]string{"--server", srv.URL, "whoami", "-o", "json"}, tt.args...)...)
			if code != ExitPartial {
				t.Fatalf("exit %d\nstderr: %s", code, stderr)
			}
			res := parseWhoAmIResult(t, stdout)
			if got := res.Reviews.Reviewed(); !slices.Equal(got, tt.want) {
				t.Errorf("reviewed %v, want %v", got, tt.want)
			}
			if got := slices.Contains(incompleteOf(res), "rolebindings (namespaces not reviewed)"); got != tt.notAll {
				t.Errorf("namespaces not reviewed said: %v, want %v", got, tt.notAll)
			}
			if want := "(forbidden cluster-wide): read in namespace " + tt.listedIn + " only"; !strings.Contains(stderr, want) {
				t.Errorf("stderr lacks %q:\n%s", want, stderr)
			}
		})
	}
}

// A user in group system:masters (an identity provider's group, known from
// the SelfSubjectReview only) is cluster-admin through it.
func TestWhoAmIUserGroupsFromTheSelfSubjectReview(t *testing.T) {
	f := &whoamiServer{user: `"jane"`, groups: `["system:masters","system:authenticated"]`, cluster: []string{ruleReviews}}
	srv := f.start(t)
	stdout, stderr, code := runRoot(t, "--server", srv.URL, "whoami")
	if code != ExitPartial {
		t.Fatalf("exit %d\nstderr: %s", code, stderr)
	}
	for _, want := range []string{"Identity: User:jane (user jane; groups system:masters, system:authenticated)", "User:jane ─member-of→ Group:system:masters", "when: group membership the cluster reported (SelfSubjectReview)", "─superuser-group→ cluster-admin"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("stdout lacks %q:\n%s", want, stdout)
		}
	}
}

// Readable RBAC is used as it is: no review is made.
func TestWhoAmIUsesReadableRBAC(t *testing.T) {
	f := probeServer()
	f.rbacReadable = true
	srv := f.start(t)
	stdout, stderr, code := runRoot(t, "--server", srv.URL, "whoami", "-o", "json")
	if code != ExitPartial { // namespaces, secrets and nodes are forbidden
		t.Fatalf("exit %d\nstderr: %s", code, stderr)
	}
	res := parseWhoAmIResult(t, stdout)
	if res.Rules != "rbac" || res.Reviews != nil || len(f.reviewedNamespaces()) != 0 {
		t.Errorf("rules %q, reviews %+v, reviewed %v", res.Rules, res.Reviews, f.reviewedNamespaces())
	}
	if slices.Contains(incompleteOf(res), "rolebindings (namespaces not reviewed)") {
		t.Errorf("incomplete %q", incompleteOf(res))
	}
}

// The output does not depend on the order the apiserver lists rules in.
func TestWhoAmIIsDeterministic(t *testing.T) {
	var outs []string
	for range 3 {
		f := probeServer()
		f.cluster = append(f.cluster, ruleReadPods)
		srv := f.start(t)
		stdout, _, _ := runRoot(t, "--server", srv.URL, "whoami", "-o", "yaml")
		outs = append(outs, stdout)
	}
	if outs[0] != outs[1] || outs[1] != outs[2] {
		t.Errorf("outputs differ:\n%s\n---\n%s", outs[0], outs[1])
	}
}

func TestWhoAmIErrors(t *testing.T) {
	tests := []struct {
		name       string
		server     func(*whoamiServer)
		args       []string
		wantStderr string
	}{
		{name: "SelfSubjectReview not served", server: func(f *whoamiServer) { f.ssrStatus, f.ssrBetaStatus = 404, 404 },
			wantStderr: "SelfSubjectReview (authentication.k8s.io v1 and v1beta1) is not served by this cluster"},
		{name: "SelfSubjectReview forbidden", server: func(f *whoamiServer) { f.ssrStatus = 403 },
			wantStderr: "SelfSubjectReview is forbidden to these credentials"},
		{name: "credentials rejected", server: func(f *whoamiServer) { f.ssrStatus = 401 },
			wantStderr: "the cluster rejected the credentials (401 Unauthorized)"},
		{name: "files are refused", args: []string{"-f", "x.yaml"}, wantStderr: "whoami asks the cluster about the credentials at hand and reads no files"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := probeServer()
			if tt.server != nil {
				tt.server(f)
			}
			srv := f.start(t)
			_, stderr, code := runRoot(t, append([]string{"--server", srv.URL, "whoami"}, tt.args...)...)
			if code != ExitError || !strings.Contains(stderr, tt.wantStderr) {
				t.Errorf("exit %d, stderr %q; want exit 1 and %q", code, stderr, tt.wantStderr)
			}
		})
	}
}

// Only v1beta1 served (Kubernetes 1.27): kubectl's fallback.
func TestWhoAmIFallsBackToV1beta1(t *testing.T) {
	f := probeServer()
	f.ssrStatus = 404
	srv := f.start(t)
	stdout, stderr, code := runRoot(t, "--server", srv.URL, "whoami", "-o", "json")
	if code != ExitPartial || parseWhoAmIResult(t, stdout).Subject != "ServiceAccount:ci:probe" {
		t.Errorf("exit %d\nstderr: %s", code, stderr)
	}
}

// inClusterDir is where client-go's in-cluster config reads the pod's
// ServiceAccount token, CA and namespace (fixed paths).
const inClusterDir = "/var/run/secrets/kubernetes.io/serviceaccount"

// In a pod, with no kubeconfig, whoami uses the ServiceAccount token as
// kubectl does (KUBERNETES_SERVICE_HOST/PORT and the mounted token).
func TestWhoAmIUsesTheInClusterServiceAccountToken(t *testing.T) {
	if _, err := os.Stat("/var/run/secrets"); err == nil {
		t.Skip("/var/run/secrets exists (a pod?): not replacing its token")
	}
	if os.Getuid() != 0 {
		t.Skip("writing " + inClusterDir + " needs root")
	}
	f := probeServer()
	f.tls = true
	srv := f.start(t)
	if err := os.MkdirAll(inClusterDir, 0o755); err != nil {
		t.Skipf("cannot create %s: %v", inClusterDir, err)
	}
	t.Cleanup(func() { _ = os.RemoveAll("/var/run/secrets") })
	ca := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw})
	for name, data := range map[string][]byte{"token": []byte("in-cluster-token"), "ca.crt": ca, "namespace": []byte("ci")} {
		if err := os.WriteFile(filepath.Join(inClusterDir, name), data, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	host, port, _ := net.SplitHostPort(srv.Listener.Addr().String())
	t.Setenv("KUBERNETES_SERVICE_HOST", host)
	t.Setenv("KUBERNETES_SERVICE_PORT", port)
	t.Setenv("HOME", t.TempDir()) // no ~/.kube/config
	stdout, stderr, code := runRoot(t, "whoami", "-o", "json")
	if code != ExitPartial {
		t.Fatalf("exit %d\nstderr: %s", code, stderr)
	}
	if res := parseWhoAmIResult(t, stdout); res.Subject != "ServiceAccount:ci:probe" || len(res.Paths) != 1 {
		t.Errorf("subject %q, %d path(s)", res.Subject, len(res.Paths))
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if !slices.Equal(f.tokens, []string{"Bearer in-cluster-token"}) {
		t.Errorf("SelfSubjectReview sent with %q, want the mounted token", f.tokens)
	}
}

// What the reviews cannot see is no kind left out on purpose:
// --allow-incomplete all drops the rest, not that (still exit 3).
func TestWhoAmIAllowIncompleteKeepsWhatTheReviewsCannotSee(t *testing.T) {
	f := probeServer()
	srv := f.start(t)
	stdout, stderr, code := runRoot(t, "--server", srv.URL, "whoami", "-o", "json", "--allow-incomplete", "all")
	if code != ExitPartial {
		t.Fatalf("exit %d, want %d\nstderr: %s", code, ExitPartial, stderr)
	}
	want := []string{"clusterroles.rbac.authorization.k8s.io", "clusterrolebindings.rbac.authorization.k8s.io",
		"roles.rbac.authorization.k8s.io", "rolebindings.rbac.authorization.k8s.io", "rolebindings (namespaces not reviewed)"}
	if got := incompleteOf(parseWhoAmIResult(t, stdout)); !slices.Equal(got, want) {
		t.Errorf("incomplete %q\nwant %q", got, want)
	}
}
