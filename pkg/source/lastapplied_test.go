package source

import (
	"encoding/json"
	"strings"
	"testing"
)

// TestLastAppliedAnnotationIsNeverKept: kubectl's last-applied annotation
// repeats a Secret's data or a pod's env values; no object keeps it.
func TestLastAppliedAnnotationIsNeverKept(t *testing.T) {
	docs := []string{
		`{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p","namespace":"ns","annotations":{"kubectl.kubernetes.io/last-applied-configuration":"{\"spec\":{\"containers\":[{\"env\":[{\"value\":\"pod-env-s3cret\"}]}]}}","keep":"me"}},"spec":{"containers":[{"name":"c","image":"i","env":[{"name":"P","value":"pod-env-s3cret"}]}]}}`,
		`{"apiVersion":"v1","kind":"Secret","metadata":{"name":"s","namespace":"ns","annotations":{"kubectl.kubernetes.io/last-applied-configuration":"{\"stringData\":{\"password\":\"secret-s3cret\"}}"}},"type":"Opaque","stringData":{"password":"secret-s3cret"}}`,
		`{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c","namespace":"ns","annotations":{"kubectl.kubernetes.io/last-applied-configuration":"{\"data\":{\"x\":\"cm-s3cret\"}}"}}}`,
	}
	for _, doc := range docs {
		d := newDecoder("")
		if _, err := d.decodeStream("t.json", strings.NewReader(doc)); err != nil {
			t.Fatal(err)
		}
		inv := d.finish()
		all, err := json.Marshal(inv)
		if err != nil {
			t.Fatal(err)
		}
		for _, v := range []string{"pod-env-s3cret", "secret-s3cret", "cm-s3cret", "last-applied"} {
			if strings.Contains(string(all), v) {
				t.Errorf("inventory keeps %q: %s", v, all)
			}
		}
		if strings.Contains(doc, `"keep":"me"`) && !strings.Contains(string(all), `"keep":"me"`) {
			t.Errorf("other annotations must be kept: %s", all)
		}
	}
}
