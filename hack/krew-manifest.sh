#!/usr/bin/env bash
# Renders the krew plugin manifest of kubectl auth-paths (krew/auth-paths.yaml)
# from a goreleaser dist directory's checksums.txt.
#
#   hack/krew-manifest.sh DIST_DIR VERSION [BASE_URL] > auth-paths.yaml
#
# VERSION is the tag (vX.Y.Z, or a snapshot's v0.0.1-SNAPSHOT-abc1234).
# BASE_URL defaults to the GitHub release of VERSION; the archive name is
# appended. At release: hack/krew-manifest.sh dist vX.Y.Z > krew/auth-paths.yaml
# With DIST_DIR "-" the sha256 values are zeros (the committed manifest before
# the first release has no archives to hash). KREW_MANIFEST_ZERO_MISSING=1 gives
# zeros for the archives DIST_DIR lacks (the one-target CI snapshot of
# hack/dist-test.sh); a release never sets it.
set -euo pipefail

if [[ $# -lt 2 || $# -gt 3 ]]; then
  echo "usage: $0 DIST_DIR VERSION [BASE_URL]" >&2
  exit 2
fi
dist=$1
version=$2
base=${3:-https://github.com/auth-paths/kubectl-auth-paths/releases/download/${version}}
base=${base%/}
[[ $version == v* ]] || { echo "VERSION must start with v (krew requires it): $version" >&2; exit 2; }

project=kubectl-auth_paths
hook=kubectl_complete-auth_paths

sha256_of() { # archive name -> sha256 from checksums.txt
  local name=$1 sum
  if [[ $dist == - ]]; then
    printf '%064d\n' 0
    return
  fi
  sum=$(awk -v n="$name" '$2 == n || $2 == "*" n { print $1 }' "$dist/checksums.txt")
  if [[ -z $sum && ${KREW_MANIFEST_ZERO_MISSING:-0} == 1 && ! -e $dist/$name ]]; then
    printf '%064d\n' 0
    return
  fi
  if [[ ! $sum =~ ^[0-9a-f]{64}$ ]]; then
    echo "no sha256 for $name in $dist/checksums.txt" >&2
    exit 1
  fi
  echo "$sum"
}

echo "# Rendered by hack/krew-manifest.sh from the release's checksums.txt; do not edit by hand."
if [[ $dist == - ]]; then
  echo "# The sha256 values are zeros until the ${version} release archives exist."
fi
cat <<EOF
apiVersion: krew.googlecontainertools.github.com/v1alpha2
kind: Plugin
metadata:
  name: auth-paths
spec:
  version: ${version}
  homepage: https://github.com/auth-paths/kubectl-auth-paths
  shortDescription: Who can do what in RBAC, and who can become cluster-admin
  description: |
    Reads a cluster's RBAC, live or from \`kubectl get -o yaml|json\` dumps, and
    answers who can do what exactly as the kube-apiserver's RBAC authorizer
    decides it: verbs, API groups, subresources, resource names, non-resource
    URLs, RoleBinding scope and ClusterRole aggregation. \`who-can\` lists every
    subject allowed a request, with the binding, role and rule that allow it.
    Beyond single permissions, it follows the objects that make permissions
    dangerous (pods and their service accounts, nodes, workloads, token
    Secrets, webhooks, certificate signing requests) to find the paths by
    which a subject can become cluster-admin.
  caveats: |
    auth-paths only reads. Against a live cluster it needs:
      * get, list on clusterroles, clusterrolebindings, roles, rolebindings
      * get, list on serviceaccounts, namespaces, pods, nodes,
        persistentvolumes, persistentvolumeclaims, replicationcontrollers
      * get, list on deployments, replicasets, statefulsets, daemonsets,
        jobs, cronjobs
      * get, list on mutating/validating webhook configurations,
        validatingadmissionpolicies and their bindings
      * get, list on certificatesigningrequests
      * list on secrets, as metadata only, with the field selectors
        type=kubernetes.io/service-account-token and
        type=bootstrap.kubernetes.io/token; Secret data is never read
      * create on subjectaccessreviews, only for \`verify\`
    A list it may not read is reported, with what the results then miss.
    With -f it reads files and needs no cluster access.

    For \`kubectl auth-paths <TAB>\` completion (kubectl 1.26+, kubectl's own
    completion enabled) link the hook that krew unpacked but does not link:
      ln -sf "\${KREW_ROOT:-\$HOME/.krew}/store/auth-paths/${version}/${hook}" "\${KREW_ROOT:-\$HOME/.krew}/bin/"
  platforms:
EOF

for os in linux darwin windows; do
  for arch in amd64 arm64; do
    ext=tar.gz bin=$project
    if [[ $os == windows ]]; then
      ext=zip bin=$project.exe
    fi
    archive=${project}_${os}_${arch}.${ext}
    sum=$(sha256_of "$archive")
    cat <<EOF
  - selector:
      matchLabels:
        os: ${os}
        arch: ${arch}
    uri: ${base}/${archive}
    sha256: "${sum}"
    bin: ${bin}
    files:
    - from: ${bin}
      to: .
    - from: LICENSE
      to: .
EOF
    if [[ $os != windows ]]; then
      cat <<EOF
    - from: ${hook}
      to: .
EOF
    fi
  done
done
