package cluster

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
)

// BuildPlugin builds the repository's kubectl-auth_paths into DIR/bin (or
// returns $AUTH_PATHS_E2E_PLUGIN, a prebuilt one) and returns its path. Its
// directory is what goes on PATH for kubectl's plugin discovery.
func BuildPlugin(dir string) (string, error) {
	if p := os.Getenv("AUTH_PATHS_E2E_PLUGIN"); p != "" {
		return filepath.Abs(p)
	}
	root, err := RepoRoot()
	if err != nil {
		return "", err
	}
	bin := filepath.Join(dir, "bin", "kubectl-auth_paths")
	cmd := exec.Command("go", "build", "-o", bin, "./cmd/kubectl-auth_paths")
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "GOWORK=off", "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("building kubectl-auth_paths: %w\n%s", err, out)
	}
	return bin, nil
}
