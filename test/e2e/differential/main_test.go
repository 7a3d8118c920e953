// Package differential compares `kubectl auth-paths who-can` with the
// decisions of a real kube-apiserver's RBAC authorizer (SubjectAccessReview).
package differential

import (
	"os"
	"testing"

	"github.com/auth-paths/kubectl-auth-paths/test/e2e/cluster"
)

func TestMain(m *testing.M) { os.Exit(cluster.RunMain(m)) }
