// Command gen writes a deterministic, realistic large cluster as one v1 List,
// the shape `kubectl get … -A -o json` prints, for benchmarks:
//
//	go run ./hack/gen -namespaces 5000 -seed 1 > dump.json
//	go run ./hack/gen -namespaces 200 -format yaml > dump.yaml
//	go run ./hack/gen -namespaces 1000 -shape hostile > hostile.json
//	go run ./hack/gen -namespaces 1000 -shape wide > wide.json
//	go run ./hack/gen -namespaces 300 -shape groupwide > groupwide.json
//	go run ./hack/gen -namespaces 1000 -shape authedit > authedit.json
//
// See package hack/gen/cluster for what it contains.
package main

import (
	"bufio"
	"flag"
	"fmt"
	"os"
	"slices"
	"strings"

	"github.com/auth-paths/kubectl-auth-paths/hack/gen/cluster"
)

func main() {
	n := flag.Int("namespaces", 100, "number of namespaces")
	seed := flag.Uint64("seed", 1, "random seed (same seed, same output)")
	format := flag.String("format", "json", "output format: json or yaml")
	shape := flag.String("shape", cluster.ShapeDefault, "cluster shape: default, hostile (the shapes that make an analysis superlinear), wide (many nodes, aggregated roles, webhook configurations, rules naming objects of every namespace), groupwide (view bound to every ServiceAccount and edit to every identity, in every namespace), policies (hostile plus an admission policy per 50 namespaces), authedit (hostile plus edit for every identity in every namespace) or operators (hostile plus, bound cluster-wide to N/20 ServiceAccounts each: ephemeral containers on any pod, bind on Roles, bind on ClusterRoles by updating RoleBindings, impersonation of thirty named users and groups) rebinders (hostile plus, in every tenth namespace, a bot that may add itself to one named RoleBinding of admin, through two bindings) aggregated (hostile plus, per fifth namespace, an operator's ClusterRoles for its custom resource aggregated into admin, edit and view) fanin (hostile plus, in every namespace, edit for the default ServiceAccounts of 60 other namespaces), monolith (hostile plus one namespace with, per team namespace, three ServiceAccounts bound to exec, deploy, read-secrets or create-pods Roles and fifteen running pods), legacytokens (monolith with a legacy token Secret per ServiceAccount there, each allowed to read its own, mint its own token and patch its team's Deployment by name, and get-only exec) or hardened (monolith with no token mounted in its pods); see package cluster")
	flag.Parse()
	if *n < 1 {
		fmt.Fprintln(os.Stderr, "gen: -namespaces must be at least 1")
		os.Exit(2)
	}
	if *format != "json" && *format != "yaml" {
		fmt.Fprintln(os.Stderr, "gen: -format must be json or yaml")
		os.Exit(2)
	}
	if !slices.Contains(cluster.Shapes, *shape) {
		fmt.Fprintln(os.Stderr, "gen: -shape must be one of "+strings.Join(cluster.Shapes, ", "))
		os.Exit(2)
	}
	w := bufio.NewWriterSize(os.Stdout, 1<<20)
	if err := cluster.WriteShape(w, *n, *seed, *format, *shape); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
	if err := w.Flush(); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}
