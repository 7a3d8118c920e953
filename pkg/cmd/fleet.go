package cmd

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	"k8s.io/cli-runtime/pkg/genericclioptions"
	"k8s.io/cli-runtime/pkg/genericiooptions"

	"github.com/auth-paths/kubectl-auth-paths/pkg/model"
	"github.com/auth-paths/kubectl-auth-paths/pkg/review"
	"github.com/auth-paths/kubectl-auth-paths/pkg/risk"
	"github.com/auth-paths/kubectl-auth-paths/pkg/rules"
	"github.com/auth-paths/kubectl-auth-paths/pkg/source"
)

// fleetAnnotation marks the commands that accept several clusters.
const fleetAnnotation = "auth-paths/fleet"

// FleetFlags choose several clusters: repeated (or comma-separated)
// --context, --all-contexts, or --cluster-file NAME=PATH for dumps.
type FleetFlags struct {
	// contexts are the raw --context values, in order.
	contexts []string
	// single is ConfigFlags.Context: the last --context, so that one context
	// behaves exactly as kubectl's flag.
	single       string
	AllContexts  bool
	ClusterFiles []string
	Parallel     int
}

// contextFlag is --context: kubectl's single value, made repeatable.
type contextFlag struct{ f *FleetFlags }

func (c contextFlag) String() string { return strings.Join(c.f.contexts, ",") }
func (c contextFlag) Type() string   { return "string" }
func (c contextFlag) Set(v string) error {
	c.f.contexts = append(c.f.contexts, v)
	c.f.single = v
	return nil
}

// bindContext registers --context in place of ConfigFlags' own (which must
// not be registered): one value is kubectl's --context; several, repeated or
// comma-separated, are a fleet.
func (f *FleetFlags) bindContext(cf *genericclioptions.ConfigFlags, flags *pflag.FlagSet) {
	cf.Context = &f.single
	flags.Var(contextFlag{f}, "context", "The name of the kubeconfig `CONTEXT` to use; repeat it or give a comma-separated list to scan several clusters at once (scan, report, chokepoints)")
}

// AddFlags registers the fleet flags of the commands that accept fleets.
func (f *FleetFlags) AddFlags(cmd *cobra.Command) {
	if cmd.Annotations == nil {
		cmd.Annotations = map[string]string{}
	}
	cmd.Annotations[fleetAnnotation] = "true"
	cmd.Flags().BoolVar(&f.AllContexts, "all-contexts", false, "Scan the cluster of every context in the kubeconfig, each path tagged with its context")
	cmd.Flags().StringArrayVar(&f.ClusterFiles, "cluster-file", nil, "Offline fleet: `NAME=PATH` reads cluster NAME from a file or directory (repeatable; repeat a NAME for several files); paths are tagged with NAME")
	cmd.Flags().IntVar(&f.Parallel, "parallel-clusters", 4, "Fleet runs: read `N` clusters at once")
	_ = cmd.MarkFlagFilename("cluster-file", "yaml", "yml", "json")
}

// multiple is true when more than one --context value was given, or one
// with a comma (which may still be one context's name: see contextNames).
func (f *FleetFlags) multiple() bool {
	return len(f.contexts) > 1 || len(f.contexts) == 1 && strings.Contains(f.contexts[0], ",")
}

// Requested reports whether a fleet was asked for. A single comma-containing
// --context is resolved against the kubeconfig first.
func (f *FleetFlags) Requested(cf *genericclioptions.ConfigFlags) (bool, error) {
	if f.AllContexts || len(f.ClusterFiles) > 0 {
		return true, nil
	}
	if !f.multiple() {
		return false, nil
	}
	names, err := f.contextNames(cf)
	if err != nil {
		return false, err
	}
	if len(names) == 1 {
		// "a,a" or a repeated context: one cluster, read as kubectl would.
		f.single = names[0]
	}
	return len(names) > 1, nil
}

// contextNames resolves --context values and --all-contexts to kubeconfig
// context names, sorted and without duplicates. A value that names a context
// is taken whole even when it contains commas; otherwise it is split.
func (f *FleetFlags) contextNames(cf *genericclioptions.ConfigFlags) ([]string, error) {
	// A loader of its own: cf caches its client config on first use, and the
	// context it holds may still be the unresolved "a,b".
	fresh := genericclioptions.NewConfigFlags(false)
	fresh.KubeConfig = cf.KubeConfig
	raw, err := fresh.ToRawKubeConfigLoader().RawConfig()
	if err != nil {
		return nil, fmt.Errorf("reading the kubeconfig for the contexts to scan: %w", err)
	}
	known := make([]string, 0, len(raw.Contexts))
	for n := range raw.Contexts {
		known = append(known, n)
	}
	sort.Strings(known)
	if f.AllContexts {
		if len(known) == 0 {
			return nil, errors.New("--all-contexts: the kubeconfig has no contexts")
		}
		return known, nil
	}
	seen := map[string]bool{}
	var out, unknown []string
	for _, v := range f.contexts {
		parts := []string{v}
		if raw.Contexts[v] == nil {
			parts = strings.Split(v, ",")
		}
		for _, p := range parts {
			p = strings.TrimSpace(p)
			switch {
			case p == "":
				return nil, fmt.Errorf("--context %q: empty context name", v)
			case raw.Contexts[p] == nil:
				unknown = append(unknown, p)
			case !seen[p]:
				seen[p] = true
				out = append(out, p)
			}
		}
	}
	if len(unknown) > 0 {
		return nil, fmt.Errorf("--context: no context %s in the kubeconfig (contexts: %s)", strings.Join(unknown, ", "), strings.Join(known, ", "))
	}
	sort.Strings(out)
	return out, nil
}

// serverOverrides are the ConfigFlags that would point every context at the
// same server or credentials: meaningless in a fleet.
func serverOverrides(cf *genericclioptions.ConfigFlags) []string {
	var set []string
	for _, f := range []struct {
		name string
		v    *string
	}{{"--server", cf.APIServer}, {"--cluster", cf.ClusterName}, {"--user", cf.AuthInfoName}, {"--token", cf.BearerToken},
		{"--client-certificate", cf.CertFile}, {"--client-key", cf.KeyFile}, {"--certificate-authority", cf.CAFile},
		{"--tls-server-name", cf.TLSServerName}, {"--username", cf.Username}, {"--password", cf.Password}} {
		if f.v != nil && *f.v != "" {
			set = append(set, f.name)
		}
	}
	return set
}

// Members resolves the fleet flags to the clusters to read, sorted by name.
// A context whose client configuration cannot be built (a missing
// credentials file, a malformed server URL) is that member's failure, not
// the fleet's: it is returned in unusable.
func (o *InputOptions) Members() (members []source.Member, unusable map[string]error, err error) {
	f := o.Fleet
	if f.Parallel < 1 {
		return nil, nil, fmt.Errorf("--parallel-clusters must be at least 1")
	}
	if len(f.ClusterFiles) > 0 {
		if f.AllContexts || len(f.contexts) > 0 {
			return nil, nil, errors.New("--cluster-file reads clusters from files: do not combine it with --context or --all-contexts")
		}
		if o.Offline() {
			return nil, nil, errors.New("--cluster-file names each cluster's files (NAME=PATH): give the files there, not with -f")
		}
		members, err = o.fileMembers()
		return members, nil, err
	}
	if o.Offline() {
		return nil, nil, errors.New("-f reads the files of one cluster; for several, give --cluster-file NAME=PATH per cluster")
	}
	if set := serverOverrides(o.ConfigFlags); len(set) > 0 {
		return nil, nil, fmt.Errorf("%s would send every context to the same server or credentials: not usable with several contexts", strings.Join(set, ", "))
	}
	names, err := f.contextNames(o.ConfigFlags)
	if err != nil {
		return nil, nil, err
	}
	unusable = map[string]error{}
	for _, name := range names {
		cfg, err := o.contextFlags(name).ToRESTConfig()
		if err != nil {
			unusable[name] = fmt.Errorf("kubeconfig context %s: %w", name, err)
			members = append(members, source.Member{Name: name})
			continue
		}
		members = append(members, source.Member{Name: name, Server: cfg.Host, Config: cfg})
	}
	return members, unusable, nil
}

// contextFlags are the user's ConfigFlags with only the context changed.
func (o *InputOptions) contextFlags(name string) *genericclioptions.ConfigFlags {
	src := o.ConfigFlags
	cf := genericclioptions.NewConfigFlags(false)
	cf.KubeConfig, cf.CacheDir, cf.Insecure = src.KubeConfig, src.CacheDir, src.Insecure
	cf.Impersonate, cf.ImpersonateUID, cf.ImpersonateGroup, cf.ImpersonateUserExtra = src.Impersonate, src.ImpersonateUID, src.ImpersonateGroup, src.ImpersonateUserExtra
	cf.Timeout, cf.DisableCompression, cf.ProxyURL = src.Timeout, src.DisableCompression, src.ProxyURL
	cf.Context = &name
	return cf
}

// fileMembers groups --cluster-file NAME=PATH by NAME.
func (o *InputOptions) fileMembers() ([]source.Member, error) {
	byName := map[string][]string{}
	for _, v := range o.Fleet.ClusterFiles {
		name, path, ok := strings.Cut(v, "=")
		name, path = strings.TrimSpace(name), strings.TrimSpace(path)
		if !ok || name == "" || path == "" {
			return nil, fmt.Errorf("--cluster-file %q: want NAME=PATH (a cluster name, =, a file or directory)", v)
		}
		if path == "-" {
			return nil, fmt.Errorf("--cluster-file %q: standard input cannot be one cluster of several", v)
		}
		byName[name] = append(byName[name], path)
	}
	names := make([]string, 0, len(byName))
	for n := range byName {
		names = append(names, n)
	}
	sort.Strings(names)
	members := make([]source.Member, 0, len(names))
	for _, n := range names {
		members = append(members, source.Member{Name: n, Files: source.FileOptions{Filenames: byName[n], Recursive: o.Recursive, DefaultNamespace: o.explicitNamespace()}})
	}
	return members, nil
}

// rejectFleet is the root's PersistentPreRunE: commands without fleet
// support refuse several clusters with a message instead of scanning one.
func rejectFleet(input *InputOptions) func(cmd *cobra.Command, _ []string) error {
	return func(cmd *cobra.Command, _ []string) error {
		if cmd.Annotations[fleetAnnotation] == "true" || !input.Fleet.multiple() {
			return nil
		}
		fleet, err := input.Fleet.Requested(input.ConfigFlags)
		if err != nil || !fleet {
			return err
		}
		return fmt.Errorf("%s works on one cluster: give one --context (several are read by scan, report and chokepoints)", cmd.CommandPath())
	}
}

// clusterRun is one fleet member, read and analysed (or failed).
type clusterRun struct {
	cluster review.Cluster
	inv     *model.Inventory
	opts    risk.Options
	a       *risk.Analysis
}

// ValidateFleet checks the analysis flags that cannot apply to several
// clusters; fleet says whether a fleet was asked for.
func (o *AnalysisOptions) ValidateFleet() (fleet bool, err error) {
	fleet, err = o.Input.Fleet.Requested(o.Input.ConfigFlags)
	if err != nil || !fleet {
		return fleet, err
	}
	if len(o.SimulateRemove) > 0 {
		return true, errors.New("--simulate-remove names bindings of one cluster: run it with one --context (or -f)")
	}
	return true, nil
}

// AnalyzeFleet reads every member concurrently and analyses each one. A
// member that cannot be read is reported on standard error and returned as
// failed; only when no member can be read is it an error.
func (o *AnalysisOptions) AnalyzeFleet(ctx context.Context, streams genericiooptions.IOStreams) ([]clusterRun, error) {
	members, unusable, err := o.Input.Members()
	if err != nil {
		return nil, err
	}
	base := risk.Options{KubernetesVersion: o.KubernetesVersion, PodSecurityDefault: o.PodSecurityDefault}
	if o.GroupsFile != "" {
		if base.Groups, err = review.LoadGroups(o.GroupsFile); err != nil {
			return nil, err
		}
	}
	packs, err := o.packs()
	if err != nil {
		return nil, err
	}
	var toLoad []source.Member
	for _, m := range members {
		if unusable[m.Name] == nil {
			toLoad = append(toLoad, m)
		}
	}
	// Live, each cluster's read includes the objects these packs activate on.
	live := source.LiveOptions{PageSize: o.Input.ChunkSize, Objects: rules.LiveObjects(packs)}
	loaded := source.LoadFleet(ctx, toLoad, source.FleetOptions{Parallel: o.Input.Fleet.Parallel, Live: live})
	if ctx.Err() != nil {
		return nil, ctx.Err()
	}
	byName := map[string]source.MemberInventory{}
	for _, l := range loaded {
		byName[l.Name] = l
	}
	runs := make([]clusterRun, 0, len(members))
	var failures []string
	for _, m := range members {
		c := review.Cluster{Name: m.Name, Server: m.Server, Files: m.Files.Filenames, Status: review.ClusterOK}
		l, ok := byName[m.Name]
		lerr := unusable[m.Name]
		if ok {
			lerr = l.Err
		}
		if lerr != nil {
			c.Status, c.Error = review.ClusterFailed, lerr.Error()
			fmt.Fprintf(streams.ErrOut, "warning: cluster %s could not be read: %v (the other clusters are reported)\n", m.Name, lerr)
			failures = append(failures, m.Name+": "+lerr.Error())
			runs = append(runs, clusterRun{cluster: c})
			continue
		}
		// --allow-incomplete applies to every member, as to one -f input.
		if _, err := source.AllowIncomplete(l.Inventory, o.Input.AllowIncomplete); err != nil {
			return nil, err
		}
		w := prefixWriter{w: streams.ErrOut, prefix: "cluster " + m.Name + ": "}
		o.Input.report(l.Inventory, &w)
		if len(l.Inventory.Missing) > 0 {
			c.Status, c.Incomplete = review.ClusterPartial, l.Inventory.Missing
		}
		opts := base
		opts.Extra = rules.Primitives(packs, l.Inventory)
		if !o.NoExpected {
			opts.Expected = rules.ExpectedBindings(packs, l.Inventory)
		}
		a := risk.Analyze(l.Inventory, opts)
		o.Input.PrintWarnings(&w, a.Warnings())
		runs = append(runs, clusterRun{cluster: c, inv: l.Inventory, opts: opts, a: a})
	}
	if len(failures) == len(members) {
		return nil, fmt.Errorf("no cluster could be read: %s", strings.Join(failures, "; "))
	}
	return runs, nil
}

// fleetPartial is exit status 3 when a member failed or missed kinds.
// fleetScans is each member's scan, listed by scan (the --entry and -n
// filters of scan, or report's plain listing); members that could not be
// analysed keep their status and no scan.
func fleetScans(runs []clusterRun, scan func(*risk.Analysis) (risk.ScanResult, []risk.Finding)) []review.ClusterScan {
	scans := make([]review.ClusterScan, 0, len(runs))
	for _, r := range runs {
		cs := review.ClusterScan{Cluster: r.cluster, Inventory: r.inv}
		if r.a != nil {
			cs.Scan, cs.Findings = scan(r.a)
		}
		scans = append(scans, cs)
	}
	return scans
}

func fleetPartial(runs []clusterRun) error {
	for _, r := range runs {
		if r.cluster.Status != review.ClusterOK {
			return WithExitCode(ExitPartial, nil)
		}
	}
	return nil
}

// fleetInventories maps each member read to its inventory (for SARIF).
func fleetInventories(runs []clusterRun) map[string]*model.Inventory {
	out := map[string]*model.Inventory{}
	for _, r := range runs {
		if r.inv != nil {
			out[r.cluster.Name] = r.inv
		}
	}
	return out
}

// prefixWriter prefixes every line (a member's warnings name their cluster).
type prefixWriter struct {
	w      io.Writer
	prefix string
	mid    bool
}

func (p *prefixWriter) Write(b []byte) (int, error) {
	var buf bytes.Buffer
	for _, line := range bytes.SplitAfter(b, []byte("\n")) {
		if len(line) == 0 {
			continue
		}
		if !p.mid {
			buf.WriteString(p.prefix)
		}
		buf.Write(line)
		p.mid = line[len(line)-1] != '\n'
	}
	if _, err := p.w.Write(buf.Bytes()); err != nil {
		return 0, err
	}
	return len(b), nil
}
