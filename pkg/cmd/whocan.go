package cmd

import (
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"
	rbacv1 "k8s.io/api/rbac/v1"
	"k8s.io/cli-runtime/pkg/genericiooptions"

	"github.com/auth-paths/kubectl-auth-paths/pkg/model"
	"github.com/auth-paths/kubectl-auth-paths/pkg/rbac"
)

const whoCanExample = `  # Who can read secrets in namespace prod (from the current cluster)
  kubectl auth-paths who-can get secrets -n prod

  # Who can exec into pods, from a dump, cluster-wide
  kubectl auth-paths who-can create pods/exec -A -f dump.yaml

  # Who can patch namespace team-a (evaluated in team-a, as the apiserver does)
  kubectl auth-paths who-can patch namespaces team-a

  # A resource of an API group, a resource name, a non-resource URL
  kubectl auth-paths who-can update deployments.apps/scale web -n shop
  kubectl auth-paths who-can get /metrics -o json`

// WhoCanOptions lists the subjects a request is granted to.
type WhoCanOptions struct {
	Input         *InputOptions
	Output        string
	AllNamespaces bool

	Request rbac.Request
	// evaluated says where the request was evaluated and why (the table's
	// first line; -o json|yaml has request.namespace).
	evaluated string
	streams   genericiooptions.IOStreams
}

// WhoCanResult is the -o json|yaml shape of who-can.
type WhoCanResult struct {
	Request  rbac.Request    `json:"request"`
	Subjects []WhoCanSubject `json:"subjects"`
	// Incomplete lists the kinds that could not be read (live mode): the
	// subjects are those found without them.
	Incomplete []model.MissingKind `json:"incomplete,omitempty"`
}

// WhoCanSubject is one subject with its grants.
type WhoCanSubject struct {
	Kind      string   `json:"kind"`
	Name      string   `json:"name"`
	Namespace string   `json:"namespace,omitempty"`
	GrantedBy []string `json:"grantedBy"`
}

// NewCmdWhoCan builds `who-can`.
func NewCmdWhoCan(input *InputOptions, streams genericiooptions.IOStreams) *cobra.Command {
	o := &WhoCanOptions{Input: input, Output: OutputTable, streams: streams}
	cmd := &cobra.Command{
		Use:   "who-can VERB (RESOURCE[.GROUP][/SUBRESOURCE] [NAME] | /NON/RESOURCE/URL)",
		Short: "List every subject that RBAC allows a request, with the binding, role and rule that allow it",
		Long: `List every subject (User, Group, ServiceAccount) that some binding grants the request to,
decided as the kube-apiserver's RBAC authorizer decides: verbs, API groups, resources,
subresources ("*/scale" included), resource names and non-resource URL prefixes, RoleBindings
only inside their namespace, ClusterRole aggregation computed as the controller does.

The namespace is -n (or the kubeconfig's), -A asks cluster-wide. Cluster-scoped resources and
non-resource URLs are always cluster-wide; "namespaces NAME" is evaluated in namespace NAME.
The group system:masters is always listed: it bypasses RBAC.`,
		Example: whoCanExample,
		Args:    cobra.RangeArgs(2, 3),
		RunE:    runE(o),
	}
	addOutputFlag(cmd, &o.Output, tableFormats, "")
	cmd.Flags().BoolVarP(&o.AllNamespaces, "all-namespaces", "A", false, "Ask cluster-wide (only ClusterRoleBindings apply)")
	input.AddFlags(cmd)
	return cmd
}

// Complete turns arguments into a request.
func (o *WhoCanOptions) Complete(_ *cobra.Command, args []string) error {
	verb := args[0]
	target := args[1]
	if strings.HasPrefix(target, "/") {
		if len(args) > 2 {
			return fmt.Errorf("a non-resource URL takes no NAME (got %q)", args[2])
		}
		o.Request = rbac.Request{Verb: verb, Path: target}
		o.evaluated = "cluster-wide (a non-resource URL)"
		return nil
	}
	group, resource, sub, info, _, err := rbac.ParseResource(target)
	if err != nil {
		return err
	}
	o.Request = rbac.Request{Verb: verb, APIGroup: group, Resource: resource, Subresource: sub}
	if len(args) > 2 {
		o.Request.Name = args[2]
	}
	explicitNS := o.Input.explicitNamespace()
	switch {
	case group == "" && resource == "namespaces" && o.Request.Name != "":
		// The apiserver evaluates requests on a namespace object in that namespace.
		if explicitNS != "" && explicitNS != o.Request.Name {
			return fmt.Errorf("requests on namespaces/%s are evaluated in namespace %q, not %q: drop -n", o.Request.Name, o.Request.Name, explicitNS)
		}
		o.Request.Namespace = o.Request.Name
		o.evaluated = fmt.Sprintf("in namespace %s (a request on a namespace is evaluated in it)", o.Request.Name)
	case !info.Namespaced && info.Resource != "":
		o.Request.Namespace = ""
		o.evaluated = fmt.Sprintf("cluster-wide (%s are cluster-scoped)", info.Resource)
	case o.AllNamespaces:
		o.Request.Namespace = ""
		o.evaluated = "cluster-wide (-A: only ClusterRoleBindings apply)"
	case explicitNS != "":
		o.Request.Namespace = explicitNS
		o.evaluated = fmt.Sprintf("in namespace %s (-n)", explicitNS)
	default:
		ns, _, err := o.Input.ConfigFlags.ToRawKubeConfigLoader().Namespace()
		o.evaluated = fmt.Sprintf("in namespace %s (the kubeconfig context's; -n or -A to choose)", ns)
		if err != nil || ns == "" {
			ns = "default"
			o.evaluated = "in namespace default (no -n, and the kubeconfig context names none)"
		}
		o.Request.Namespace = ns
	}
	return nil
}

// Validate rejects bad flags early.
func (o *WhoCanOptions) Validate() error {
	if o.Request.Verb == "" {
		return fmt.Errorf("VERB must not be empty")
	}
	if o.AllNamespaces && o.Input.explicitNamespace() != "" {
		return fmt.Errorf("-A and -n are mutually exclusive")
	}
	return validateOutput(o.Output, tableFormats)
}

// Run loads the input and prints the subjects.
func (o *WhoCanOptions) Run(cmd *cobra.Command) error {
	o.Input.StructuredOutput = o.Output != OutputTable
	// The answer is RBAC's alone: an input without pods or nodes is complete.
	o.Input.RBACOnly = true
	inv, err := o.Input.Load(cmd.Context(), o.streams)
	if err != nil {
		return err
	}
	ev := rbac.NewEvaluator(inv)
	o.Input.PrintWarnings(o.streams.ErrOut, ev.Warnings())
	res := WhoCanResult{Request: o.Request, Subjects: []WhoCanSubject{}, Incomplete: inv.Missing}
	for _, sg := range ev.WhoCan(o.Request) {
		s := WhoCanSubject{Kind: sg.Subject.Kind, Name: sg.Subject.Name, GrantedBy: []string{}}
		if sg.Subject.Kind == rbacv1.ServiceAccountKind {
			s.Namespace = sg.Subject.Namespace
		}
		for _, g := range sg.Grants {
			s.GrantedBy = append(s.GrantedBy, g.String())
		}
		res.Subjects = append(res.Subjects, s)
	}
	if o.Output != OutputTable {
		if err := printStructured(o.streams.Out, o.Output, res); err != nil {
			return err
		}
		return Partial(inv)
	}
	fmt.Fprintf(o.streams.Out, "Who can %s, evaluated %s:\n\n", o.Request.Action(), o.evaluated)
	tw := tabwriter.NewWriter(o.streams.Out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "KIND\tNAMESPACE\tNAME\tGRANTED BY")
	for _, s := range res.Subjects {
		for i, g := range s.GrantedBy {
			if i == 0 {
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", s.Kind, s.Namespace, s.Name, g)
			} else {
				fmt.Fprintf(tw, "\t\t\t%s\n", g)
			}
		}
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	return Partial(inv)
}
