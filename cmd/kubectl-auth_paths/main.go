// Command kubectl-auth_paths is the kubectl auth-paths plugin.
package main

import (
	"os"

	"github.com/auth-paths/kubectl-auth-paths/pkg/cmd"
)

func main() {
	os.Exit(cmd.Execute())
}
