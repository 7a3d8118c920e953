package cmd

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"
	"k8s.io/cli-runtime/pkg/genericiooptions"

	"github.com/auth-paths/kubectl-auth-paths/pkg/model"
	"github.com/auth-paths/kubectl-auth-paths/pkg/rbac"
	"github.com/auth-paths/kubectl-auth-paths/pkg/risk"
)

// AnalysisOptions are the assumptions shared by scan, from, explain and graph.
type AnalysisOptions struct {
	Input              *InputOptions
	KubernetesVersion  string
	PodSecurityDefault string
}

// AddFlags registers the input and assumption flags.
func (o *AnalysisOptions) AddFlags(cmd *cobra.Command) {
	o.Input.AddFlags(cmd)
	cmd.Flags().StringVar(&o.KubernetesVersion, "kubernetes-version", "", "Cluster version when reading files (live: from /version); before v1.35 `get pods/exec` is enough to exec")
	cmd.Flags().StringVar(&o.PodSecurityDefault, "pod-security-default", risk.LevelPrivileged, "Pod Security level enforced in namespaces without the enforce label (privileged, baseline or restricted), as set in the cluster's admission configuration")
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
	inv, err := o.Input.Load(ctx, streams)
	if err != nil {
		return nil, nil, err
	}
	a := risk.Analyze(inv, risk.Options{KubernetesVersion: o.KubernetesVersion, PodSecurityDefault: o.PodSecurityDefault, Identities: identities})
	o.Input.PrintWarnings(streams.ErrOut, a.Warnings())
	return a, inv, nil
}

// partial turns an incomplete live read into exit status 3 after the result is printed.
func partial(inv *model.Inventory) error {
	if inv != nil && len(inv.Missing) > 0 {
		return WithExitCode(ExitPartial, nil)
	}
	return nil
}
