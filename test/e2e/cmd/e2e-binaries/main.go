// Command e2e-binaries builds the e2e control plane (etcd, kube-apiserver,
// kube-controller-manager, kubectl) into the binary cache, exactly as the
// tests' cluster.EnsureBinaries does, and prints the cached paths. CI starts
// it in the background (hack/prefetch.sh) so that the build overlaps the
// stages before the e2e tests; the tests then wait on the cache's file lock
// and reuse what it built.
package main

import (
	"fmt"
	"os"

	"github.com/auth-paths/kubectl-auth-paths/test/e2e/cluster"
)

func main() {
	bins, err := cluster.EnsureBinaries(func(format string, args ...any) {
		fmt.Fprintf(os.Stderr, "e2e-binaries: "+format+"\n", args...)
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, "e2e-binaries:", err)
		os.Exit(1)
	}
	for _, p := range []string{bins.Etcd, bins.KubeAPIServer, bins.KubeControllerManager, bins.Kubectl} {
		fmt.Println(p)
	}
}
