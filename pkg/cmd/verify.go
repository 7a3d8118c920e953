package cmd

import (
	"context"
	"fmt"
	"strings"

	"github.com/spf13/cobra"
	authorizationv1 "k8s.io/api/authorization/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/cli-runtime/pkg/genericiooptions"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"

	"github.com/auth-paths/kubectl-auth-paths/pkg/model"
	"github.com/auth-paths/kubectl-auth-paths/pkg/rbac"
	"github.com/auth-paths/kubectl-auth-paths/pkg/risk"
)

// Step verification outcomes.
const (
	StatusVerified = "verified"
	StatusRefused  = "refused"
	// StatusNotCheckable: the step is not made by an identity (pick-node,
	// member-of) or requires no request: nothing to ask.
	StatusNotCheckable = "not-checkable"
	// StatusUnchecked: the apiserver could not be asked (unreachable,
	// credentials rejected, no permission to create SubjectAccessReviews).
	StatusUnchecked = "unchecked"
)

// VerifyOptions re-checks the steps of a subject's paths on the live cluster.
type VerifyOptions struct {
	Analysis *AnalysisOptions
	Output   string
	MaxPaths int
	Path     int
	DryRun   bool
	Subject  rbac.Subject
	streams  genericiooptions.IOStreams
}

// VerifyCheck is one SubjectAccessReview or dry-run.
type VerifyCheck struct {
	Kind    string        `json:"kind"` // SubjectAccessReview or DryRun
	As      string        `json:"as"`
	Request *rbac.Request `json:"request,omitempty"`
	Allowed bool          `json:"allowed"`
	// Unchecked: the apiserver could not be asked, so there is no answer
	// (Allowed is false without the cluster having refused anything).
	Unchecked bool   `json:"unchecked,omitempty"`
	Reason    string `json:"reason,omitempty"`
}

// VerifyStep is a step with its checks.
type VerifyStep struct {
	risk.Step
	Status string        `json:"status"`
	Checks []VerifyCheck `json:"checks"`
}

// VerifyPath is a path with verified steps.
type VerifyPath struct {
	ID      string          `json:"id"`
	Subject risk.SubjectRef `json:"subject"`
	Hops    int             `json:"hops"`
	Steps   []VerifyStep    `json:"steps"`
}

// NewCmdVerify builds `verify`.
func NewCmdVerify(input *InputOptions, streams genericiooptions.IOStreams) *cobra.Command {
	o := &VerifyOptions{Analysis: &AnalysisOptions{Input: input}, Output: OutputTable, MaxPaths: 3, streams: streams}
	cmd := &cobra.Command{
		Use:   "verify SUBJECT",
		Short: "Confirm each step of a subject's paths on the live cluster, without changing anything",
		Long: `Find SUBJECT's shortest paths (from the cluster, or from -f files) and confirm every step on the
cluster of the current kubeconfig context: a SubjectAccessReview as the step's identity for each
request the step needs (the runner needs create on subjectaccessreviews). With --dry-run, where
the runner may impersonate the step's identity, workload steps are also submitted as server-side
dry runs (dryRun=All): admission (Pod Security, ServiceAccount) decides, nothing is persisted.

Each step is reported as verified, refused (with the apiserver's reason) or not-checkable
(group membership, node compromise, permissions gained by an earlier step).`,
		Example: `  kubectl auth-paths verify User:alice
  kubectl auth-paths verify ServiceAccount:ci:builder --path 2 -o json`,
		Args: cobra.ExactArgs(1),
		RunE: runE(o),
	}
	o.Analysis.AddFlagsWithOutput(cmd, &o.Output)
	cmd.Flags().IntVar(&o.MaxPaths, "max-paths", o.MaxPaths, "Verify the `N` shortest paths")
	cmd.Flags().IntVar(&o.Path, "path", 0, "Verify only path `N` (1-based, in the order from prints them)")
	cmd.Flags().BoolVar(&o.DryRun, "dry-run", false, "Also submit workload steps as server-side dry runs when the runner may impersonate")
	return cmd
}

// Complete parses the SUBJECT and the analysis flags.
func (o *VerifyOptions) Complete(_ *cobra.Command, args []string) error {
	s, err := rbac.ParseSubject(args[0])
	if err != nil {
		return err
	}
	o.Subject = s
	return o.Analysis.Complete()
}

// Validate checks the flags.
func (o *VerifyOptions) Validate() error {
	if o.MaxPaths < 1 || o.Path < 0 {
		return fmt.Errorf("--max-paths must be at least 1 and --path at least 1 when given")
	}
	return o.Analysis.ValidateFor(o.Output)
}

// Run finds the paths and checks them.
func (o *VerifyOptions) Run(cmd *cobra.Command) error {
	a, inv, err := o.Analysis.Analyze(cmd.Context(), o.streams, o.Subject)
	if err != nil {
		return err
	}
	cfg, err := o.Analysis.Input.ConfigFlags.ToRESTConfig()
	if err != nil {
		return fmt.Errorf("verify needs a cluster: %w", err)
	}
	cs, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		return err
	}
	n := a.Graph.Node(risk.SubjectKey(o.Subject))
	var paths []risk.Path
	if n != nil {
		paths = a.From(n, o.MaxPaths, -1)
	}
	if o.Path > 0 {
		if o.Path > len(paths) {
			return fmt.Errorf("--path %d: %s has %d path(s)", o.Path, o.Subject, len(paths))
		}
		paths = paths[o.Path-1 : o.Path]
	}
	out := struct {
		Paths      []VerifyPath `json:"paths"`
		Incomplete any          `json:"incomplete,omitempty"`
	}{Paths: []VerifyPath{}}
	if len(inv.Missing) > 0 {
		out.Incomplete = inv.Missing
	}
	for _, p := range paths {
		vp := VerifyPath{ID: p.ID, Subject: p.Subject, Hops: p.Hops}
		for i, s := range p.Steps {
			vp.Steps = append(vp.Steps, o.verifyStep(cmd.Context(), cs, cfg, s, pickedServiceAccount(p.Steps, i)))
		}
		out.Paths = append(out.Paths, vp)
	}
	if o.Output != OutputTable {
		if err := printStructured(o.streams.Out, o.Output, out); err != nil {
			return err
		}
		return verifyExit(out.Paths, inv)
	}
	w := o.streams.Out
	if len(out.Paths) == 0 {
		fmt.Fprintf(w, "No path from %s to cluster-admin: nothing to verify.\n", o.Subject)
	}
	for i, p := range out.Paths {
		fmt.Fprintf(w, "Path %d: %s → cluster-admin in %d hop(s)  [id %s]\n", i+1, p.Subject, p.Hops, p.ID)
		for _, s := range p.Steps {
			fmt.Fprintf(w, "  %-13s %s ─%s→ %s\n", s.Status, s.From, s.Primitive, s.To)
			for _, c := range s.Checks {
				what := "dry run"
				if c.Request != nil {
					what = c.Request.String()
				}
				verdict := "allowed"
				switch {
				case c.Unchecked:
					verdict = "not answered"
				case !c.Allowed:
					verdict = "denied"
				}
				fmt.Fprintf(w, "      %s as %s: %s %s\n", c.Kind, c.As, what, verdict)
				if c.Reason != "" {
					fmt.Fprintf(w, "        %s\n", c.Reason)
				}
			}
		}
		fmt.Fprintln(w)
	}
	return verifyExit(out.Paths, inv)
}

// verifyExit is verify's exit status: ExitUnverified when a step was refused
// by the cluster or could not be checked (a path the cluster does not
// confirm is not verified), else the input's (partial or complete).
func verifyExit(paths []VerifyPath, inv *model.Inventory) error {
	refused, unchecked := 0, 0
	for _, p := range paths {
		for _, s := range p.Steps {
			switch s.Status {
			case StatusRefused:
				refused++
			case StatusUnchecked:
				unchecked++
			}
		}
	}
	if refused+unchecked > 0 {
		return WithExitCode(ExitUnverified, fmt.Errorf("%d step(s) refused by the cluster, %d could not be checked: the paths are not verified", refused, unchecked))
	}
	return Partial(inv)
}

// identityOf returns the user and groups a SubjectAccessReview uses for a
// step's identity, or ok=false when the step is not made by an identity.
func identityOf(node string) (user string, groups []string, ok bool) {
	s, err := rbac.ParseSubject(node)
	if err != nil || strings.HasPrefix(node, "Scope:") || node == "cluster-admin" {
		return "", nil, false
	}
	if strings.HasPrefix(node, "Node:") {
		s = rbac.Subject{Kind: "User", Name: rbac.NodeUserPrefix + strings.TrimPrefix(node, "Node:")}
	}
	if s.Kind == "Group" {
		groups = []string{s.Name}
		if s.Name != rbac.GroupUnauthenticated && s.Name != rbac.GroupAuthenticated {
			groups = append(groups, rbac.GroupAuthenticated)
		}
		return "", groups, true
	}
	id := rbac.IdentityOf(s)
	return id.User, id.Groups, true
}

// pickedServiceAccount is the ServiceAccount a path's step i makes a pod
// run as: its target, or the one picked right after it out of a
// ServiceAccount scope ("" when neither).
func pickedServiceAccount(steps []risk.Step, i int) string {
	if to := reached(steps, i); strings.HasPrefix(to, "ServiceAccount:") {
		return to
	}
	return ""
}

func (o *VerifyOptions) verifyStep(ctx context.Context, cs kubernetes.Interface, cfg *rest.Config, s risk.Step, sa string) VerifyStep {
	vs := VerifyStep{Step: s, Checks: []VerifyCheck{}}
	user, groups, ok := identityOf(s.From)
	if !ok || len(s.Requires) == 0 {
		vs.Status = StatusNotCheckable
		return vs
	}
	as := user
	if as == "" {
		as = "a member of " + strings.Join(groups, ", ")
	}
	vs.Status = StatusVerified
	for i := range s.Requires {
		req := s.Requires[i]
		sar := &authorizationv1.SubjectAccessReview{Spec: authorizationv1.SubjectAccessReviewSpec{User: user, Groups: groups}}
		if req.IsResourceRequest() {
			sar.Spec.ResourceAttributes = &authorizationv1.ResourceAttributes{Namespace: req.Namespace, Verb: req.Verb, Group: req.APIGroup, Resource: req.Resource, Subresource: req.Subresource, Name: req.Name}
		} else {
			sar.Spec.NonResourceAttributes = &authorizationv1.NonResourceAttributes{Path: req.Path, Verb: req.Verb}
		}
		check := VerifyCheck{Kind: "SubjectAccessReview", As: as, Request: &req}
		res, err := cs.AuthorizationV1().SubjectAccessReviews().Create(ctx, sar, metav1.CreateOptions{})
		if err != nil {
			check.Reason = "could not ask the apiserver: " + err.Error()
			check.Unchecked = true
			vs.Status = StatusUnchecked
		} else {
			check.Allowed = res.Status.Allowed
			check.Reason = strings.TrimSpace(res.Status.Reason + " " + res.Status.EvaluationError)
			if !res.Status.Allowed && vs.Status != StatusUnchecked {
				vs.Status = StatusRefused
			}
		}
		vs.Checks = append(vs.Checks, check)
	}
	if o.DryRun && vs.Status == StatusVerified && s.Primitive == "create-workload" && user != "" {
		vs.Checks = append(vs.Checks, dryRunPod(ctx, cfg, user, groups, sa))
	}
	return vs
}

// dryRunPod submits the step's pod, running as target
// ("ServiceAccount:NS:NAME"), with dryRun=All, impersonating the step's
// identity.
func dryRunPod(ctx context.Context, cfg *rest.Config, user string, groups []string, target string) VerifyCheck {
	check := VerifyCheck{Kind: "DryRun", As: user}
	ns, sa, ok := strings.Cut(strings.TrimPrefix(target, "ServiceAccount:"), ":")
	if !ok {
		check.Reason = "the step does not end at a ServiceAccount"
		return check
	}
	imp := rest.CopyConfig(cfg)
	imp.Impersonate = rest.ImpersonationConfig{UserName: user, Groups: groups}
	cs, err := kubernetes.NewForConfig(imp)
	if err != nil {
		check.Reason = err.Error()
		return check
	}
	pod := &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{GenerateName: "auth-paths-verify-", Namespace: ns},
		Spec:       corev1.PodSpec{ServiceAccountName: sa, Containers: []corev1.Container{{Name: "verify", Image: "registry.k8s.io/pause:3.10"}}},
	}
	_, err = cs.CoreV1().Pods(ns).Create(ctx, pod, metav1.CreateOptions{DryRun: []string{metav1.DryRunAll}})
	if err != nil {
		check.Reason = "dry run of a pod running as " + target + ": " + err.Error()
		return check
	}
	check.Allowed = true
	check.Reason = "a pod running as " + target + " was admitted (dryRun=All: nothing persisted)"
	return check
}
