package source

import (
	"fmt"
	"slices"
	"strings"

	"github.com/auth-paths/kubectl-auth-paths/pkg/model"
)

// An offline input is only what someone chose to dump: `kubectl get
// clusterroles,clusterrolebindings -A -o yaml` gives RBAC and nothing else,
// and the analysis would then find the paths that need nothing but RBAC and
// pass in silence. A live load knows which lists failed; an offline load
// infers it from the input: a kind of which no object was read, and that no
// dump header declares read, was not dumped.
//
// Two tiers. Every real cluster has Namespaces, ServiceAccounts, Secrets,
// Pods and Nodes, so none of one of them means it was left out: the result is
// incomplete (Inventory.Missing, exit status 3), as a forbidden live list is.
// A cluster may well have no workload controller of some kind, no webhook,
// no CSR, no PersistentVolume, no CRD (rule packs activate on some): none of
// those is only noted (Inventory.NotSeen), unless a dump header says it was
// read.

// ReasonNotInInput is the Reason of a MissingKind found by OfflineGaps.
const ReasonNotInInput = "none in the input"

// evidence is one resource the analysis reads beyond RBAC.
type evidence struct {
	resource string // plural, as kubectl and --allow-incomplete name it
	required bool   // every real cluster has some
	count    func(*model.Inventory) int
}

// evidenceKinds are the resources whose absence OfflineGaps reports, in
// the order of the live loader's lists.
var evidenceKinds = evidenceFor(descriptors)

// evidenceFor is the evidence of the kinds whose absence is recorded, each
// counting its own objects and those of the kinds counted with it, then
// the CRDs'.
func evidenceFor(ds []*kindDescriptor) []evidence {
	var out []evidence
	for _, k := range ds {
		if k.absence == absenceUnchecked || k.evidenceOf != "" {
			continue
		}
		shown := []*kindDescriptor{k}
		for _, o := range ds {
			if o.evidenceOf == k.kind {
				shown = append(shown, o)
			}
		}
		out = append(out, evidence{resource: k.resource(), required: k.absence == absenceMissing, count: func(inv *model.Inventory) int {
			n := 0
			for _, s := range shown {
				n += s.objects().count(inv, s.kind)
			}
			return n
		}})
	}
	// Rule packs activate on a CRD's presence (workflows.argoproj.io): a
	// dump without CRDs silently leaves those packs off. A CRD of any
	// apiVersion counts.
	return append(out, evidence{"customresourcedefinitions", false, func(inv *model.Inventory) int {
		n := 0
		for _, o := range inv.Others {
			if o.Kind == "CustomResourceDefinition" {
				n++
			}
		}
		return n
	}})
}

// impactOf is what is lost without resource: the live list's own words (the
// token Secrets' for secrets).
func impactOf(resource string) string {
	for _, r := range append(slices.Clone(liveResources), crdList.liveResource) {
		if r.resource == resource {
			return r.impact
		}
	}
	return "not evaluated"
}

// RBACCount is the number of RBAC objects (roles and bindings) read.
func RBACCount(inv *model.Inventory) int {
	return len(inv.ClusterRoles) + len(inv.Roles) + len(inv.ClusterRoleBindings) + len(inv.RoleBindings)
}

// CheckRBAC is the error of an offline input read from files that holds no
// RBAC object: nothing to analyse, whatever else it holds.
func CheckRBAC(inv *model.Inventory, files []string) error {
	if RBACCount(inv) > 0 {
		return nil
	}
	return fmt.Errorf("no ClusterRole, ClusterRoleBinding, Role or RoleBinding in %s (%d other objects read): nothing to analyse; dump the cluster with kubectl auth-paths dump", strings.Join(files, ", "), inv.Count()+len(inv.Others))
}

// OfflineGaps records in inv what an offline input left out: every required
// resource with no object and not declared read by a dump header becomes a
// MissingKind (reason ReasonNotInInput), every other such resource is added
// to NotSeen. A resource already missing (a dump's INCOMPLETE header) is not
// added twice.
func OfflineGaps(inv *model.Inventory) {
	for _, e := range evidenceKinds {
		if e.count(inv) > 0 || slices.Contains(inv.DeclaredRead, e.resource) || missingResource(inv, e.resource) {
			continue
		}
		if e.required {
			inv.Missing = append(inv.Missing, model.MissingKind{Resource: e.resource, Reason: ReasonNotInInput, Impact: impactOf(e.resource)})
		} else {
			inv.NotSeen = append(inv.NotSeen, e.resource)
		}
	}
}

// missingResource tells whether inv already records resource as missing
// ("secrets (type=…)" counts as secrets).
func missingResource(inv *model.Inventory, resource string) bool {
	for _, m := range inv.Missing {
		if MissingResourceName(m) == resource {
			return true
		}
	}
	return false
}

// MissingResourceName is the plural resource name of a missing kind, without
// its group and the type selector of the Secret lists ("deployments.apps",
// "secrets (type=…)": deployments, secrets).
func MissingResourceName(m model.MissingKind) string {
	name, _, _ := strings.Cut(m.Resource, " ")
	name, _, _ = strings.Cut(name, ".")
	return name
}

// ReadResources are the resources an inventory can be said to hold in full,
// for a dump's header: every evidence resource that is neither missing nor
// unseen (an offline input's unseen kinds may simply not have been dumped).
func ReadResources(inv *model.Inventory) []string {
	var out []string
	for _, e := range evidenceKinds {
		if !missingResource(inv, e.resource) && !slices.Contains(inv.NotSeen, e.resource) {
			out = append(out, e.resource)
		}
	}
	return out
}

// AllowIncomplete removes from inv.Missing the kinds the user knowingly left
// out (--allow-incomplete: resource names, kind names or "all", any case)
// and from NotSeen too; it returns the resources removed. A name that is
// no resource the analysis reads is an error.
func AllowIncomplete(inv *model.Inventory, names []string) ([]string, error) {
	allowed := map[string]bool{}
	for _, n := range names {
		r, err := resourceName(n)
		if err != nil {
			return nil, err
		}
		allowed[r] = true
	}
	var removed []string
	keep := inv.Missing[:0]
	for _, m := range inv.Missing {
		r := MissingResourceName(m)
		if !m.Inherent && (allowed["all"] || allowed[r]) {
			removed = append(removed, m.Resource)
			continue
		}
		keep = append(keep, m)
	}
	inv.Missing = keep
	inv.NotSeen = slices.DeleteFunc(inv.NotSeen, func(r string) bool { return allowed["all"] || allowed[r] })
	return removed, nil
}

// resourceName maps a --allow-incomplete entry to the plural resource name.
func resourceName(n string) (string, error) {
	s := strings.ToLower(strings.TrimSpace(n))
	if s == "all" {
		return s, nil
	}
	known := map[string]bool{}
	for _, r := range liveResources {
		known[r.resource] = true
	}
	for _, e := range evidenceKinds {
		known[e.resource] = true
	}
	if known[s] {
		return s, nil
	}
	for _, k := range descriptors {
		p := k.resource()
		if strings.EqualFold(k.kind, n) || (k.group != "" && s == strings.ToLower(p+"."+k.group)) {
			return p, nil
		}
	}
	if known[s+"s"] {
		return s + "s", nil
	}
	names := make([]string, 0, len(known))
	for r := range known {
		names = append(names, r)
	}
	slices.Sort(names)
	return "", fmt.Errorf("--allow-incomplete: %q is not a kind the analysis reads (one of: all, %s)", n, strings.Join(names, ", "))
}
