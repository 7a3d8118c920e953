package rbac

import (
	"slices"
	"strings"

	rbacv1 "k8s.io/api/rbac/v1"
)

// Intersect returns a rule that allows exactly the requests both rules allow,
// and false when they share none. A rule is a product (verbs × groups ×
// resources × names, or verbs × URLs), so the intersection of two is the
// product of the intersections of each list, where every list is intersected
// with the matching of match.go: "*" matches all, "*/sub" a subresource of
// any resource, a URL ending in "*" a prefix, an empty resourceNames any
// name. Intersecting every pair of two rule sets is then exactly what both
// sets allow (RBAC has no deny). Constrained impersonation needs it: a request
// made as another identity is allowed when that identity's rules allow it
// and the requester's impersonate-on rules allow it too.
func Intersect(a, b rbacv1.PolicyRule) (rbacv1.PolicyRule, bool) {
	verbs := intersectLists(a.Verbs, b.Verbs, exactOrWildcard)
	if len(verbs) == 0 {
		return rbacv1.PolicyRule{}, false
	}
	out := rbacv1.PolicyRule{Verbs: verbs}
	groups := intersectLists(a.APIGroups, b.APIGroups, exactOrWildcard)
	resources := intersectLists(a.Resources, b.Resources, intersectResource)
	names, namesOK := intersectNames(a.ResourceNames, b.ResourceNames)
	if len(groups) > 0 && len(resources) > 0 && namesOK {
		out.APIGroups, out.Resources, out.ResourceNames = groups, resources, names
	}
	out.NonResourceURLs = intersectLists(a.NonResourceURLs, b.NonResourceURLs, intersectURL)
	if len(out.Resources) == 0 && len(out.NonResourceURLs) == 0 {
		return rbacv1.PolicyRule{}, false
	}
	return out, true
}

// intersectLists intersects every entry of a with every entry of b, keeping
// the first occurrence of each result in order (deterministic output).
func intersectLists(a, b []string, one func(x, y string) (string, bool)) []string {
	var out []string
	for _, x := range a {
		for _, y := range b {
			if z, ok := one(x, y); ok && !slices.Contains(out, z) {
				out = append(out, z)
			}
		}
	}
	return out
}

// exactOrWildcard intersects verbs or API groups: "*" or equality.
func exactOrWildcard(x, y string) (string, bool) {
	switch {
	case x == Wildcard:
		return y, true
	case y == Wildcard, x == y:
		return x, true
	}
	return "", false
}

// intersectResource intersects resource patterns of resourceMatches: "*",
// "res", "res/sub" and "*/sub" (any resource's subresource sub).
func intersectResource(x, y string) (string, bool) {
	if z, ok := exactOrWildcard(x, y); ok {
		return z, true
	}
	xs, xAny := anyResourceSub(x)
	ys, yAny := anyResourceSub(y)
	switch {
	case xAny && !yAny && subresourceOf(y) == xs:
		return y, true
	case yAny && !xAny && subresourceOf(x) == ys:
		return x, true
	}
	return "", false
}

// anyResourceSub returns sub for the pattern "*/sub".
func anyResourceSub(r string) (string, bool) {
	if strings.HasPrefix(r, "*/") {
		return r[2:], true
	}
	return "", false
}

// subresourceOf returns the part after the first "/" ("" without one),
// as the authorizer splits "res/sub".
func subresourceOf(r string) string {
	if _, sub, ok := strings.Cut(r, "/"); ok {
		return sub
	}
	return "\x00" // no subresource: matches no "*/sub"
}

// intersectNames: an empty list allows every name, so it yields the other
// list; two lists yield their common names, and none in common allows no
// request at all (false: an empty result would mean "every name").
func intersectNames(a, b []string) ([]string, bool) {
	switch {
	case len(a) == 0:
		return b, true
	case len(b) == 0:
		return a, true
	}
	out := intersectLists(a, b, func(x, y string) (string, bool) { return x, x == y })
	return out, len(out) > 0
}

// intersectURL intersects non-resource URL patterns: an entry ending in "*"
// matches every path with the prefix before its stars ("*" alone every path).
func intersectURL(x, y string) (string, bool) {
	xp, xPrefix := urlPrefix(x)
	yp, yPrefix := urlPrefix(y)
	switch {
	case xPrefix && yPrefix && strings.HasPrefix(yp, xp):
		return y, true
	case xPrefix && yPrefix && strings.HasPrefix(xp, yp):
		return x, true
	case xPrefix && !yPrefix && strings.HasPrefix(y, xp):
		return y, true
	case yPrefix && !xPrefix && strings.HasPrefix(x, yp):
		return x, true
	case !xPrefix && !yPrefix && x == y:
		return x, true
	}
	return "", false
}

func urlPrefix(u string) (string, bool) {
	if strings.HasSuffix(u, Wildcard) {
		return strings.TrimRight(u, Wildcard), true
	}
	return u, false
}
