package cmd

import (
	"context"
	"io"
	"sort"
	"strings"
	"time"

	"github.com/spf13/cobra"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/cli-runtime/pkg/genericiooptions"
	"k8s.io/client-go/kubernetes"

	"github.com/auth-paths/kubectl-auth-paths/pkg/model"
	"github.com/auth-paths/kubectl-auth-paths/pkg/rbac"
	"github.com/auth-paths/kubectl-auth-paths/pkg/risk"
)

// completionTimeout bounds what one <TAB> may spend reading the cluster.
const completionTimeout = 10 * time.Second

// noFiles is the directive of every dynamic completion here: never fall back
// to file names.
const noFiles = cobra.ShellCompDirectiveNoFileComp

// registerCompletions wires dynamic shell completion into the root command:
// -n/--namespace, --context/--cluster/--user, the arguments of who-can, the
// SUBJECT of from, explain and verify, the values of --entry and --fail-on,
// plus the `completion` command. It is
// called last in NewCmdAuthPaths, so it sees every subcommand; a command that
// set its own ValidArgsFunction keeps it.
func registerCompletions(root *cobra.Command, input *InputOptions) {
	_ = root.RegisterFlagCompletionFunc("namespace", CompleteNamespaces(input))
	_ = root.RegisterFlagCompletionFunc("context", completeKubeconfig(input, func(c kubeconfigNames) []string { return c.contexts }))
	_ = root.RegisterFlagCompletionFunc("cluster", completeKubeconfig(input, func(c kubeconfigNames) []string { return c.clusters }))
	_ = root.RegisterFlagCompletionFunc("user", completeKubeconfig(input, func(c kubeconfigNames) []string { return c.users }))
	for _, sub := range root.Commands() {
		if sub.ValidArgsFunction != nil {
			continue
		}
		switch sub.Name() {
		case "who-can":
			sub.ValidArgsFunction = CompleteWhoCan(input)
		case "from", "explain", "verify":
			sub.ValidArgsFunction = CompleteSubjects(input)
		case "version", "whoami":
			sub.ValidArgsFunction = cobra.NoFileCompletions
		}
	}
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		for _, sub := range c.Commands() {
			registerFlagValues(sub)
			walk(sub)
		}
	}
	walk(root)
	root.AddCommand(NewCmdCompletion(root))
}

// registerFlagValues completes the flags that take one of a fixed set of
// values: --entry and --fail-on (-o is completed by addOutputFlag, from the
// command's list of formats).
func registerFlagValues(c *cobra.Command) {
	register := func(name string, values []string) {
		if c.Flags().Lookup(name) == nil || len(values) == 0 {
			return
		}
		if _, ok := c.GetFlagCompletionFunc(name); ok {
			return
		}
		_ = c.RegisterFlagCompletionFunc(name, cobra.FixedCompletions(values, noFiles))
	}
	register("entry", risk.EntryKinds())
	register("fail-on", []string{"new", "any"})
}

// CompleteSubjects returns a ValidArgsFunction for a command whose first
// argument is a SUBJECT: it loads the inventory from -f when given, else from
// the cluster of the current kubeconfig context, and offers every subject that
// a binding names (rbac.Evaluator.Subjects) as the CLI spells it: User:NAME,
// Group:NAME, ServiceAccount:NAMESPACE:NAME. Later arguments are not completed.
func CompleteSubjects(input *InputOptions) cobra.CompletionFunc {
	return func(cmd *cobra.Command, args []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
		if len(args) > 0 {
			return nil, noFiles
		}
		inv, err := loadForCompletion(cmd, input)
		if err != nil {
			cobra.CompDebugln("auth-paths: "+err.Error(), true)
			return nil, cobra.ShellCompDirectiveError
		}
		var out []cobra.Completion
		for _, s := range rbac.NewEvaluator(inv).Subjects() {
			if str := s.String(); strings.HasPrefix(str, toComplete) {
				out = append(out, str)
			}
		}
		return out, noFiles
	}
}

// CompleteNamespaces completes a namespace name: from the -f input when given
// (namespaces and the namespaces of the objects in it), else by listing the
// namespaces of the current kubeconfig context.
func CompleteNamespaces(input *InputOptions) cobra.CompletionFunc {
	return func(cmd *cobra.Command, _ []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
		names, err := namespacesForCompletion(cmd, input)
		if err != nil {
			cobra.CompDebugln("auth-paths: "+err.Error(), true)
			return nil, cobra.ShellCompDirectiveError
		}
		return filterPrefix(names, toComplete), noFiles
	}
}

// rbacVerbs are the verbs RBAC rules name: the API verbs and the special ones
// that RBAC checks itself (bind, escalate, impersonate, approve, sign, use),
// and the impersonate:<mode> verbs of constrained impersonation (impersonate-on
// verbs name a mode and a verb: too many to offer).
var rbacVerbs = []string{
	"get", "list", "watch", "create", "update", "patch", "delete", "deletecollection",
	"bind", "escalate", "impersonate", "approve", "sign", "use",
	"impersonate:user-info", "impersonate:serviceaccount", "impersonate:arbitrary-node", "impersonate:associated-node", "*",
}

// interestingSubresources are offered after RESOURCE/: the subresources that
// matter for privilege.
var interestingSubresources = []string{
	"pods/exec", "pods/attach", "pods/portforward", "pods/log", "pods/ephemeralcontainers", "pods/eviction",
	"nodes/proxy", "nodes/status", "serviceaccounts/token", "services/proxy",
	"deployments.apps/scale", "statefulsets.apps/scale", "replicasets.apps/scale",
	"certificatesigningrequests.certificates.k8s.io/approval", "certificatesigningrequests.certificates.k8s.io/status",
	"persistentvolumeclaims/status",
}

// nonResourceURLs are offered when the target starts with "/".
var nonResourceURLs = []string{"/api", "/apis", "/healthz", "/livez", "/readyz", "/version", "/metrics", "/logs", "/openapi", "/debug", "/*"}

// CompleteWhoCan completes `who-can VERB RESOURCE [NAME]`: RBAC verbs, the
// built-in resources (a name qualified with its group where the bare name is
// ambiguous), privilege-relevant subresources, non-resource URLs, and for
// "namespaces" the namespace names.
func CompleteWhoCan(input *InputOptions) cobra.CompletionFunc {
	return func(cmd *cobra.Command, args []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
		switch len(args) {
		case 0:
			return filterPrefix(rbacVerbs, toComplete), noFiles
		case 1:
			if strings.HasPrefix(toComplete, "/") {
				return filterPrefix(nonResourceURLs, toComplete), noFiles
			}
			cands := resourceNames()
			if strings.Contains(toComplete, "/") {
				cands = interestingSubresources
			}
			return filterPrefix(cands, toComplete), noFiles
		case 2:
			group, resource, sub, _, _, err := rbac.ParseResource(args[1])
			if err == nil && group == "" && resource == "namespaces" && sub == "" {
				return CompleteNamespaces(input)(cmd, nil, toComplete)
			}
		}
		return nil, noFiles
	}
}

// resourceNames lists every built-in resource once, by plural name, qualified
// with its group when the bare name would be ambiguous.
func resourceNames() []string {
	infos := rbac.BuiltinResources()
	groups := map[string][]string{}
	for _, ri := range infos {
		groups[ri.Resource] = append(groups[ri.Resource], ri.Group)
	}
	seen := map[string]bool{}
	var out []string
	for _, ri := range infos {
		name := ri.Resource
		if len(groups[ri.Resource]) > 1 && ri.Group != "" {
			name += "." + ri.Group
		}
		if !seen[name] {
			seen[name] = true
			out = append(out, name)
		}
	}
	sort.Strings(out)
	return out
}

type kubeconfigNames struct{ contexts, clusters, users []string }

// completeKubeconfig completes --context, --cluster and --user from the
// kubeconfig, without contacting the cluster.
func completeKubeconfig(input *InputOptions, pick func(kubeconfigNames) []string) cobra.CompletionFunc {
	return func(_ *cobra.Command, _ []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
		raw, err := input.ConfigFlags.ToRawKubeConfigLoader().RawConfig()
		if err != nil {
			return nil, noFiles
		}
		var names kubeconfigNames
		for n := range raw.Contexts {
			names.contexts = append(names.contexts, n)
		}
		for n := range raw.Clusters {
			names.clusters = append(names.clusters, n)
		}
		for n := range raw.AuthInfos {
			names.users = append(names.users, n)
		}
		list := pick(names)
		sort.Strings(list)
		return filterPrefix(list, toComplete), noFiles
	}
}

func filterPrefix(list []string, prefix string) []cobra.Completion {
	var out []cobra.Completion
	for _, s := range list {
		if strings.HasPrefix(s, prefix) {
			out = append(out, s)
		}
	}
	return out
}

// completionContext bounds a completion's reads; cobra passes the context of
// ExecuteContext down to __complete, tests may not.
func completionContext(cmd *cobra.Command) (context.Context, context.CancelFunc) {
	ctx := cmd.Context()
	if ctx == nil {
		ctx = context.Background()
	}
	return context.WithTimeout(ctx, completionTimeout)
}

// loadForCompletion reads the inventory as the command would, silently: a
// completion must print nothing but candidates.
func loadForCompletion(cmd *cobra.Command, input *InputOptions) (*model.Inventory, error) {
	ctx, cancel := completionContext(cmd)
	defer cancel()
	quiet := genericiooptions.IOStreams{In: strings.NewReader(""), Out: io.Discard, ErrOut: io.Discard}
	if input.Offline() {
		// Standard input belongs to the shell while completing.
		var files []string
		for _, f := range input.Filenames {
			if f != "-" {
				files = append(files, f)
			}
		}
		if len(files) == 0 {
			return &model.Inventory{}, nil
		}
		o := *input
		o.Filenames = files
		o.Verbose = 0
		return o.Load(ctx, quiet)
	}
	o := *input
	o.Verbose = 0
	return o.Load(ctx, quiet)
}

// namespacesForCompletion returns the namespaces of the -f input, or lists the
// cluster's namespaces (one cheap list instead of a full load).
func namespacesForCompletion(cmd *cobra.Command, input *InputOptions) ([]string, error) {
	set := map[string]bool{}
	if input.Offline() {
		inv, err := loadForCompletion(cmd, input)
		if err != nil {
			return nil, err
		}
		for _, n := range inv.Namespaces {
			set[n.Name] = true
		}
		metas := make([]model.Meta, 0, len(inv.Roles)+len(inv.RoleBindings)+len(inv.ServiceAccounts)+len(inv.Pods)+len(inv.Workloads)+len(inv.Secrets))
		for _, r := range inv.Roles {
			metas = append(metas, r.Meta)
		}
		for _, b := range inv.RoleBindings {
			metas = append(metas, b.Meta)
		}
		for _, sa := range inv.ServiceAccounts {
			metas = append(metas, sa.Meta)
		}
		for _, p := range inv.Pods {
			metas = append(metas, p.Meta)
		}
		for _, w := range inv.Workloads {
			metas = append(metas, w.Meta)
		}
		for _, s := range inv.Secrets {
			metas = append(metas, s.Meta)
		}
		for _, m := range metas {
			if m.Namespace != "" {
				set[m.Namespace] = true
			}
		}
	} else {
		ctx, cancel := completionContext(cmd)
		defer cancel()
		cfg, err := input.ConfigFlags.ToRESTConfig()
		if err != nil {
			return nil, err
		}
		cs, err := kubernetes.NewForConfig(cfg)
		if err != nil {
			return nil, err
		}
		list, err := cs.CoreV1().Namespaces().List(ctx, metav1.ListOptions{})
		if err != nil {
			return nil, err
		}
		for i := range list.Items {
			set[list.Items[i].Name] = true
		}
	}
	out := make([]string, 0, len(set))
	for n := range set {
		out = append(out, n)
	}
	sort.Strings(out)
	return out, nil
}
