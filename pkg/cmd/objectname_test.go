package cmd

import (
	"strings"
	"testing"
)

func TestParseObjectName(t *testing.T) {
	bindings := []string{"ClusterRoleBinding", "RoleBinding"}
	for _, tc := range []struct {
		in, ns string
		want   string // ID, or "error: <part of the message>"
	}{
		{"clusterrolebinding/ci-deployer", "", "ClusterRoleBinding/ci-deployer"},
		{"clusterrolebindings/ci-deployer", "", "ClusterRoleBinding/ci-deployer"},
		{"ClusterRoleBinding/ci-deployer", "", "ClusterRoleBinding/ci-deployer"},
		{"clusterrolebinding.rbac.authorization.k8s.io/x", "", "ClusterRoleBinding/x"},
		{"clusterrolebindings.v1.rbac.authorization.k8s.io/x", "", "ClusterRoleBinding/x"},
		{"clusterrolebinding/system:kube-controller-manager", "", "ClusterRoleBinding/system:kube-controller-manager"},
		{"clusterrolebinding/x", "prod", "ClusterRoleBinding/x"}, // -n does not apply to cluster-scoped objects
		{"rolebinding/ns/x", "", "RoleBinding/ns/x"},
		{"RoleBinding/ns/x", "", "RoleBinding/ns/x"},
		{"rolebindings.rbac.authorization.k8s.io/ns/x", "", "RoleBinding/ns/x"},
		{"rolebinding/x", "ns", "RoleBinding/ns/x"},
		{"rolebinding/ns/x", "ns", "RoleBinding/ns/x"},
		{"rolebinding/x", "", `error: a RoleBinding is namespaced: give -n NAMESPACE or rolebinding/NAMESPACE/x`},
		{"rolebinding/ns/x", "other", `error: names namespace "ns", -n says "other"`},
		{"rolebinding/ns/", "", "error: want rolebinding/NAMESPACE/NAME"},
		{"rolebinding/a/b/c", "", "error: want rolebinding/NAMESPACE/NAME"},
		{"clusterrolebinding/ns/x", "", "error: a ClusterRoleBinding is cluster-scoped: want clusterrolebinding/NAME"},
		{"clusterrole/admin", "", `error: type "clusterrole" is not one of clusterrolebinding/NAME, rolebinding/NAME (with -n), rolebinding/NAMESPACE/NAME`},
		{"pod/x", "", `error: type "pod" is not one of`},
		{"ci-deployer", "", "error: want TYPE/NAME, e.g. clusterrolebinding/NAME"},
		{"/x", "", "error: want TYPE/NAME"},
		{"clusterrolebinding/", "", "error: want TYPE/NAME"},
	} {
		n, err := parseObjectName(tc.in, tc.ns, bindings...)
		got := n.ID()
		if err != nil {
			got = "error: " + err.Error()
		}
		if strings.HasPrefix(tc.want, "error: ") {
			if err == nil || !strings.Contains(got, strings.TrimPrefix(tc.want, "error: ")) {
				t.Errorf("%q -n %q: got %q, want an error with %q", tc.in, tc.ns, got, tc.want)
			}
			continue
		}
		if got != tc.want {
			t.Errorf("%q -n %q: got %q, want %q", tc.in, tc.ns, got, tc.want)
		}
	}
	// Roles, where a command names roles.
	if n, err := parseObjectName("role/ns/r", "", "Role", "ClusterRole"); err != nil || n.ID() != "Role/ns/r" {
		t.Errorf("role/ns/r: %v %v", n, err)
	}
}
