package risk_test

import (
	"bufio"
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/auth-paths/kubectl-auth-paths/pkg/rbac"
	"github.com/auth-paths/kubectl-auth-paths/pkg/risk"
	"github.com/auth-paths/kubectl-auth-paths/pkg/source"
)

// kubehoundCorpus is the directory of the KubeHound attack fixtures (read
// only, outside the repository); KUBEHOUND_CORPUS overrides it.
func kubehoundCorpus() string {
	if d := os.Getenv("KUBEHOUND_CORPUS"); d != "" {
		return d
	}
	return filepath.Join("..", "..", "..", "shared", "corpus", "kubehound")
}

// corpusExpectation is what one fixture sets up: the attacker, and the
// primitive of the attack the fixture is named for (with the kind of node it
// leads to, when that matters: a container escape leads to a Node).
type corpusExpectation struct {
	attacker  string
	primitive string
	toPrefix  string
	// none lists identities of the fixture that must have no path (its
	// deliberate failure cases).
	none []string
}

// kubehoundExpect classifies every fixture by the KubeHound attack it comes
// from (the "# source:" header names the attack file). The container-escape
// (CE_*) and EXPLOIT_HOST_* fixtures give User "attacker" exec in namespace
// default, where the vulnerable pod runs on the worker that also runs a
// cluster-admin pod; the others put the attack's permission on a
// ServiceAccount whose next step is the ROLE_BIND_CRB_CR ServiceAccount.
var kubehoundExpect = map[string]corpusExpectation{
	"kubehound-ce-module-load":             {attacker: "User:attacker", primitive: "exec-pod", toPrefix: "Node:"},
	"kubehound-ce-nsenter":                 {attacker: "User:attacker", primitive: "exec-pod", toPrefix: "Node:"},
	"kubehound-ce-priv-mount":              {attacker: "User:attacker", primitive: "exec-pod", toPrefix: "Node:"},
	"kubehound-ce-sys-ptrace":              {attacker: "User:attacker", primitive: "exec-pod", toPrefix: "Node:"},
	"kubehound-ce-umh-core-pattern":        {attacker: "User:attacker", primitive: "exec-pod", toPrefix: "Node:"},
	"kubehound-ce-var-log-symlink":         {attacker: "User:attacker", primitive: "exec-pod", toPrefix: "Node:"},
	"kubehound-exploit-host-read-traverse": {attacker: "User:attacker", primitive: "exec-pod", toPrefix: "Node:"},
	"kubehound-exploit-host-write":         {attacker: "User:attacker", primitive: "exec-pod", toPrefix: "Node:"},
	// CONTROL_POD is KubeHound's control case: exec into a plain pod gives nothing.
	"kubehound-control-pod":          {none: []string{"User:attacker"}},
	"kubehound-identity-assume-node": {attacker: "system:node:kubehound.test.local-control-plane", primitive: "node-compromise"},
	// The namespaced Role cannot grant impersonation of users and groups
	// (cluster-scoped resources): only the ClusterRoleBinding one works.
	"kubehound-identity-impersonate": {attacker: "ServiceAccount:default:impersonate-sa-cluster", primitive: "impersonate",
		none: []string{"ServiceAccount:default:impersonate-sa"}},
	"kubehound-pod-create":             {attacker: "ServiceAccount:default:pod-create-sa", primitive: "create-workload"},
	"kubehound-pod-create-node-escape": {attacker: "ServiceAccount:default:pod-create-sa", primitive: "node-escape", toPrefix: "Node:"},
	"kubehound-pod-exec":               {attacker: "ServiceAccount:default:pod-exec-sa", primitive: "exec-pod"},
	"kubehound-pod-patch":              {attacker: "ServiceAccount:default:pod-patch-sa", primitive: "modify-workload"},
	"kubehound-role-bind": {attacker: "ServiceAccount:default:rolebind-sa-crb-cr-crb-cr", primitive: "bind",
		// ClusterRoleBindings reference only ClusterRoles, and a RoleBinding
		// cannot grant create on cluster-scoped clusterrolebindings.
		none: []string{
			"ServiceAccount:default:rolebind-sa-crb-cr-crb-r-fail",
			"ServiceAccount:default:rolebind-sa-rb-cr-crb-cr-fail",
			"ServiceAccount:default:rolebind-sa-rb-r-crb-cr-fail",
		}},
	// get without list: the token Secret's name must be known or guessed.
	"kubehound-token-bruteforce": {attacker: "ServiceAccount:default:tokenget-sa", primitive: "read-secrets"},
	"kubehound-token-list":       {attacker: "ServiceAccount:default:tokenlist-sa", primitive: "read-secrets"},
}

// TestKubeHoundCorpus checks that, for every KubeHound fixture, the attacker
// it sets up reaches cluster-admin through the attack the file is named for.
func TestKubeHoundCorpus(t *testing.T) {
	dir := kubehoundCorpus()
	files, err := filepath.Glob(filepath.Join(dir, "*.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Skipf("no KubeHound corpus in %s", dir)
	}
	for _, file := range files {
		name := strings.TrimSuffix(filepath.Base(file), ".yaml")
		t.Run(name, func(t *testing.T) {
			if h := corpusHeader(t, file); h != name {
				t.Fatalf("header names scenario %q, file is %s", h, name)
			}
			exp, ok := kubehoundExpect[name]
			if !ok {
				t.Fatalf("fixture %s is not classified in kubehoundExpect: add its attacker and primitive", name)
			}
			inv, err := source.LoadFiles(source.FileOptions{Filenames: []string{file}})
			if err != nil {
				t.Fatal(err)
			}
			var subjects []rbac.Subject
			for _, s := range append([]string{exp.attacker}, exp.none...) {
				if s == "" {
					continue
				}
				subj, err := rbac.ParseSubject(s)
				if err != nil {
					t.Fatal(err)
				}
				subjects = append(subjects, subj)
			}
			a := risk.Analyze(inv, risk.Options{Identities: subjects, KeepCandidates: true})
			if exp.attacker != "" {
				n := a.Graph.Node(risk.SubjectKey(subjects[0]))
				if n == nil {
					t.Fatalf("attacker %s not in graph", exp.attacker)
				}
				paths := a.From(n, 16, -1)
				if len(paths) == 0 {
					t.Fatalf("%s: no path to cluster-admin; explain: %s", exp.attacker, explain(a, n))
				}
				if !anyPathUses(paths, exp.primitive, exp.toPrefix) {
					t.Errorf("%s: no path uses %s (to %s*): %+v", exp.attacker, exp.primitive, exp.toPrefix, paths)
				}
			}
			for _, s := range exp.none {
				subj, _ := rbac.ParseSubject(s)
				n := a.Graph.Node(risk.SubjectKey(subj))
				if n == nil {
					continue // no node: nothing reaches anything from it
				}
				if paths := a.From(n, 1, -1); len(paths) > 0 {
					t.Errorf("%s: expected no path, found %+v", s, paths[0])
				}
			}
		})
	}
}

func anyPathUses(paths []risk.Path, prim, toPrefix string) bool {
	for _, p := range paths {
		for i, s := range p.Steps {
			if s.Primitive == prim && strings.HasPrefix(s.To, toPrefix) {
				return true
			}
			// A step to the shared any-node scope reaches the Node picked next.
			if s.Primitive == prim && i+1 < len(p.Steps) && p.Steps[i+1].Primitive == "pick-node" && strings.HasPrefix(p.Steps[i+1].To, toPrefix) {
				return true
			}
		}
	}
	return false
}

// corpusHeader returns NAME from the fixture's "# scenario NAME" line.
func corpusHeader(t *testing.T, file string) string {
	t.Helper()
	raw, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(bytes.NewReader(raw))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if !strings.HasPrefix(line, "#") {
			break
		}
		if rest, ok := strings.CutPrefix(line, "# scenario "); ok {
			return strings.TrimSpace(rest)
		}
	}
	return ""
}
