package risk

import (
	"fmt"
	"strings"

	"github.com/auth-paths/kubectl-auth-paths/graph"
	"github.com/auth-paths/kubectl-auth-paths/pkg/model"
)

// attachablePodsScope is "the running pods of ns with a container that
// keeps stdin open" (of every namespace for allNamespaces): each such pod
// with a ServiceAccount token mounted, picked for that ServiceAccount, and
// each one that reaches its node (hostCandidates), picked for what it
// reaches there. Every pick assumes, as attach-pod's step to one pod does,
// that the container's main process reads commands. Whoever may attach to
// every pod there reaches the same identities: one step into the scope
// instead of one per pod, which made attach grow as (principals that may
// attach) × (pods with stdin) in a namespace of many. It is nil when no
// pick holds.
func (a *Analysis) attachablePodsScope(ns string) *graph.Node {
	return a.perNamespaceScope("attachable-pods", "running pods with stdin open", "every namespace", ns, func(n string, picks []Candidate) []Candidate {
		for _, pod := range a.podsByNS[n] {
			picks = a.attachablePodPicks(pod, picks)
		}
		return picks
	})
}

// attachablePodPicks appends a pod's picks (attachablePodsScope).
func (a *Analysis) attachablePodPicks(pod *model.Pod, picks []Candidate) []Candidate {
	if len(pod.Spec.Stdin) == 0 {
		return picks
	}
	running, note := podRunning(pod)
	if !running {
		return picks
	}
	if a.tokenMounted(pod) {
		picks = append(picks, Candidate{Primitive: pickServiceAccount, To: a.SANode(pod.Namespace, pod.Spec.ServiceAccountName), Holds: true, Assumed: true, Later: stdinOpenIn{pod}})
	}
	if a.mayReachHost(pod) {
		how := fmt.Sprintf("commands written to container %s of pod %s/%s, which keeps stdin open (assumes its main process reads them)", strings.Join(pod.Spec.Stdin, " or "), pod.Namespace, pod.Name)
		for _, c := range hostCandidates(a, pickServiceAccount, pod, how, note, rbacBound{}) {
			if c.To.Kind == graph.KindNode {
				c.Primitive = pickNode
			}
			c.Hops, c.Grants, c.Assumed = 0, nil, true
			picks = append(picks, c)
		}
	}
	return picks
}

// stdinOpenIn is the condition of a pod's pick of its ServiceAccount
// (attachablePodsScope), rendered when read.
type stdinOpenIn struct{ pod *model.Pod }

func (c stdinOpenIn) String() string {
	p := c.pod
	_, note := podRunning(p)
	return fmt.Sprintf("container %s of pod %s/%s keeps stdin open (stdin: true; assumes its main process reads commands, as a shell does) and the pod mounts the token of ServiceAccount %s%s",
		strings.Join(p.Spec.Stdin, " or "), p.Namespace, p.Name, p.Spec.ServiceAccountName, note)
}
