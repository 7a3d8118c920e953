package cluster

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"time"
)

// KubernetesVersion is the k8s.io/kubernetes release the control plane is built from.
const KubernetesVersion = "v1.37.2"

// e2eModule is the module path of test/e2e.
const e2eModule = "github.com/auth-paths/kubectl-auth-paths/test/e2e"

// Binaries are the paths of the control-plane programs built from Go modules.
type Binaries struct {
	Etcd                  string
	KubeAPIServer         string
	KubeControllerManager string
	Kubectl               string
}

type binSpec struct {
	name string // file name in the cache
	pkg  string // package to build, relative to the e2e module
	dst  *string
}

// versionLDFlags stamps the binaries with the release they are built from, as the
// upstream release build does, so that `kubectl version` and discovery report it.
func versionLDFlags() string {
	var b strings.Builder
	b.WriteString("-s -w")
	minor := strings.Split(strings.TrimPrefix(KubernetesVersion, "v"), ".")[1]
	for _, pkg := range []string{"k8s.io/component-base/version", "k8s.io/client-go/pkg/version"} {
		fmt.Fprintf(&b, " -X %s.gitVersion=%s -X %s.gitMajor=1 -X %s.gitMinor=%s -X %s.gitTreeState=clean",
			pkg, KubernetesVersion, pkg, pkg, minor, pkg)
	}
	return b.String()
}

// CacheRoot is where built binaries are kept between runs:
// $AUTH_PATHS_E2E_CACHE, else $HOME/.cache/auth-paths-e2e.
func CacheRoot() (string, error) {
	if d := os.Getenv("AUTH_PATHS_E2E_CACHE"); d != "" {
		return filepath.Abs(d)
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", fmt.Errorf("no $HOME and no $AUTH_PATHS_E2E_CACHE: %w", err)
	}
	return filepath.Join(home, ".cache", "auth-paths-e2e"), nil
}

// ModuleRoot finds the test/e2e module directory by walking up from the
// working directory (go test runs in the package directory).
func ModuleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		data, err := os.ReadFile(filepath.Join(dir, "go.mod"))
		if err == nil && modulePath(data) == e2eModule {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("module %s not found above the working directory", e2eModule)
		}
		dir = parent
	}
}

// RepoRoot is the root of the kubectl-auth-paths checkout (two levels above test/e2e).
func RepoRoot() (string, error) {
	mod, err := ModuleRoot()
	if err != nil {
		return "", err
	}
	root := filepath.Dir(filepath.Dir(mod))
	if _, err := os.Stat(filepath.Join(root, "go.mod")); err != nil {
		return "", fmt.Errorf("no go.mod in repository root %s: %w", root, err)
	}
	return root, nil
}

func modulePath(gomod []byte) string {
	sc := bufio.NewScanner(bytes.NewReader(gomod))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) >= 2 && f[0] == "module" {
			return strings.Trim(f[1], `"`)
		}
	}
	return ""
}

// cacheKey names the cache directory: the Kubernetes version plus a hash of
// everything that decides the binaries' content.
func cacheKey(modRoot string) (string, error) {
	h := sha256.New()
	for _, f := range []string{"go.mod", "go.sum", "cmd/e2e-etcd/main.go"} {
		data, err := os.ReadFile(filepath.Join(modRoot, f))
		if err != nil {
			return "", err
		}
		fmt.Fprintf(h, "%s %d\n", f, len(data))
		h.Write(data)
	}
	fmt.Fprintf(h, "ldflags %s\ngo %s %s/%s\n", versionLDFlags(), runtime.Version(), runtime.GOOS, runtime.GOARCH)
	return KubernetesVersion + "-" + hex.EncodeToString(h.Sum(nil))[:12], nil
}

// EnsureBinaries builds (once, then reuses from the cache) etcd, kube-apiserver,
// kube-controller-manager and kubectl. The build runs under a file lock, so
// concurrent test processes (and the CI prefetch, cmd/e2e-binaries) do not
// build the same thing twice: the second one waits and reuses the first's.
func EnsureBinaries(logf func(format string, args ...any)) (Binaries, error) {
	var bins Binaries
	modRoot, err := ModuleRoot()
	if err != nil {
		return bins, err
	}
	root, err := CacheRoot()
	if err != nil {
		return bins, err
	}
	key, err := cacheKey(modRoot)
	if err != nil {
		return bins, err
	}
	dir := filepath.Join(root, key)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return bins, err
	}
	lock, err := os.OpenFile(filepath.Join(root, key+".lock"), os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return bins, err
	}
	defer lock.Close() //nolint:errcheck // closing releases the lock; nothing to report
	if err := syscall.Flock(int(lock.Fd()), syscall.LOCK_EX); err != nil {
		return bins, fmt.Errorf("locking the binary cache: %w", err)
	}
	defer func() { _ = syscall.Flock(int(lock.Fd()), syscall.LOCK_UN) }()

	specs := []binSpec{
		{"etcd", "./cmd/e2e-etcd", &bins.Etcd},
		{"kube-apiserver", "k8s.io/kubernetes/cmd/kube-apiserver", &bins.KubeAPIServer},
		{"kube-controller-manager", "k8s.io/kubernetes/cmd/kube-controller-manager", &bins.KubeControllerManager},
		{"kubectl", "k8s.io/kubernetes/cmd/kubectl", &bins.Kubectl},
	}
	var missing []binSpec
	for _, s := range specs {
		dst := filepath.Join(dir, s.name)
		*s.dst = dst
		if fi, err := os.Stat(dst); err == nil && fi.Mode().IsRegular() && fi.Mode()&0o111 != 0 {
			continue
		}
		missing = append(missing, s)
	}
	if len(missing) > 0 {
		if err := buildAll(dir, modRoot, missing, logf); err != nil {
			return bins, err
		}
	}
	for _, s := range specs {
		if _, err := os.Stat(*s.dst); err != nil {
			return bins, errors.Join(fmt.Errorf("binary %s missing after build", s.name), err)
		}
	}
	return bins, nil
}

// buildAll builds the missing binaries with one `go build -o TMPDIR/ pkg...`:
// the go command then schedules the packages of all of them together, so both
// cores stay busy through each binary's long compile chain and its link,
// where four sequential builds leave one core idle at every tail. The results
// are renamed into the cache only when all of them are built.
func buildAll(dir, modRoot string, specs []binSpec, logf func(format string, args ...any)) error {
	goBin, err := exec.LookPath("go")
	if err != nil {
		return fmt.Errorf("the go command is needed to build the control plane: %w", err)
	}
	tmp, err := os.MkdirTemp(dir, ".build-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp) //nolint:errcheck // a leftover temporary directory is harmless
	names := make([]string, 0, len(specs))
	args := []string{"build", "-trimpath", "-buildvcs=false", "-ldflags", versionLDFlags(), "-o", tmp + string(filepath.Separator)}
	for _, s := range specs {
		names = append(names, s.name)
		args = append(args, s.pkg)
	}
	logf("building %s into %s with one go build; the first build takes several minutes", strings.Join(names, ", "), dir)
	start := time.Now()
	cmd := exec.Command(goBin, args...)
	cmd.Dir = modRoot
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOWORK=off", "GOFLAGS=-mod=readonly")
	out, err := cmd.CombinedOutput()
	if err != nil {
		return fmt.Errorf("go %s: %w\n%s", strings.Join(args, " "), err, out)
	}
	for _, s := range specs {
		// go build -o DIR/ names each program after the last element of its
		// import path (cmd/e2e-etcd -> e2e-etcd); the cache uses s.name.
		built := filepath.Join(tmp, path.Base(s.pkg))
		if err := os.Rename(built, filepath.Join(dir, s.name)); err != nil {
			return fmt.Errorf("go build did not produce %s: %w", s.name, err)
		}
	}
	logf("built %s in %s", strings.Join(names, ", "), time.Since(start).Round(time.Second))
	return nil
}
