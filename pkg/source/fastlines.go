package source

import (
	"bytes"
	"io"
)

// itemLineTracker gives the fast path the line of each List item, as the
// exact decoder's jsonItemLines does: it passes r's bytes on to the JSON
// iterator and keeps those not yet placed, finds each item the iterator
// returns in them (after the top-level "items" key's '[' for the first,
// after the previous item, whitespace and a comma for the others) and counts
// the newlines before it. An item not found where it must be means the fast
// path gives up (the exact decoder then reads the input), never a wrong line.
type itemLineTracker struct {
	r   io.Reader
	win []byte // bytes read, from the first not yet placed on
	pos int    // where the next item's search starts in win
	// line is the line of win[pos].
	line int
	// placed counts the items placed.
	placed int
}

func newItemLineTracker(r io.Reader) *itemLineTracker { return &itemLineTracker{r: r, line: 1} }

func (t *itemLineTracker) Read(p []byte) (int, error) {
	n, err := t.r.Read(p)
	t.win = append(t.win, p[:n]...)
	return n, err
}

// place returns the line raw starts on, or 0 when raw is not the next item
// of the stream.
func (t *itemLineTracker) place(raw []byte) int {
	at := t.pos
	if t.placed == 0 {
		if at = itemsArrayStart(t.win); at < 0 {
			return 0
		}
	}
	at = skipJSONSpace(t.win, at)
	if t.placed > 0 {
		if at >= len(t.win) || t.win[at] != ',' {
			return 0
		}
		at = skipJSONSpace(t.win, at+1)
	}
	// The iterator's item may start with the whitespace after the comma.
	raw = bytes.TrimLeft(raw, " \t\r\n")
	if at+len(raw) > len(t.win) || !bytes.Equal(t.win[at:at+len(raw)], raw) {
		return 0
	}
	line := t.line + bytes.Count(t.win[t.pos:at], []byte{'\n'})
	t.pos = at + len(raw)
	t.line = line + bytes.Count(raw, []byte{'\n'})
	t.placed++
	// Drop what is placed, once it is large: the copies stay linear.
	if t.pos > 1<<16 {
		t.win = append(t.win[:0], t.win[t.pos:]...)
		t.pos = 0
	}
	return line
}

// itemsArrayStart returns the offset just after the '[' of the top-level
// "items" key of the JSON object that data starts with, or -1 when data
// does not hold it (yet).
func itemsArrayStart(data []byte) int {
	depth := 0
	inStr, esc := false, false
	keyStart := -1
	lastKey := ""
	expectValue := false
	for i := 0; i < len(data); i++ {
		c := data[i]
		if inStr {
			switch {
			case esc:
				esc = false
			case c == '\\':
				esc = true
			case c == '"':
				inStr = false
				if depth == 1 && keyStart >= 0 {
					lastKey = string(data[keyStart:i])
				}
			}
			continue
		}
		switch c {
		case '"':
			inStr = true
			keyStart = -1
			if depth == 1 && !expectValue {
				keyStart = i + 1
			}
		case ':':
			if depth == 1 {
				expectValue = true
			}
		case ',':
			if depth == 1 {
				expectValue, lastKey = false, ""
			}
		case '{', '[':
			if depth == 1 && c == '[' && expectValue && lastKey == "items" {
				return i + 1
			}
			depth++
		case '}', ']':
			depth--
		}
	}
	return -1
}
