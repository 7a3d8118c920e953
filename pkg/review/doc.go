// Package review turns a scan into material for a review meeting and a CI
// gate: choke points (bindings every path of an identity passes through) and a
// small set of bindings that cuts every escalation, a diff against a baseline
// scan, accepted risks with owners and expiry, SARIF 2.1.0, and a
// self-contained Markdown or HTML report.
package review
