package admission

import "strings"

// requestFields are the fields of CEL's request variable that say nothing
// of who makes the request.
var requestFields = map[string]bool{
	"kind": true, "resource": true, "subResource": true, "requestKind": true, "requestResource": true,
	"requestSubResource": true, "name": true, "namespace": true, "operation": true, "options": true,
	"dryRun": true, "uid": true,
}

// readsUser reports whether a CEL expression may read the requester: it
// names userInfo, or uses the request variable other than through one of
// requestFields (request['userInfo'], the whole request passed on). A text
// test, so a string or comment that mentions them counts too: it errs on
// the side of reading.
func readsUser(expr string) bool {
	if strings.Contains(expr, "userInfo") {
		return true
	}
	for i := 0; ; {
		j := strings.Index(expr[i:], "request")
		if j < 0 {
			return false
		}
		start, end := i+j, i+j+len("request")
		i = end
		if start > 0 && isIdent(expr[start-1]) || end < len(expr) && isIdent(expr[end]) {
			continue // part of another name (requestResource, myrequest)
		}
		rest := strings.TrimLeft(expr[end:], " \t\r\n")
		if !strings.HasPrefix(rest, ".") {
			return true
		}
		rest = strings.TrimLeft(rest[1:], " \t\r\n")
		k := 0
		for k < len(rest) && isIdent(rest[k]) {
			k++
		}
		if !requestFields[rest[:k]] {
			return true
		}
	}
}

func isIdent(c byte) bool {
	return c == '_' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}
