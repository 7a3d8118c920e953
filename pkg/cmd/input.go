package cmd

import (
	"context"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/spf13/cobra"
	"k8s.io/cli-runtime/pkg/genericclioptions"
	"k8s.io/cli-runtime/pkg/genericiooptions"

	"github.com/auth-paths/kubectl-auth-paths/pkg/model"
	"github.com/auth-paths/kubectl-auth-paths/pkg/source"
)

// InputOptions choose where objects come from: files (-f) or the cluster of
// the current kubeconfig context.
type InputOptions struct {
	ConfigFlags *genericclioptions.ConfigFlags
	Filenames   []string
	Recursive   bool
	Verbose     int
	PageSize    int64
}

// NewInputOptions returns options bound to the shared kubeconfig flags.
func NewInputOptions(cf *genericclioptions.ConfigFlags) *InputOptions {
	return &InputOptions{ConfigFlags: cf, PageSize: 500}
}

// AddFlags registers -f, -R and -v.
func (o *InputOptions) AddFlags(cmd *cobra.Command) {
	cmd.Flags().StringSliceVarP(&o.Filenames, "filename", "f", nil, "Read objects from these files or directories instead of the cluster (repeatable; - for standard input), e.g. the output of `kubectl get clusterroles,clusterrolebindings,roles,rolebindings,serviceaccounts,pods,nodes,namespaces -A -o yaml`")
	cmd.Flags().BoolVarP(&o.Recursive, "recursive", "R", false, "Read directories given with -f recursively")
	cmd.Flags().CountVarP(&o.Verbose, "verbose", "v", "Report skipped kinds and input warnings on standard error (repeat for more)")
	_ = cmd.MarkFlagFilename("filename", "yaml", "yml", "json")
}

// Offline is true when objects are read from files.
func (o *InputOptions) Offline() bool { return len(o.Filenames) > 0 }

// explicitNamespace returns -n when given.
func (o *InputOptions) explicitNamespace() string {
	if o.ConfigFlags.Namespace != nil {
		return *o.ConfigFlags.Namespace
	}
	return ""
}

// Load reads the inventory from files or the cluster.
func (o *InputOptions) Load(ctx context.Context, streams genericiooptions.IOStreams) (*model.Inventory, error) {
	var inv *model.Inventory
	var err error
	if o.Offline() {
		inv, err = source.LoadFiles(source.FileOptions{Filenames: o.Filenames, Recursive: o.Recursive, DefaultNamespace: o.explicitNamespace(), Stdin: streams.In})
	} else {
		cfg, cerr := o.ConfigFlags.ToRESTConfig()
		if cerr != nil {
			return nil, fmt.Errorf("no -f given and no usable kubeconfig: %w", cerr)
		}
		inv, err = source.LoadLive(ctx, cfg, source.LiveOptions{PageSize: o.PageSize})
	}
	if err != nil {
		return nil, err
	}
	o.report(inv, streams.ErrOut)
	return inv, nil
}

func (o *InputOptions) report(inv *model.Inventory, w io.Writer) {
	for _, m := range inv.Missing {
		fmt.Fprintf(w, "warning: could not read %s (%s): %s\n", m.Resource, m.Reason, m.Impact)
	}
	if o.Verbose == 0 {
		return
	}
	fmt.Fprintf(w, "read %d objects\n", inv.Count())
	if len(inv.Skipped) > 0 {
		keys := make([]string, 0, len(inv.Skipped))
		for k := range inv.Skipped {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		parts := make([]string, 0, len(keys))
		for _, k := range keys {
			parts = append(parts, fmt.Sprintf("%s=%d", k, inv.Skipped[k]))
		}
		fmt.Fprintf(w, "skipped kinds: %s\n", strings.Join(parts, ", "))
	}
	for _, wn := range inv.Warnings {
		fmt.Fprintf(w, "warning: %s\n", wn)
	}
}

// PrintWarnings writes analysis warnings: all with -v, else a one-line count.
func (o *InputOptions) PrintWarnings(w io.Writer, warnings []string) {
	if len(warnings) == 0 {
		return
	}
	if o.Verbose > 0 {
		for _, wn := range warnings {
			fmt.Fprintf(w, "warning: %s\n", wn)
		}
		return
	}
	fmt.Fprintf(w, "note: %d input warning(s) (bindings to missing roles, aggregation); -v lists them\n", len(warnings))
}
