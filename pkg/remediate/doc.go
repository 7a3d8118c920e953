// Package remediate computes the smallest RBAC change that closes escalation
// paths, and proves it: the change is applied to a copy of the inventory,
// the analysis re-run, and every permission the change removes is listed.
//
// Edits only narrow: a subject leaves a binding (the binding is deleted only
// when it was the last subject), or one rule of a role loses exactly the
// request a step needs (see narrow). Objects the platform reconciles or
// declares as its defaults are never edited; a path that only such objects
// make is reported as not closable.
package remediate
