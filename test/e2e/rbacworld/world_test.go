package rbacworld

import (
	"bytes"
	"testing"
)

func TestGenerateIsDeterministic(t *testing.T) {
	for _, seed := range []int64{1, 42, 987654321} {
		a, err := Generate(seed).YAML()
		if err != nil {
			t.Fatal(err)
		}
		b, _ := Generate(seed).YAML()
		if !bytes.Equal(a, b) {
			t.Fatalf("seed %d: two worlds differ", seed)
		}
		qa, qb := Generate(seed).Requests(300), Generate(seed).Requests(300)
		if len(qa) != 300 {
			t.Fatalf("seed %d: %d requests, want 300", seed, len(qa))
		}
		for i := range qa {
			if qa[i] != qb[i] {
				t.Fatalf("seed %d: request %d differs: %v vs %v", seed, i, qa[i], qb[i])
			}
		}
	}
}

func TestRequestsAreShapedLikeTheAPIServers(t *testing.T) {
	w := Generate(7)
	for _, q := range w.Requests(2000) {
		switch {
		case !q.IsResource():
			if q.Namespace != "" || q.Resource != "" {
				t.Errorf("non-resource request with resource attributes: %+v", q)
			}
		case q.Resource == "namespaces" && q.Name != "":
			if q.Namespace != q.Name {
				t.Errorf("namespaces/NAME must be evaluated in NAME: %+v", q)
			}
		case q.ClusterScoped && q.Namespace != "":
			t.Errorf("cluster-scoped request with a namespace: %+v", q)
		}
	}
	if len(w.Identities) < 20 {
		t.Errorf("%d identities, want >= 20", len(w.Identities))
	}
}
