package cmd

import (
	"fmt"
	"io"

	"github.com/spf13/cobra"
)

// BinaryName is the plugin's executable; shells complete it by this name.
const BinaryName = "kubectl-auth_paths"

// KubectlCompletionHookName is the executable kubectl (>= 1.26) looks for on
// PATH to complete `kubectl auth-paths …`.
const KubectlCompletionHookName = "kubectl_complete-auth_paths"

// KubectlCompletionHook is the content of kubectl_complete-auth_paths, shipped
// in the release archives (krew/kubectl_complete-auth_paths must stay identical;
// a test checks it).
const KubectlCompletionHook = `#!/usr/bin/env sh
# kubectl (>= 1.26) runs this to complete "kubectl auth-paths ...": put it on PATH
# next to kubectl-auth_paths. It hands the words to cobra's completion command.
exec kubectl-auth_paths __complete "$@"
`

const completionLong = `Generate shell completion for kubectl auth-paths.

Through kubectl ("kubectl auth-paths <TAB>", kubectl 1.26 or newer): kubectl asks an
executable named kubectl_complete-auth_paths on PATH for the candidates. The release
archives ship it; krew unpacks it but links only the plugin binary, so link it yourself
(krew's install caveats print the exact command):

    ln -s "${KREW_ROOT:-$HOME/.krew}"/store/auth-paths/VERSION/kubectl_complete-auth_paths \
        "${KREW_ROOT:-$HOME/.krew}"/bin/

or write it next to a go-installed binary:

    kubectl auth-paths completion kubectl > "$(go env GOPATH)"/bin/kubectl_complete-auth_paths
    chmod +x "$(go env GOPATH)"/bin/kubectl_complete-auth_paths

kubectl's own completion must be enabled (source <(kubectl completion bash), or zsh, fish,
powershell).

Run directly as kubectl-auth_paths, load the script for your shell, e.g.

    source <(kubectl auth-paths completion bash)

Subjects (User:NAME, Group:NAME, ServiceAccount:NAMESPACE:NAME), namespaces (-n) and
who-can's verbs and resources are completed; subjects and namespaces are read from -f
when it is given, else from the current kubeconfig context.`

// NewCmdCompletion builds `completion bash|zsh|fish|powershell|kubectl`. The
// scripts complete the executable kubectl-auth_paths (cobra would name them
// after the root command, "auth-paths", which is no program).
func NewCmdCompletion(root *cobra.Command) *cobra.Command {
	noDesc := false
	cmd := &cobra.Command{
		Use:                   "completion bash|zsh|fish|powershell|kubectl",
		Short:                 "Generate shell completion scripts (also for kubectl auth-paths <TAB>)",
		Long:                  completionLong,
		Example:               "  source <(kubectl auth-paths completion bash)\n\n  kubectl auth-paths completion kubectl > ~/bin/kubectl_complete-auth_paths\n  chmod +x ~/bin/kubectl_complete-auth_paths",
		Args:                  noSubcommandMatch,
		DisableFlagsInUseLine: true,
		ValidArgsFunction:     cobra.NoFileCompletions,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return cmd.Help()
		},
	}
	gen := func(shell string, fn func(w io.Writer, desc bool) error) *cobra.Command {
		c := &cobra.Command{
			Use:                   shell,
			Short:                 fmt.Sprintf("Generate the completion script of kubectl-auth_paths for %s", shell),
			Long:                  fmt.Sprintf("Generate the completion script of kubectl-auth_paths for %s.\n\n%s", shell, completionLong),
			Args:                  cobra.NoArgs,
			DisableFlagsInUseLine: true,
			ValidArgsFunction:     cobra.NoFileCompletions,
			RunE: func(cmd *cobra.Command, _ []string) error {
				// Name the script after the executable for the duration of the generation.
				old := root.Use
				root.Use = BinaryName
				defer func() { root.Use = old }()
				return fn(cmd.OutOrStdout(), !noDesc)
			},
		}
		c.Flags().BoolVar(&noDesc, "no-descriptions", false, "disable completion descriptions")
		return c
	}
	cmd.AddCommand(
		gen("bash", func(w io.Writer, desc bool) error { return root.GenBashCompletionV2(w, desc) }),
		gen("zsh", func(w io.Writer, desc bool) error {
			if desc {
				return root.GenZshCompletion(w)
			}
			return root.GenZshCompletionNoDesc(w)
		}),
		gen("fish", func(w io.Writer, desc bool) error { return root.GenFishCompletion(w, desc) }),
		gen("powershell", func(w io.Writer, desc bool) error {
			if desc {
				return root.GenPowerShellCompletionWithDesc(w)
			}
			return root.GenPowerShellCompletion(w)
		}),
		&cobra.Command{
			Use:                   "kubectl",
			Short:                 "Print the kubectl_complete-auth_paths hook that makes kubectl auth-paths <TAB> work",
			Long:                  "Print the kubectl_complete-auth_paths hook that makes kubectl auth-paths <TAB> work.\n\n" + completionLong,
			Args:                  cobra.NoArgs,
			DisableFlagsInUseLine: true,
			ValidArgsFunction:     cobra.NoFileCompletions,
			RunE: func(cmd *cobra.Command, _ []string) error {
				_, err := io.WriteString(cmd.OutOrStdout(), KubectlCompletionHook)
				return err
			},
		},
	)
	return cmd
}
