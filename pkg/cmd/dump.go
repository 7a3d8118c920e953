package cmd

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"
	"k8s.io/cli-runtime/pkg/genericiooptions"
	"sigs.k8s.io/yaml"

	"github.com/auth-paths/kubectl-auth-paths/pkg/model"
	"github.com/auth-paths/kubectl-auth-paths/pkg/source"
)

const dumpExample = `  # Save what the tool reads from the current cluster, for offline runs or review
  kubectl auth-paths dump --output-file cluster.yaml
  kubectl auth-paths who-can get secrets -n prod -f cluster.yaml

  # Merge several dumps or manifests into one List
  kubectl auth-paths dump -f rbac.yaml -f workloads/ -R -o json > merged.json`

// DumpOptions writes the inventory as one v1 List.
type DumpOptions struct {
	Input      *InputOptions
	Output     string
	OutputFile string
	streams    genericiooptions.IOStreams
}

// NewCmdDump builds `dump`.
func NewCmdDump(input *InputOptions, streams genericiooptions.IOStreams) *cobra.Command {
	o := &DumpOptions{Input: input, Output: OutputYAML, streams: streams}
	cmd := &cobra.Command{
		Use:   "dump [-f FILE]... [-o yaml|json] [--output-file FILE]",
		Short: "Write what the tool reads (from the cluster or -f files) as one v1 List that -f reads back",
		Long: `Write every object the analysis reads as one v1 List: RBAC roles and bindings, ServiceAccounts,
namespaces, pods and workloads (the pod spec fields that decide identity and host access),
nodes, volumes, webhook and admission policy configurations, CertificateSigningRequests, and
token Secrets as metadata and type only — never their data, which is never read.

Objects are re-encoded from what the tool keeps, with their apiVersion, kind, metadata and the
kept fields, so the dump is small, reviewable, and gives the same results with -f as the
cluster it was read from. With -f, dump merges its inputs into one List (a later copy of the
same object replaces an earlier one).

When some kinds could not be read, they are listed on standard error and at the top of a YAML
dump, and the exit status is 3.`,
		Example: dumpExample,
		Args:    cobra.NoArgs,
		RunE:    runE(o),
	}
	addOutputFlag(cmd, &o.Output, dumpFormats, "")
	cmd.Flags().StringVar(&o.OutputFile, "output-file", "", "Write the dump to `FILE` (mode 0600) instead of standard output")
	_ = cmd.MarkFlagFilename("output-file", "yaml", "yml", "json")
	input.AddFlags(cmd)
	return cmd
}

// Complete has nothing to derive: dump's flags are used as given.
func (o *DumpOptions) Complete(_ *cobra.Command, _ []string) error { return nil }

// Validate checks -o.
func (o *DumpOptions) Validate() error { return validateOutput(o.Output, dumpFormats) }

// Run loads the input and writes the List.
func (o *DumpOptions) Run(cmd *cobra.Command) error {
	// A dump is data: no progress line when it goes to standard output.
	o.Input.StructuredOutput = o.OutputFile == ""
	inv, err := o.Input.Load(cmd.Context(), o.streams)
	if err != nil {
		return err
	}
	data, err := encodeDump(inv, o.Output)
	if err != nil {
		return err
	}
	if o.OutputFile == "" {
		if _, err := o.streams.Out.Write(data); err != nil {
			return err
		}
		return Partial(inv)
	}
	if err := writeFileAtomic(o.OutputFile, data); err != nil {
		return err
	}
	if o.Input.Verbose > 0 {
		fmt.Fprintf(o.streams.ErrOut, "wrote %d objects to %s\n", inv.Count()+len(inv.Others), o.OutputFile)
	}
	return Partial(inv)
}

// encodeDump writes the List as JSON, or as YAML headed by comments naming
// the source and the kinds that could not be read.
func encodeDump(inv *model.Inventory, format string) ([]byte, error) {
	js, err := source.MarshalDump(inv)
	if err != nil {
		return nil, err
	}
	if format == OutputJSON {
		return js, nil
	}
	y, err := yaml.JSONToYAML(js)
	if err != nil {
		return nil, err
	}
	var b strings.Builder
	b.WriteString("# kubectl auth-paths dump: the objects the analysis reads (Secrets: metadata and type only).\n")
	if inv.ServerVersion != "" {
		b.WriteString(source.DumpVersionComment(inv.ServerVersion))
	}
	b.WriteString(source.DumpGroupsComment(inv.ServedGroups))
	b.WriteString(source.DumpReadComment(source.ReadResources(inv)))
	b.WriteString(source.DumpIncompleteComment(inv.Missing))
	b.Write(y)
	return []byte(b.String()), nil
}

// writeFileAtomic writes data to a temporary file next to name and renames it,
// so that an interrupted dump never leaves a truncated file behind.
func writeFileAtomic(name string, data []byte) (err error) {
	f, err := os.CreateTemp(filepath.Dir(name), "."+filepath.Base(name)+".tmp-*")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			_ = os.Remove(f.Name())
		}
	}()
	if err := f.Chmod(0o600); err != nil {
		_ = f.Close()
		return err
	}
	if _, err := io.Copy(f, strings.NewReader(string(data))); err != nil {
		_ = f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(f.Name(), name)
}
