#!/usr/bin/env bash
# Writes testdata/plugins/kubernetes-defaults-bootstrap/input.yaml: a default
# cluster of the release — its whole bootstrap RBAC policy, verbatim from the
# release's bootstrappolicy testdata, plus what every cluster also has (the
# four namespaces, the controllers' ServiceAccounts, a node and a CoreDNS
# Deployment with its ReplicaSet and pod, as kubeadm installs it).
#
#   hack/kubernetes-defaults/scenario.sh $(go env GOMODCACHE)/k8s.io/kubernetes@v1.37.2
set -euo pipefail
k8s=${1:?usage: scenario.sh KUBERNETES_MODULE_DIR}
dir=$k8s/plugin/pkg/auth/authorizer/rbac/bootstrappolicy/testdata
cd "$(dirname "$0")/../.."
out=testdata/plugins/kubernetes-defaults-bootstrap/input.yaml
mkdir -p "$(dirname "$out")"
{
  for f in cluster-roles cluster-role-bindings controller-roles controller-role-bindings namespace-roles namespace-role-bindings; do
    echo "---"
    echo "# $f.yaml of the release's bootstrappolicy testdata"
    cat "$dir/$f.yaml"
  done
  for ns in default kube-system kube-public kube-node-lease; do
    printf -- '---\napiVersion: v1\nkind: Namespace\nmetadata: {name: %s}\n' "$ns"
    printf -- '---\napiVersion: v1\nkind: ServiceAccount\nmetadata: {name: default, namespace: %s}\n' "$ns"
  done
  # The controllers' ServiceAccounts (kube-controller-manager --use-service-account-credentials creates them).
  grep -A3 'kind: ServiceAccount' "$dir/controller-role-bindings.yaml" | awk '$1 == "name:" {print $2}' | sort -u |
    while read -r sa; do
      printf -- '---\napiVersion: v1\nkind: ServiceAccount\nmetadata: {name: %s, namespace: kube-system}\n' "$sa"
    done
  cat hack/kubernetes-defaults/cluster.yaml
} > "$out"
echo "wrote $out"
