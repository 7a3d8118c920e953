package cmd

import (
	"bytes"
	"encoding/json"
	"errors"
	"math/rand"
	"testing"
)

// TestIndentWriter: printStructured writes what an indenting json.Encoder
// writes, whatever the value and however the compact text is cut.
func TestIndentWriter(t *testing.T) {
	values := []any{
		nil, 1, "x", []any{}, map[string]any{},
		map[string]any{"a": []any{}, "b": map[string]any{}, "c": []any{1, "two", nil, true}},
		[]any{map[string]any{"k\"ey": "va\\lue \" , : { } [ ]"}, []any{[]any{}}, "<&>", "\u2028"},
		struct {
			A []string          `json:"a"`
			B map[string]string `json:"b,omitempty"`
			C json.RawMessage   `json:"c"`
		}{A: []string{"x", ""}, C: json.RawMessage(`{ "raw" : [ 1 , 2 ] }`)},
	}
	r := rand.New(rand.NewSource(1))
	var gen func(depth int) any
	gen = func(depth int) any {
		switch n := r.Intn(6); {
		case depth > 3 || n == 0:
			return string([]byte{"a\"\\,:{}[] \n"[r.Intn(11)], 'z'})
		case n == 1:
			return r.Float64()
		case n < 4:
			out := make([]any, r.Intn(3))
			for i := range out {
				out[i] = gen(depth + 1)
			}
			return out
		default:
			out := map[string]any{}
			for i := range r.Intn(3) {
				out[string(rune('a'+i))+"\"{"] = gen(depth + 1)
			}
			return out
		}
	}
	for range 300 {
		values = append(values, gen(0))
	}
	for _, v := range values {
		var want bytes.Buffer
		enc := json.NewEncoder(&want)
		enc.SetIndent("", "  ")
		if err := enc.Encode(v); err != nil {
			t.Fatal(err)
		}
		var got bytes.Buffer
		if err := printStructured(&got, OutputJSON, v); err != nil {
			t.Fatal(err)
		}
		if got.String() != want.String() {
			t.Fatalf("printStructured(%#v):\n%s\nwant:\n%s", v, got.String(), want.String())
		}
		// Cut anywhere: the state carries over between writes.
		compact, _ := json.Marshal(v)
		compact = append(compact, '\n')
		var cut bytes.Buffer
		iw := newIndentWriter(&cut)
		for rest := compact; len(rest) > 0; {
			n := 1 + r.Intn(len(rest))
			if _, err := iw.Write(rest[:n]); err != nil {
				t.Fatal(err)
			}
			rest = rest[n:]
		}
		if err := iw.Flush(); err != nil {
			t.Fatal(err)
		}
		if cut.String() != want.String() {
			t.Fatalf("cut writes of %s:\n%s\nwant:\n%s", compact, cut.String(), want.String())
		}
	}
}

type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, errWrite }

var errWrite = errors.New("disk full")

// A failed write is printStructured's error, not lost in the buffer.
func TestIndentWriterError(t *testing.T) {
	big := make([]string, 20000)
	if err := printStructured(failingWriter{}, OutputJSON, big); !errors.Is(err, errWrite) {
		t.Errorf("error = %v, want %v", err, errWrite)
	}
	if err := printStructured(failingWriter{}, OutputJSON, 1); !errors.Is(err, errWrite) {
		t.Errorf("error of a small value = %v, want %v", err, errWrite)
	}
}

// TestPrintStructuredList: a value printed with its long list written one
// element at a time is the value printed at once, in every format, and a
// key that occurs in a field before the list's (as a string or a key of
// its own) does not mislead it.
func TestPrintStructuredList(t *testing.T) {
	type item struct {
		Name  string   `json:"name"`
		Steps []string `json:"steps"`
		Tag   string   `json:"tag,omitempty"`
	}
	type doc struct {
		Version int               `json:"version"`
		Note    string            `json:"note"`
		Meta    map[string]string `json:"meta"`
		Items   []item            `json:"items"`
		After   []string          `json:"after"`
	}
	lists := [][]item{
		nil,
		{},
		{{Name: "one"}},
		{{Name: "a", Steps: []string{"x", "\"items\":[]"}}, {Name: "<b>", Steps: []string{}, Tag: "t"}, {Name: "c"}},
	}
	for _, list := range lists {
		for _, format := range []string{OutputJSON, OutputYAML} {
			whole := doc{Version: 2, Note: `"items":[] in a string`, Meta: map[string]string{"items\"": "[]"}, Items: list, After: []string{"z"}}
			if whole.Items == nil {
				whole.Items = []item{} // what a caller sets: the list is never null
			}
			var want bytes.Buffer
			if err := printStructured(&want, format, whole); err != nil {
				t.Fatal(err)
			}
			v := whole
			v.Items = []item{}
			var got bytes.Buffer
			if err := printStructuredList(&got, format, &v, func(l []item) { v.Items = l }, "items", whole.Items); err != nil {
				t.Fatal(err)
			}
			if got.String() != want.String() {
				t.Errorf("%s of %d items:\n%s\nwant:\n%s", format, len(list), got.String(), want.String())
			}
		}
	}
	// A failed write stops it with the writer's error.
	many := make([]item, 20000)
	v := doc{Items: []item{}}
	if err := printStructuredList(failingWriter{}, OutputJSON, &v, func(l []item) { v.Items = l }, "items", many); !errors.Is(err, errWrite) {
		t.Errorf("error = %v, want %v", err, errWrite)
	}
}
