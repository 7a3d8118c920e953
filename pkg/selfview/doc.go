// Package selfview builds what the credentials at hand can learn about their
// own permissions without reading RBAC objects: who they are
// (SelfSubjectReview) and which rules they hold (SelfSubjectRulesReview per
// namespace), turned into stand-in roles and bindings that the normal engine
// analyses. The stand-ins are marked (model.RulesReview) so that provenance
// names the review, and no step writes, binds or escalates them.
package selfview
