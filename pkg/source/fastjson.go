package source

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"reflect"
	"strings"
	"unicode/utf8"

	jsoniter "github.com/json-iterator/go"

	"github.com/auth-paths/kubectl-auth-paths/pkg/model"
)

// The fast path reads the one shape large inputs have — a file that is a
// single JSON List, as `kubectl get … -o json` writes it — as a stream: each
// item is taken from the input, validated, decoded into the slim structs of
// kinds.go and dropped, so the file is never held in memory whole and is
// parsed about twice instead of five times. It decides nothing on its own:
// anything else (YAML, several documents, an item without kind, any
// error) rolls the inventory back and the exact decoder of decode.go
// reads the input again, so results and error messages are those of one
// decoder whichever path ran (tested on every testdata file and by fuzzing).

// fastJSON is encoding/json-compatible (case-insensitive field names, last
// duplicate wins) and several times faster for the slim structs.
var fastJSON = jsoniter.ConfigCompatibleWithStandardLibrary

// fastPathMinBytes: smaller inputs gain nothing worth a second code path.
const fastPathMinBytes = 1 << 20

// errNotFast says the input is not for the fast path (not an error of the input).
var errNotFast = errors.New("not a single JSON List")

// listItem is one item read from the List, with what the List said of
// itself so far (its kind and apiVersion may follow its items).
type listItem struct {
	raw              []byte
	n, line          int
	kind, apiVersion string
}

// listBatch carries items from the reader to the decoder; the last batch of
// a List has done set, with the List's kind and apiVersion and whether it was
// one well-formed List document.
type listBatch struct {
	items            []listItem
	done, ok         bool
	kind, apiVersion string
}

// decodeJSONListFast streams a single top-level JSON List from r into d. On
// any failure it restores d as it was and returns an error; the caller then
// reads the input again with the exact decoder. One goroutine reads and
// validates items while this one decodes them: two cores, same order.
func (d *decoder) decodeJSONListFast(file string, r io.Reader) (docs int, err error) {
	undo := d.checkpoint()
	d.unmarshal = fastJSON.Unmarshal
	defer func() {
		if err != nil {
			undo()
		}
		d.unmarshal, d.seenLog = nil, nil
	}()

	batches := make(chan listBatch, 4)
	stop := make(chan struct{})
	go readList(r, batches, stop)
	defer func() {
		// The reader must be done with r before the caller rewinds it for
		// the exact decoder: stop it, and wait until it closes batches.
		close(stop)
		for range batches { //nolint:revive // draining
		}
	}()

	src := model.Source{File: file, Doc: 1, Line: 1}
	for b := range batches {
		for _, it := range b.items {
			isrc := src
			isrc.Item, isrc.Line = it.n, it.line
			// Items of kubectl's Lists carry kind and apiVersion; a typed
			// List that names them only after its items is left to the
			// exact decoder.
			if err := d.decodeObjectFast(it.raw, isrc, listItemKind(it.kind), it.apiVersion); err != nil {
				return 0, err
			}
		}
		if b.done {
			if !b.ok || b.kind == "" || b.apiVersion == "" || !strings.HasSuffix(b.kind, "List") {
				return 0, errNotFast
			}
			return 1, nil
		}
	}
	return 0, errNotFast
}

// readList reads one JSON List document from r as batches of valid items,
// then a last batch saying whether r held exactly that. It closes out.
func readList(r io.Reader, out chan<- listBatch, stop <-chan struct{}) {
	defer close(out)
	send := func(b listBatch) bool {
		select {
		case out <- b:
			return true
		case <-stop:
			return false
		}
	}
	fail := func() { send(listBatch{done: true}) }

	lines := newItemLineTracker(r)
	it := jsoniter.Parse(fastJSON, lines, 1<<16)
	if it.WhatIsNext() != jsoniter.ObjectValue {
		fail()
		return
	}
	var kind, apiVersion string
	sawItems := false
	for field := it.ReadObject(); field != ""; field = it.ReadObject() {
		switch field {
		case "kind":
			kind = it.ReadString()
			if !utf8.ValidString(kind) {
				fail()
				return
			}
		case "apiVersion":
			apiVersion = it.ReadString()
			if !utf8.ValidString(apiVersion) {
				fail()
				return
			}
		case "items":
			if sawItems || it.WhatIsNext() != jsoniter.ArrayValue {
				fail()
				return
			}
			sawItems = true
			var batch []listItem
			n := 0
			for it.ReadArray() {
				select {
				case <-stop:
					return
				default:
				}
				raw := it.SkipAndReturnBytes()
				if it.Error != nil || !validJSON(raw) {
					fail()
					return
				}
				line := lines.place(raw)
				if line == 0 {
					fail()
					return
				}
				n++
				batch = append(batch, listItem{raw: raw, n: n, line: line, kind: kind, apiVersion: apiVersion})
				if len(batch) == 256 {
					if !send(listBatch{items: batch}) {
						return
					}
					batch = nil
				}
			}
			if len(batch) > 0 && !send(listBatch{items: batch}) {
				return
			}
		default:
			if strings.EqualFold(field, "kind") || strings.EqualFold(field, "apiVersion") || strings.EqualFold(field, "items") {
				fail() // encoding/json matches field names case-insensitively
				return
			}
			// Only field names matter elsewhere; the value must still be valid JSON.
			if raw := it.SkipAndReturnBytes(); it.Error != nil || !validJSON(raw) {
				fail()
				return
			}
		}
		if it.Error != nil {
			fail()
			return
		}
	}
	// One document only, a List with items (as decodeDocument decides).
	ok := sawItems && (it.Error == nil || errors.Is(it.Error, io.EOF)) && it.WhatIsNext() == jsoniter.InvalidValue &&
		(it.Error == nil || errors.Is(it.Error, io.EOF))
	send(listBatch{done: true, ok: ok, kind: kind, apiVersion: apiVersion})
}

// validJSON: valid JSON in valid UTF-8. encoding/json replaces invalid UTF-8
// in strings with U+FFFD and json-iterator keeps the bytes, so such input is
// left to the exact decoder.
func validJSON(raw []byte) bool { return utf8.Valid(raw) && json.Valid(raw) }

// listItemKind is the kind a typed List gives items without one ("" for v1 List).
func listItemKind(listKind string) string {
	if listKind == "List" || !strings.HasSuffix(listKind, "List") {
		return ""
	}
	return strings.TrimSuffix(listKind, "List")
}

// decodeObjectFast is decodeObject for the fast path: an item without its own
// kind or apiVersion is left to the exact decoder. An object read before is
// read as the exact decoder reads it (its warning and the drop of the
// earlier copy, counted until the input is read, are rolled back with the
// rest: duplicates.go).
func (d *decoder) decodeObjectFast(raw []byte, src model.Source, itemKind, itemAPIVersion string) error {
	// While seenLog is kept, decodeObject refuses an item without its own
	// kind or apiVersion.
	if err := d.decodeObject(raw, src, itemKind, itemAPIVersion); err != nil {
		return errNotFast
	}
	return nil
}

// checkpoint records the decoder's state; the returned func restores it. The
// fast path only appends to the inventory's slices, and changes seen and
// drops through beginRead, which logs each change.
func (d *decoder) checkpoint() func() {
	inv := reflect.ValueOf(d.inv).Elem()
	lens := make([]int, inv.NumField())
	for i := range lens {
		if f := inv.Field(i); f.Kind() == reflect.Slice {
			lens[i] = f.Len()
		}
	}
	skipped := make(map[string]int, len(d.inv.Skipped))
	for k, v := range d.inv.Skipped {
		skipped[k] = v
	}
	decoding := d.decoding
	d.seenLog = []seenUndo{}
	return func() {
		for i, n := range lens {
			if f := inv.Field(i); f.Kind() == reflect.Slice {
				for j := n; j < f.Len(); j++ {
					f.Index(j).SetZero() // let the collector have them
				}
				f.SetLen(n)
			}
		}
		d.inv.Skipped = skipped
		d.rollback()
		d.seenLog = nil
		d.decoding = decoding
	}
}

// tryFastFile reads a large file with the fast path. done false means it did
// not, and the file is back at its start for the exact decoder.
func (d *decoder) tryFastFile(f *os.File, display string) (done bool, err error) {
	st, err := f.Stat()
	if err != nil || !st.Mode().IsRegular() || st.Size() < fastPathMinBytes {
		return false, nil
	}
	br := bufio.NewReaderSize(f, 1<<16)
	if first, perr := peekNonSpace(br); perr == nil && first == '{' {
		if _, ferr := d.decodeJSONListFast(display, br); ferr == nil {
			return true, nil
		}
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return false, fmt.Errorf("%s: %w", display, err)
	}
	return false, nil
}

// tryFastStdin reads standard input with the fast path when it is large JSON.
// It returns nil when done, else the reader the exact decoder must read: what
// the fast path consumed (kept in memory meanwhile) followed by the rest.
func (d *decoder) tryFastStdin(stdin io.Reader) io.Reader {
	br := bufio.NewReaderSize(stdin, fastPathMinBytes)
	if head, _ := br.Peek(fastPathMinBytes); len(head) < fastPathMinBytes {
		return br
	}
	if first, err := peekNonSpace(br); err != nil || first != '{' {
		return br
	}
	var consumed bytes.Buffer
	if _, err := d.decodeJSONListFast("<stdin>", io.TeeReader(br, &consumed)); err == nil {
		return nil
	}
	return io.MultiReader(&consumed, br)
}
