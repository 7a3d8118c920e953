package rbac

import (
	"strings"
	"sync"
	"testing"

	rbacv1 "k8s.io/api/rbac/v1"
)

func TestParseResourceResolvesWhatUsersType(t *testing.T) {
	cases := []struct {
		in                   string
		group, resource, sub string
		known, namespaced    bool
	}{
		{"pods", "", "pods", "", true, true},
		{"pod", "", "pods", "", true, true},
		{"po", "", "pods", "", true, true},
		{"Pods", "", "pods", "", true, true},
		{" pods ", "", "pods", "", true, true},
		{"deploy", "apps", "deployments", "", true, true},
		{"deployment", "apps", "deployments", "", true, true},
		{"deployments.apps", "apps", "deployments", "", true, true},
		{"deploy.apps", "apps", "deployments", "", true, true},
		{"sa", "", "serviceaccounts", "", true, true},
		{"ns", "", "namespaces", "", true, false},
		{"namespace", "", "namespaces", "", true, false},
		{"cm", "", "configmaps", "", true, true},
		{"crd", "apiextensions.k8s.io", "customresourcedefinitions", "", true, false},
		{"crds", "apiextensions.k8s.io", "customresourcedefinitions", "", true, false},
		{"nodes", "", "nodes", "", true, false},
		{"clusterroles", "rbac.authorization.k8s.io", "clusterroles", "", true, false},
		{"clusterroles.rbac.authorization.k8s.io", "rbac.authorization.k8s.io", "clusterroles", "", true, false},
		{"csr", "certificates.k8s.io", "certificatesigningrequests", "", true, false},
		{"events", "", "events", "", true, true},
		{"ev", "", "events", "", true, true},
		{"events.events.k8s.io", "events.k8s.io", "events", "", true, true},
		{"pods/exec", "", "pods", "exec", true, true},
		{"po/log", "", "pods", "log", true, true},
		{"deployments.apps/scale", "apps", "deployments", "scale", true, true},
		{"nodes/proxy", "", "nodes", "proxy", true, false},
		{"serviceaccounts/token", "", "serviceaccounts", "token", true, true},
		{"widgets.example.com", "example.com", "widgets", "", false, true},
		{"widgets.example.com/status", "example.com", "widgets", "status", false, true},
		{"widgets", "", "widgets", "", false, true},
		{"*", "*", "*", "", false, false},
		{"*/scale", "*", "*", "scale", false, false},
	}
	for _, tc := range cases {
		t.Run(tc.in, func(t *testing.T) {
			g, r, s, info, known, err := ParseResource(tc.in)
			if err != nil {
				t.Fatalf("ParseResource(%q): %v", tc.in, err)
			}
			if g != tc.group || r != tc.resource || s != tc.sub || known != tc.known {
				t.Errorf("ParseResource(%q) = %q %q %q known=%v, want %q %q %q known=%v", tc.in, g, r, s, known, tc.group, tc.resource, tc.sub, tc.known)
			}
			if tc.resource != "*" && info.Namespaced != tc.namespaced {
				t.Errorf("ParseResource(%q) namespaced = %v, want %v", tc.in, info.Namespaced, tc.namespaced)
			}
		})
	}
}

func TestParseResourceRejectsBadInput(t *testing.T) {
	for _, in := range []string{"", "   ", "pods/", "pods/exec/extra", "/exec", ".apps", "/"} {
		t.Run(in, func(t *testing.T) {
			_, r, _, _, _, err := ParseResource(in)
			if err == nil {
				t.Fatalf("ParseResource(%q) = resource %q, want an error", in, r)
			}
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("multi-line error: %q", err)
			}
		})
	}
}

func TestParseResourceIsSafeConcurrently(t *testing.T) {
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := 0; j < 100; j++ {
				if _, r, _, _, _, err := ParseResource("events"); err != nil || r != "events" {
					t.Errorf("ParseResource(events) = %q, %v", r, err)
					return
				}
			}
		}()
	}
	wg.Wait()
}

func TestLookupResource(t *testing.T) {
	if ri, ok := LookupResource("apps", "deployments"); !ok || !ri.Namespaced || ri.Singular != "deployment" {
		t.Errorf("LookupResource(apps, deployments) = %+v, %v", ri, ok)
	}
	if _, ok := LookupResource("", "deployments"); ok {
		t.Error("deployments found in the core group")
	}
}

func TestParseSubject(t *testing.T) {
	cases := []struct {
		in   string
		want Subject
	}{
		{"User:alice", Subject{Kind: rbacv1.UserKind, Name: "alice"}},
		{"user:alice", Subject{Kind: rbacv1.UserKind, Name: "alice"}},
		{"u:alice", Subject{Kind: rbacv1.UserKind, Name: "alice"}},
		{"alice", Subject{Kind: rbacv1.UserKind, Name: "alice"}},
		{"alice@example.com", Subject{Kind: rbacv1.UserKind, Name: "alice@example.com"}},
		{"Group:dev", Subject{Kind: rbacv1.GroupKind, Name: "dev"}},
		{"g:dev", Subject{Kind: rbacv1.GroupKind, Name: "dev"}},
		{"Group:system:masters", Subject{Kind: rbacv1.GroupKind, Name: "system:masters"}},
		{"ServiceAccount:ns:name", Subject{Kind: rbacv1.ServiceAccountKind, Namespace: "ns", Name: "name"}},
		{"sa:ns:name", Subject{Kind: rbacv1.ServiceAccountKind, Namespace: "ns", Name: "name"}},
		{"ServiceAccount:ns/name", Subject{Kind: rbacv1.ServiceAccountKind, Namespace: "ns", Name: "name"}},
		{"system:serviceaccount:kube-system:default", Subject{Kind: rbacv1.ServiceAccountKind, Namespace: "kube-system", Name: "default"}},
		{"User:system:serviceaccount:ns:bot", Subject{Kind: rbacv1.ServiceAccountKind, Namespace: "ns", Name: "bot"}},
		{"system:node:n1", Subject{Kind: rbacv1.UserKind, Name: "system:node:n1"}},
		{"Node:n1", Subject{Kind: rbacv1.UserKind, Name: "system:node:n1"}},
		{"node:n1", Subject{Kind: rbacv1.UserKind, Name: "system:node:n1"}},
		{"system:anonymous", Subject{Kind: rbacv1.UserKind, Name: "system:anonymous"}},
		{"User:system:kube-controller-manager", Subject{Kind: rbacv1.UserKind, Name: "system:kube-controller-manager"}},
	}
	for _, tc := range cases {
		t.Run(tc.in, func(t *testing.T) {
			got, err := ParseSubject(tc.in)
			if err != nil {
				t.Fatalf("ParseSubject(%q): %v", tc.in, err)
			}
			if got != tc.want {
				t.Errorf("ParseSubject(%q) = %+v, want %+v", tc.in, got, tc.want)
			}
		})
	}
	for _, in := range []string{"", "User:", "Group:", "ServiceAccount:ns", "ServiceAccount:ns:", "sa::name", "Robot:r2d2", "serviceaccount:"} {
		t.Run("bad "+in, func(t *testing.T) {
			if got, err := ParseSubject(in); err == nil {
				t.Errorf("ParseSubject(%q) = %+v, want an error", in, got)
			}
		})
	}
}

func TestSubjectRendering(t *testing.T) {
	s := Subject{Kind: rbacv1.ServiceAccountKind, Namespace: "ns", Name: "bot"}
	if s.String() != "ServiceAccount:ns:bot" || s.Describe() != `ServiceAccount "ns/bot"` || s.UserName() != "system:serviceaccount:ns:bot" {
		t.Errorf("SA renders as %s / %s / %s", s.String(), s.Describe(), s.UserName())
	}
	back, err := ParseSubject(s.String())
	if err != nil || back != s {
		t.Errorf("ParseSubject(String()) = %+v, %v", back, err)
	}
	g := Subject{Kind: rbacv1.GroupKind, Name: "dev"}
	if g.String() != "Group:dev" || g.Describe() != `Group "dev"` {
		t.Errorf("group renders as %s / %s", g.String(), g.Describe())
	}
	for _, bad := range []string{"system:serviceaccount:ns", "system:serviceaccount:a:b:c", "system:serviceaccount::b", "alice"} {
		if _, _, ok := SplitServiceAccountUser(bad); ok {
			t.Errorf("SplitServiceAccountUser(%q) ok", bad)
		}
	}
}

func TestRequestString(t *testing.T) {
	cases := map[string]Request{
		"get pods -n dev": {Verb: "get", Resource: "pods", Namespace: "dev"},
		"update deployments.apps/scale web -n shop": {Verb: "update", APIGroup: "apps", Resource: "deployments", Subresource: "scale", Name: "web", Namespace: "shop"},
		"get nodes (cluster-wide)":                  {Verb: "get", Resource: "nodes"},
		"get /metrics":                              {Verb: "get", Path: "/metrics"},
	}
	for want, r := range cases {
		if got := r.String(); got != want {
			t.Errorf("String() = %q, want %q", got, want)
		}
	}
}
