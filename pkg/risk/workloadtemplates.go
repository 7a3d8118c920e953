package risk

import (
	"fmt"
	"strings"

	"github.com/auth-paths/kubectl-auth-paths/graph"
	"github.com/auth-paths/kubectl-auth-paths/pkg/model"
	"github.com/auth-paths/kubectl-auth-paths/pkg/rbac"
)

// pickWorkload is the primitive of a templates scope's edges: the workload
// of the namespace whose pod template is changed.
const pickWorkload = "pick-workload"

// A principal whose cluster-wide rules may patch or update every controller
// of some kinds (no resourceNames) changes a pod template in every namespace
// that has one: it stepped into each namespace's new-pod scope, principals ×
// namespaces edges (operators' ClusterRoles and `*` rules made it the bulk
// of large clusters' graphs). The namespaces' controllers are the same for
// every such principal, so the step ends at one shared scope, "the pod
// templates of every controller of these kinds", with 0-hop pick-workload
// edges per namespace: the first controller of those kinds there (as
// modify-workload names it) into the namespace's new-pod scope, and the
// escape to a node where Pod Security admits a privileged template. Paths
// keep their hops; the step into the scope says how, the pick which
// controller.

// clusterWideTemplates groups the controller kinds whose every object the
// principal may patch or update through a rule bound cluster-wide without
// resourceNames, by the first such rule (one step per rule: a step's grants
// are all needed together).
func clusterWideTemplates(p *Principal) (groups []templateGrant, covered map[string]bool) {
	at := map[grantKey]int{}
	for _, wr := range podMakers[1:] {
		if wr.kind == "Job" {
			continue // a Job's template is immutable
		}
		br, ok := p.FirstAny(modifyVerbs, res("", wr.group, wr.resource, "", allNamespaces, ""))
		if !ok {
			continue
		}
		if covered == nil {
			covered = map[string]bool{}
		}
		covered[wr.kind] = true
		k := keyOf(br.Grant)
		if i, seen := at[k]; seen {
			groups[i].kinds = append(groups[i].kinds, wr)
			continue
		}
		at[k] = len(groups)
		groups = append(groups, templateGrant{br: br, kinds: []workloadResource{wr}})
	}
	return groups, covered
}

// templateGrant is a rule bound cluster-wide and the controller kinds it
// lets the principal change everywhere.
type templateGrant struct {
	br    rbacBound
	kinds []workloadResource
	// names are the rule's resourceNames (clusterWideNamedTemplates).
	names []string
}

func (g templateGrant) condition() string {
	verb := "patch"
	if g.br.Request != nil {
		verb = g.br.Request.Verb
	}
	names := make([]string, len(g.kinds))
	for i, k := range g.kinds {
		names[i] = k.display()
	}
	if len(g.names) > 0 {
		return fmt.Sprintf("%s the %s named %s of any namespace to change its pod template (a rule bound cluster-wide, with resourceNames)", verb, strings.Join(names, ", "), describeNames(g.names))
	}
	return fmt.Sprintf("%s any %s of any namespace to change its pod template (a rule bound cluster-wide, without resourceNames)", verb, strings.Join(names, ", "))
}

// clusterWideNamedTemplates groups, like clusterWideTemplates, the
// controller kinds the principal may patch or update through a rule bound
// cluster-wide with resourceNames, by rule: each changes the controllers of
// those names in every namespace (namedscope.go).
func clusterWideNamedTemplates(p *Principal) []templateGrant {
	var groups []templateGrant
	at := map[grantKey]int{}
	for _, wr := range podMakers[1:] {
		if wr.kind == "Job" {
			continue // a Job's template is immutable
		}
		var reqs []rbac.Request
		for _, verb := range modifyVerbs {
			reqs = append(reqs, res(verb, wr.group, wr.resource, "", allNamespaces, ""))
		}
		for _, nr := range clusterWideNamed(p, reqs...) {
			k := keyOf(nr.br.Grant)
			if i, seen := at[k]; seen {
				groups[i].kinds = append(groups[i].kinds, wr)
				continue
			}
			at[k] = len(groups)
			groups = append(groups, templateGrant{br: nr.br, kinds: []workloadResource{wr}, names: nr.names})
		}
	}
	return groups
}

// templatesScope is the shared scope of the pod templates of every
// controller of kinds (of those named names, when there are names), or nil
// when no namespace has one whose change leads anywhere.
func (a *Analysis) templatesScope(kinds []workloadResource, names []string) *graph.Node {
	kindNames := make([]string, len(kinds))
	for i, k := range kinds {
		kindNames[i] = k.kind
	}
	list := strings.Join(kindNames, ",")
	key, label := "Scope:workload-templates:"+list, "pod templates of every "+list+" of any namespace"
	var named map[string]bool
	if len(names) > 0 {
		key = "Scope:named-workload-templates:" + list + ":" + describeNames(names)
		label = "pod templates of the " + list + " named " + describeNames(names) + " of any namespace"
		named = make(map[string]bool, len(names))
		for _, n := range names {
			named[n] = true
		}
	}
	return a.sharedScope(key, "workload-templates", allNamespaces, label, func() []Candidate {
		want := map[string]bool{}
		for _, k := range kinds {
			want[k.kind] = true
		}
		var picks []Candidate
		for _, ns := range a.namespaces {
			for _, w := range a.workloadsNS[ns] {
				if want[w.Kind] && (named == nil || named[w.Name]) {
					picks = append(picks, a.templatePicks(w)...)
					break // the first such controller of the namespace gives all it can
				}
			}
		}
		return picks
	})
}

// templatePicks are the 0-hop steps out of a templates scope for changing
// w's pod template: its controller's new pods, and the escape to a node.
func (a *Analysis) templatePicks(w *model.Workload) []Candidate {
	wr, _ := resourceForKind(w.Kind)
	controller := controllerUsers[wr.resource]
	creator := podCreator(nil, wr)
	how := fmt.Sprintf("change the pod template of %s %s/%s", w.Kind, w.Namespace, w.Name)
	var picks []Candidate
	if scope := a.newPodScope(w.Namespace, controller, creator); scope != nil {
		picks = append(picks, Candidate{Primitive: pickWorkload, To: scope, Holds: true,
			Condition: how + ": " + controller + " makes its new pods with the serviceAccountName the template sets"})
	} else {
		for _, sa := range a.sasByNS[w.Namespace] {
			picks = append(picks, a.gateSA(Candidate{Primitive: pickWorkload, To: a.SANode(w.Namespace, sa.Name), Holds: true,
				Condition: how + " to serviceAccountName " + sa.Name}, w.Namespace, sa.Name, creator))
		}
	}
	for _, c := range a.gateEscape(escapeCandidates(a, w.Namespace, how), w.Namespace, creator, nil) {
		c.Hops = 0
		picks = append(picks, c)
	}
	return picks
}

// ownNamespaces are namespacedReach's namespaces in Analysis.namespaces
// order: where a principal whose cluster-wide rules already give every
// namespace's step may still add steps of its own.
func (a *Analysis) ownNamespaces(p *Principal, probes ...reqShape) []string {
	return inOrder(namespacedReach(p, probes...), a.namespaces)
}

// namespacedReach returns the namespaces where a rule bound in that
// namespace could allow one of the probes (names ignored). Elsewhere only
// the principal's cluster-wide rules apply, and what they give there is the
// same for every principal holding them.
func namespacedReach(p *Principal, probes ...reqShape) map[string]bool {
	if p.parts == nil {
		return namespacedReachIn(p.Rules, p.index(), probes)
	}
	out, shared := namespacedReachIn(p.Rules, p.index(), probes), false
	for _, part := range p.parts {
		out, shared = union(out, shared, part.local(probes))
	}
	return out
}

// namespacedReachIn is namespacedReach over a run of rules and its index
// (nil: scan them all).
func namespacedReachIn(rules []rbacBound, x *ruleIndex, probes []reqShape) map[string]bool {
	var out map[string]bool
	bits := probeBits(x, probes)
	for i := range rules {
		if bits != 0 && x.groupBits[i]&bits == 0 {
			continue
		}
		br := &rules[i]
		if br.Namespace == "" || out[br.Namespace] {
			continue
		}
		rule := *br.Rule
		rule.ResourceNames = nil
		if !rulePasses(&rule, br.Namespace, probes) {
			continue
		}
		if out == nil {
			out = map[string]bool{}
		}
		out[br.Namespace] = true
	}
	return out
}

// uncoveredTemplateProbes are the modify probes of the controller kinds
// that a templates scope does not cover (but Jobs: their immutable template
// only gives failed steps).
func uncoveredTemplateProbes(covered map[string]bool) []reqShape {
	var out []reqShape
	for _, w := range podMakers[1:] {
		if !covered[w.kind] && w.kind != "Job" {
			out = append(out, reqShape{verbs: modifyVerbs, group: w.group, resource: w.resource})
		}
	}
	return out
}

// templateIn reports whether ns has a controller of a covered kind.
func (a *Analysis) templateIn(ns string, covered map[string]bool) bool {
	if covered == nil {
		return false
	}
	for _, w := range a.workloadsNS[ns] {
		if covered[w.Kind] {
			return true
		}
	}
	return false
}
