package risk

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
