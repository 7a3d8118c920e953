package source

import (
	"encoding/json"
	"slices"
	"testing"
)

// The summary names the running containers that keep stdin open: regular and
// ephemeral ones, and init containers only when they are sidecars.
func TestPodSpecStdin(t *testing.T) {
	for _, tc := range []struct {
		name, spec string
		want       []string
	}{
		{"none", `{"containers":[{"name":"app"}]}`, nil},
		{"stdin false", `{"containers":[{"name":"app","stdin":false,"tty":true}]}`, nil},
		{"regular", `{"containers":[{"name":"b","stdin":true},{"name":"a","stdin":true,"tty":true},{"name":"c"}]}`, []string{"a", "b"}},
		{"ephemeral", `{"containers":[{"name":"app"}],"ephemeralContainers":[{"name":"debugger","stdin":true}]}`, []string{"debugger"}},
		{"init has exited", `{"initContainers":[{"name":"setup","stdin":true}],"containers":[{"name":"app"}]}`, nil},
		{"sidecar runs", `{"initContainers":[{"name":"proxy","stdin":true,"restartPolicy":"Always"}],"containers":[{"name":"app"}]}`, []string{"proxy"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var p podSpecJSON
			if err := json.Unmarshal([]byte(tc.spec), &p); err != nil {
				t.Fatal(err)
			}
			if got := p.summary().Stdin; !slices.Equal(got, tc.want) {
				t.Errorf("Stdin = %q, want %q", got, tc.want)
			}
			var fast podSpecJSON
			if err := fastJSON.Unmarshal([]byte(tc.spec), &fast); err != nil {
				t.Fatal(err)
			}
			if got := fast.summary().Stdin; !slices.Equal(got, tc.want) {
				t.Errorf("fast path: Stdin = %q, want %q", got, tc.want)
			}
		})
	}
}
