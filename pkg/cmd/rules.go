package cmd

import (
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"
	"k8s.io/cli-runtime/pkg/genericiooptions"

	"github.com/auth-paths/kubectl-auth-paths/pkg/rules"
)

// NewCmdRules builds `rules list` and `rules lint`.
func NewCmdRules(input *InputOptions, streams genericiooptions.IOStreams) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "rules",
		Short: "List or check rule packs (escalations through CRD controllers and identity maps)",
		Long: `Rule packs add escalation rules that no built-in primitive can know: creating an Argo Workflow,
a Tekton TaskRun or a Flux Kustomization runs pods or applies manifests as some ServiceAccount;
writing EKS's aws-auth ConfigMap maps an IAM principal to system:masters. The packs shipped in
the binary apply where their controller is evidently installed (its CRD, its API group served, or
its own ServiceAccount with the RBAC it needs); rules list -f says on which evidence. --rules adds
your own.
Format: docs/plugins.md and plugins/rulepack.schema.json.`,
	}
	cmd.AddCommand(newCmdRulesList(input, streams), newCmdRulesLint(streams))
	return cmd
}

func newCmdRulesList(input *InputOptions, streams genericiooptions.IOStreams) *cobra.Command {
	o := &AnalysisOptions{Input: input}
	c := &cobra.Command{
		Use:   "list",
		Short: "Show the loaded rule packs, where they come from and (with -f or a cluster) whether they apply",
		Example: `  kubectl auth-paths rules list
  kubectl auth-paths rules list --rules my-packs/ -f dump.yaml`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			packs, err := o.packs()
			if err != nil {
				return err
			}
			tw := tabwriter.NewWriter(streams.Out, 0, 4, 2, ' ', 0)
			header := "PACK\tRULES\tATT&CK\tSOURCE"
			var activeFor func(*rules.Pack) string
			if input.Offline() {
				inv, err := input.Load(cmd.Context(), streams)
				if err != nil {
					return err
				}
				header += "\tACTIVE"
				activeFor = func(p *rules.Pack) string {
					ok, why := rules.Active(p, inv)
					return fmt.Sprintf("%v (%s)", ok, why)
				}
			}
			fmt.Fprintln(tw, header)
			for _, p := range packs {
				var idList []string
				for _, r := range p.Rules {
					idList = append(idList, r.ID)
				}
				for _, e := range p.Expected {
					idList = append(idList, "expected:"+e.ID)
				}
				ids := strings.Join(idList, ",")
				line := fmt.Sprintf("%s\t%s\t%s\t%s", p.Metadata.Name, ids, packTechniques(p), p.Source)
				if activeFor != nil {
					line += "\t" + activeFor(p)
				}
				fmt.Fprintln(tw, line)
			}
			return tw.Flush()
		},
	}
	input.AddFlags(c)
	c.Flags().StringSliceVar(&o.RulePaths, "rules", nil, "Rule packs (a YAML file or a directory of them) at `PATH`, added to the shipped ones (repeatable)")
	c.Flags().BoolVar(&o.NoBuiltinRules, "no-builtin-rules", false, "Do not list the rule packs shipped in the binary")
	return c
}

func newCmdRulesLint(streams genericiooptions.IOStreams) *cobra.Command {
	return &cobra.Command{
		Use:     "lint FILE...",
		Short:   "Validate rule packs; errors name the file, the rule and the field",
		Example: `  kubectl auth-paths rules lint my-packs/tekton-internal.yaml`,
		Args:    cobra.MinimumNArgs(1),
		RunE: func(_ *cobra.Command, args []string) error {
			var errs []error
			for _, f := range args {
				if _, err := os.Stat(f); err != nil {
					errs = append(errs, fmt.Errorf("%s: %w", f, err))
					continue
				}
				packs, err := rules.LoadPath(f)
				if err != nil {
					errs = append(errs, err)
					continue
				}
				for _, p := range packs {
					fmt.Fprintf(streams.Out, "%s: pack %q, %d rule(s), %d expected declaration(s): ok\n", p.Source, p.Metadata.Name, len(p.Rules), len(p.Expected))
				}
			}
			return errors.Join(errs...)
		},
	}
}

// packTechniques are the ATT&CK techniques of a pack's rules, once each, in
// rule order ("-" for none: a pack of expected declarations only).
func packTechniques(p *rules.Pack) string {
	var out []string
	for _, r := range p.Rules {
		for _, t := range r.Techniques {
			if !slices.Contains(out, t) {
				out = append(out, t)
			}
		}
	}
	if len(out) == 0 {
		return "-"
	}
	return strings.Join(out, ",")
}
