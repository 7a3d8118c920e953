package review

import (
	"fmt"
	"slices"
	"strings"

	"github.com/auth-paths/kubectl-auth-paths/graph"
	"github.com/auth-paths/kubectl-auth-paths/pkg/model"
	"github.com/auth-paths/kubectl-auth-paths/pkg/risk"
)

// actedOn splits a binding's steps on paths into those it grants and those
// that act on it (it is their sole object: risk.ObjectsOf).
func actedOn(id string, edges []*graph.Edge) (granted, acted []*graph.Edge) {
	for _, e := range edges {
		if slices.Contains(e.Bindings(), id) {
			granted = append(granted, e)
		} else {
			acted = append(acted, e)
		}
	}
	return granted, acted
}

// explaining returns the steps of binding id (on paths) that a choke point
// shows and its fix describes: all of them, but the steps that act on it
// when those it grants cut, in the graph, every identity it is a choke
// point of (keys) without them. A RoleBinding of a namespace's admins that
// a binding rewriter of the whole cluster may add itself to is a choke
// point of those admins, not of the rewriter, who has other namespaces.
func explaining(tree *graph.Tree, id string, edges []*graph.Edge, keys []string) []*graph.Edge {
	granted, acted := actedOn(id, edges)
	if len(granted) == 0 || len(acted) == 0 {
		return edges
	}
	lost := map[string]bool{}
	for _, n := range tree.LostWithout(sources(granted), func(e *graph.Edge) bool { return slices.Contains(e.Bindings(), id) }) {
		lost[n.Key] = true
	}
	for _, k := range keys {
		if !lost[k] {
			return edges
		}
	}
	return granted
}

// objectFix is the fix for a binding that is a choke point because steps act
// on it, not because it grants them: others may add themselves to it,
// escalate the role it binds them to, or create the missing role it refers
// to. Deleting it, or taking from them the verbs that act on it, cuts those
// steps.
func objectFix(g *graph.Graph, b *model.Binding, acted []*graph.Edge) string {
	var adders, escalators, creators orderedSet
	for _, e := range acted {
		switch {
		case isPick(e):
			// A pick out of the scope of the namespaces where a RoleBinding
			// refers to a role: who steps into the scope adds itself.
			for _, in := range g.To(e.From) {
				adders.add(risk.NodeName(in.From))
			}
		case e.Primitive == "bind":
			adders.add(risk.NodeName(e.From))
		case e.Primitive == "escalate":
			escalators.add(risk.NodeName(e.From))
		default: // dangling-role
			creators.add(risk.NodeName(e.From))
		}
	}
	named := func(s *orderedSet) string { return joined{own: s, more: &orderedSet{}}.String() }
	role := b.RoleRef.Kind + " " + b.RoleRef.Name
	var out []string
	if len(adders.list) > 0 {
		out = append(out, fmt.Sprintf("%s, which binds %s, is what %s may add themselves to (update or patch on it, bind on %s): delete it if no one needs it, or restrict their update and patch on %ss with resourceNames that leave it out.",
			bindingName(b), role, named(&adders), role, b.Kind))
	}
	if len(escalators.list) > 0 {
		out = append(out, fmt.Sprintf("%s binds %s to %s, who may escalate that role (write * into it): take escalate on %s from them, or delete the binding if they do not need the role.",
			bindingName(b), role, named(&escalators), role))
	}
	if len(creators.list) > 0 {
		out = append(out, fmt.Sprintf("%s binds %s, which does not exist, to %s, who may create it with *: delete the binding (it grants nothing while the role is missing).",
			bindingName(b), role, named(&creators)))
	}
	return strings.Join(out, " ")
}

// bindingName is a binding's kind and name ("RoleBinding ns/name").
func bindingName(b *model.Binding) string {
	if b.Kind == model.KindRoleBinding {
		return b.Kind + " " + b.Namespace + "/" + b.Name
	}
	return b.Kind + " " + b.Name
}
