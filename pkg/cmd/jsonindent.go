package cmd

import (
	"bufio"
	"io"
)

// indentWriter indents the compact JSON written to it as json.Indent with
// no prefix and two spaces would, as it goes: the scan of a large cluster
// prints hundreds of MB, and an indented copy of the whole document (what
// json.Encoder with SetIndent makes) was the command's last peak of memory.
// Whitespace outside strings is copied (compact JSON has none but the
// Encoder's final newline), as json.Indent copies trailing space.
type indentWriter struct {
	w     *bufio.Writer
	depth int
	// open: a '{' or '[' was just written; its newline waits for the next
	// byte, since an empty object or array stays "{}" or "[]".
	open             bool
	inString, escape bool
}

func newIndentWriter(w io.Writer) *indentWriter {
	return &indentWriter{w: bufio.NewWriterSize(w, 64<<10)}
}

func (iw *indentWriter) Write(p []byte) (int, error) {
	w := iw.w
	for _, c := range p {
		if iw.inString {
			_ = w.WriteByte(c)
			switch {
			case iw.escape:
				iw.escape = false
			case c == '\\':
				iw.escape = true
			case c == '"':
				iw.inString = false
			}
			continue
		}
		if iw.open && c != '}' && c != ']' {
			iw.open = false
			iw.depth++
			iw.newline()
		}
		switch c {
		case '"':
			iw.inString = true
			_ = w.WriteByte(c)
		case '{', '[':
			iw.open = true
			_ = w.WriteByte(c)
		case ',':
			_ = w.WriteByte(c)
			iw.newline()
		case ':':
			_ = w.WriteByte(c)
			_ = w.WriteByte(' ')
		case '}', ']':
			if iw.open {
				iw.open = false
			} else {
				iw.depth--
				iw.newline()
			}
			_ = w.WriteByte(c)
		default:
			_ = w.WriteByte(c)
		}
	}
	// bufio.Writer keeps its first error and returns it from every call.
	if _, err := w.Write(nil); err != nil {
		return 0, err
	}
	return len(p), nil
}

func (iw *indentWriter) newline() {
	_ = iw.w.WriteByte('\n')
	for range iw.depth {
		_, _ = iw.w.WriteString("  ")
	}
}

// Flush writes what is buffered.
func (iw *indentWriter) Flush() error { return iw.w.Flush() }
