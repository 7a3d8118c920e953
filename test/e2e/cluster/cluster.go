// Package cluster runs a real, minimal Kubernetes control plane for the e2e
// tests: etcd (embedded etcd server in a small program), kube-apiserver with
// RBAC as its only authorizer, and kube-controller-manager with the
// ClusterRole aggregation and ServiceAccount controllers. Everything listens on
// loopback with random ports and lives in a temporary directory; Stop ends
// every process it started.
package cluster

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// Static users known to the apiserver through --token-auth-file. The admin is in
// system:masters; the others have no RBAC grants of their own.
const (
	AdminUser = "e2e-admin"
	// ControllerManagerUser is the identity of kube-controller-manager.
	ControllerManagerUser = "system:kube-controller-manager"
)

// StaticUser is one line of the token file.
type StaticUser struct {
	Name   string
	Token  string
	Groups []string
}

// Cluster is a running control plane.
type Cluster struct {
	// Dir holds every file of this cluster: data, certificates, kubeconfigs, logs.
	Dir string
	// Server is the https URL of kube-apiserver.
	Server string
	// EtcdURL is etcd's client URL (plain http on loopback, no authentication).
	EtcdURL string
	// Kubeconfig is the admin kubeconfig (user AdminUser, group system:masters).
	Kubeconfig string
	// AdminToken is the bearer token of AdminUser.
	AdminToken string
	// Users are all static token users, by name (AdminUser included).
	Users map[string]StaticUser
	// CAFile verifies the apiserver's self-signed serving certificate.
	CAFile string
	// Bin are the binaries the cluster runs (kubectl included).
	Bin Binaries

	logf     func(string, ...any)
	procs    []*process
	stopOnce sync.Once
	keepDir  bool
}

type process struct {
	name    string
	cmd     *exec.Cmd
	logPath string
	logFile *os.File
	done    chan struct{}
	err     error
}

// Options tune Start. The zero value is fine.
type Options struct {
	// Logf receives progress messages; nil discards them.
	Logf func(format string, args ...any)
	// Dir is the parent of the cluster's directory; "" means os.TempDir().
	Dir string
	// ExtraUsers are added to the token file besides the admin and the controller manager.
	ExtraUsers []StaticUser
	// APIServerArgs are added to kube-apiserver's flags (e.g. --audit-policy-file,
	// --audit-log-path); relative paths are taken in the cluster's directory.
	APIServerArgs []string
	// Controllers are kube-controller-manager's --controllers; nil means
	// DefaultControllers. The clusterrole aggregation controller must be one of
	// them: Start waits for it.
	Controllers []string
}

// DefaultControllers are the controllers the RBAC tests need: ClusterRole
// aggregation, ServiceAccounts (the "default" one of each namespace), their
// token Secrets and the root CA ConfigMap.
var DefaultControllers = []string{
	"clusterrole-aggregation-controller",
	"serviceaccount-controller",
	"serviceaccount-token-controller",
	"root-ca-certificate-publisher-controller",
}

// DefaultExtraUsers are a few static users without RBAC grants, for tests that
// act as a non-admin.
var DefaultExtraUsers = []StaticUser{
	{Name: "alice", Groups: []string{"developers"}},
	{Name: "bob", Groups: []string{"developers", "ops"}},
	{Name: "carol"},
}

// New builds the binaries if needed and starts a control plane. The caller
// must call Stop.
func New(opts Options) (*Cluster, error) {
	logf := opts.Logf
	if logf == nil {
		logf = func(string, ...any) {}
	}
	bins, err := EnsureBinaries(logf)
	if err != nil {
		return nil, err
	}
	extra := opts.ExtraUsers
	if extra == nil {
		extra = DefaultExtraUsers
	}
	var lastErr error
	for attempt := 1; attempt <= 3; attempt++ {
		c, err := start(bins, opts, extra, logf)
		if err == nil {
			return c, nil
		}
		lastErr = err
		logf("control plane start attempt %d failed: %v", attempt, err)
	}
	return nil, lastErr
}

func start(bins Binaries, opts Options, extra []StaticUser, logf func(string, ...any)) (c *Cluster, err error) {
	dir, err := os.MkdirTemp(opts.Dir, "auth-paths-e2e-")
	if err != nil {
		return nil, err
	}
	c = &Cluster{Dir: dir, Bin: bins, logf: logf, Users: map[string]StaticUser{}}
	defer func() {
		if err != nil {
			err = fmt.Errorf("%w\n%s", err, c.LogTails(60))
			c.keepDir = os.Getenv("AUTH_PATHS_E2E_KEEP") != ""
			c.Stop()
		}
	}()

	ports, err := freePorts(3)
	if err != nil {
		return c, err
	}
	etcdClient := fmt.Sprintf("http://127.0.0.1:%d", ports[0])
	etcdPeer := fmt.Sprintf("http://127.0.0.1:%d", ports[1])
	c.EtcdURL = etcdClient
	apiPort := ports[2]
	c.Server = fmt.Sprintf("https://127.0.0.1:%d", apiPort)

	for _, sub := range []string{"etcd", "certs", "kube"} {
		if err := os.MkdirAll(filepath.Join(dir, sub), 0o700); err != nil {
			return c, err
		}
	}

	// Static token users.
	users := append([]StaticUser{
		{Name: AdminUser, Groups: []string{"system:masters"}},
		{Name: ControllerManagerUser, Groups: []string{"system:masters"}},
	}, extra...)
	var tokens bytes.Buffer
	for _, u := range users {
		if u.Token == "" {
			u.Token = randomToken()
		}
		c.Users[u.Name] = u
		fmt.Fprintf(&tokens, "%s,%s,%s,%q\n", u.Token, u.Name, "uid-"+u.Name, strings.Join(u.Groups, ","))
	}
	c.AdminToken = c.Users[AdminUser].Token
	tokenFile := filepath.Join(dir, "kube", "tokens.csv")
	if err := os.WriteFile(tokenFile, tokens.Bytes(), 0o600); err != nil {
		return c, err
	}

	// ServiceAccount signing key.
	saKey := filepath.Join(dir, "kube", "sa.key")
	saPub := filepath.Join(dir, "kube", "sa.pub")
	if err := writeRSAKeyPair(saKey, saPub); err != nil {
		return c, err
	}

	// etcd.
	if err := c.run("etcd", bins.Etcd,
		"--data-dir", filepath.Join(dir, "etcd"),
		"--client-url", etcdClient,
		"--peer-url", etcdPeer,
	); err != nil {
		return c, err
	}
	// Its own "ready" line, not an open port: the port was free when chosen,
	// but another test process's etcd may have taken it since, and this etcd
	// then exits while the apiserver would use the other one's data.
	etcdReady := "e2e-etcd: ready on " + etcdClient + "\n"
	if err := c.waitFor("etcd", 60*time.Second, func() error {
		data, err := os.ReadFile(filepath.Join(dir, "logs", "etcd.log"))
		if err != nil {
			return err
		}
		if !strings.Contains(string(data), etcdReady) {
			return errors.New("etcd has not said it is ready")
		}
		return nil
	}); err != nil {
		return c, err
	}

	// kube-apiserver.
	certDir := filepath.Join(dir, "certs")
	if err := c.run("kube-apiserver", bins.KubeAPIServer, append([]string{
		"--etcd-servers=" + etcdClient,
		"--bind-address=127.0.0.1",
		"--advertise-address=127.0.0.1",
		"--secure-port=" + strconv.Itoa(apiPort),
		"--cert-dir=" + certDir,
		"--authorization-mode=RBAC",
		"--anonymous-auth=true",
		"--token-auth-file=" + tokenFile,
		"--service-account-key-file=" + saPub,
		"--service-account-signing-key-file=" + saKey,
		"--service-account-issuer=https://kubernetes.default.svc.cluster.local",
		"--api-audiences=https://kubernetes.default.svc.cluster.local",
		"--service-cluster-ip-range=10.96.0.0/24",
		"--endpoint-reconciler-type=none",
		"--enable-priority-and-fairness=false",
		"--profiling=false",
		"--v=1",
	}, opts.APIServerArgs...)...,
	); err != nil {
		return c, err
	}
	if err := c.waitReady(3 * time.Minute); err != nil {
		return c, err
	}
	c.CAFile = filepath.Join(certDir, "apiserver.crt")

	c.Kubeconfig = filepath.Join(dir, "kube", "admin.kubeconfig")
	if err := writeKubeconfig(c.Kubeconfig, c.Server, c.CAFile, AdminUser, c.AdminToken); err != nil {
		return c, err
	}
	kcmKubeconfig := filepath.Join(dir, "kube", "kcm.kubeconfig")
	if err := writeKubeconfig(kcmKubeconfig, c.Server, c.CAFile, ControllerManagerUser, c.Users[ControllerManagerUser].Token); err != nil {
		return c, err
	}

	// kube-controller-manager: only the controllers the tests need.
	controllers := opts.Controllers
	if controllers == nil {
		controllers = DefaultControllers
	}
	kcmArgs := []string{
		"--kubeconfig=" + kcmKubeconfig,
		"--authentication-kubeconfig=" + kcmKubeconfig,
		"--authorization-kubeconfig=" + kcmKubeconfig,
		"--controllers=" + strings.Join(controllers, ","),
		"--root-ca-file=" + c.CAFile,
		"--use-service-account-credentials=false",
		"--leader-elect=false",
		"--bind-address=127.0.0.1",
		"--secure-port=0",
		"--v=1",
	}
	// The signing key alone starts the token controller, whatever --controllers
	// says: it fills token Secrets and deletes those of missing ServiceAccounts.
	if slices.Contains(controllers, "serviceaccount-token-controller") {
		kcmArgs = append(kcmArgs, "--service-account-private-key-file="+saKey)
	}
	if err := c.run("kube-controller-manager", bins.KubeControllerManager, kcmArgs...); err != nil {
		return c, err
	}
	// The system namespaces are created asynchronously by the apiserver's
	// system namespaces controller, which retries a failed create only a
	// minute later (pkg/controlplane/controller/systemnamespaces): on a
	// loaded machine its creates failed for the whole wait three times in a
	// row (fresh-machine CI of 6fc2479, 150 s each). What the tests need is
	// the namespaces, not that controller: after 30 s, each poll creates
	// those still missing itself (an AlreadyExists is the controller's).
	systemNS := []string{"default", "kube-system", "kube-public"}
	nsSince := time.Now()
	if err := c.waitFor("system namespaces", 150*time.Second, func() error {
		_, err := c.Kubectl(append([]string{"get", "namespace"}, append(systemNS, "-o", "name")...)...)
		if err != nil && time.Since(nsSince) > 30*time.Second {
			for _, ns := range systemNS {
				_, _ = c.Kubectl("create", "namespace", ns) // checked by the next get
			}
		}
		return err
	}); err != nil {
		return c, err
	}
	// The bootstrap ClusterRole "admin" is aggregated from others: once it has
	// rules, the aggregation controller is working.
	if err := c.waitFor("clusterrole-aggregation controller", 2*time.Minute, func() error {
		out, err := c.Kubectl("get", "clusterrole", "admin", "-o", "jsonpath={.rules[*].verbs}")
		if err != nil {
			return err
		}
		if strings.TrimSpace(out) == "" {
			return errors.New(`ClusterRole "admin" has no rules yet`)
		}
		return nil
	}); err != nil {
		return c, err
	}
	logf("control plane up: %s (dir %s)", c.Server, dir)
	return c, nil
}

// run starts one program with its output in DIR/logs/NAME.log.
func (c *Cluster) run(name, bin string, args ...string) error {
	logDir := filepath.Join(c.Dir, "logs")
	if err := os.MkdirAll(logDir, 0o755); err != nil {
		return err
	}
	logPath := filepath.Join(logDir, name+".log")
	lf, err := os.Create(logPath)
	if err != nil {
		return err
	}
	cmd := exec.Command(bin, args...)
	cmd.Stdout = lf
	cmd.Stderr = lf
	cmd.Dir = c.Dir
	// Own process group, and die with the test process should it be killed.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		_ = lf.Close()
		return fmt.Errorf("starting %s: %w", name, err)
	}
	p := &process{name: name, cmd: cmd, logPath: logPath, logFile: lf, done: make(chan struct{})}
	go func() {
		p.err = cmd.Wait()
		_ = lf.Close()
		close(p.done)
	}()
	c.procs = append(c.procs, p)
	c.logf("started %s (pid %d), log %s", name, cmd.Process.Pid, logPath)
	return nil
}

func (c *Cluster) exited() error {
	for _, p := range c.procs {
		select {
		case <-p.done:
			return fmt.Errorf("%s exited: %v", p.name, p.err)
		default:
		}
	}
	return nil
}

func (c *Cluster) waitFor(what string, timeout time.Duration, check func() error) error {
	deadline := time.Now().Add(timeout)
	var last error
	for {
		if err := c.exited(); err != nil {
			return fmt.Errorf("waiting for %s: %w", what, err)
		}
		if last = check(); last == nil {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%s not ready after %s: %w", what, timeout, last)
		}
		time.Sleep(250 * time.Millisecond)
	}
}

func (c *Cluster) waitReady(timeout time.Duration) error {
	client := &http.Client{
		Timeout: 5 * time.Second,
		// The serving certificate is not there until the apiserver wrote it;
		// readiness is only a probe, the kubeconfig verifies the certificate.
		Transport: &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}}, //nolint:gosec // loopback readiness probe
	}
	defer client.CloseIdleConnections()
	return c.waitFor("kube-apiserver /readyz", timeout, func() error {
		req, err := http.NewRequestWithContext(context.Background(), http.MethodGet, c.Server+"/readyz", nil)
		if err != nil {
			return err
		}
		req.Header.Set("Authorization", "Bearer "+c.AdminToken)
		resp, err := client.Do(req)
		if err != nil {
			return err
		}
		body, _ := io.ReadAll(resp.Body)
		_ = resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			return fmt.Errorf("/readyz: %s: %s", resp.Status, lastLines(string(body), 5))
		}
		return nil
	})
}

// Kubectl runs the built kubectl as the admin and returns its standard output.
// The error carries the standard error.
func (c *Cluster) Kubectl(args ...string) (string, error) {
	return c.KubectlStdin(nil, args...)
}

// KubectlStdin is Kubectl with standard input.
func (c *Cluster) KubectlStdin(stdin io.Reader, args ...string) (string, error) {
	cmd := c.KubectlCmd(args...)
	cmd.Stdin = stdin
	var out, errb bytes.Buffer
	cmd.Stdout = &out
	cmd.Stderr = &errb
	if err := cmd.Run(); err != nil {
		return out.String(), fmt.Errorf("kubectl %s: %w: %s", strings.Join(args, " "), err, strings.TrimSpace(errb.String()))
	}
	return out.String(), nil
}

// KubectlCmd prepares the built kubectl with the admin kubeconfig, for callers
// that need to change its environment (for instance PATH for plugins).
func (c *Cluster) KubectlCmd(args ...string) *exec.Cmd {
	cmd := exec.Command(c.Bin.Kubectl, append([]string{"--kubeconfig=" + c.Kubeconfig}, args...)...)
	cmd.Env = append(os.Environ(),
		"KUBECONFIG="+c.Kubeconfig,
		"KUBECACHEDIR="+filepath.Join(c.Dir, "kubectl-cache"),
	)
	return cmd
}

// KubeconfigFor writes a kubeconfig for a static token user and returns its path.
func (c *Cluster) KubeconfigFor(user string) (string, error) {
	u, ok := c.Users[user]
	if !ok {
		return "", fmt.Errorf("no static user %q", user)
	}
	path := filepath.Join(c.Dir, "kube", "user-"+strings.NewReplacer(":", "_", "/", "_").Replace(user)+".kubeconfig")
	return path, writeKubeconfig(path, c.Server, c.CAFile, u.Name, u.Token)
}

// LogTails returns the last n lines of each component's log.
func (c *Cluster) LogTails(n int) string {
	var b strings.Builder
	for _, p := range c.procs {
		data, err := os.ReadFile(p.logPath)
		if err != nil {
			fmt.Fprintf(&b, "=== %s: %v\n", p.name, err)
			continue
		}
		fmt.Fprintf(&b, "=== last %d lines of %s (%s)\n%s\n", n, p.name, p.logPath, lastLines(string(data), n))
	}
	return b.String()
}

// KeepDir keeps the cluster directory (logs, data) after Stop.
func (c *Cluster) KeepDir() { c.keepDir = true }

// Stop ends every process of the cluster (SIGTERM, then SIGKILL to its process
// group) in reverse start order and removes the directory unless kept.
func (c *Cluster) Stop() {
	c.stopOnce.Do(func() {
		for i := len(c.procs) - 1; i >= 0; i-- {
			p := c.procs[i]
			select {
			case <-p.done:
				continue
			default:
			}
			_ = p.cmd.Process.Signal(syscall.SIGTERM)
			select {
			case <-p.done:
			case <-time.After(15 * time.Second):
				c.logf("%s did not stop on SIGTERM, killing it", p.name)
			}
			// Whatever is left of its process group.
			_ = syscall.Kill(-p.cmd.Process.Pid, syscall.SIGKILL)
			<-p.done
		}
		if c.keepDir || os.Getenv("AUTH_PATHS_E2E_KEEP") != "" {
			c.logf("kept cluster directory %s", c.Dir)
			return
		}
		_ = os.RemoveAll(c.Dir)
	})
}

func freePorts(n int) ([]int, error) {
	var ls []net.Listener
	defer func() {
		for _, l := range ls {
			_ = l.Close()
		}
	}()
	var ports []int
	for i := 0; i < n; i++ {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, err
		}
		ls = append(ls, l)
		ports = append(ports, l.Addr().(*net.TCPAddr).Port)
	}
	return ports, nil
}

func randomToken() string {
	b := make([]byte, 24)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return hex.EncodeToString(b)
}

func writeRSAKeyPair(keyPath, pubPath string) error {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return err
	}
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return err
	}
	if err := os.WriteFile(keyPath, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), 0o600); err != nil {
		return err
	}
	pub, err := x509.MarshalPKIXPublicKey(&key.PublicKey)
	if err != nil {
		return err
	}
	return os.WriteFile(pubPath, pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pub}), 0o644)
}

func writeKubeconfig(path, server, caFile, user, token string) error {
	cfg := fmt.Sprintf(`apiVersion: v1
kind: Config
clusters:
- name: e2e
  cluster:
    server: %s
    certificate-authority: %s
users:
- name: %q
  user:
    token: %s
contexts:
- name: e2e
  context:
    cluster: e2e
    user: %q
    namespace: default
current-context: e2e
`, server, caFile, user, token, user)
	return os.WriteFile(path, []byte(cfg), 0o600)
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
