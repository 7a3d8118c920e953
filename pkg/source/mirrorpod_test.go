package source

import (
	"strings"
	"testing"
)

func TestMirrorPodsHaveNoServiceAccount(t *testing.T) {
	tests := []struct {
		name, doc, wantSA string
	}{
		{"ordinary pod gets default", `{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p","namespace":"ns"},"spec":{"containers":[{"name":"c","image":"i"}]}}`, "default"},
		{"mirror pod gets none", `{"apiVersion":"v1","kind":"Pod","metadata":{"name":"etcd-cp","namespace":"kube-system","annotations":{"kubernetes.io/config.mirror":"abc"}},"spec":{"containers":[{"name":"c","image":"i"}]}}`, ""},
		{"named ServiceAccount kept", `{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p","namespace":"ns"},"spec":{"serviceAccountName":"bot","containers":[{"name":"c","image":"i"}]}}`, "bot"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := newDecoder("")
			if _, err := d.decodeStream("t.json", strings.NewReader(tt.doc)); err != nil {
				t.Fatal(err)
			}
			inv := d.finish()
			if len(inv.Pods) != 1 || inv.Pods[0].Spec.ServiceAccountName != tt.wantSA {
				t.Fatalf("got %+v, want ServiceAccount %q", inv.Pods, tt.wantSA)
			}
		})
	}
}
