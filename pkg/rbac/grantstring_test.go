package rbac

import (
	"fmt"
	"testing"

	rbacv1 "k8s.io/api/rbac/v1"

	"github.com/auth-paths/kubectl-auth-paths/pkg/model"
)

// TestGrantString: a grant renders as `Kind "name" of RoleKind "role"
// rules[i] to Subject "name"`, every name quoted as Go's %q does (escapes,
// invalid UTF-8, quotes inside names), and a subject likewise.
func TestGrantString(t *testing.T) {
	names := []string{"edit", "", `we"ird`, "tab\there", "ünïcode", "bad\xffutf8", "ns/with/slashes"}
	for _, name := range names {
		for _, kind := range []string{model.KindRoleBinding, model.KindClusterRoleBinding} {
			b := &model.Binding{Kind: kind, Meta: model.Meta{Namespace: "team-" + name, Name: "rb-" + name}}
			b.RoleRef.Kind, b.RoleRef.Name = model.KindClusterRole, name
			for _, s := range []Subject{
				{Kind: rbacv1.ServiceAccountKind, Namespace: "ns", Name: name},
				{Kind: rbacv1.UserKind, Name: name},
				{Kind: rbacv1.GroupKind, Name: name},
			} {
				g := Grant{Binding: b, RuleIndex: 12}.WithSubject(s)
				bname := b.Name
				if kind == model.KindRoleBinding {
					bname = b.Namespace + "/" + b.Name
				}
				desc := fmt.Sprintf("%s %q", s.Kind, s.Name)
				if s.Kind == rbacv1.ServiceAccountKind {
					desc = fmt.Sprintf("%s %q", s.Kind, s.Namespace+"/"+s.Name)
				}
				if got := s.Describe(); got != desc {
					t.Errorf("Describe() = %s, want %s", got, desc)
				}
				want := fmt.Sprintf("%s %q of %s %q rules[%d] to %s", kind, bname, model.KindClusterRole, name, 12, desc)
				if got := g.String(); got != want {
					t.Errorf("String() = %s, want %s", got, want)
				}
			}
		}
	}
}
