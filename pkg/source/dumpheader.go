package source

import (
	"bufio"
	"bytes"
	"strings"
)

// dumpVersionPrefix starts the comment line of a YAML dump that names the
// version of the cluster it was read from. Reading the line back keeps the
// version-dependent answers (exec through `get pods/exec` before v1.35) of a
// live run when its dump is analysed offline.
const dumpVersionPrefix = "# Read from a cluster running "

// dumpHeaderMax bounds how much of a file's start is searched for the line.
const dumpHeaderMax = 64 << 10

// DumpVersionComment is the comment line naming the cluster's version, with
// its newline.
func DumpVersionComment(version string) string {
	return dumpVersionPrefix + version + ".\n"
}

// dumpVersion returns the version named in the comment lines that open a file
// (only comments and blank lines may come before it), or "".
func dumpVersion(head []byte) string {
	for len(head) > 0 {
		line := head
		if i := bytes.IndexByte(head, '\n'); i >= 0 {
			line, head = head[:i], head[i+1:]
		} else {
			head = nil
		}
		s := strings.TrimSpace(string(line))
		switch {
		case s == "":
			continue
		case !strings.HasPrefix(s, "#"):
			return ""
		case strings.HasPrefix(s, dumpVersionPrefix):
			v := strings.TrimSuffix(strings.TrimPrefix(s, dumpVersionPrefix), ".")
			if v == "" || strings.ContainsAny(v, " \t") {
				return ""
			}
			return v
		}
	}
	return ""
}

// peekDumpVersion reads the version comment of a dump at the start of br
// without consuming anything.
func peekDumpVersion(br *bufio.Reader) string {
	head, _ := br.Peek(dumpHeaderMax) // a shorter file gives what it has
	return dumpVersion(head)
}
