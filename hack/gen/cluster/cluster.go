// Package cluster generates a deterministic, realistic large cluster as one
// v1 List, the shape `kubectl get … -A -o json` prints, for benchmarks
// (hack/gen is its command).
//
// Per namespace it writes 3–6 ServiceAccounts, 2–4 Roles, 3–6 RoleBindings,
// 10–20 running Pods with realistic container specs, Deployments and their
// ReplicaSets, legacy token Secrets (with fake base64 data) and the Namespace
// itself (some with Pod Security labels), and in two thirds of the namespaces
// a ResourceQuota (on object counts, or on compute only). Cluster-wide it writes ≈N/10 Nodes
// (a few control-plane), the bootstrap ClusterRoles with aggregation, custom
// ClusterRoles, ≈N/5 ClusterRoleBindings and a few genuinely risky grants, so
// that escalation paths exist. The same flags always give the same bytes.
package cluster

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	apitypes "k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/intstr"
	"sigs.k8s.io/yaml"
)

// Write generates the cluster of the default shape into w.
func Write(w io.Writer, namespaces int, seed uint64, format string) error {
	return WriteShape(w, namespaces, seed, format, ShapeDefault)
}

// Shapes are the shapes WriteShape generates, in the order -shape lists
// them.
var Shapes = []string{ShapeDefault, ShapeHostile, ShapeWide, ShapeGroupWide, ShapePolicies, ShapeAuthEdit, ShapeOperators, ShapeRebinders, ShapeAggregated, ShapeFanIn, ShapeMonolith, ShapeLegacyTokens, ShapeHardened}

// WriteShape generates the cluster of a shape (one of Shapes) into w.
func WriteShape(w io.Writer, namespaces int, seed uint64, format, shape string) error {
	if !slices.Contains(Shapes, shape) {
		return fmt.Errorf("unknown shape %q: want one of %s", shape, strings.Join(Shapes, ", "))
	}
	var e emitter
	if format == "yaml" {
		e = &yamlEmitter{w: w}
	} else {
		e = &jsonEmitter{w: w}
	}
	if err := e.begin(); err != nil {
		return err
	}
	g := &gen{r: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)), n: namespaces, emit: e.item}
	if shape == ShapeHostile || shape == ShapePolicies || shape == ShapeAuthEdit || shape == ShapeOperators || shape == ShapeRebinders || shape == ShapeAggregated || shape == ShapeFanIn || shape == ShapeMonolith || shape == ShapeLegacyTokens || shape == ShapeHardened {
		// A stream of its own: the default objects stay the same bytes.
		g.hostile = rand.New(rand.NewPCG(seed^0x5bd1e995, seed+0x27d4eb2f165667c5))
	}
	if shape == ShapeWide {
		g.wide = rand.New(rand.NewPCG(seed^0x2545f491, seed+0x4f1bbcdcbfa53e0b))
	}
	g.groupWide = shape == ShapeGroupWide
	g.policies = shape == ShapePolicies
	g.authEdit = shape == ShapeAuthEdit
	g.operatorRoles = shape == ShapeOperators
	g.rebinders = shape == ShapeRebinders
	g.aggregated = shape == ShapeAggregated
	g.fanIn = shape == ShapeFanIn
	g.monolith = shape == ShapeMonolith || shape == ShapeLegacyTokens || shape == ShapeHardened
	g.legacyTokens = shape == ShapeLegacyTokens
	g.hardened = shape == ShapeHardened
	if err := g.run(); err != nil {
		return err
	}
	return e.end()
}

type emitter interface {
	begin() error
	item(obj any) error
	end() error
}

// jsonEmitter writes one compact item per line; like kubectl, the List's
// kind comes after its items.
type jsonEmitter struct {
	w     io.Writer
	count int
	buf   bytes.Buffer
}

func (j *jsonEmitter) begin() error {
	_, err := io.WriteString(j.w, "{\"apiVersion\":\"v1\",\"items\":[\n")
	return err
}

func (j *jsonEmitter) item(obj any) error {
	raw, err := json.Marshal(obj)
	if err != nil {
		return err
	}
	j.buf.Reset()
	if j.count > 0 {
		j.buf.WriteString(",\n")
	}
	j.buf.Write(raw)
	j.count++
	_, err = j.w.Write(j.buf.Bytes())
	return err
}

func (j *jsonEmitter) end() error {
	_, err := io.WriteString(j.w, "\n],\"kind\":\"List\",\"metadata\":{\"resourceVersion\":\"\"}}\n")
	return err
}

type yamlEmitter struct{ w io.Writer }

func (y *yamlEmitter) begin() error {
	_, err := io.WriteString(y.w, "apiVersion: v1\nkind: List\nmetadata:\n  resourceVersion: \"\"\nitems:\n")
	return err
}

func (y *yamlEmitter) item(obj any) error {
	raw, err := yaml.Marshal(obj)
	if err != nil {
		return err
	}
	lines := strings.Split(strings.TrimRight(string(raw), "\n"), "\n")
	var b strings.Builder
	for i, l := range lines {
		if i == 0 {
			b.WriteString("- ")
		} else {
			b.WriteString("  ")
		}
		b.WriteString(l)
		b.WriteByte('\n')
	}
	_, err = io.WriteString(y.w, b.String())
	return err
}

func (y *yamlEmitter) end() error { return nil }

type gen struct {
	r    *rand.Rand
	n    int
	emit func(any) error
	err  error

	nodes        []string
	workers      []string
	controlPlane []string
	uid          uint64
	// hostile draws the hostile shape's additions (nil for the default shape).
	hostile *rand.Rand
	// wide draws the wide shape's additions (nil for the other shapes).
	wide *rand.Rand
	// groupWide adds the groupwide shape's RoleBinding to every namespace.
	groupWide bool
	// authEdit adds the authedit shape's RoleBinding to every namespace.
	authEdit bool
	// operatorRoles adds the operators shape's ClusterRoles (operators.go).
	operatorRoles bool
	// rebinders adds the rebinders shape's release bots (rebinders.go).
	rebinders bool
	// aggregated adds the aggregated shape's operator roles (aggregated.go).
	aggregated bool
	// fanIn adds the fanin shape's bindings (fanin.go).
	fanIn bool
	// monolith adds the monolith shape's namespace (monolith.go);
	// legacyTokens and hardened change it (ShapeLegacyTokens, ShapeHardened).
	monolith, legacyTokens, hardened bool
	// policies adds the policies shape's admission policies.
	policies bool
	// saUIDs are the UIDs of the ServiceAccounts written so far, by
	// namespace/name: a token Secret carries its ServiceAccount's.
	saUIDs map[string]apitypes.UID
}

func (g *gen) out(obj any) {
	if sa, ok := obj.(*corev1.ServiceAccount); ok {
		if g.saUIDs == nil {
			g.saUIDs = map[string]apitypes.UID{}
		}
		g.saUIDs[sa.Namespace+"/"+sa.Name] = sa.UID
	}
	if g.err == nil {
		g.err = g.emit(obj)
	}
}

func (g *gen) between(lo, hi int) int { return lo + g.r.IntN(hi-lo+1) }

func (g *gen) pick(list []string) string { return list[g.r.IntN(len(list))] }

func (g *gen) newUID() apitypes.UID {
	g.uid++
	x := g.uid*0x9e3779b97f4a7c15 ^ 0xdeadbeefcafebabe
	return apitypes.UID(fmt.Sprintf("%08x-%04x-%04x-%04x-%012x", uint32(x>>32), uint16(x>>16), uint16(x), uint16(g.uid), x&0xffffffffffff))
}

func nsName(i int) string { return fmt.Sprintf("team-%05d", i) }

var created = metav1.Date(2026, 3, 14, 9, 26, 53, 0, time.UTC)

func (g *gen) meta(name, ns string, labels map[string]string) metav1.ObjectMeta {
	return metav1.ObjectMeta{
		Name: name, Namespace: ns, Labels: labels,
		UID:               g.newUID(),
		ResourceVersion:   fmt.Sprint(100000 + g.uid),
		CreationTimestamp: created,
	}
}

func (g *gen) run() error {
	g.cluster()
	for i := 0; i < g.n && g.err == nil; i++ {
		g.namespace(i)
	}
	return g.err
}

// cluster writes Nodes, ClusterRoles and ClusterRoleBindings.
func (g *gen) cluster() {
	nNodes := max(3, g.n/10)
	nCP := max(1, min(5, nNodes/50+1))
	for i := 0; i < nNodes; i++ {
		name := fmt.Sprintf("node-%04d", i)
		labels := map[string]string{
			"kubernetes.io/hostname": name, "kubernetes.io/os": "linux", "kubernetes.io/arch": "amd64",
			"topology.kubernetes.io/zone": fmt.Sprintf("zone-%c", 'a'+i%3),
		}
		node := &corev1.Node{TypeMeta: metav1.TypeMeta{APIVersion: "v1", Kind: "Node"}, ObjectMeta: g.meta(name, "", labels)}
		if i < nCP {
			labels["node-role.kubernetes.io/control-plane"] = ""
			node.Spec.Taints = []corev1.Taint{{Key: "node-role.kubernetes.io/control-plane", Effect: corev1.TaintEffectNoSchedule}}
			g.controlPlane = append(g.controlPlane, name)
		} else {
			g.workers = append(g.workers, name)
		}
		node.Spec.PodCIDR = fmt.Sprintf("10.%d.%d.0/24", 64+i/256, i%256)
		node.Status = corev1.NodeStatus{
			Capacity:    corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("16"), corev1.ResourceMemory: resource.MustParse("64Gi"), corev1.ResourcePods: resource.MustParse("110")},
			Allocatable: corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("15800m"), corev1.ResourceMemory: resource.MustParse("62Gi"), corev1.ResourcePods: resource.MustParse("110")},
			Conditions:  []corev1.NodeCondition{{Type: corev1.NodeReady, Status: corev1.ConditionTrue, Reason: "KubeletReady", Message: "kubelet is posting ready status"}},
			Addresses:   []corev1.NodeAddress{{Type: corev1.NodeInternalIP, Address: fmt.Sprintf("10.0.%d.%d", i/250, i%250+2)}, {Type: corev1.NodeHostName, Address: name}},
			NodeInfo:    corev1.NodeSystemInfo{KubeletVersion: "v1.35.2", ContainerRuntimeVersion: "containerd://2.1.4", OSImage: "Debian GNU/Linux 13 (trixie)", KernelVersion: "6.12.48", Architecture: "amd64", OperatingSystem: "linux"},
		}
		g.nodes = append(g.nodes, name)
		g.out(node)
	}
	for _, cr := range bootstrapClusterRoles() {
		cr.UID = g.newUID()
		cr.CreationTimestamp = created
		g.out(cr)
	}
	customs := g.customClusterRoles()
	for _, cr := range customs {
		g.out(cr)
	}
	// Control-plane and system bindings.
	g.out(g.crb("cluster-admin", "cluster-admin", rbacv1.Subject{Kind: rbacv1.GroupKind, APIGroup: rbacv1.GroupName, Name: "system:masters"}))
	g.out(g.crb("system:basic-user", "system:basic-user", rbacv1.Subject{Kind: rbacv1.GroupKind, APIGroup: rbacv1.GroupName, Name: "system:authenticated"}))
	g.out(g.crb("system:discovery", "system:discovery", rbacv1.Subject{Kind: rbacv1.GroupKind, APIGroup: rbacv1.GroupName, Name: "system:authenticated"}))
	g.out(g.crb("system:public-info-viewer", "system:public-info-viewer",
		rbacv1.Subject{Kind: rbacv1.GroupKind, APIGroup: rbacv1.GroupName, Name: "system:authenticated"},
		rbacv1.Subject{Kind: rbacv1.GroupKind, APIGroup: rbacv1.GroupName, Name: "system:unauthenticated"}))
	g.out(g.crb("system:node-proxier", "system:node-proxier", rbacv1.Subject{Kind: rbacv1.UserKind, APIGroup: rbacv1.GroupName, Name: "system:kube-proxy"}))
	g.out(g.crb("system:kube-scheduler", "system:kube-scheduler", rbacv1.Subject{Kind: rbacv1.UserKind, APIGroup: rbacv1.GroupName, Name: "system:kube-scheduler"}))
	g.out(g.crb("system:kube-controller-manager", "system:kube-controller-manager", rbacv1.Subject{Kind: rbacv1.UserKind, APIGroup: rbacv1.GroupName, Name: "system:kube-controller-manager"}))
	// Genuinely risky grants, so that paths exist.
	g.out(g.crb("platform-admins", "cluster-admin", rbacv1.Subject{Kind: rbacv1.GroupKind, APIGroup: rbacv1.GroupName, Name: "platform-admins"}))
	g.out(g.crb("ci-deployer", "ci-deployer", rbacv1.Subject{Kind: rbacv1.ServiceAccountKind, Name: "deployer", Namespace: nsName(0)}))
	g.out(g.crb("secret-sync", "secret-reader", rbacv1.Subject{Kind: rbacv1.ServiceAccountKind, Name: "secret-sync", Namespace: nsName(min(1, g.n-1))}))
	g.out(g.crb("debuggers", "pod-debugger", rbacv1.Subject{Kind: rbacv1.GroupKind, APIGroup: rbacv1.GroupName, Name: "sre-oncall"}))
	g.out(g.crb("node-inspectors", "node-proxy", rbacv1.Subject{Kind: rbacv1.UserKind, APIGroup: rbacv1.GroupName, Name: "metrics@example.com"}))
	g.out(g.crb("rbac-managers", "rbac-manager", rbacv1.Subject{Kind: rbacv1.UserKind, APIGroup: rbacv1.GroupName, Name: "iam-bot@example.com"}))
	// ≈N/5 ordinary ClusterRoleBindings of custom and read-only roles.
	safe := []string{"view", "namespace-lister", "metrics-reader", "crd-viewer", "event-viewer", "node-viewer"}
	for i := 0; i < g.n/5; i++ {
		role := g.pick(safe)
		var subs []rbacv1.Subject
		for j := g.between(1, 3); j > 0; j-- {
			subs = append(subs, g.subject(g.r.IntN(g.n), true))
		}
		g.out(g.crb(fmt.Sprintf("%s-%05d", role, i), role, subs...))
	}
	if g.hostile != nil {
		g.hostileCluster()
		if g.operatorRoles {
			g.operatorsCluster()
		}
	}
	if g.wide != nil {
		g.wideCluster()
	}
}

func (g *gen) subject(ns int, allowGroups bool) rbacv1.Subject {
	switch x := g.r.IntN(10); {
	case x < 4:
		return rbacv1.Subject{Kind: rbacv1.UserKind, APIGroup: rbacv1.GroupName, Name: fmt.Sprintf("user-%05d@example.com", g.r.IntN(g.n*3+10))}
	case x < 6 && allowGroups:
		return rbacv1.Subject{Kind: rbacv1.GroupKind, APIGroup: rbacv1.GroupName, Name: fmt.Sprintf("team-%05d-devs", g.r.IntN(g.n))}
	default:
		return rbacv1.Subject{Kind: rbacv1.ServiceAccountKind, Name: fmt.Sprintf("app-%d", g.r.IntN(3)), Namespace: nsName(ns)}
	}
}

func (g *gen) crb(name, role string, subjects ...rbacv1.Subject) *rbacv1.ClusterRoleBinding {
	var labels map[string]string
	if name == "cluster-admin" || strings.HasPrefix(name, "system:") {
		// The apiserver's default bindings carry the bootstrap policy's label.
		labels = map[string]string{"kubernetes.io/bootstrapping": "rbac-defaults"}
	}
	return &rbacv1.ClusterRoleBinding{
		TypeMeta:   metav1.TypeMeta{APIVersion: "rbac.authorization.k8s.io/v1", Kind: "ClusterRoleBinding"},
		ObjectMeta: g.meta(name, "", labels),
		RoleRef:    rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: role},
		Subjects:   subjects,
	}
}

func rule(verbs, groups, resources []string) rbacv1.PolicyRule {
	return rbacv1.PolicyRule{Verbs: verbs, APIGroups: groups, Resources: resources}
}

var (
	readV  = []string{"get", "list", "watch"}
	writeV = []string{"create", "delete", "deletecollection", "patch", "update"}
	allV   = append(append([]string{}, readV...), writeV...)
	core   = []string{""}
)

func clusterRole(name string, labels map[string]string, rules ...rbacv1.PolicyRule) *rbacv1.ClusterRole {
	return &rbacv1.ClusterRole{
		TypeMeta:   metav1.TypeMeta{APIVersion: "rbac.authorization.k8s.io/v1", Kind: "ClusterRole"},
		ObjectMeta: metav1.ObjectMeta{Name: name, Labels: labels, Annotations: map[string]string{"rbac.authorization.kubernetes.io/autoupdate": "true"}},
		Rules:      rules,
	}
}

// custom makes cr a role of the cluster's own, as a dump shows one: no
// autoupdate annotation, the UID and creation time the apiserver set.
func (g *gen) custom(cr *rbacv1.ClusterRole) *rbacv1.ClusterRole {
	cr.Annotations = nil
	cr.UID = g.newUID()
	cr.CreationTimestamp = created
	return cr
}

func aggregated(name string, selectLabel string, labels map[string]string) *rbacv1.ClusterRole {
	cr := clusterRole(name, labels)
	cr.AggregationRule = &rbacv1.AggregationRule{ClusterRoleSelectors: []metav1.LabelSelector{{MatchLabels: map[string]string{selectLabel: "true"}}}}
	return cr
}

// bootstrapClusterRoles mirrors the apiserver's default roles that matter here.
func bootstrapClusterRoles() []*rbacv1.ClusterRole {
	boot := map[string]string{"kubernetes.io/bootstrapping": "rbac-defaults"}
	with := func(k string) map[string]string {
		m := map[string]string{"kubernetes.io/bootstrapping": "rbac-defaults"}
		if k != "" {
			m[k] = "true"
		}
		return m
	}
	aggAdmin := "rbac.authorization.k8s.io/aggregate-to-admin"
	aggEdit := "rbac.authorization.k8s.io/aggregate-to-edit"
	aggView := "rbac.authorization.k8s.io/aggregate-to-view"
	viewRes := []string{"configmaps", "endpoints", "persistentvolumeclaims", "persistentvolumeclaims/status", "pods", "replicationcontrollers", "replicationcontrollers/scale", "serviceaccounts", "services", "services/status", "bindings", "events", "limitranges", "namespaces/status", "pods/log", "pods/status", "replicationcontrollers/status", "resourcequotas", "resourcequotas/status", "namespaces"}
	return []*rbacv1.ClusterRole{
		clusterRole("cluster-admin", boot,
			rbacv1.PolicyRule{Verbs: []string{"*"}, APIGroups: []string{"*"}, Resources: []string{"*"}},
			rbacv1.PolicyRule{Verbs: []string{"*"}, NonResourceURLs: []string{"*"}}),
		aggregated("admin", aggAdmin, boot),
		aggregated("edit", aggEdit, with(aggAdmin)),
		aggregated("view", aggView, with(aggEdit)),
		clusterRole("system:aggregate-to-admin", with(aggAdmin),
			rule(allV, []string{"rbac.authorization.k8s.io"}, []string{"rolebindings", "roles"}),
			rule([]string{"create"}, []string{"authorization.k8s.io"}, []string{"localsubjectaccessreviews"})),
		clusterRole("system:aggregate-to-edit", with(aggEdit),
			rule(allV, core, []string{"pods", "pods/attach", "pods/exec", "pods/portforward", "pods/proxy"}),
			rule([]string{"create"}, core, []string{"pods/eviction"}),
			rule(allV, core, []string{"configmaps", "events", "persistentvolumeclaims", "replicationcontrollers", "replicationcontrollers/scale", "secrets", "serviceaccounts", "services", "services/proxy"}),
			rule([]string{"create"}, core, []string{"serviceaccounts/token"}),
			rule([]string{"impersonate"}, core, []string{"serviceaccounts"}),
			rule(allV, []string{"apps"}, []string{"daemonsets", "deployments", "deployments/rollback", "deployments/scale", "replicasets", "replicasets/scale", "statefulsets", "statefulsets/scale"}),
			rule(allV, []string{"autoscaling"}, []string{"horizontalpodautoscalers"}),
			rule(allV, []string{"batch"}, []string{"cronjobs", "jobs"}),
			rule(allV, []string{"networking.k8s.io"}, []string{"ingresses", "networkpolicies"}),
			rule(allV, []string{"policy"}, []string{"poddisruptionbudgets"})),
		clusterRole("system:aggregate-to-view", with(aggView),
			rule(readV, core, viewRes),
			rule(readV, []string{"apps"}, []string{"controllerrevisions", "daemonsets", "deployments", "replicasets", "statefulsets"}),
			rule(readV, []string{"batch"}, []string{"cronjobs", "jobs"}),
			rule(readV, []string{"networking.k8s.io"}, []string{"ingresses", "networkpolicies"})),
		clusterRole("system:basic-user", boot, rule([]string{"create"}, []string{"authorization.k8s.io"}, []string{"selfsubjectaccessreviews", "selfsubjectrulesreviews"})),
		clusterRole("system:discovery", boot, rbacv1.PolicyRule{Verbs: []string{"get"}, NonResourceURLs: []string{"/api", "/api/*", "/apis", "/apis/*", "/healthz", "/livez", "/openapi", "/openapi/*", "/readyz", "/version", "/version/"}}),
		clusterRole("system:public-info-viewer", boot, rbacv1.PolicyRule{Verbs: []string{"get"}, NonResourceURLs: []string{"/healthz", "/livez", "/readyz", "/version", "/version/"}}),
		clusterRole("system:node-proxier", boot,
			rule([]string{"list", "watch"}, core, []string{"endpoints", "services"}),
			rule([]string{"get", "list", "watch"}, core, []string{"nodes"}),
			rule([]string{"create", "patch", "update"}, []string{"", "events.k8s.io"}, []string{"events"})),
		clusterRole("system:kube-scheduler", boot,
			rule([]string{"create", "patch", "update"}, []string{"", "events.k8s.io"}, []string{"events"}),
			rule([]string{"create"}, []string{"coordination.k8s.io"}, []string{"leases"}),
			rule(readV, core, []string{"nodes", "pods", "namespaces", "persistentvolumeclaims", "persistentvolumes", "services", "replicationcontrollers"}),
			rule([]string{"create"}, core, []string{"bindings", "pods/binding"}),
			rule([]string{"patch", "update"}, core, []string{"pods/status"})),
		clusterRole("system:kube-controller-manager", boot,
			rule([]string{"create", "patch", "update"}, []string{"", "events.k8s.io"}, []string{"events"}),
			rule([]string{"create"}, []string{"coordination.k8s.io"}, []string{"leases"}),
			rule([]string{"get", "update"}, []string{"coordination.k8s.io"}, []string{"leases"}),
			rule([]string{"create"}, core, []string{"secrets", "serviceaccounts"}),
			rule([]string{"delete"}, core, []string{"secrets"}),
			rule([]string{"get"}, core, []string{"configmaps", "namespaces", "secrets", "serviceaccounts"}),
			rule([]string{"update"}, core, []string{"secrets", "serviceaccounts"}),
			rule([]string{"create"}, []string{"authentication.k8s.io"}, []string{"tokenreviews"}),
			rule([]string{"create"}, []string{"authorization.k8s.io"}, []string{"subjectaccessreviews"}),
			rule([]string{"list", "watch"}, []string{"*"}, []string{"*"}),
			rule([]string{"create"}, core, []string{"serviceaccounts/token"})),
	}
}

func (g *gen) customClusterRoles() []*rbacv1.ClusterRole {
	aggView := map[string]string{"rbac.authorization.k8s.io/aggregate-to-view": "true", "app.kubernetes.io/managed-by": "helm"}
	aggEdit := map[string]string{"rbac.authorization.k8s.io/aggregate-to-edit": "true", "app.kubernetes.io/managed-by": "helm"}
	list := []*rbacv1.ClusterRole{
		clusterRole("namespace-lister", nil, rule([]string{"get", "list"}, core, []string{"namespaces"})),
		clusterRole("metrics-reader", nil, rule(readV, []string{"metrics.k8s.io"}, []string{"pods", "nodes"}), rbacv1.PolicyRule{Verbs: []string{"get"}, NonResourceURLs: []string{"/metrics"}}),
		clusterRole("crd-viewer", nil, rule(readV, []string{"apiextensions.k8s.io"}, []string{"customresourcedefinitions"})),
		clusterRole("event-viewer", nil, rule(readV, []string{"", "events.k8s.io"}, []string{"events"})),
		clusterRole("node-viewer", nil, rule(readV, core, []string{"nodes"})),
		clusterRole("app-operator", nil, rule(allV, []string{"apps"}, []string{"deployments", "deployments/scale"}), rule(readV, core, []string{"pods", "pods/log"})),
		clusterRole("config-editor", nil, rule(allV, core, []string{"configmaps"})),
		// Risky custom roles.
		clusterRole("ci-deployer", nil, rule([]string{"create", "update", "patch", "get", "list"}, []string{"apps"}, []string{"deployments"}), rule(readV, core, []string{"pods"})),
		clusterRole("secret-reader", nil, rule(readV, core, []string{"secrets"})),
		clusterRole("pod-debugger", nil, rule([]string{"create"}, core, []string{"pods/exec", "pods/attach"}), rule(readV, core, []string{"pods"})),
		clusterRole("node-proxy", nil, rule([]string{"get", "create"}, core, []string{"nodes/proxy"}), rule(readV, core, []string{"nodes"})),
		clusterRole("rbac-manager", nil, rule([]string{"create", "update"}, []string{"rbac.authorization.k8s.io"}, []string{"rolebindings"}), rule([]string{"bind"}, []string{"rbac.authorization.k8s.io"}, []string{"clusterroles"})),
	}
	for i := 0; i < 8; i++ {
		group := fmt.Sprintf("example%d.acme.io", i)
		list = append(list,
			clusterRole(fmt.Sprintf("crd%d-view", i), aggView, rule(readV, []string{group}, []string{"widgets", "gadgets", "widgets/status"})),
			clusterRole(fmt.Sprintf("crd%d-edit", i), aggEdit, rule(writeV, []string{group}, []string{"widgets", "gadgets"})))
	}
	for _, cr := range list {
		g.custom(cr)
	}
	return list
}

var images = []string{
	"registry.example.com/shop/api:v2.14.3", "registry.example.com/shop/web:v5.2.0", "docker.io/library/nginx:1.29.1",
	"docker.io/library/redis:8.2.1", "quay.io/prometheus/node-exporter:v1.9.1", "ghcr.io/acme/worker:2026.03.1",
	"registry.example.com/platform/envoy:v1.35.2", "docker.io/library/postgres:17.6",
}

// namespace writes everything of namespace i.
func (g *gen) namespace(i int) {
	ns := nsName(i)
	nsLabels := map[string]string{"kubernetes.io/metadata.name": ns, "team": fmt.Sprintf("t%03d", i%997)}
	switch g.r.IntN(4) {
	case 0:
		nsLabels["pod-security.kubernetes.io/enforce"] = "restricted"
		nsLabels["pod-security.kubernetes.io/enforce-version"] = "latest"
	case 1:
		nsLabels["pod-security.kubernetes.io/enforce"] = "baseline"
	}
	nsObj := &corev1.Namespace{TypeMeta: metav1.TypeMeta{APIVersion: "v1", Kind: "Namespace"}, ObjectMeta: g.meta(ns, "", nsLabels)}
	nsObj.Spec.Finalizers = []corev1.FinalizerName{corev1.FinalizerKubernetes}
	nsObj.Status.Phase = corev1.NamespaceActive
	g.out(nsObj)

	// ServiceAccounts: default, app-0.. and sometimes deployer/secret-sync.
	sas := []string{"default"}
	for j := 0; j < g.between(2, 5); j++ {
		sas = append(sas, fmt.Sprintf("app-%d", j))
	}
	if i == 0 {
		sas = append(sas, "deployer")
	}
	if i == min(1, g.n-1) {
		sas = append(sas, "secret-sync")
	}
	for _, sa := range sas {
		obj := &corev1.ServiceAccount{TypeMeta: metav1.TypeMeta{APIVersion: "v1", Kind: "ServiceAccount"}, ObjectMeta: g.meta(sa, ns, nil)}
		if sa != "default" && g.r.IntN(3) == 0 {
			obj.Secrets = []corev1.ObjectReference{{Name: sa + "-token"}}
		}
		if g.r.IntN(5) == 0 {
			f := false
			obj.AutomountServiceAccountToken = &f
		}
		g.out(obj)
		// Legacy token Secrets for some ServiceAccounts (values are fake).
		if sa != "default" && (len(obj.Secrets) > 0 || g.r.IntN(4) == 0) {
			g.out(g.tokenSecret(ns, sa))
		}
	}
	g.out(&corev1.Secret{TypeMeta: metav1.TypeMeta{APIVersion: "v1", Kind: "Secret"}, ObjectMeta: g.meta("app-config", ns, map[string]string{"app": "shop"}),
		Type: corev1.SecretTypeOpaque, Data: map[string][]byte{"DATABASE_URL": []byte("postgres://app:" + g.fakeToken(12) + "@db:5432/app")}})

	// Roles.
	roleDefs := []struct {
		name  string
		rules []rbacv1.PolicyRule
	}{
		{"config-reader", []rbacv1.PolicyRule{rule(readV, core, []string{"configmaps"})}},
		{"pod-reader", []rbacv1.PolicyRule{rule(readV, core, []string{"pods", "pods/log"})}},
		{"deployer", []rbacv1.PolicyRule{rule([]string{"get", "list", "create", "update", "patch"}, []string{"apps"}, []string{"deployments", "replicasets"}), rule(readV, core, []string{"pods"})}},
		{"job-runner", []rbacv1.PolicyRule{rule(allV, []string{"batch"}, []string{"jobs", "cronjobs"})}},
	}
	nRoles := g.between(2, 4)
	var roles []string
	for j := 0; j < nRoles; j++ {
		d := roleDefs[j]
		if i%50 == 7 && j == 0 {
			// A few namespaces let someone read secrets.
			d.name, d.rules = "secret-reader", []rbacv1.PolicyRule{rule([]string{"get", "list"}, core, []string{"secrets"})}
		}
		roles = append(roles, d.name)
		g.out(&rbacv1.Role{TypeMeta: metav1.TypeMeta{APIVersion: "rbac.authorization.k8s.io/v1", Kind: "Role"}, ObjectMeta: g.meta(d.name, ns, nil), Rules: d.rules})
	}
	// RoleBindings.
	shared := []string{"admin", "edit", "view", "view", "view", "app-operator", "config-editor"}
	for j := 0; j < g.between(3, 6); j++ {
		ref := rbacv1.RoleRef{APIGroup: rbacv1.GroupName}
		if j < len(roles) && g.r.IntN(3) > 0 {
			ref.Kind, ref.Name = "Role", roles[j]
		} else {
			ref.Kind, ref.Name = "ClusterRole", g.pick(shared)
		}
		var subs []rbacv1.Subject
		for k := g.between(1, 3); k > 0; k-- {
			switch x := g.r.IntN(10); {
			case x < 3:
				subs = append(subs, rbacv1.Subject{Kind: rbacv1.ServiceAccountKind, Name: g.pick(sas), Namespace: ns})
			case x < 4:
				// A ServiceAccount of another namespace.
				subs = append(subs, rbacv1.Subject{Kind: rbacv1.ServiceAccountKind, Name: fmt.Sprintf("app-%d", g.r.IntN(2)), Namespace: nsName(g.r.IntN(g.n))})
			case x < 7:
				subs = append(subs, rbacv1.Subject{Kind: rbacv1.GroupKind, APIGroup: rbacv1.GroupName, Name: fmt.Sprintf("team-%05d-devs", i)})
			default:
				subs = append(subs, rbacv1.Subject{Kind: rbacv1.UserKind, APIGroup: rbacv1.GroupName, Name: fmt.Sprintf("user-%05d@example.com", g.r.IntN(g.n*3+10))})
			}
		}
		g.out(&rbacv1.RoleBinding{TypeMeta: metav1.TypeMeta{APIVersion: "rbac.authorization.k8s.io/v1", Kind: "RoleBinding"},
			ObjectMeta: g.meta(fmt.Sprintf("%s-%d", strings.ReplaceAll(ref.Name, ":", "-"), j), ns, nil), RoleRef: ref, Subjects: subs})
	}

	// Deployments, their ReplicaSets and Pods.
	nPods := g.between(10, 20)
	nDeploy := g.between(1, 3)
	for d := 0; d < nDeploy; d++ {
		app := fmt.Sprintf("svc-%d", d)
		sa := sas[1+g.r.IntN(len(sas)-1)]
		tmpl := g.podTemplate(ns, app, sa)
		replicas := int32(nPods / nDeploy)
		if d == 0 {
			replicas += int32(nPods % nDeploy)
		}
		dep := &appsv1.Deployment{TypeMeta: metav1.TypeMeta{APIVersion: "apps/v1", Kind: "Deployment"}, ObjectMeta: g.meta(app, ns, map[string]string{"app": app})}
		dep.Annotations = map[string]string{"deployment.kubernetes.io/revision": "3"}
		dep.Spec = appsv1.DeploymentSpec{Replicas: &replicas, Selector: &metav1.LabelSelector{MatchLabels: map[string]string{"app": app}}, Template: tmpl,
			Strategy: appsv1.DeploymentStrategy{Type: appsv1.RollingUpdateDeploymentStrategyType}}
		dep.Status = appsv1.DeploymentStatus{Replicas: replicas, ReadyReplicas: replicas, AvailableReplicas: replicas, UpdatedReplicas: replicas, ObservedGeneration: 3}
		g.out(dep)
		hash := fmt.Sprintf("%x", g.r.Uint32()&0xfffffff)
		rs := &appsv1.ReplicaSet{TypeMeta: metav1.TypeMeta{APIVersion: "apps/v1", Kind: "ReplicaSet"},
			ObjectMeta: g.meta(app+"-"+hash, ns, map[string]string{"app": app, "pod-template-hash": hash})}
		t := true
		rs.OwnerReferences = []metav1.OwnerReference{{APIVersion: "apps/v1", Kind: "Deployment", Name: app, UID: dep.UID, Controller: &t, BlockOwnerDeletion: &t}}
		rs.Spec = appsv1.ReplicaSetSpec{Replicas: &replicas, Selector: dep.Spec.Selector, Template: tmpl}
		rs.Status = appsv1.ReplicaSetStatus{Replicas: replicas, ReadyReplicas: replicas, AvailableReplicas: replicas}
		g.out(rs)
		for p := int32(0); p < replicas; p++ {
			pod := &corev1.Pod{TypeMeta: metav1.TypeMeta{APIVersion: "v1", Kind: "Pod"}, ObjectMeta: g.meta(fmt.Sprintf("%s-%s-%s", app, hash, g.suffix()), ns, map[string]string{"app": app, "pod-template-hash": hash})}
			pod.OwnerReferences = []metav1.OwnerReference{{APIVersion: "apps/v1", Kind: "ReplicaSet", Name: rs.Name, UID: rs.UID, Controller: &t, BlockOwnerDeletion: &t}}
			pod.Spec = *tmpl.Spec.DeepCopy()
			pod.Spec.NodeName = g.pick(g.workers)
			pod.Spec.Volumes = append(pod.Spec.Volumes, g.apiAccessVolume())
			for c := range pod.Spec.Containers {
				pod.Spec.Containers[c].VolumeMounts = append(pod.Spec.Containers[c].VolumeMounts,
					corev1.VolumeMount{Name: pod.Spec.Volumes[len(pod.Spec.Volumes)-1].Name, MountPath: "/var/run/secrets/kubernetes.io/serviceaccount", ReadOnly: true})
			}
			pod.Status = g.podStatus(pod)
			g.out(pod)
		}
	}
	// A node agent on some namespaces: privileged, hostPath, on a control-plane node now and then.
	if i%25 == 3 {
		pod := &corev1.Pod{TypeMeta: metav1.TypeMeta{APIVersion: "v1", Kind: "Pod"}, ObjectMeta: g.meta("node-agent-"+g.suffix(), ns, map[string]string{"app": "node-agent"})}
		tmpl := g.podTemplate(ns, "node-agent", sas[len(sas)-1])
		pod.Spec = tmpl.Spec
		priv := true
		pod.Spec.Containers[0].SecurityContext = &corev1.SecurityContext{Privileged: &priv}
		pod.Spec.HostPID = true
		pod.Spec.Volumes = append(pod.Spec.Volumes, corev1.Volume{Name: "host-root", VolumeSource: corev1.VolumeSource{HostPath: &corev1.HostPathVolumeSource{Path: "/"}}})
		if i%100 == 3 {
			pod.Spec.NodeName = g.pick(g.controlPlane)
		} else {
			pod.Spec.NodeName = g.pick(g.workers)
		}
		pod.Status = g.podStatus(pod)
		g.out(pod)
	}
	g.quota(i, ns)
	if g.hostile != nil {
		g.hostileNamespace(i, ns, sas)
	}
	if g.wide != nil {
		g.wideNamespace(i, ns)
	}
	if g.groupWide {
		g.groupWideNamespace(ns)
	}
	if g.policies {
		g.policiesNamespace(i, ns)
	}
	if g.authEdit {
		g.authEditNamespace(ns)
	}
	if g.rebinders {
		g.rebindersNamespace(i, ns)
	}
	if g.aggregated {
		g.aggregatedNamespace(i)
	}
	if g.fanIn {
		g.fanInNamespace(i, ns)
	}
	if g.monolith {
		g.monolithNamespaceObjects(i)
	}
}

// quota gives a third of the namespaces a quota on object counts and a
// third one on compute only (no random draw: the rest of the output stays
// the same for a seed).
func (g *gen) quota(i int, ns string) {
	hard := corev1.ResourceList{}
	name := ""
	switch i % 3 {
	case 0:
		name = "objects"
		for k, v := range map[corev1.ResourceName]string{"pods": "200", "services": "20", "count/configmaps": "100", "count/secrets": "100",
			"count/deployments.apps": "30", "requests.cpu": "40", "requests.memory": "80Gi"} {
			hard[k] = resource.MustParse(v)
		}
	case 1:
		name = "compute"
		for k, v := range map[corev1.ResourceName]string{"requests.cpu": "20", "limits.memory": "64Gi"} {
			hard[k] = resource.MustParse(v)
		}
	default:
		return
	}
	q := &corev1.ResourceQuota{TypeMeta: metav1.TypeMeta{APIVersion: "v1", Kind: "ResourceQuota"}, ObjectMeta: g.meta(name, ns, nil)}
	q.Spec.Hard = hard
	q.Status.Hard = hard
	g.out(q)
}

func (g *gen) suffix() string {
	const letters = "bcdfghjklmnpqrstvwxz2456789"
	b := make([]byte, 5)
	for i := range b {
		b[i] = letters[g.r.IntN(len(letters))]
	}
	return string(b)
}

func (g *gen) fakeToken(n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(g.r.Uint32())
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

func (g *gen) tokenSecret(ns, sa string) *corev1.Secret {
	s := &corev1.Secret{TypeMeta: metav1.TypeMeta{APIVersion: "v1", Kind: "Secret"}, ObjectMeta: g.meta(sa+"-token", ns, nil), Type: corev1.SecretTypeServiceAccountToken}
	// The token controller writes the ServiceAccount's UID, which the legacy
	// token authenticator compares: one Secret in eight is of a
	// ServiceAccount since re-created (its token is rejected), the others'
	// tokens are accepted.
	uid := g.newUID()
	if cur, ok := g.saUIDs[ns+"/"+sa]; ok && g.uid%8 != 0 {
		uid = cur
	}
	s.Annotations = map[string]string{corev1.ServiceAccountNameKey: sa, corev1.ServiceAccountUIDKey: string(uid)}
	jwt := "eyJhbGciOiJSUzI1NiIsImtpZCI6IjEyMyJ9." + g.fakeToken(60) + "." + g.fakeToken(90)
	s.Data = map[string][]byte{
		"ca.crt":    []byte("-----BEGIN CERTIFICATE-----\n" + g.fakeToken(150) + "\n-----END CERTIFICATE-----\n"),
		"namespace": []byte(ns),
		"token":     []byte(jwt),
	}
	return s
}

func (g *gen) apiAccessVolume() corev1.Volume {
	exp := int64(3607)
	mode := int32(420)
	return corev1.Volume{Name: "kube-api-access-" + g.suffix(), VolumeSource: corev1.VolumeSource{Projected: &corev1.ProjectedVolumeSource{
		DefaultMode: &mode,
		Sources: []corev1.VolumeProjection{
			{ServiceAccountToken: &corev1.ServiceAccountTokenProjection{ExpirationSeconds: &exp, Path: "token"}},
			{ConfigMap: &corev1.ConfigMapProjection{LocalObjectReference: corev1.LocalObjectReference{Name: "kube-root-ca.crt"}, Items: []corev1.KeyToPath{{Key: "ca.crt", Path: "ca.crt"}}}},
		},
	}}}
}

func (g *gen) podTemplate(ns, app, sa string) corev1.PodTemplateSpec {
	f := false
	t := true
	grace := int64(30)
	spec := corev1.PodSpec{
		ServiceAccountName: sa, DeprecatedServiceAccount: sa,
		RestartPolicy: corev1.RestartPolicyAlways, DNSPolicy: corev1.DNSClusterFirst, SchedulerName: "default-scheduler",
		TerminationGracePeriodSeconds: &grace,
		SecurityContext:               &corev1.PodSecurityContext{RunAsNonRoot: &t},
	}
	nc := 1
	if g.r.IntN(5) == 0 {
		nc = 2
	}
	for c := 0; c < nc; c++ {
		name := app
		if c > 0 {
			name = "sidecar"
		}
		ct := corev1.Container{
			Name: name, Image: g.pick(images), ImagePullPolicy: corev1.PullIfNotPresent,
			Ports: []corev1.ContainerPort{{Name: "http", ContainerPort: 8080, Protocol: corev1.ProtocolTCP}},
			Resources: corev1.ResourceRequirements{
				Requests: corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("100m"), corev1.ResourceMemory: resource.MustParse("128Mi")},
				Limits:   corev1.ResourceList{corev1.ResourceMemory: resource.MustParse("512Mi")},
			},
			ReadinessProbe:  &corev1.Probe{ProbeHandler: corev1.ProbeHandler{HTTPGet: &corev1.HTTPGetAction{Path: "/readyz", Port: intstr.FromString("http")}}, PeriodSeconds: 5},
			SecurityContext: &corev1.SecurityContext{AllowPrivilegeEscalation: &f, Capabilities: &corev1.Capabilities{Drop: []corev1.Capability{"ALL"}}},
		}
		for e := g.between(1, 3); e > 0; e-- {
			ct.Env = append(ct.Env, corev1.EnvVar{Name: fmt.Sprintf("SETTING_%d", e), Value: fmt.Sprintf("v%d", e)})
		}
		ct.Env = append(ct.Env,
			corev1.EnvVar{Name: "DB_PASSWORD", ValueFrom: &corev1.EnvVarSource{SecretKeyRef: &corev1.SecretKeySelector{LocalObjectReference: corev1.LocalObjectReference{Name: "app-config"}, Key: "DATABASE_URL"}}})
		spec.Containers = append(spec.Containers, ct)
	}
	return corev1.PodTemplateSpec{ObjectMeta: metav1.ObjectMeta{Labels: map[string]string{"app": app}}, Spec: spec}
}

func (g *gen) podStatus(*corev1.Pod) corev1.PodStatus {
	return corev1.PodStatus{Phase: corev1.PodRunning, QOSClass: corev1.PodQOSBurstable,
		PodIP: fmt.Sprintf("10.%d.%d.%d", 64+g.r.IntN(8), g.r.IntN(256), 2+g.r.IntN(250)), StartTime: &created}
}

// BenchNamespaces is the size of the in-memory cluster of the Go benchmarks:
// $AUTH_PATHS_BENCH_NAMESPACES, 300 by default.
func BenchNamespaces() int {
	if v, err := strconv.Atoi(os.Getenv("AUTH_PATHS_BENCH_NAMESPACES")); err == nil && v > 0 {
		return v
	}
	return 300
}

// Bytes returns the generated cluster as JSON (seed 1).
func Bytes(namespaces int) []byte { return BytesShape(namespaces, ShapeDefault) }

// BytesShape returns the generated cluster of a shape as JSON (seed 1).
func BytesShape(namespaces int, shape string) []byte {
	var b bytes.Buffer
	if err := WriteShape(&b, namespaces, 1, "json", shape); err != nil {
		panic(err)
	}
	return b.Bytes()
}
