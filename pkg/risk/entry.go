package risk

import (
	"fmt"
	"sort"
	"strings"

	"github.com/auth-paths/kubectl-auth-paths/graph"
	"github.com/auth-paths/kubectl-auth-paths/pkg/model"
	"github.com/auth-paths/kubectl-auth-paths/pkg/rbac"
)

// Entry kinds: where an attacker starts. The order is the exposure rank:
// anyone on the network first, a node's identity last.
const (
	EntryAnonymous      = "anonymous"
	EntryAuthenticated  = "authenticated"
	EntryPod            = "pod"
	EntryToken          = "token"
	EntryUser           = "user"
	EntryNode           = "node"
	EntryServiceAccount = "serviceaccount"
)

var entryRank = map[string]int{
	EntryAnonymous: 0, EntryAuthenticated: 1, EntryPod: 2, EntryToken: 3, EntryUser: 4, EntryNode: 5, EntryServiceAccount: 6,
}

// EntryKinds returns the entry kinds in exposure order.
func EntryKinds() []string {
	return []string{EntryAnonymous, EntryAuthenticated, EntryPod, EntryToken, EntryUser, EntryNode, EntryServiceAccount}
}

// groupBootstrappers holds every bootstrap token's identity.
const groupBootstrappers = "system:bootstrappers"

// Label for the last use of a legacy token (set by the apiserver since v1.29).
const labelLegacyTokenLastUsed = "kubernetes.io/legacy-token-last-used"

// Entry is a way an attacker can hold a path's first identity.
type Entry struct {
	Kind   string `json:"kind"`
	Detail string `json:"detail"`
}

// Entries returns how the identity of a node can be obtained, most exposed first.
func (a *Analysis) Entries(n *graph.Node) []Entry {
	var out []Entry
	switch n.Kind {
	case graph.KindUser:
		if n.Name == rbac.UserAnonymous {
			out = append(out, Entry{EntryAnonymous, "any request without credentials (anonymous authentication is on by default)"})
		} else {
			out = append(out, Entry{EntryUser, "the credentials of user " + n.Name})
		}
	case graph.KindGroup:
		switch {
		case n.Name == rbac.GroupUnauthenticated:
			out = append(out, Entry{EntryAnonymous, "any request without credentials is in system:unauthenticated"})
		case n.Name == rbac.GroupAuthenticated:
			out = append(out, Entry{EntryAuthenticated, "every authenticated user and ServiceAccount"})
		case n.Name == rbac.GroupServiceAccounts:
			out = append(out, Entry{EntryAuthenticated, "every ServiceAccount of every namespace (any pod's token)"})
		case strings.HasPrefix(n.Name, rbac.GroupServiceAccountsPrefix):
			ns := strings.TrimPrefix(n.Name, rbac.GroupServiceAccountsPrefix)
			out = append(out, a.podEntriesInNamespace(ns)...)
			out = append(out, Entry{EntryServiceAccount, "any ServiceAccount of namespace " + ns})
		case n.Name == groupBootstrappers || strings.HasPrefix(n.Name, groupBootstrappers+":"):
			// Every bootstrap token is in system:bootstrappers; a
			// system:bootstrappers:* group comes only from a token's
			// auth-extra-groups, which sit in the data that is never read.
			out = append(out, a.bootstrapEntries()...)
			out = append(out, Entry{EntryUser, "members of group " + n.Name})
		default:
			out = append(out, Entry{EntryUser, "members of group " + n.Name})
		}
	case graph.KindServiceAccount:
		out = append(out, a.saEntries(n.Namespace, n.Name)...)
	case graph.KindNode:
		out = append(out, Entry{EntryNode, "the kubelet credentials of node " + n.Name + " (or a pod escaping to it)"})
	}
	sort.SliceStable(out, func(i, j int) bool { return entryRank[out[i].Kind] < entryRank[out[j].Kind] })
	return out
}

func (a *Analysis) saEntries(ns, name string) []Entry {
	var out []Entry
	for _, p := range a.podsRunningAs(ns, name) {
		if running, _ := podRunning(p); !running || !a.tokenMounted(p) {
			continue
		}
		out = append(out, Entry{EntryPod, fmt.Sprintf("compromise of pod %s/%s (image %s), which mounts the token", ns, p.Name, strings.Join(p.Spec.Images, ", "))})
	}
	for _, s := range a.tokenSecretsOf(ns, name) {
		out = append(out, Entry{EntryToken, legacyTokenDetail(s)})
	}
	if len(out) == 0 {
		out = append(out, Entry{EntryServiceAccount, "a token of ServiceAccount " + ns + "/" + name + " (no running pod mounts one; no legacy token Secret)"})
	}
	return out
}

func legacyTokenDetail(s *model.Secret) string {
	d := fmt.Sprintf("long-lived legacy token Secret %s/%s", s.Namespace, s.Name)
	if s.CreationTimestamp != "" {
		d += ", created " + s.CreationTimestamp
	}
	if last, ok := s.Labels[labelLegacyTokenLastUsed]; ok {
		d += ", last used " + last
	} else {
		d += ", no recorded use (" + labelLegacyTokenLastUsed + " absent)"
	}
	return d
}

func (a *Analysis) podEntriesInNamespace(ns string) []Entry {
	var out []Entry
	for _, p := range a.podsByNS[ns] {
		if running, _ := podRunning(p); running && a.tokenMounted(p) {
			out = append(out, Entry{EntryPod, fmt.Sprintf("compromise of any pod of %s, e.g. %s (image %s)", ns, p.Name, strings.Join(p.Spec.Images, ", "))})
			break
		}
	}
	return out
}

func (a *Analysis) bootstrapEntries() []Entry {
	var out []Entry
	for _, s := range a.Inv.Secrets {
		if s.Type == model.SecretTypeBootstrapToken {
			out = append(out, Entry{EntryToken, fmt.Sprintf("bootstrap token Secret %s/%s: whoever holds it authenticates as system:bootstrap:<id> in system:bootstrappers and its auth-extra-groups (expiration, usages and extra groups are in its data, which is never read)", s.Namespace, s.Name)})
		}
	}
	return out
}

// Exposure is the rank of a path's most exposed entry (lower is worse).
func Exposure(entries []Entry) int {
	best := len(entryRank)
	for _, e := range entries {
		if r := entryRank[e.Kind]; r < best {
			best = r
		}
	}
	return best
}

// HasEntry reports whether one of the entries is of the kind ("user" also matches groups of humans).
func HasEntry(entries []Entry, kind string) bool {
	for _, e := range entries {
		if e.Kind == kind {
			return true
		}
	}
	return false
}
