package cmd

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"
	rbacv1 "k8s.io/api/rbac/v1"
	"k8s.io/cli-runtime/pkg/genericiooptions"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"

	"github.com/auth-paths/kubectl-auth-paths/pkg/model"
	"github.com/auth-paths/kubectl-auth-paths/pkg/rbac"
	"github.com/auth-paths/kubectl-auth-paths/pkg/risk"
	"github.com/auth-paths/kubectl-auth-paths/pkg/selfview"
)

const whoamiLong = `Show the shortest paths to cluster-admin of the credentials at hand (the kubeconfig's, or in a pod
the ServiceAccount token, as kubectl uses them), without needing to read RBAC.

A SelfSubjectReview tells who the credentials are (user, groups; system:serviceaccount:NS:NAME is
that ServiceAccount). When RBAC cannot be read, SelfSubjectRulesReviews tell the rules they hold:
once for the cluster-wide rules (those of ClusterRoleBindings) and once per namespace (every
namespace they may list, else -n; always default, kube-system and their own), and stand-in roles
and bindings named ` + selfview.StandInName + ` hold those rules; each step says which review its
rule came from. Everything else they can read (pods, ServiceAccounts, Secrets' metadata, nodes,
workloads, webhooks...) is read as by the other commands.

Such a result is incomplete, and says so on standard error and under "incomplete" in -o json|yaml
(exit 3): the grants of identities the credentials can become are unknown, so paths through them
end there; reviews list no rule of webhook or other non-RBAC authorizers. When RBAC is readable,
the real roles and bindings are used instead.`

const whoamiExample = `  # The paths of the current kubeconfig context's credentials
  kubectl auth-paths whoami

  # From inside a pod (in-cluster ServiceAccount token), as JSON
  kubectl-auth_paths whoami -o json

  # Review namespace ci (with default, kube-system and the ServiceAccount's own)
  kubectl auth-paths whoami -n ci`

// WhoAmIOptions finds the paths of the credentials at hand.
type WhoAmIOptions struct {
	Analysis *AnalysisOptions
	Output   string
	MaxPaths int
	MaxHops  int
	streams  genericiooptions.IOStreams

	identity selfview.Identity
	view     *selfview.View
}

// WhoAmIResult is the -o json|yaml shape of whoami.
type WhoAmIResult struct {
	Identity selfview.Identity `json:"identity"`
	// Subject is the identity as the other commands name it.
	Subject string `json:"subject"`
	// Rules says where the identity's rules come from: "rbac" (the real
	// roles and bindings) or "selfsubjectrulesreviews".
	Rules string `json:"rules"`
	// Reviews are the SelfSubjectRulesReviews made, when RBAC was not readable.
	Reviews *selfview.View `json:"reviews,omitempty"`
	Paths   []risk.Path    `json:"paths"`
	// Incomplete lists what could not be read or reviewed (exit 3).
	Incomplete []model.MissingKind `json:"incomplete,omitempty"`
}

// NewCmdWhoAmI builds `whoami`.
func NewCmdWhoAmI(input *InputOptions, streams genericiooptions.IOStreams) *cobra.Command {
	o := &WhoAmIOptions{Analysis: &AnalysisOptions{Input: input, onlyReachable: true}, Output: OutputTable, MaxPaths: 3, MaxHops: -1, streams: streams}
	cmd := &cobra.Command{
		Use:     "whoami",
		Short:   "Show the paths to cluster-admin of the credentials at hand, even without RBAC read access",
		Long:    whoamiLong,
		Example: whoamiExample,
		Args:    cobra.NoArgs,
		RunE:    runE(o),
	}
	o.Analysis.AddFlags(cmd)
	// The credentials are the input: no files.
	_ = cmd.Flags().MarkHidden("filename")
	_ = cmd.Flags().MarkHidden("recursive")
	addOutputFlag(cmd, &o.Output, tableFormats, "")
	cmd.Flags().IntVar(&o.MaxPaths, "max-paths", o.MaxPaths, "Show at most `N` paths")
	cmd.Flags().IntVar(&o.MaxHops, "max-hops", o.MaxHops, "Only paths of at most `N` hops (-1: no limit)")
	return cmd
}

// reviewClient is the client of the reviews: one per namespace, so not at
// client-go's default 5 requests a second (the live lists' own client has
// the same limits).
func reviewClient(cfg *rest.Config) (kubernetes.Interface, error) {
	cfg = rest.CopyConfig(cfg)
	if cfg.QPS == 0 {
		cfg.QPS, cfg.Burst = 50, 100
	}
	return kubernetes.NewForConfig(cfg)
}

// Complete reads the analysis flags.
func (o *WhoAmIOptions) Complete(_ *cobra.Command, _ []string) error {
	o.Analysis.Input.StructuredOutput = o.Output != OutputTable
	return o.Analysis.Complete()
}

// Validate refuses files (whoami asks the cluster) and checks flags.
func (o *WhoAmIOptions) Validate() error {
	if o.Analysis.Input.Offline() {
		return fmt.Errorf("whoami asks the cluster about the credentials at hand and reads no files: drop -f (kubectl auth-paths from SUBJECT -f FILE analyses a dump)")
	}
	if o.MaxPaths < 1 {
		return fmt.Errorf("--max-paths must be at least 1")
	}
	return o.Analysis.ValidateFor(o.Output)
}

// Run asks who the credentials are, reads what they can, reviews their rules
// when RBAC is not readable, and prints their paths.
func (o *WhoAmIOptions) Run(cmd *cobra.Command) error {
	ctx := cmd.Context()
	cfg, err := o.Analysis.Input.ConfigFlags.ToRESTConfig()
	if err != nil {
		return fmt.Errorf("whoami needs the credentials of a kubeconfig or of a pod's ServiceAccount: %w", err)
	}
	cs, err := reviewClient(cfg)
	if err != nil {
		return fmt.Errorf("cluster client: %w", err)
	}
	o.identity, err = selfview.WhoAmI(ctx, cs)
	if err != nil {
		return err
	}
	subject := o.identity.Subject()
	scope := selfview.Scope{Namespace: o.Analysis.Input.explicitNamespace(), Own: o.ownNamespace(subject)}
	if scope.Namespace == "" {
		// Namespaced kinds refused cluster-wide are listed in its own
		// namespace (a ServiceAccount's, not the context's "default").
		o.Analysis.Input.LiveNamespace = scope.Own
	}
	if extra := o.identity.ExtraGroups(); len(extra) > 0 && subject.Kind == rbacv1.UserKind {
		o.Analysis.identityGroups = map[string][]string{subject.Name: extra}
	}
	o.Analysis.Input.AfterLive = func(ctx context.Context, _ *rest.Config, inv *model.Inventory) error {
		v, err := selfview.Build(ctx, cs, o.identity, inv, scope)
		if err != nil {
			return err
		}
		v.Apply(inv)
		o.view = v
		return nil
	}
	a, inv, err := o.Analysis.Analyze(ctx, o.streams, subject)
	if err != nil {
		return err
	}
	res := WhoAmIResult{Identity: o.identity, Subject: subject.String(), Rules: "rbac", Paths: []risk.Path{}, Incomplete: inv.Missing}
	if !o.view.RBACReadable {
		res.Rules, res.Reviews = "selfsubjectrulesreviews", o.view
	}
	if n := a.Graph.Node(risk.SubjectKey(subject)); n != nil {
		res.Paths = a.From(n, o.MaxPaths, o.MaxHops)
		a.AddEntries(res.Paths)
	}
	if o.Output != OutputTable {
		if err := printStructured(o.streams.Out, o.Output, res); err != nil {
			return err
		}
		return Partial(inv)
	}
	o.printHeader(o.streams.Out, subject)
	if len(res.Paths) == 0 {
		fmt.Fprintf(o.streams.Out, "No path from %s to cluster-admin", subject)
		if o.MaxHops >= 0 {
			fmt.Fprintf(o.streams.Out, " within %d hops", o.MaxHops)
		}
		fmt.Fprintln(o.streams.Out, " in what these credentials can see.")
		return Partial(inv)
	}
	for i, p := range res.Paths {
		printPath(o.streams.Out, i+1, p)
	}
	return Partial(inv)
}

// ownNamespace is a ServiceAccount's namespace, else the kubeconfig
// context's (in a pod, client-go reads the ServiceAccount's namespace file).
func (o *WhoAmIOptions) ownNamespace(s rbac.Subject) string {
	if s.Kind == rbacv1.ServiceAccountKind {
		return s.Namespace
	}
	if ns, _, err := o.Analysis.Input.ConfigFlags.ToRawKubeConfigLoader().Namespace(); err == nil {
		return ns
	}
	return ""
}

// printHeader says who the credentials are and where their rules come from.
func (o *WhoAmIOptions) printHeader(w io.Writer, s rbac.Subject) {
	fmt.Fprintf(w, "Identity: %s (user %s", s, o.identity.Username)
	if len(o.identity.Groups) > 0 {
		fmt.Fprintf(w, "; groups %s", strings.Join(o.identity.Groups, ", "))
	}
	fmt.Fprintln(w, ")")
	if o.view.RBACReadable {
		fmt.Fprintln(w, "Rules:    the cluster's roles and bindings (RBAC is readable)")
	} else {
		where := "namespaces " + strings.Join(o.view.Reviewed(), ", ")
		if o.view.Cluster != nil {
			where = "cluster-wide and " + where
		}
		fmt.Fprintf(w, "Rules:    SelfSubjectRulesReviews (RBAC is not readable): %s\n", where)
	}
	fmt.Fprintln(w)
}
