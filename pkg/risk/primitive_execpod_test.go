package risk

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	rbacv1 "k8s.io/api/rbac/v1"

	"github.com/auth-paths/kubectl-auth-paths/graph"
	"github.com/auth-paths/kubectl-auth-paths/pkg/model"
)

func TestEphemeralContainers(t *testing.T) {
	no := false
	ephemeral := func(verb string, names ...string) []rbacv1.PolicyRule {
		r := core([]string{verb}, "pods/ephemeralcontainers")
		r.ResourceNames = names
		return []rbacv1.PolicyRule{r}
	}
	// Namespace ns at the Pod Security level given; bot's pod web runs on
	// n1, done has finished, and quiet mounts no token.
	objects := func(level string) *model.Inventory {
		return &model.Inventory{
			Namespaces:      []*model.Namespace{{Meta: model.Meta{Name: "ns", Labels: map[string]string{LabelEnforce: level}}}},
			ServiceAccounts: []*model.ServiceAccount{{Meta: model.Meta{Namespace: "ns", Name: "bot"}}, {Meta: model.Meta{Namespace: "ns", Name: "quiet"}}},
			Nodes:           []*model.Node{{Meta: model.Meta{Name: "n1"}}, {Meta: model.Meta{Name: "n2"}}},
			Pods: []*model.Pod{
				{Meta: model.Meta{Namespace: "ns", Name: "web"}, Spec: model.PodSpec{ServiceAccountName: "bot", NodeName: "n1"}, Phase: "Running"},
				{Meta: model.Meta{Namespace: "ns", Name: "done"}, Spec: model.PodSpec{ServiceAccountName: "bot", NodeName: "n2"}, Phase: "Succeeded"},
				{Meta: model.Meta{Namespace: "ns", Name: "silent"}, Spec: model.PodSpec{ServiceAccountName: "quiet", NodeName: "n2", AutomountServiceAccountToken: &no}, Phase: "Running"},
			},
		}
	}
	for _, tc := range []struct {
		name   string
		rules  []rbacv1.PolicyRule
		level  string
		holds  []string // what the steps reach, through a scope's picks
		scopes int      // steps into a scope
		why    string
	}{
		{name: "any pod, privileged namespace", rules: ephemeral("patch"), level: LevelPrivileged, scopes: 1,
			holds: []string{"Node:n1", "Node:n2", "ServiceAccount:ns:bot"}, why: "ns/done, but the pod is Succeeded"},
		{name: "update is enough", rules: ephemeral("update"), level: LevelPrivileged, scopes: 1,
			holds: []string{"Node:n1", "Node:n2", "ServiceAccount:ns:bot"}},
		{name: "any pod, baseline namespace: no privileged container", rules: ephemeral("patch"), level: "baseline", scopes: 1,
			holds: []string{"ServiceAccount:ns:bot"}},
		{name: "by name, privileged namespace", rules: ephemeral("patch", "web"), level: LevelPrivileged,
			holds: []string{"ServiceAccount:ns:bot", "Node:n1"}},
		{name: "by name, baseline namespace", rules: ephemeral("patch", "web"), level: "baseline",
			holds: []string{"ServiceAccount:ns:bot"}},
		{name: "by name, finished pod", rules: ephemeral("patch", "done"), level: LevelPrivileged, why: "the pod is Succeeded"},
		{name: "by name, no token", rules: ephemeral("patch", "silent"), level: "baseline", why: "no ServiceAccount token is mounted"},
		{name: "get is no write", rules: ephemeral("get"), level: LevelPrivileged},
		// With exec into every pod, an ephemeral container adds a privileged
		// container's nodes only, and nothing where the principal may create
		// pods (node-escape reaches every node).
		{name: "and exec, privileged namespace", rules: append(ephemeral("patch"), core([]string{"create"}, "pods/exec")), level: LevelPrivileged, scopes: 2,
			holds: []string{"Node:n1", "Node:n2", "ServiceAccount:ns:bot"}, why: "ns/done, but the pod is Succeeded"},
		{name: "and exec, baseline namespace", rules: append(ephemeral("patch"), core([]string{"create"}, "pods/exec")), level: "baseline", scopes: 1,
			holds: []string{"ServiceAccount:ns:bot"}, why: "ns/done, but the pod is Succeeded"},
		{name: "and exec and create pods, privileged namespace", rules: append(ephemeral("patch"), core([]string{"create"}, "pods/exec", "pods")), level: LevelPrivileged, scopes: 1,
			holds: []string{"ServiceAccount:ns:bot"}, why: "ns/done, but the pod is Succeeded"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := Analyze(userWith(tc.rules, objects(tc.level)), Options{KeepCandidates: true})
			steps, fails := held(a, "exec-pod")
			var holds []string
			for _, k := range steps {
				holds = append(holds, picksThrough(a, k)...)
			}
			slices.Sort(holds)
			holds = slices.Compact(holds)
			want := slices.Sorted(slices.Values(tc.holds))
			if !slices.Equal(holds, want) {
				t.Errorf("reached %v, want %v", holds, want)
			}
			// explain keeps every pod's failed step, scope or not.
			if tc.why == "" && len(fails) > 0 && tc.scopes == 0 || tc.why != "" && !slices.ContainsFunc(fails, func(f string) bool { return strings.Contains(f, tc.why) }) {
				t.Errorf("failed steps %q, want one containing %q", fails, tc.why)
			}
			var scopes int
			for _, e := range a.Graph.From(a.Graph.Node(userKey("u"))) {
				if e.Primitive == "exec-pod" && e.To.Kind == graph.KindScope {
					scopes++
				}
			}
			if scopes != tc.scopes {
				t.Errorf("%d steps into a scope, want %d", scopes, tc.scopes)
			}
		})
	}
}

// With exec into every pod and pod creation, an ephemeral container still
// steps where a pod runs on a node the input lacks: node-escape picks only
// the input's nodes.
func TestEphemeralContainersNodeNotInInput(t *testing.T) {
	rules := []rbacv1.PolicyRule{core([]string{"patch"}, "pods/ephemeralcontainers"), core([]string{"create"}, "pods/exec", "pods")}
	inv := &model.Inventory{
		Namespaces:      []*model.Namespace{{Meta: model.Meta{Name: "ns"}}},
		ServiceAccounts: []*model.ServiceAccount{{Meta: model.Meta{Namespace: "ns", Name: "bot"}}},
		Nodes:           []*model.Node{{Meta: model.Meta{Name: "n1"}}},
		Pods: []*model.Pod{
			{Meta: model.Meta{Namespace: "ns", Name: "web"}, Spec: model.PodSpec{ServiceAccountName: "bot", NodeName: "n1"}, Phase: "Running"},
			{Meta: model.Meta{Namespace: "ns", Name: "far"}, Spec: model.PodSpec{ServiceAccountName: "bot", NodeName: "gone"}, Phase: "Running"},
		},
	}
	a := Analyze(userWith(rules, inv), Options{})
	var holds []string
	for _, e := range a.Graph.From(a.Graph.Node(userKey("u"))) {
		if e.Primitive == "exec-pod" {
			holds = append(holds, picksThrough(a, e.To.Key)...)
		}
	}
	if !slices.Contains(holds, "Node:gone") {
		t.Errorf("reached %v, want Node:gone among them", holds)
	}
}

// An ephemeral container on every pod is one step into a scope, whatever
// the number of pods and holders: it was one per holder and pod.
func TestEphemeralContainersFold(t *testing.T) {
	edges := func(pods, holders int) int {
		inv := &model.Inventory{Nodes: []*model.Node{{Meta: model.Meta{Name: "n1"}}}}
		for i := range pods {
			ns := fmt.Sprintf("ns-%d", i%5)
			inv.Pods = append(inv.Pods, &model.Pod{Meta: model.Meta{Namespace: ns, Name: fmt.Sprintf("p-%d", i)},
				Spec: model.PodSpec{ServiceAccountName: fmt.Sprintf("sa-%d", i), NodeName: "n1"}, Phase: "Running"})
			inv.ServiceAccounts = append(inv.ServiceAccounts, &model.ServiceAccount{Meta: model.Meta{Namespace: ns, Name: fmt.Sprintf("sa-%d", i)}})
		}
		inv.ClusterRoles = []*model.ClusterRole{{Meta: model.Meta{Name: "debug"}, Rules: []rbacv1.PolicyRule{core([]string{"patch"}, "pods/ephemeralcontainers")}}}
		for h := range holders {
			inv.ClusterRoleBindings = append(inv.ClusterRoleBindings, &model.Binding{Meta: model.Meta{Name: fmt.Sprintf("debug-%d", h)}, Kind: model.KindClusterRoleBinding,
				RoleRef:  rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: "debug"},
				Subjects: []rbacv1.Subject{{APIGroup: rbacv1.GroupName, Kind: rbacv1.UserKind, Name: fmt.Sprintf("u-%d", h)}}})
		}
		return len(Analyze(inv, Options{}).Graph.Edges())
	}
	// Each holder adds its one step; each pod the scope's pick of its
	// ServiceAccount and its node's node-compromise step to it (the scope
	// picks node n1 once).
	base := edges(10, 1)
	if more := edges(10, 6) - base; more != 5 {
		t.Errorf("5 more holders added %d edges, want 5", more)
	}
	if more := edges(20, 1) - base; more != 20 {
		t.Errorf("10 more pods added %d edges, want 20", more)
	}
}

// picksThrough follows the 0-hop picks out of a scope (and out of the
// scopes it picks) to what they name; any other node is itself.
func picksThrough(a *Analysis, key string) []string {
	n := a.Graph.Node(key)
	if n == nil || n.Kind != graph.KindScope {
		return []string{key}
	}
	var out []string
	for _, e := range a.Graph.From(n) {
		if e.Hops == 0 {
			out = append(out, picksThrough(a, e.To.Key)...)
		}
	}
	if len(out) == 0 {
		return []string{key}
	}
	return out
}
