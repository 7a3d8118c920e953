package cmd

import (
	"strings"
	"testing"
)

func TestParseKubernetesVersion(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"v1.30", "v1.30"},
		{"1.30", "v1.30"},
		{"1.30.2", "v1.30.2"},
		{"v1.35.0-rc.1+k3s1", "v1.35.0-rc.1+k3s1"},
		{"v1.33.5-eks-113cf36", "v1.33.5-eks-113cf36"},
		{"banana", "error: want a Kubernetes version such as v1.30, 1.30 or 1.30.2"},
		{"1.3x", "error: want a Kubernetes version"},
		{"1", "error: want a Kubernetes version"},
		{"1.30.2.1", "error: want a Kubernetes version"},
		{" 1.30", "error: want a Kubernetes version"},
		{"2.0", "error: Kubernetes versions are 1.x"},
	} {
		got, err := parseKubernetesVersion(tc.in)
		if err != nil {
			got = "error: " + err.Error()
		}
		if strings.HasPrefix(tc.want, "error: ") {
			if err == nil || !strings.Contains(got, strings.TrimPrefix(tc.want, "error: ")) {
				t.Errorf("%q: got %q, want %q", tc.in, got, tc.want)
			}
		} else if got != tc.want {
			t.Errorf("%q: got %q, want %q", tc.in, got, tc.want)
		}
	}
}
