package cmd

import (
	"context"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"

	"github.com/spf13/cobra"
	"golang.org/x/term"
	"k8s.io/cli-runtime/pkg/genericclioptions"
	"k8s.io/cli-runtime/pkg/genericiooptions"
	"k8s.io/client-go/rest"

	"github.com/auth-paths/kubectl-auth-paths/pkg/model"
	"github.com/auth-paths/kubectl-auth-paths/pkg/rules"
	"github.com/auth-paths/kubectl-auth-paths/pkg/source"
)

// InputOptions choose where objects come from: files (-f) or the cluster of
// the current kubeconfig context.
type InputOptions struct {
	ConfigFlags *genericclioptions.ConfigFlags
	Filenames   []string
	Recursive   bool
	Verbose     int
	// ChunkSize is the page size of live list requests (kubectl's --chunk-size).
	ChunkSize int64
	// StructuredOutput is set by commands printing -o json|yaml: no progress line then.
	StructuredOutput bool
	// Fleet chooses several clusters (scan, report, chokepoints).
	Fleet *FleetFlags
	// Objects are the objects rule packs activate on, read by name in live
	// mode; nil means those of the shipped packs.
	Objects []source.NamedObject
	// AllowIncomplete are the kinds the user knowingly left out
	// (--allow-incomplete): not counted as missing.
	AllowIncomplete []string
	// RBACOnly is set by commands whose answer depends on RBAC objects alone
	// (who-can): an offline input without pods or nodes is complete for them.
	RBACOnly bool
	// LiveNamespace, when set, is where namespaced kinds are listed live when
	// a cluster-wide list is forbidden, instead of -n or the context's.
	LiveNamespace string
	// AfterLive, when set, completes a live inventory before its missing
	// kinds are reported (whoami adds what the credentials learn of themselves).
	AfterLive func(ctx context.Context, cfg *rest.Config, inv *model.Inventory) error
}

// NewInputOptions returns options bound to the shared kubeconfig flags.
func NewInputOptions(cf *genericclioptions.ConfigFlags) *InputOptions {
	return &InputOptions{ConfigFlags: cf, ChunkSize: 500, Fleet: &FleetFlags{Parallel: 4}}
}

// AddFlags registers -f, -R and -v.
func (o *InputOptions) AddFlags(cmd *cobra.Command) {
	cmd.Flags().StringSliceVarP(&o.Filenames, "filename", "f", nil, "Read objects from `FILE` (a file or directory; - for standard input) instead of the cluster (repeatable): what kubectl auth-paths dump writes (every kind the analysis reads, Secrets as metadata only), or kubectl get KINDS,secrets -A -o yaml piped through kubectl auth-paths dump -f - (README, Dumps); an input without namespaces, serviceaccounts, secrets, pods or nodes is partial (exit 3)")
	cmd.Flags().BoolVarP(&o.Recursive, "recursive", "R", false, "Read directories given with -f recursively")
	cmd.Flags().CountVarP(&o.Verbose, "verbose", "v", "Report skipped kinds and input warnings on standard error (repeat for more)")
	cmd.Flags().Int64Var(&o.ChunkSize, "chunk-size", o.ChunkSize, "Live mode: list at most `N` objects per request, as kubectl get --chunk-size does (0: 500)")
	cmd.Flags().StringSliceVar(&o.AllowIncomplete, "allow-incomplete", nil, "`KINDS` left out of the input on purpose (e.g. pods,nodes, or all): not reported missing, so the exit status is not 3")
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

// fallbackNamespace is where namespaced kinds are listed live when listing
// them cluster-wide is forbidden: LiveNamespace, else -n, else the context's
// namespace, else "default" (kubectl's choice for a namespaced `get`).
func (o *InputOptions) fallbackNamespace() string {
	if o.LiveNamespace != "" {
		return o.LiveNamespace
	}
	if ns := o.explicitNamespace(); ns != "" {
		return ns
	}
	if ns, _, err := o.ConfigFlags.ToRawKubeConfigLoader().Namespace(); err == nil && ns != "" {
		return ns
	}
	return "default"
}

// Load reads the inventory from files or the cluster.
func (o *InputOptions) Load(ctx context.Context, streams genericiooptions.IOStreams) (*model.Inventory, error) {
	var inv *model.Inventory
	var err error
	if o.Offline() {
		inv, err = source.LoadFiles(source.FileOptions{Filenames: o.Filenames, Recursive: o.Recursive, DefaultNamespace: o.explicitNamespace(), Stdin: streams.In})
		if err == nil {
			if rerr := source.CheckRBAC(inv, o.Filenames); rerr != nil {
				return nil, rerr
			}
		}
		if err == nil && !o.RBACOnly {
			source.OfflineGaps(inv)
		}
	} else {
		cfg, cerr := o.ConfigFlags.ToRESTConfig()
		if cerr != nil {
			return nil, fmt.Errorf("no -f given and no usable kubeconfig: %w", cerr)
		}
		inv, err = o.loadLive(ctx, cfg, streams.ErrOut)
		if err == nil && o.AfterLive != nil {
			err = o.AfterLive(ctx, cfg, inv)
		}
	}
	if err != nil {
		return nil, err
	}
	allowed, err := source.AllowIncomplete(inv, o.AllowIncomplete)
	if err != nil {
		return nil, err
	}
	o.report(inv, streams.ErrOut)
	if len(allowed) > 0 && o.Verbose > 0 {
		fmt.Fprintf(streams.ErrOut, "left out on purpose (--allow-incomplete): %s\n", strings.Join(allowed, ", "))
	}
	return inv, nil
}

// loadLive reads the cluster, with a progress line on standard error when it
// is a terminal and the output is a table.
func (o *InputOptions) loadLive(ctx context.Context, cfg *rest.Config, errOut io.Writer) (*model.Inventory, error) {
	if o.ChunkSize < 0 {
		return nil, fmt.Errorf("--chunk-size must not be negative")
	}
	objects, err := o.liveObjects()
	if err != nil {
		return nil, err
	}
	opts := source.LiveOptions{PageSize: o.ChunkSize, Objects: objects, Namespace: o.fallbackNamespace()}
	if f, ok := errOut.(*os.File); ok && !o.StructuredOutput && term.IsTerminal(int(f.Fd())) {
		p := source.NewTerminalProgress(f, opts.Objects...)
		opts.Progress = p.Update
		defer p.Done()
	}
	return source.LoadLive(ctx, cfg, opts)
}

// liveObjects are the objects a live load reads by name: Objects, or those
// of the shipped packs when no command set them.
func (o *InputOptions) liveObjects() ([]source.NamedObject, error) {
	if o.Objects != nil {
		return o.Objects, nil
	}
	packs, err := rules.Builtin()
	if err != nil {
		return nil, err
	}
	return rules.LiveObjects(packs), nil
}

// Partial returns the exit status error for a result printed from an
// inventory that misses kinds (nil when complete or nil). It prints nothing more:
// the missing kinds were reported on standard error when loading.
func Partial(inv *model.Inventory) error {
	if inv == nil || len(inv.Missing) == 0 {
		return nil
	}
	return WithExitCode(ExitPartial, nil)
}

func (o *InputOptions) report(inv *model.Inventory, w io.Writer) {
	for _, m := range inv.Missing {
		if m.Reason == source.ReasonNotInInput {
			fmt.Fprintf(w, "warning: the input has no %s: %s (the result is incomplete; dump them, or --allow-incomplete %s if left out on purpose)\n", m.Resource, m.Impact, m.Resource)
			continue
		}
		fmt.Fprintf(w, "warning: could not read %s (%s): %s\n", m.Resource, m.Reason, m.Impact)
	}
	if len(inv.NotSeen) > 0 {
		fmt.Fprintf(w, "note: the input has no %s: steps through them are not evaluated (fine if the cluster has none)\n", strings.Join(inv.NotSeen, ", "))
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
