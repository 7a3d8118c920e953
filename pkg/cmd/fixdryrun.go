package cmd

import (
	"context"
	"fmt"
	"io"
	"strings"

	rbacv1 "k8s.io/api/rbac/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"

	"github.com/auth-paths/kubectl-auth-paths/pkg/model"
	"github.com/auth-paths/kubectl-auth-paths/pkg/rbac"
	"github.com/auth-paths/kubectl-auth-paths/pkg/remediate"
)

// fix's --dry-run values, as kubectl's: none and client prove the change
// offline only (the default); server also submits it to the apiserver.
const (
	DryRunNone   = "none"
	DryRunClient = "client"
	DryRunServer = "server"
)

// fixFieldManager names fix's dry-run writes (nothing is persisted, but
// admission and audit see the name).
const fixFieldManager = "kubectl-auth-paths"

// FixServerCheck is the apiserver's answer to one change submitted with
// dryRun=All.
type FixServerCheck struct {
	Action    string `json:"action"`
	Kind      string `json:"kind"`
	Namespace string `json:"namespace,omitempty"`
	Name      string `json:"name"`
	Accepted  bool   `json:"accepted"`
	// Reason is the apiserver's refusal, or why it could not be asked.
	Reason string `json:"reason,omitempty"`
	// ResourceVersion is the object's before the dry run; empty when the
	// runner may not read it (then nothing shows it unchanged).
	ResourceVersion string `json:"resourceVersion,omitempty"`
}

// FixStepCheck is one request of a goal's path, decided on the input's RBAC
// and on the proposed RBAC (the change applied), as a SubjectAccessReview
// would decide it with RBAC as the only authorizer.
type FixStepCheck struct {
	Subject   string       `json:"subject"`
	PathID    string       `json:"pathId"`
	Step      int          `json:"step"`
	Primitive string       `json:"primitive"`
	From      string       `json:"from"`
	Request   rbac.Request `json:"request"`
	Before    bool         `json:"allowedBefore"`
	After     bool         `json:"allowedAfter"`
}

// FixDryRun is the evidence --dry-run=server adds to the proof.
type FixDryRun struct {
	Server []FixServerCheck `json:"server"`
	// Unchanged: every edited object the runner may read has the
	// resourceVersion it had before the dry runs (they persisted nothing, and
	// nobody changed the objects meanwhile).
	Unchanged bool `json:"unchanged"`
	// Unread counts the objects the runner may not read: their
	// resourceVersions are not compared.
	Unread int            `json:"unread,omitempty"`
	Steps  []FixStepCheck `json:"steps"`
}

// rejected counts the changes the apiserver did not accept.
func (d *FixDryRun) rejected() int {
	n := 0
	for _, c := range d.Server {
		if !c.Accepted {
			n++
		}
	}
	return n
}

// serverDryRun submits every change with dryRun=All and checks, by the
// objects' resourceVersions before and after, that nothing changed.
func serverDryRun(ctx context.Context, cs kubernetes.Interface, res *remediate.Result) *FixDryRun {
	d := &FixDryRun{Server: []FixServerCheck{}, Unchanged: true}
	for _, c := range res.Changes {
		check := FixServerCheck{Action: c.Action, Kind: c.Kind, Namespace: c.Namespace, Name: c.Name}
		// Read first: the resourceVersion before, compared after. A runner
		// that may not read the object still gets the apiserver's answer.
		ops := changeClient(cs, c)
		rv, readErr := ops.resourceVersion(ctx)
		check.ResourceVersion = rv
		if err := ops.submit(ctx); err != nil {
			check.Reason = dryRunRefusal(err)
		} else {
			check.Accepted = true
		}
		if readErr != nil {
			d.Unread++
			if check.Reason == "" {
				check.Reason = "accepted, but its resourceVersion could not be read to show it unchanged: " + readErr.Error()
			}
		}
		d.Server = append(d.Server, check)
	}
	for i, c := range res.Changes {
		before := d.Server[i].ResourceVersion
		if before == "" {
			continue
		}
		rv, err := changeClient(cs, c).resourceVersion(ctx)
		if err != nil || rv != before {
			d.Unchanged = false
			d.Server[i].Reason = strings.TrimSpace(d.Server[i].Reason + fmt.Sprintf(" resourceVersion %s before the dry run, %q after (%v)", before, rv, err))
		}
	}
	return d
}

// dryRunRefusal says why the apiserver refused a change, and what to do for
// the refusals a user can act on.
func dryRunRefusal(err error) string {
	switch {
	case apierrors.IsConflict(err):
		return "the object changed since the input was read: read the cluster again and re-run fix (" + err.Error() + ")"
	case apierrors.IsNotFound(err):
		return "not in the cluster: " + err.Error()
	default:
		return err.Error()
	}
}

// rbacClient is what the dry run needs of one RBAC kind's typed client.
type rbacClient[T metav1.Object] interface {
	Get(ctx context.Context, name string, opts metav1.GetOptions) (T, error)
	Update(ctx context.Context, obj T, opts metav1.UpdateOptions) (T, error)
	Delete(ctx context.Context, name string, opts metav1.DeleteOptions) error
}

// changeOps are the two calls the dry run makes for one change.
type changeOps struct {
	// resourceVersion reads the object's current resourceVersion.
	resourceVersion func(context.Context) (string, error)
	// submit sends the change as kubectl apply or kubectl delete would, with
	// dryRun=All: authorization, the RBAC escalation checks (an update of a
	// role or binding is checked against the runner's own permissions) and
	// admission run, nothing is stored.
	submit func(context.Context) error
}

// opsFor binds a change to its kind's client.
func opsFor[T metav1.Object](cl rbacClient[T], c *remediate.Change) changeOps {
	return changeOps{
		resourceVersion: func(ctx context.Context) (string, error) {
			o, err := cl.Get(ctx, c.Name, metav1.GetOptions{})
			if err != nil {
				return "", err
			}
			return o.GetResourceVersion(), nil
		},
		submit: func(ctx context.Context) error {
			if c.Action == "delete" {
				opts := metav1.DeleteOptions{DryRun: []string{metav1.DryRunAll}}
				if rv := c.ResourceVersion(); rv != "" {
					opts.Preconditions = &metav1.Preconditions{ResourceVersion: &rv}
				}
				return cl.Delete(ctx, c.Name, opts)
			}
			obj, ok := c.Typed().(T)
			if !ok {
				return fmt.Errorf("%s %s: not an RBAC object", c.Kind, c.Name)
			}
			_, err := cl.Update(ctx, obj, metav1.UpdateOptions{DryRun: []string{metav1.DryRunAll}, FieldManager: fixFieldManager})
			return err
		},
	}
}

// changeClient returns the calls for a change's kind.
func changeClient(cs kubernetes.Interface, c *remediate.Change) changeOps {
	rb := cs.RbacV1()
	switch c.Kind {
	case model.KindClusterRole:
		return opsFor[*rbacv1.ClusterRole](rb.ClusterRoles(), c)
	case model.KindRole:
		return opsFor[*rbacv1.Role](rb.Roles(c.Namespace), c)
	case model.KindClusterRoleBinding:
		return opsFor[*rbacv1.ClusterRoleBinding](rb.ClusterRoleBindings(), c)
	default:
		return opsFor[*rbacv1.RoleBinding](rb.RoleBindings(c.Namespace), c)
	}
}

// proposedStepChecks decides every request of every goal's path on the
// input's RBAC and on the proposed RBAC: verify's SubjectAccessReviews, asked
// of the state after the change instead of the cluster.
func proposedStepChecks(inv *model.Inventory, res *remediate.Result) []FixStepCheck {
	out := []FixStepCheck{}
	before, after := rbac.NewEvaluator(inv), rbac.NewEvaluator(res.After())
	for _, g := range res.Goals {
		p := g.Path()
		for i, s := range p.Steps {
			user, groups, ok := identityOf(s.From)
			if !ok {
				continue
			}
			id := rbac.Identity{User: user, Groups: groups}
			for _, req := range s.Requires {
				b, _ := before.Allows(id, req)
				a, _ := after.Allows(id, req)
				out = append(out, FixStepCheck{Subject: g.Subject, PathID: p.ID, Step: i + 1, Primitive: s.Primitive, From: s.From, Request: req, Before: b, After: a})
			}
		}
	}
	return out
}

// dryRunText is the dry run's evidence for people.
func dryRunText(d *FixDryRun) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Server dry run (dryRun=All, nothing persisted): %d of %d change(s) accepted\n", len(d.Server)-d.rejected(), len(d.Server))
	for _, c := range d.Server {
		name := strings.ToLower(c.Kind) + "/" + c.Name
		if c.Namespace != "" {
			name += " -n " + c.Namespace
		}
		verdict := "accepted"
		if !c.Accepted {
			verdict = "REJECTED"
		}
		fmt.Fprintf(&b, "  %-8s %s %s\n", verdict, c.Action, name)
		if c.Reason != "" {
			// The apiserver's escalation refusal spans lines (one per rule).
			fmt.Fprintf(&b, "           %s\n", strings.ReplaceAll(strings.TrimSpace(c.Reason), "\n", "\n           "))
		}
	}
	switch {
	case !d.Unchanged:
		fmt.Fprintln(&b, "  WARNING: an edited object's resourceVersion changed during the dry run")
	case d.Unread > 0:
		fmt.Fprintf(&b, "  %d object(s) not readable by the runner: their resourceVersions are not compared\n", d.Unread)
	default:
		fmt.Fprintln(&b, "  every edited object kept its resourceVersion")
	}
	if len(d.Steps) > 0 {
		fmt.Fprintln(&b, "The paths' requests, decided on the input's RBAC and on the proposed RBAC:")
		for _, s := range d.Steps {
			fmt.Fprintf(&b, "  %s step %d %s as %s: %s  %s → %s\n", s.PathID, s.Step, s.Primitive, s.From, s.Request.String(), allowedWord(s.Before), allowedWord(s.After))
		}
	}
	return b.String()
}

func allowedWord(ok bool) string {
	if ok {
		return "allowed"
	}
	return "denied"
}

// writeCommented writes text as # comments (beside machine-readable output).
func writeCommented(w io.Writer, text string) {
	for _, line := range strings.Split(strings.TrimRight(text, "\n"), "\n") {
		fmt.Fprintln(w, "# "+line)
	}
}
