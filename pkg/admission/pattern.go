package admission

import (
	"fmt"
	"strconv"
	"strings"
)

// matchPattern validates a resource against a Kyverno validate pattern:
//
//   - a map key must exist and match, unless anchored: "=(key)" (equality
//     anchor: checked only when present), "X(key)" (negation: must be absent);
//   - a list of one object pattern: every element must match it;
//   - a scalar: equal, with wildcards (* ?), "!" (not), "|" (or), "&" (and),
//     comparisons (> >= < <=) on numbers, "?*" (any non-empty value).
//
// Conditional ("(key)"), existence ("^(key)"), global ("<(key)") and
// add ("+(key)") anchors, lists of several patterns and range operators
// are not evaluated: unsupported says so.
func matchPattern(pattern, res any, at string) (ok bool, why, unsupported string) {
	switch p := pattern.(type) {
	case map[string]any:
		m, isMap := res.(map[string]any)
		if !isMap {
			return false, fmt.Sprintf("%s: an object is required", orRoot(at)), ""
		}
		for key, pv := range p {
			anchor, name := splitAnchor(key)
			child := at + "." + name
			rv, present := m[name]
			switch anchor {
			case "=":
				if !present {
					continue
				}
			case "X":
				if present {
					return false, fmt.Sprintf("%s must not be set", child), ""
				}
				continue
			case "":
				if !present {
					return false, fmt.Sprintf("%s is required", child), ""
				}
			default:
				return false, "", fmt.Sprintf("anchor %q at %s", key, orRoot(at))
			}
			if ok, why, un := matchPattern(pv, rv, child); !ok || un != "" {
				return ok, why, un
			}
		}
		return true, "", ""
	case []any:
		if len(p) != 1 {
			return false, "", fmt.Sprintf("a list of %d patterns at %s", len(p), orRoot(at))
		}
		if _, isMap := p[0].(map[string]any); !isMap {
			return false, "", fmt.Sprintf("a list of scalars at %s", orRoot(at))
		}
		list, isList := res.([]any)
		if !isList {
			return false, fmt.Sprintf("%s: a list is required", orRoot(at)), ""
		}
		for i, el := range list {
			if ok, why, un := matchPattern(p[0], el, fmt.Sprintf("%s[%d]", at, i)); !ok || un != "" {
				return ok, why, un
			}
		}
		return true, "", ""
	default:
		ok, un := scalarMatches(pattern, res)
		if un != "" {
			return false, "", un + " at " + orRoot(at)
		}
		if !ok {
			return false, fmt.Sprintf("%s is %v, the pattern wants %v", orRoot(at), render(res), pattern), ""
		}
		return true, "", ""
	}
}

func orRoot(at string) string {
	if at == "" {
		return "the object"
	}
	return strings.TrimPrefix(at, ".")
}

func render(v any) string {
	if v == nil {
		return "unset"
	}
	return fmt.Sprint(v)
}

func splitAnchor(key string) (anchor, name string) {
	if strings.HasSuffix(key, ")") {
		switch strings.IndexByte(key, '(') {
		case 0:
			return "cond", key[1 : len(key)-1]
		case 1:
			return key[:1], key[2 : len(key)-1]
		}
	}
	return "", key
}

// scalarMatches compares a scalar pattern with a value.
func scalarMatches(pattern, v any) (bool, string) {
	switch p := pattern.(type) {
	case nil:
		return v == nil, ""
	case bool:
		switch x := v.(type) {
		case bool:
			return x == p, ""
		case string:
			return x == strconv.FormatBool(p), ""
		}
		return false, ""
	case float64, int64, int:
		pf, _ := toFloat(p)
		vf, ok := toFloat(v)
		return ok && vf == pf, ""
	case string:
		for _, alt := range strings.Split(p, "|") {
			all := true
			for _, part := range strings.Split(alt, "&") {
				ok, un := stringOp(strings.TrimSpace(part), v)
				if un != "" {
					return false, un
				}
				all = all && ok
			}
			if all {
				return true, ""
			}
		}
		return false, ""
	}
	return false, fmt.Sprintf("pattern value of type %T", pattern)
}

func stringOp(p string, v any) (bool, string) {
	switch {
	case p == "*":
		return v != nil, ""
	case p == "?*":
		return v != nil && fmt.Sprint(v) != "", ""
	case strings.HasPrefix(p, ">="), strings.HasPrefix(p, "<="), strings.HasPrefix(p, ">"), strings.HasPrefix(p, "<"):
		op := p[:1]
		if len(p) > 1 && p[1] == '=' {
			op = p[:2]
		}
		want, err := strconv.ParseFloat(strings.TrimSpace(p[len(op):]), 64)
		if err != nil {
			return false, fmt.Sprintf("comparison %q", p)
		}
		got, ok := toFloat(v)
		if !ok {
			return false, ""
		}
		switch op {
		case ">":
			return got > want, ""
		case ">=":
			return got >= want, ""
		case "<":
			return got < want, ""
		}
		return got <= want, ""
	case strings.HasPrefix(p, "!"):
		ok, un := stringOp(p[1:], v)
		return !ok && un == "", un
	case strings.Contains(p, "-") && isRange(p):
		return false, fmt.Sprintf("range %q", p)
	}
	if v == nil {
		return false, ""
	}
	return wildcard(p, scalarString(v)), ""
}

func isRange(p string) bool {
	a, b, ok := strings.Cut(p, "-")
	if !ok {
		return false
	}
	_, e1 := strconv.ParseFloat(a, 64)
	_, e2 := strconv.ParseFloat(b, 64)
	return e1 == nil && e2 == nil
}

func scalarString(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case bool:
		return strconv.FormatBool(x)
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case int64:
		return strconv.FormatInt(x, 10)
	}
	return fmt.Sprint(v)
}

func toFloat(v any) (float64, bool) {
	switch x := v.(type) {
	case float64:
		return x, true
	case int64:
		return float64(x), true
	case int:
		return float64(x), true
	case int32:
		return float64(x), true
	case string:
		f, err := strconv.ParseFloat(x, 64)
		return f, err == nil
	}
	return 0, false
}
