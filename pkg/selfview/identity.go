package selfview

import (
	"context"
	"fmt"
	"slices"

	authenticationv1 "k8s.io/api/authentication/v1"
	authenticationv1beta1 "k8s.io/api/authentication/v1beta1"
	rbacv1 "k8s.io/api/rbac/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"

	"github.com/auth-paths/kubectl-auth-paths/pkg/rbac"
)

// Identity is who the apiserver says the credentials are (a SelfSubjectReview).
type Identity struct {
	Username string   `json:"username"`
	UID      string   `json:"uid,omitempty"`
	Groups   []string `json:"groups,omitempty"`
}

// Subject is the identity as a binding subject: the ServiceAccount for
// system:serviceaccount:NS:NAME, else the User (a node's system:node:NAME is
// the User the engine calls Node:NAME).
func (id Identity) Subject() rbac.Subject {
	return rbac.CanonicalSubject(rbacv1.Subject{Kind: rbacv1.UserKind, Name: id.Username}, "")
}

// ExtraGroups are the identity's groups beyond those every identity of its
// kind is in (system:authenticated, a ServiceAccount's own groups): those an
// identity provider or authenticating proxy gave it, which bindings to
// groups may name. Sorted.
func (id Identity) ExtraGroups() []string {
	implicit := rbac.ImplicitGroups(id.Subject())
	var out []string
	for _, g := range id.Groups {
		if !slices.Contains(implicit, g) && !slices.Contains(out, g) {
			out = append(out, g)
		}
	}
	slices.Sort(out)
	return out
}

// WhoAmI asks the apiserver who the credentials are, as kubectl auth whoami
// does: authentication.k8s.io/v1, then v1beta1 where v1 is not served.
func WhoAmI(ctx context.Context, cs kubernetes.Interface) (Identity, error) {
	res, err := cs.AuthenticationV1().SelfSubjectReviews().Create(ctx, &authenticationv1.SelfSubjectReview{}, metav1.CreateOptions{})
	if err == nil {
		return identityOf(res.Status.UserInfo), nil
	}
	if apierrors.IsNotFound(err) {
		beta, berr := cs.AuthenticationV1beta1().SelfSubjectReviews().Create(ctx, &authenticationv1beta1.SelfSubjectReview{}, metav1.CreateOptions{})
		if berr == nil {
			return identityOf(beta.Status.UserInfo), nil
		}
		err = berr
	}
	switch {
	case apierrors.IsNotFound(err):
		return Identity{}, fmt.Errorf("SelfSubjectReview (authentication.k8s.io v1 and v1beta1) is not served by this cluster (before Kubernetes 1.28 it needs the APISelfSubjectReview feature gate): whoami cannot learn who the credentials are: %w", err)
	case apierrors.IsForbidden(err):
		return Identity{}, fmt.Errorf("SelfSubjectReview is forbidden to these credentials (every authenticated user may create one unless the cluster removed it from system:basic-user): %w", err)
	case apierrors.IsUnauthorized(err):
		return Identity{}, fmt.Errorf("the cluster rejected the credentials (401 Unauthorized) when asked who they are: %w", err)
	}
	return Identity{}, fmt.Errorf("SelfSubjectReview failed: %w", err)
}

func identityOf(u authenticationv1.UserInfo) Identity {
	return Identity{Username: u.Username, UID: u.UID, Groups: u.Groups}
}
