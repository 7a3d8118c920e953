package cmd

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"
	"k8s.io/cli-runtime/pkg/genericiooptions"

	"github.com/auth-paths/kubectl-auth-paths/pkg/model"
	"github.com/auth-paths/kubectl-auth-paths/pkg/rbac"
	"github.com/auth-paths/kubectl-auth-paths/pkg/review"
	"github.com/auth-paths/kubectl-auth-paths/pkg/risk"
	"github.com/auth-paths/kubectl-auth-paths/pkg/rules"
)

// AnalysisOptions are the assumptions shared by scan, from, explain and graph.
type AnalysisOptions struct {
	Input              *InputOptions
	KubernetesVersion  string
	PodSecurityDefault string
	// GroupsFile maps users to identity-provider groups (--groups).
	GroupsFile string
	// SimulateRemove are bindings analysed as if deleted (--simulate-remove).
	SimulateRemove []string
	// RulePaths are the user's rule packs (--rules), added to the shipped ones.
	RulePaths []string
	// NoBuiltinRules turns the shipped rule packs off.
	NoBuiltinRules bool
	// keepCandidates keeps failed steps too (explain shows them).
	keepCandidates bool
	// onlyReachable builds only what the identities reach (from).
	onlyReachable bool
	// NoExpected turns off the expected labels of platform defaults (the
	// packs' expected lists); their paths are listed either way.
	NoExpected bool
	// IgnoreAdmissionPolicies builds the steps as if no admission policy of
	// the input were enforced (--ignore-admission-policies).
	IgnoreAdmissionPolicies bool
	// NoCSRAutoApproval: the control plane runs no csrapproving controller
	// (--no-csr-auto-approval).
	NoCSRAutoApproval bool
	// identityGroups are groups the cluster said a user is in (whoami's
	// SelfSubjectReview), added to those of --groups.
	identityGroups map[string][]string
}

// AddFlags registers the input and assumption flags.
func (o *AnalysisOptions) AddFlags(cmd *cobra.Command) {
	o.Input.AddFlags(cmd)
	cmd.Flags().StringVar(&o.KubernetesVersion, "kubernetes-version", "", "Kubernetes `VERSION` of the cluster the files come from (v1.30, 1.30 or 1.30.2; live: read from /version); before v1.35 get on pods/exec is enough to exec, before v1.36 constrained impersonation is off")
	cmd.Flags().StringVar(&o.GroupsFile, "groups", "", "YAML `FILE` mapping user names to the groups an identity provider gives them (alice: [oncall, dev]); their paths through those groups are found")
	cmd.Flags().StringSliceVar(&o.SimulateRemove, "simulate-remove", nil, "Analyse as if the binding `TYPE/NAME` were deleted, named as kubectl names it: clusterrolebinding/NAME, rolebinding/NAME (in -n), rolebinding/NAMESPACE/NAME (repeatable, or comma-separated)")
	cmd.Flags().StringSliceVar(&o.RulePaths, "rules", nil, "Rule packs (a YAML file or a directory of them) at `PATH`, added to the shipped ones (repeatable); see kubectl auth-paths rules list")
	cmd.Flags().BoolVar(&o.NoBuiltinRules, "no-builtin-rules", false, "Do not use the rule packs shipped in the binary")
	cmd.Flags().BoolVar(&o.NoExpected, "no-expected", false, "Do not label paths made only by known platform defaults (EKS, GKE, AKS) as expected")
	cmd.Flags().BoolVar(&o.IgnoreAdmissionPolicies, "ignore-admission-policies", false, "Build the paths as if no ValidatingAdmissionPolicy, Kyverno policy or Gatekeeper constraint of the input were enforced")
	cmd.Flags().BoolVar(&o.NoCSRAutoApproval, "no-csr-auto-approval", false, "The control plane runs no csrapproving controller (kube-controller-manager runs it by default): kubelet client CSRs of requesters allowed certificatesigningrequests/nodeclient are not auto-approved")
	cmd.Flags().StringVar(&o.PodSecurityDefault, "pod-security-default", risk.LevelPrivileged, "Pod Security `LEVEL` enforced in namespaces without the enforce label (privileged, baseline or restricted), as set in the cluster's admission configuration")
}

// AddFlagsWithOutput registers the analysis flags and -o table|json|yaml.
func (o *AnalysisOptions) AddFlagsWithOutput(cmd *cobra.Command, output *string) {
	o.AddFlags(cmd)
	addOutputFlag(cmd, output, tableFormats, "")
}

// Complete reads --simulate-remove as kubectl names objects (into the
// bindings' IDs) and gives --kubernetes-version its "v".
func (o *AnalysisOptions) Complete() error {
	ns := o.Input.explicitNamespace()
	ids := make([]string, 0, len(o.SimulateRemove))
	for _, s := range o.SimulateRemove {
		n, err := parseObjectName(s, ns, "ClusterRoleBinding", "RoleBinding")
		if err != nil {
			return fmt.Errorf("--simulate-remove %w", err)
		}
		ids = append(ids, n.ID())
	}
	o.SimulateRemove = ids
	if o.KubernetesVersion != "" {
		v, err := parseKubernetesVersion(o.KubernetesVersion)
		if err != nil {
			return err
		}
		o.KubernetesVersion = v
	}
	return nil
}

// ValidateFor checks the assumption flags and a table|json|yaml output.
func (o *AnalysisOptions) ValidateFor(output string) error {
	if err := o.Validate(); err != nil {
		return err
	}
	return validateOutput(output, tableFormats)
}

// Validate checks the assumption flags.
func (o *AnalysisOptions) Validate() error {
	switch o.PodSecurityDefault {
	case risk.LevelPrivileged, risk.LevelBaseline, risk.LevelRestricted:
	default:
		return fmt.Errorf("--pod-security-default %q: want privileged, baseline or restricted", o.PodSecurityDefault)
	}
	return nil
}

// Analyze loads the input and builds the escalation graph.
func (o *AnalysisOptions) Analyze(ctx context.Context, streams genericiooptions.IOStreams, identities ...rbac.Subject) (*risk.Analysis, *model.Inventory, error) {
	inv, opts, err := o.Prepare(ctx, streams, identities...)
	if err != nil {
		return nil, nil, err
	}
	opts.KeepCandidates = o.keepCandidates
	if o.onlyReachable {
		opts.Roots = identities
	}
	a := risk.Analyze(inv, opts)
	o.Input.PrintWarnings(streams.ErrOut, a.Warnings())
	return a, inv, nil
}

// Prepare loads the input, applies --simulate-remove and --groups, and
// returns the inventory and options to analyse.
func (o *AnalysisOptions) Prepare(ctx context.Context, streams genericiooptions.IOStreams, identities ...rbac.Subject) (*model.Inventory, risk.Options, error) {
	opts := risk.Options{KubernetesVersion: o.KubernetesVersion, PodSecurityDefault: o.PodSecurityDefault, Identities: identities,
		IgnoreAdmissionPolicies: o.IgnoreAdmissionPolicies, NoCSRAutoApproval: o.NoCSRAutoApproval}
	if o.GroupsFile != "" {
		groups, err := review.LoadGroups(o.GroupsFile)
		if err != nil {
			return nil, opts, err
		}
		opts.Groups = groups
	}
	if len(o.identityGroups) > 0 && o.GroupsFile == "" {
		opts.GroupsSource = "the cluster reported (SelfSubjectReview)"
	}
	for user, groups := range o.identityGroups {
		if opts.Groups == nil {
			opts.Groups = map[string][]string{}
		}
		opts.Groups[user] = append(opts.Groups[user], groups...)
	}
	packs, err := o.packs()
	if err != nil {
		return nil, opts, err
	}
	// Live, read the objects these packs activate on (and only those).
	o.Input.Objects = rules.LiveObjects(packs)
	inv, err := o.Input.Load(ctx, streams)
	if err != nil {
		return nil, opts, err
	}
	tuneCollector(inv.Count())
	inv, err = review.WithoutBindings(inv, o.SimulateRemove)
	if err != nil {
		return nil, opts, err
	}
	opts.Extra = rules.Primitives(packs, inv)
	if !o.NoExpected {
		opts.Expected = rules.ExpectedBindings(packs, inv)
	}
	return inv, opts, nil
}

// packs returns the shipped rule packs (unless --no-builtin-rules) and --rules.
func (o *AnalysisOptions) packs() ([]*rules.Pack, error) {
	var packs []*rules.Pack
	if !o.NoBuiltinRules {
		b, err := rules.Builtin()
		if err != nil {
			return nil, err
		}
		packs = append(packs, b...)
	}
	for _, p := range o.RulePaths {
		more, err := rules.LoadPath(p)
		if err != nil {
			return nil, err
		}
		packs = append(packs, more...)
	}
	return packs, nil
}
