package source

import (
	"bytes"
	"encoding/json"
	"io"
)

// A List holds every object of a kubectl dump (ours too) in one document, so
// the document's line would be the line of every object in SARIF regions and
// choke-point sources. These find the line of each item: decodeDocument uses
// them when it finds as many as the List has items, else it keeps the
// document's line (never a wrong one).

// yamlItemLines returns the line of each entry of a YAML List document's
// top-level items sequence, counted from first (the document's first line):
// the lines, after a top-level "items:" key, that start an entry ("- ") at
// the sequence's indentation, until the next top-level key. Nil when doc has
// no such key.
func yamlItemLines(doc []byte, first int) []int {
	var lines []int
	in, indent := false, -1
	for n := 0; len(doc) > 0; n++ {
		line := doc
		if i := bytes.IndexByte(doc, '\n'); i >= 0 {
			line, doc = doc[:i], doc[i+1:]
		} else {
			doc = nil
		}
		line = bytes.TrimRight(line, "\r")
		trimmed := bytes.TrimLeft(line, " ")
		if len(trimmed) == 0 || trimmed[0] == '#' {
			continue
		}
		depth := len(line) - len(trimmed)
		if depth == 0 && trimmed[0] != '-' {
			// A top-level key: items starts the sequence, any other ends it.
			in = bytes.HasPrefix(trimmed, []byte("items:"))
			indent = -1
			continue
		}
		if !in || (trimmed[0] != '-' || (len(trimmed) > 1 && trimmed[1] != ' ')) {
			continue
		}
		if indent < 0 {
			indent = depth
		}
		if depth == indent {
			lines = append(lines, first+n)
		}
	}
	return lines
}

// jsonItemLines returns the line of each element of a JSON List document's
// top-level "items" array; first is the line doc starts on. Nil when doc is
// not an object with such an array.
func jsonItemLines(doc []byte, first int) []int {
	dec := json.NewDecoder(bytes.NewReader(doc))
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return nil
	}
	line, at := first, 0
	lineOf := func(off int) int {
		off = skipJSONSpace(doc, off)
		for off < len(doc) && doc[off] == ',' {
			off = skipJSONSpace(doc, off+1)
		}
		line += bytes.Count(doc[at:off], []byte{'\n'})
		at = off
		return line
	}
	for dec.More() {
		key, err := dec.Token()
		if err != nil {
			return nil
		}
		if key != "items" {
			var skip json.RawMessage
			if dec.Decode(&skip) != nil {
				return nil
			}
			continue
		}
		if t, err := dec.Token(); err != nil || t != json.Delim('[') {
			return nil
		}
		var lines []int
		for dec.More() {
			lines = append(lines, lineOf(int(dec.InputOffset())))
			var skip json.RawMessage
			if err := dec.Decode(&skip); err != nil && err != io.EOF {
				return nil
			}
		}
		return lines
	}
	return nil
}
