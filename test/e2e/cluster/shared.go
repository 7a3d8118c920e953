package cluster

import (
	"fmt"
	"os"
	"sync"
	"testing"
)

var shared struct {
	mu      sync.Mutex
	c       *Cluster
	err     error
	started bool
	failed  bool
}

// RunMain runs a test package's tests with one control plane shared by all of
// them, started on first use by Shared and stopped when the tests are done:
//
//	func TestMain(m *testing.M) { os.Exit(cluster.RunMain(m)) }
func RunMain(m *testing.M) int {
	code := m.Run()
	shared.mu.Lock()
	defer shared.mu.Unlock()
	if shared.c != nil {
		if code != 0 || shared.failed {
			fmt.Fprintf(os.Stderr, "control plane logs:\n%s\n", shared.c.LogTails(40))
		}
		shared.c.Stop()
	}
	return code
}

// Shared returns the control plane of this test process, starting it on the
// first call (builds the binaries on the very first run, several minutes). It
// needs RunMain in TestMain, which stops it. A test that fails gets the tails
// of the component logs.
func Shared(t testing.TB) *Cluster {
	t.Helper()
	shared.mu.Lock()
	defer shared.mu.Unlock()
	if !shared.started {
		shared.started = true
		shared.c, shared.err = New(Options{Logf: func(f string, a ...any) {
			fmt.Fprintf(os.Stderr, "cluster: "+f+"\n", a...)
		}})
	}
	if shared.err != nil {
		t.Fatalf("starting the control plane: %v", shared.err)
	}
	c := shared.c
	t.Cleanup(func() {
		if t.Failed() {
			shared.mu.Lock()
			shared.failed = true
			shared.mu.Unlock()
			t.Logf("control plane logs (dir %s):\n%s", c.Dir, c.LogTails(40))
		}
	})
	return c
}

// Start starts a control plane for one test and stops it when the test ends.
// Prefer Shared: each control plane costs ~10-20 s and a few hundred MB.
func Start(t testing.TB) *Cluster {
	t.Helper()
	c, err := New(Options{Dir: t.TempDir(), Logf: t.Logf})
	if err != nil {
		t.Fatalf("starting the control plane: %v", err)
	}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("control plane logs (dir %s):\n%s", c.Dir, c.LogTails(40))
		}
		c.Stop()
	})
	return c
}
