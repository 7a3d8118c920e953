package risk

import (
	"fmt"

	"github.com/auth-paths/kubectl-auth-paths/pkg/model"
)

// The conditions of the steps a large cluster has one of per pod or per
// ServiceAccount, kept as the object they name and rendered when read
// (Candidate.Later, graph.Edge.Later). Each but privilegedEphemeral holds
// one pointer, so that keeping it in an interface allocates nothing; what
// the text needs besides is read from the object, which the analysis never
// changes.

// boundToNode is node-compromise's condition for a pod bound to the node.
type boundToNode struct{ pod *model.Pod }

func (c boundToNode) String() string {
	p := c.pod
	return fmt.Sprintf("pod %s/%s runs on %s as ServiceAccount %s: the Node authorizer lets the kubelet request its tokens",
		p.Namespace, p.Name, p.Spec.NodeName, p.Spec.ServiceAccountName)
}

// tokenMountedIn is the condition of a running pod's pick of its
// ServiceAccount (runningPodsScope).
type tokenMountedIn struct{ pod *model.Pod }

func (c tokenMountedIn) String() string {
	p := c.pod
	_, note := podRunning(p)
	return fmt.Sprintf("pod %s/%s runs with the token of ServiceAccount %s mounted%s", p.Namespace, p.Name, p.Spec.ServiceAccountName, note)
}

// saExists is the condition of a pick out of anySAScope: of the scope of
// one namespace (saInNamespace) or of every namespace (saInAnyNamespace).
func saExists(sa *model.ServiceAccount, everyNamespace bool) fmt.Stringer {
	if everyNamespace {
		return saInAnyNamespace{sa}
	}
	return saInNamespace{sa}
}

type saInNamespace struct{ sa *model.ServiceAccount }

func (c saInNamespace) String() string { return saExistsText(c.sa, "its namespace") }

type saInAnyNamespace struct{ sa *model.ServiceAccount }

func (c saInAnyNamespace) String() string { return saExistsText(c.sa, "any namespace") }

func saExistsText(sa *model.ServiceAccount, where string) string {
	return fmt.Sprintf("ServiceAccount %s/%s exists (the step may name any ServiceAccount of %s)", sa.Namespace, sa.Name, where)
}

// privilegedEphemeral is the condition of a pick of a pod's node by a
// privileged ephemeral container (ephemeralPodsScope); why is what Pod
// Security admits in the pod's namespace, the same string for each pod
// there.
type privilegedEphemeral struct {
	pod *model.Pod
	why string
}

func (c *privilegedEphemeral) String() string {
	p := c.pod
	_, note := podRunning(p)
	return fmt.Sprintf("a privileged ephemeral container added to pod %s/%s runs on node %s%s; %s", p.Namespace, p.Name, p.Spec.NodeName, note, c.why)
}
