package source

import (
	"bufio"
	"bytes"
	"fmt"
	"slices"
	"strings"

	"github.com/auth-paths/kubectl-auth-paths/pkg/model"
)

// dumpVersionPrefix starts the comment line of a YAML dump that names the
// version of the cluster it was read from. Reading the line back keeps the
// version-dependent answers (exec through `get pods/exec` before v1.35) of a
// live run when its dump is analysed offline.
const dumpVersionPrefix = "# Read from a cluster running "

// dumpGroupsPrefix starts the comment line naming the API groups the cluster
// served (discovery), which rule packs activate on.
const dumpGroupsPrefix = "# API groups served: "

// dumpHeaderMax bounds how much of a file's start is searched for the line.
const dumpHeaderMax = 64 << 10

// DumpVersionComment is the comment line naming the cluster's version, with
// its newline.
func DumpVersionComment(version string) string {
	return dumpVersionPrefix + version + ".\n"
}

// DumpGroupsComment is the comment line naming the served API groups, with
// its newline; "" when none is known.
func DumpGroupsComment(groups []string) string {
	if len(groups) == 0 {
		return ""
	}
	return dumpGroupsPrefix + strings.Join(groups, " ") + "\n"
}

// dumpGroups returns the groups named in the opening comment lines, or nil.
func dumpGroups(head []byte) []string {
	return strings.Fields(dumpComment(head, dumpGroupsPrefix))
}

// dumpVersion returns the version named in the comment lines that open a file
// (only comments and blank lines may come before it), or "".
func dumpVersion(head []byte) string {
	v := strings.TrimSuffix(dumpComment(head, dumpVersionPrefix), ".")
	if v == "" || strings.ContainsAny(v, " \t") {
		return ""
	}
	return v
}

// dumpComment returns the rest of the first opening comment line that
// starts with prefix, or "".
func dumpComment(head []byte, prefix string) string {
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
		case strings.HasPrefix(s, strings.TrimSpace(prefix)):
			return strings.TrimSpace(strings.TrimPrefix(s, strings.TrimSpace(prefix)))
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

// peekDumpGroups reads the served-groups comment of a dump, like peekDumpVersion.
func peekDumpGroups(br *bufio.Reader) []string {
	head, _ := br.Peek(dumpHeaderMax)
	return dumpGroups(head)
}

// unionSorted merges two sorted lists of names without repeats.
func unionSorted(a, b []string) []string {
	if len(b) == 0 {
		return a
	}
	out := slices.Concat(a, b)
	slices.Sort(out)
	return slices.Compact(out)
}

// dumpReadPrefix starts the comment line of a YAML dump naming the resources
// it read in full: offline, one of them without objects was empty in the
// cluster, not left out of the input (OfflineGaps).
const dumpReadPrefix = "# Read in full: "

// dumpIncompletePrefix starts the lines of a YAML dump naming what it could
// not read, one "#   RESOURCE: REASON — IMPACT" line each; read back, they
// keep an offline run of a partial dump partial.
const dumpIncompletePrefix = "# INCOMPLETE: these kinds could not be read:"

// DumpReadComment is the comment line naming the resources read in full,
// with its newline; "" when there are none.
func DumpReadComment(resources []string) string {
	if len(resources) == 0 {
		return ""
	}
	return dumpReadPrefix + strings.Join(resources, " ") + "\n"
}

// DumpIncompleteComment is the comment block naming the kinds not read; ""
// when every kind was.
func DumpIncompleteComment(missing []model.MissingKind) string {
	if len(missing) == 0 {
		return ""
	}
	var b strings.Builder
	b.WriteString(dumpIncompletePrefix + "\n")
	for _, m := range missing {
		fmt.Fprintf(&b, "#   %s: %s — %s\n", m.Resource, m.Reason, m.Impact)
	}
	return b.String()
}

// dumpIncomplete returns the kinds an opening INCOMPLETE block names.
func dumpIncomplete(head []byte) []model.MissingKind {
	var out []model.MissingKind
	in := false
	for _, line := range strings.Split(string(head), "\n") {
		s := strings.TrimSpace(line)
		switch {
		case s == "":
			continue
		case !strings.HasPrefix(s, "#"):
			return out
		case s == dumpIncompletePrefix:
			in = true
		case in && strings.HasPrefix(line, "#   "):
			res, rest, ok := strings.Cut(strings.TrimPrefix(line, "#   "), ": ")
			if !ok {
				continue
			}
			reason, impact, _ := strings.Cut(rest, " — ")
			out = append(out, model.MissingKind{Resource: res, Reason: reason, Impact: impact})
		default:
			in = false
		}
	}
	return out
}

// peekDumpRead reads the read-in-full and INCOMPLETE comments of a dump at
// the start of br without consuming anything.
func peekDumpRead(br *bufio.Reader) ([]string, []model.MissingKind) {
	head, _ := br.Peek(dumpHeaderMax)
	return strings.Fields(dumpComment(head, dumpReadPrefix)), dumpIncomplete(head)
}
