package cmd

import (
	"fmt"
	"regexp"
	"strings"

	"k8s.io/apimachinery/pkg/util/version"
)

// majorMinor is a Kubernetes version without its patch: 1.30.
var majorMinor = regexp.MustCompile(`^[0-9]+\.[0-9]+$`)

// parseKubernetesVersion checks --kubernetes-version and returns it with its
// "v": v1.30, 1.30, 1.30.2 and v1.35.0-rc.1 are versions; "banana" is not,
// and neither is "1.3x" (version.ParseGeneric would read it as 1.3).
func parseKubernetesVersion(s string) (string, error) {
	v := strings.TrimPrefix(s, "v")
	var major uint
	switch {
	case majorMinor.MatchString(v):
		p, err := version.ParseGeneric(v)
		if err != nil {
			return "", fmt.Errorf("--kubernetes-version %q: %w", s, err)
		}
		major = p.Major()
	default:
		p, err := version.ParseSemantic(v)
		if err != nil {
			return "", fmt.Errorf("--kubernetes-version %q: want a Kubernetes version such as v1.30, 1.30 or 1.30.2", s)
		}
		major = p.Major()
	}
	if major != 1 {
		return "", fmt.Errorf("--kubernetes-version %q: Kubernetes versions are 1.x", s)
	}
	return "v" + v, nil
}
