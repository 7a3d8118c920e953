package risk

import "github.com/auth-paths/kubectl-auth-paths/graph"

// SetMinParallel sets the batch from which principals are evaluated at
// once, so that tests on small inputs take that way; it returns the
// restore.
func SetMinParallel(n int) (restore func()) {
	old := minParallel
	minParallel = n
	return func() { minParallel = old }
}

// SetFoldNamed turns the named scopes of cluster-wide rules with
// resourceNames on or off; it returns the restore.
func SetFoldNamed(on bool) (restore func()) {
	old := foldNamed
	foldNamed = on
	return func() { foldNamed = old }
}

// SetNarrowGroups turns narrowParts on or off; it returns the restore.
func SetNarrowGroups(on bool) (restore func()) {
	old := narrowGroups
	narrowGroups = on
	return func() { narrowGroups = old }
}

// Narrowed is the number of group parts the analysis narrowed.
func Narrowed(a *Analysis) int64 { return a.narrowed.Load() }

// Dominated is the number of identities whose groups the analysis narrowed
// to the namespaces no group dominates.
func Dominated(a *Analysis) int64 { return a.dominated.Load() }

// OnHeld has f told of every step the analysis leaves to a group; it
// returns the restore.
func OnHeld(f func(from *graph.Node, group string, c Candidate)) (restore func()) {
	old := onHeld
	onHeld = f
	return func() { onHeld = old }
}

// SetGroupThresholds sets the number of rules from which a group's scans
// are memoised and a run of rules is indexed, so that the narrowing of
// members is exercised on small worlds; it returns the restore.
func SetGroupThresholds(memo, index int) (restore func()) {
	oldMemo, oldIndex := memoFrom, indexFrom
	memoFrom, indexFrom = memo, index
	return func() { memoFrom, indexFrom = oldMemo, oldIndex }
}
