package cmd

import (
	"strings"
	"sync"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// helpWidth is the column the help of every command fits in: flag
// descriptions are wrapped to it, and a test renders every command's help
// through the binary and fails on a longer line.
const helpWidth = 120

var registerHelpFuncs sync.Once

// setHelpLayout makes cmd's help (and that of its subcommands, which inherit
// the usage template) wrap the flag descriptions at helpWidth. pflag's
// default layout never wraps: one long description, or a value name taken
// by mistake from back quotes in a usage string, pushed every description
// of a command to the far right.
func setHelpLayout(cmd *cobra.Command) {
	registerHelpFuncs.Do(func() {
		cobra.AddTemplateFunc("wrappedFlagUsages", func(fs *pflag.FlagSet) string { return fs.FlagUsagesWrapped(helpWidth) })
	})
	t := cmd.UsageTemplate()
	t = strings.ReplaceAll(t, "{{.LocalFlags.FlagUsages", "{{wrappedFlagUsages .LocalFlags")
	t = strings.ReplaceAll(t, "{{.InheritedFlags.FlagUsages", "{{wrappedFlagUsages .InheritedFlags")
	cmd.SetUsageTemplate(t)
}
