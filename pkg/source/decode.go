package source

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"sigs.k8s.io/yaml"

	"github.com/auth-paths/kubectl-auth-paths/pkg/model"
)

// decoder accumulates objects from any number of streams.
type decoder struct {
	inv              *model.Inventory
	defaultNamespace string
	// seen detects the same object given twice (e.g. overlapping -f paths).
	seen map[string]seenObject
	// drops counts, per key, the objects of that key read before the last
	// time it was read again: the later wins, and the earlier are dropped
	// once, when the input is read (dropping each as its copy came scanned
	// its list each time: quadratic on inputs that overlap).
	drops map[string]int
	// decoding describes the kind of the object being decoded, also when
	// only its List names it (items of API list responses carry no kind).
	decoding *kindDescriptor
	// unmarshal decodes an object's JSON (encoding/json when nil; see fastjson.go).
	unmarshal func([]byte, any) error
	// seenLog, when not nil, records what reading objects changed in seen
	// and drops (for a rollback).
	seenLog []seenUndo
	// othersRaw holds the JSON of Others that may be admission policy
	// parameters, until finish keeps those a paramKind names.
	othersRaw map[*model.Object][]byte
	// strs keeps one copy of the strings objects repeat.
	strs strtab
}

// decodeJSON unmarshals one object's JSON into a slim struct.
func (d *decoder) decodeJSON(raw []byte, v any) error {
	if d.unmarshal != nil {
		return d.unmarshal(raw, v)
	}
	return json.Unmarshal(raw, v)
}

func newDecoder(defaultNamespace string) *decoder {
	if defaultNamespace == "" {
		defaultNamespace = "default"
	}
	return &decoder{
		inv:              &model.Inventory{Skipped: map[string]int{}},
		defaultNamespace: defaultNamespace,
		seen:             map[string]seenObject{},
		drops:            map[string]int{},
	}
}

func (d *decoder) finish() *model.Inventory {
	keepParams(d.inv, d.othersRaw)
	d.othersRaw = nil
	dropEarlier(d.inv, d.drops)
	sortInventory(d.inv)
	return d.inv
}

// docError names the file, the document and what is wrong.
type docError struct {
	src model.Source
	msg string
	err error
}

func (e *docError) Error() string {
	var b strings.Builder
	b.WriteString(e.src.File)
	if e.src.Doc > 0 {
		fmt.Fprintf(&b, ": document %d", e.src.Doc)
	}
	if e.src.Item > 0 {
		fmt.Fprintf(&b, ": items[%d]", e.src.Item-1)
	}
	if e.src.Doc > 0 && e.src.Line > 0 {
		// The document's line, or the item's within a List.
		fmt.Fprintf(&b, " (line %d)", e.src.Line)
	}
	b.WriteString(": ")
	b.WriteString(e.msg)
	if e.err != nil {
		if e.msg != "" {
			b.WriteString(": ")
		}
		b.WriteString(e.err.Error())
	}
	return b.String()
}

func (e *docError) Unwrap() error { return e.err }

// decodeStream reads one file's documents; it returns how many documents
// (objects or Lists, even empty ones) it read.
func (d *decoder) decodeStream(file string, r io.Reader) (int, error) {
	br := bufio.NewReaderSize(r, 1<<20)
	first, err := peekNonSpace(br)
	if err != nil {
		if errors.Is(err, io.EOF) {
			return 0, nil
		}
		return 0, fmt.Errorf("%s: %w", file, err)
	}
	if first == '{' || first == '[' {
		// The whole stream is kept so that error offsets become lines and columns.
		data, err := io.ReadAll(br)
		if err != nil {
			return 0, fmt.Errorf("%s: %w", file, err)
		}
		if !hasDocSeparator(data) {
			return d.decodeJSONStream(file, data)
		}
		// JSON documents separated by "---" are a YAML stream.
		br = bufio.NewReader(bytes.NewReader(data))
	}
	return d.decodeYAMLStream(file, br)
}

// hasDocSeparator reports whether a line of data is a YAML document separator.
func hasDocSeparator(data []byte) bool {
	for len(data) > 0 {
		line := data
		if i := bytes.IndexByte(data, '\n'); i >= 0 {
			line, data = data[:i+1], data[i+1:]
		} else {
			data = nil
		}
		if isDocSeparator(line) {
			return true
		}
	}
	return false
}

// peekNonSpace returns the first byte that is not white space or a BOM, without consuming it.
func peekNonSpace(br *bufio.Reader) (byte, error) {
	if bom, err := br.Peek(3); err == nil && bytes.Equal(bom, []byte{0xEF, 0xBB, 0xBF}) {
		_, _ = br.Discard(3)
	}
	for {
		b, err := br.Peek(1)
		if err != nil {
			return 0, err
		}
		switch b[0] {
		case ' ', '\t', '\r', '\n':
			_, _ = br.Discard(1)
		default:
			return b[0], nil
		}
	}
}

func (d *decoder) decodeJSONStream(file string, data []byte) (int, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	docs := 0
	for doc := 1; ; doc++ {
		start := skipJSONSpace(data, int(dec.InputOffset()))
		src := model.Source{File: file, Doc: doc, Line: lineAt(data, start)}
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			if errors.Is(err, io.EOF) {
				return docs, nil
			}
			return docs, &docError{src: src, msg: "invalid JSON", err: jsonSyntaxDetail(data, err)}
		}
		if _, err := d.decodeDocument(raw, src, jsonItemLines); err != nil {
			return docs, err
		}
		docs++
	}
}

func skipJSONSpace(data []byte, i int) int {
	for i < len(data) && (data[i] == ' ' || data[i] == '\t' || data[i] == '\r' || data[i] == '\n') {
		i++
	}
	return i
}

// lineAt returns the 1-based line of byte offset off.
func lineAt(data []byte, off int) int {
	if off > len(data) {
		off = len(data)
	}
	return 1 + bytes.Count(data[:off], []byte{'\n'})
}

// jsonSyntaxDetail says where in the stream a JSON syntax error is.
func jsonSyntaxDetail(data []byte, err error) error {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		off := int(se.Offset)
		if off > 0 {
			off-- // Offset counts the offending byte.
		}
		if off > len(data) {
			off = len(data)
		}
		col := off - bytes.LastIndexByte(data[:off], '\n')
		return fmt.Errorf("line %d, column %d: %s", lineAt(data, off), col, se.Error())
	}
	if errors.Is(err, io.ErrUnexpectedEOF) {
		return fmt.Errorf("unexpected end of input at line %d: the document is truncated", lineAt(data, len(data)))
	}
	return err
}

var yamlLineRE = regexp.MustCompile(`line (\d+)`)

// decodeYAMLStream splits a multi-document YAML stream on "---" lines, keeping
// each document's first line for error messages.
func (d *decoder) decodeYAMLStream(file string, br *bufio.Reader) (int, error) {
	docs := 0
	doc := 0
	var buf bytes.Buffer
	startLine, lineNo := 1, 0
	flush := func() error {
		defer buf.Reset()
		if isBlankYAML(buf.Bytes()) {
			return nil
		}
		doc++
		src := model.Source{File: file, Doc: doc, Line: startLine}
		if msg := encodingProblem(buf.Bytes(), startLine); msg != "" {
			return &docError{src: src, msg: msg}
		}
		js, err := yaml.YAMLToJSON(buf.Bytes())
		if err != nil {
			msg := yamlLineRE.ReplaceAllStringFunc(err.Error(), func(m string) string {
				n, _ := strconv.Atoi(strings.TrimPrefix(m, "line "))
				return fmt.Sprintf("line %d", n+startLine-1)
			})
			msg = strings.TrimPrefix(msg, "error converting YAML to JSON: ")
			msg = strings.TrimPrefix(msg, "yaml: ")
			return &docError{src: src, msg: "invalid YAML: " + msg}
		}
		yamlDoc := buf.Bytes()
		if _, err := d.decodeDocument(js, src, func([]byte, int) []int { return yamlItemLines(yamlDoc, startLine) }); err != nil {
			return err
		}
		if !isNullJSON(js) {
			docs++
		}
		return nil
	}
	for {
		line, err := br.ReadBytes('\n')
		if len(line) > 0 {
			lineNo++
			if isDocSeparator(line) {
				if ferr := flush(); ferr != nil {
					return docs, ferr
				}
				startLine = lineNo + 1
			} else {
				buf.Write(line)
			}
		}
		if err != nil {
			if !errors.Is(err, io.EOF) {
				return docs, fmt.Errorf("%s: %w", file, err)
			}
			break
		}
	}
	if err := flush(); err != nil {
		return docs, err
	}
	return docs, nil
}

// encodingProblem says why a document is not UTF-8 text, or returns "".
func encodingProblem(b []byte, startLine int) string {
	switch {
	case bytes.HasPrefix(b, []byte{0xFF, 0xFE}) || bytes.HasPrefix(b, []byte{0xFE, 0xFF}):
		return "UTF-16 text: save the file as UTF-8"
	case bytes.IndexByte(b, 0) >= 0:
		return "binary data: not YAML or JSON"
	case !utf8.Valid(b):
		for i, line := range bytes.SplitAfter(b, []byte{'\n'}) {
			if !utf8.Valid(line) {
				return fmt.Sprintf("line %d is not valid UTF-8: YAML and JSON input must be UTF-8 text", startLine+i)
			}
		}
	}
	return ""
}

func isDocSeparator(line []byte) bool {
	if !bytes.HasPrefix(line, []byte("---")) {
		return false
	}
	rest := bytes.TrimSpace(line[3:])
	return len(rest) == 0 || rest[0] == '#'
}

// isBlankYAML is true for documents with only white space and comments.
func isBlankYAML(b []byte) bool {
	for len(b) > 0 {
		i := bytes.IndexByte(b, '\n')
		var l []byte
		if i < 0 {
			l, b = b, nil
		} else {
			l, b = b[:i], b[i+1:]
		}
		t := bytes.TrimSpace(l)
		if len(t) > 0 && t[0] != '#' && !bytes.Equal(t, []byte("...")) {
			return false
		}
	}
	return true
}

// header is what every Kubernetes object and List starts with.
type header struct {
	APIVersion string            `json:"apiVersion"`
	Kind       string            `json:"kind"`
	Items      []json.RawMessage `json:"items"`
	Metadata   struct {
		Name      string `json:"name"`
		Namespace string `json:"namespace"`
	} `json:"metadata"`
}

func isNullJSON(js []byte) bool {
	t := bytes.TrimSpace(js)
	return len(t) == 0 || bytes.Equal(t, []byte("null"))
}

// jsonValueKind names the kind of JSON value a document starts with.
func jsonValueKind(t []byte) string {
	switch t[0] {
	case '[':
		return "a list"
	case '"':
		return "a string"
	case 't', 'f':
		return "a boolean"
	default:
		return "a number"
	}
}

// decodeDocument decodes one top-level document, which may be a List; it
// returns how many objects it kept or skipped. itemLines, when not nil, gives
// the line of each item of a List (from the document's JSON and first line).
func (d *decoder) decodeDocument(js []byte, src model.Source, itemLines func(doc []byte, first int) []int) (int, error) {
	if isNullJSON(js) {
		return 0, nil
	}
	t := bytes.TrimSpace(js)
	if t[0] != '{' {
		return 0, &docError{src: src, msg: fmt.Sprintf("not a Kubernetes object: got %s, want a mapping with apiVersion and kind", jsonValueKind(t))}
	}
	var h header
	if err := json.Unmarshal(t, &h); err != nil {
		return 0, &docError{src: src, msg: "malformed object", err: cleanJSONError(err)}
	}
	if h.Kind == "" {
		return 0, &docError{src: src, msg: "missing kind"}
	}
	if h.APIVersion == "" {
		return 0, &docError{src: src, msg: fmt.Sprintf("%s: missing apiVersion", h.Kind)}
	}
	if strings.HasSuffix(h.Kind, "List") && h.Items != nil {
		// kubectl fills kind/apiVersion of items; raw typed lists from the API do not.
		itemKind := strings.TrimSuffix(h.Kind, "List")
		if h.Kind == "List" {
			itemKind = ""
		}
		var lines []int
		if itemLines != nil && src.Line > 0 {
			if lines = itemLines(t, src.Line); len(lines) != len(h.Items) {
				lines = nil
			}
		}
		for i, item := range h.Items {
			isrc := src
			isrc.Item = i + 1
			if lines != nil {
				isrc.Line = lines[i]
			}
			if err := d.decodeObject(item, isrc, itemKind, h.APIVersion); err != nil {
				return 0, err
			}
		}
		return len(h.Items), nil
	}
	if err := d.decodeObject(t, src, "", ""); err != nil {
		return 0, err
	}
	return 1, nil
}

// cleanJSONError drops Go type names from encoding/json errors where it can.
func cleanJSONError(err error) error {
	var ute *json.UnmarshalTypeError
	if errors.As(err, &ute) {
		field := ute.Field
		if field == "" {
			field = "(top level)"
		}
		return fmt.Errorf("field %s: got JSON %s, want %s", field, ute.Value, jsonKind(ute.Type.Kind().String()))
	}
	return err
}

func jsonKind(goKind string) string {
	switch goKind {
	case "slice", "array":
		return "a list"
	case "map", "struct":
		return "an object"
	case "string":
		return "a string"
	case "bool":
		return "true or false"
	case "ptr":
		return "a value of another type"
	default:
		return "a number"
	}
}
