package cluster

// ShapeAuthEdit is the hostile shape (the same objects, drawn from the same
// streams; their UIDs shift) plus a RoleBinding of edit to the group
// system:authenticated in every namespace: a development cluster's namespace
// template on the cluster whose identities hold the most rules of their own
// bound cluster-wide (operators reading configmaps, deployments and Secrets
// everywhere; namespace, node, event and CRD readers). Each such identity
// may combine its own rule with edit in every namespace; the analysis grew
// with those identities × namespaces until the thirteenth session
// (docs/performance.md). `make bench` runs it when asked, with
// BENCH_AUTHEDIT.
const ShapeAuthEdit = "authedit"

// authEditNamespace writes the authedit shape's RoleBinding of ns (the
// groupwide shape's second).
func (g *gen) authEditNamespace(ns string) {
	g.groupRoleBinding("authenticated-edit", ns, "edit", "system:authenticated")
}
