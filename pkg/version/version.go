// Package version holds build information, set with -ldflags -X at release.
package version

import "runtime"

// Set by the linker (see .goreleaser.yaml and the Makefile).
var (
	Version = "dev"
	Commit  = "unknown"
	Date    = "unknown"
)

// Info is the build information shown by `kubectl auth-paths version`.
type Info struct {
	Version   string `json:"version"`
	Commit    string `json:"commit"`
	Date      string `json:"date"`
	GoVersion string `json:"goVersion"`
	Platform  string `json:"platform"`
}

// Get returns the build information.
func Get() Info {
	return Info{Version: Version, Commit: Commit, Date: Date, GoVersion: runtime.Version(), Platform: runtime.GOOS + "/" + runtime.GOARCH}
}
