package risk

import (
	"testing"

	"github.com/auth-paths/kubectl-auth-paths/pkg/model"
)

func TestParseMinor(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want int
		ok   bool
	}{
		{"v1.35", 35, true},
		{"1.34.2", 34, true},
		{" v1.35.0 ", 35, true},
		{"v1.35.0-rc.1", 35, true},
		{"v1.33.5-eks-113cf36", 33, true},
		{"v1.34.1+k3s1", 34, true},
		{"1.30+", 30, true}, // minor as reported by some managed clusters
		{"v1.9", 9, true},
		{"", 0, false},
		{"v1", 0, false},
		{"v1.", 0, false},
		{"v2.0", 0, false},
		{"latest", 0, false},
		{"1.x", 0, false},
	} {
		got, ok := parseMinor(tc.in)
		if got != tc.want || ok != tc.ok {
			t.Errorf("parseMinor(%q) = %d, %v; want %d, %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
}

func TestExecNeedsCreate(t *testing.T) {
	for _, tc := range []struct {
		version string
		want    bool
	}{
		{"v1.34.3", false},
		{"v1.35.0", true},
		{"v1.36", true},
		{"1.37.2", true},
		{"v1.30", false},
		{"", false},        // unknown: treated as older (get suffices)
		{"garbage", false}, // unknown
	} {
		got, note := execNeedsCreate(tc.version)
		if got != tc.want {
			t.Errorf("execNeedsCreate(%q) = %v, want %v", tc.version, got, tc.want)
		}
		if !got && note == "" {
			t.Errorf("execNeedsCreate(%q): no note explaining why get suffices", tc.version)
		}
	}
}

func TestPodRunning(t *testing.T) {
	for phase, want := range map[string]bool{"Running": true, "": true, "Pending": false, "Succeeded": false, "Failed": false, "Unknown": false} {
		p := podFixture(phase)
		if got, _ := podRunning(p); got != want {
			t.Errorf("podRunning(phase %q) = %v, want %v", phase, got, want)
		}
	}
}

func podFixture(phase string) *model.Pod {
	return &model.Pod{Meta: model.Meta{Namespace: "ns", Name: "p"}, Phase: phase}
}
