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

	"github.com/auth-paths/kubectl-auth-paths/pkg/model"
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
		Args: noSubcommandMatch,
		// Runnable, so that cobra checks Args: without it "rules lnt" printed help and exited 0.
		RunE: func(cmd *cobra.Command, _ []string) error { return cmd.Help() },
	}
	cmd.AddCommand(newCmdRulesList(input, streams), newCmdRulesLint(streams))
	return cmd
}

// RulesListOptions lists the loaded rule packs.
type RulesListOptions struct {
	Analysis *AnalysisOptions
	Output   string
	streams  genericiooptions.IOStreams
}

// RulePackInfo is one pack in rules list -o json|yaml.
type RulePackInfo struct {
	Name   string `json:"name"`
	Source string `json:"source"`
	// Rules and Expected are the IDs of the pack's rules and expected declarations.
	Rules    []string `json:"rules"`
	Expected []string `json:"expected"`
	// Techniques are the MITRE ATT&CK techniques of its rules, once each.
	Techniques []string `json:"techniques"`
	// Active and Why are set when an input was read (-f): whether the pack
	// applies to it, and why.
	Active *bool  `json:"active,omitempty"`
	Why    string `json:"why,omitempty"`
}

func newCmdRulesList(input *InputOptions, streams genericiooptions.IOStreams) *cobra.Command {
	o := &RulesListOptions{Analysis: &AnalysisOptions{Input: input}, Output: OutputTable, streams: streams}
	c := &cobra.Command{
		Use:   "list",
		Short: "Show the loaded rule packs, where they come from and (with -f) whether they apply",
		Example: `  kubectl auth-paths rules list
  kubectl auth-paths rules list --rules my-packs/ -f dump.yaml -o yaml`,
		Args: cobra.NoArgs,
		RunE: runE(o),
	}
	input.AddFlags(c)
	addOutputFlag(c, &o.Output, tableFormats, "")
	c.Flags().StringSliceVar(&o.Analysis.RulePaths, "rules", nil, "Rule packs (a YAML file or a directory of them) at `PATH`, added to the shipped ones (repeatable)")
	c.Flags().BoolVar(&o.Analysis.NoBuiltinRules, "no-builtin-rules", false, "Do not list the rule packs shipped in the binary")
	return c
}

// Complete has nothing to derive.
func (o *RulesListOptions) Complete(_ *cobra.Command, _ []string) error { return nil }

// Validate checks -o.
func (o *RulesListOptions) Validate() error { return validateOutput(o.Output, tableFormats) }

// Run loads the packs (and the input, with -f) and lists them.
func (o *RulesListOptions) Run(cmd *cobra.Command) error {
	packs, err := o.Analysis.packs()
	if err != nil {
		return err
	}
	input := o.Analysis.Input
	var inv *model.Inventory
	if input.Offline() {
		input.StructuredOutput = o.Output != OutputTable
		if inv, err = input.Load(cmd.Context(), o.streams); err != nil {
			return err
		}
	}
	infos := make([]RulePackInfo, 0, len(packs))
	for _, p := range packs {
		info := RulePackInfo{Name: p.Metadata.Name, Source: p.Source, Rules: []string{}, Expected: []string{}, Techniques: packTechniques(p)}
		for _, r := range p.Rules {
			info.Rules = append(info.Rules, r.ID)
		}
		for _, e := range p.Expected {
			info.Expected = append(info.Expected, e.ID)
		}
		if inv != nil {
			ok, why := rules.Active(p, inv)
			info.Active, info.Why = &ok, why
		}
		infos = append(infos, info)
	}
	if o.Output != OutputTable {
		return printStructured(o.streams.Out, o.Output, struct {
			Packs []RulePackInfo `json:"packs"`
		}{infos})
	}
	tw := tabwriter.NewWriter(o.streams.Out, 0, 4, 2, ' ', 0)
	header := "PACK\tRULES\tATT&CK\tSOURCE"
	if inv != nil {
		header += "\tACTIVE"
	}
	fmt.Fprintln(tw, header)
	for _, info := range infos {
		ids := info.Rules
		for _, e := range info.Expected {
			ids = append(ids, "expected:"+e)
		}
		techniques := strings.Join(info.Techniques, ",")
		if techniques == "" {
			techniques = "-" // a pack of expected declarations only
		}
		line := fmt.Sprintf("%s\t%s\t%s\t%s", info.Name, strings.Join(ids, ","), techniques, info.Source)
		if info.Active != nil {
			line += fmt.Sprintf("\t%v (%s)", *info.Active, info.Why)
		}
		fmt.Fprintln(tw, line)
	}
	return tw.Flush()
}

// RulesLintOptions checks rule pack files.
type RulesLintOptions struct {
	Paths   []string
	streams genericiooptions.IOStreams
}

func newCmdRulesLint(streams genericiooptions.IOStreams) *cobra.Command {
	o := &RulesLintOptions{streams: streams}
	return &cobra.Command{
		Use:     "lint PATH...",
		Short:   "Validate rule packs (files or directories); errors name the file, the rule and the field",
		Example: `  kubectl auth-paths rules lint my-packs/tekton-internal.yaml`,
		Args: func(_ *cobra.Command, args []string) error {
			if len(args) == 0 {
				return errors.New("rules lint needs the rule packs to check: kubectl auth-paths rules lint PATH... (YAML files or directories of them)")
			}
			return nil
		},
		RunE: runE(o),
	}
}

// Complete takes the paths to check.
func (o *RulesLintOptions) Complete(_ *cobra.Command, args []string) error {
	o.Paths = args
	return nil
}

// Validate has nothing to check before the files are read.
func (o *RulesLintOptions) Validate() error { return nil }

// Run loads every path and reports each pack, or every error.
func (o *RulesLintOptions) Run(_ *cobra.Command) error {
	var errs []error
	for _, f := range o.Paths {
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
			fmt.Fprintf(o.streams.Out, "%s: pack %q, %d rule(s), %d expected declaration(s): ok\n", p.Source, p.Metadata.Name, len(p.Rules), len(p.Expected))
		}
	}
	return errors.Join(errs...)
}

// packTechniques are the ATT&CK techniques of a pack's rules, once each, in
// rule order.
func packTechniques(p *rules.Pack) []string {
	out := []string{}
	for _, r := range p.Rules {
		for _, t := range r.Techniques {
			if !slices.Contains(out, t) {
				out = append(out, t)
			}
		}
	}
	return out
}
