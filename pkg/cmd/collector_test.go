package cmd

import "testing"

func TestGCPercentFor(t *testing.T) {
	env := func(kv map[string]string) func(string) string {
		return func(k string) string { return kv[k] }
	}
	tests := []struct {
		name    string
		objects int
		env     map[string]string
		want    int
		wantSet bool
	}{
		{name: "small input", objects: largeInputObjects - 1},
		{name: "large input", objects: largeInputObjects, want: largeInputGOGC, wantSet: true},
		{name: "just below huge", objects: hugeInputObjects - 1, want: largeInputGOGC, wantSet: true},
		{name: "huge input", objects: hugeInputObjects, want: hugeInputGOGC, wantSet: true},
		{name: "GOGC set", objects: 10 * largeInputObjects, env: map[string]string{"GOGC": "100"}},
		{name: "GOGC off", objects: 10 * largeInputObjects, env: map[string]string{"GOGC": "off"}},
		{name: "GOMEMLIMIT set", objects: 10 * largeInputObjects, env: map[string]string{"GOMEMLIMIT": "2GiB"}},
		{name: "unrelated variable", objects: 10 * largeInputObjects, env: map[string]string{"GODEBUG": "gctrace=1"}, want: hugeInputGOGC, wantSet: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, set := gcPercentFor(tt.objects, env(tt.env))
			if got != tt.want || set != tt.wantSet {
				t.Errorf("gcPercentFor(%d) = %d, %v; want %d, %v", tt.objects, got, set, tt.want, tt.wantSet)
			}
		})
	}
}
