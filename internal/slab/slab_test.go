package slab

import (
	"fmt"
	"strings"
	"testing"
	"unsafe"
)

func TestSlabNew(t *testing.T) {
	var s Slab[[2]int]
	var got []*[2]int
	for i := range 3*Size + 5 {
		got = append(got, s.New([2]int{i, -i}))
	}
	for i, p := range got {
		if *p != [2]int{i, -i} {
			t.Fatalf("value %d = %v after more were made", i, *p)
		}
	}
	// Values made one after another share a block: consecutive addresses.
	if d := uintptr(unsafe.Pointer(got[1])) - uintptr(unsafe.Pointer(got[0])); d != unsafe.Sizeof([2]int{}) {
		t.Errorf("values 0 and 1 are %d bytes apart, want %d", d, unsafe.Sizeof([2]int{}))
	}
	// A full block is replaced, never grown (which would move its values),
	// by one twice its size up to Size: 16+32+64+128 values, then 256 a block.
	if want := (3*Size + 5 - (FirstSize + 2*FirstSize + 4*FirstSize + 8*FirstSize)) % Size; len(s.block) != want || cap(s.block) != Size {
		t.Errorf("current block has %d of %d values, want %d of %d", len(s.block), cap(s.block), want, Size)
	}
	var few Slab[int]
	few.New(1)
	if cap(few.block) != FirstSize {
		t.Errorf("first block holds %d values, want %d", cap(few.block), FirstSize)
	}
}

func TestSlabSlice(t *testing.T) {
	var s Slab[string]
	if got := s.Slice(nil); got != nil {
		t.Errorf("Slice(nil) = %#v, want nil", got)
	}
	if got := s.Slice([]string{}); got == nil || len(got) != 0 {
		t.Errorf("Slice(empty) = %#v, want empty", got)
	}
	var kept [][]string
	for i := range Size {
		in := make([]string, i%7+1)
		for j := range in {
			in[j] = fmt.Sprint(i, ".", j)
		}
		out := s.Slice(in)
		in[0] = "changed" // the copy is the slab's
		if len(out) != len(in) || cap(out) != len(out) || out[0] != fmt.Sprint(i, ".0") {
			t.Fatalf("Slice %d = %q (cap %d)", i, out, cap(out))
		}
		kept = append(kept, out)
	}
	// An append to one never writes into the next.
	_ = append(kept[0], "appended")
	if kept[1][0] != "1.0" {
		t.Errorf("append to a slice wrote into the next: %q", kept[1])
	}
	long := make([]string, Size/4+1)
	if out := s.Slice(long); len(out) != len(long) {
		t.Errorf("long slice: len %d", len(out))
	}
}

func TestStringsCopy(t *testing.T) {
	var b Strings
	if got := b.Copy(""); got != "" {
		t.Errorf("Copy(\"\") = %q", got)
	}
	var in, out []string
	for i := range 20000 {
		s := strings.Repeat(fmt.Sprint(i%10), i%40+1) + fmt.Sprint(i)
		in = append(in, s)
		out = append(out, b.Copy(s))
	}
	for i := range in {
		if in[i] != out[i] {
			t.Fatalf("copy %d = %q, want %q", i, out[i], in[i])
		}
		if unsafe.StringData(in[i]) == unsafe.StringData(out[i]) {
			t.Fatalf("copy %d shares the original's bytes", i)
		}
	}
	if d := uintptr(unsafe.Pointer(unsafe.StringData(out[1]))) - uintptr(unsafe.Pointer(unsafe.StringData(out[0]))); d != uintptr(len(out[0])) {
		t.Errorf("strings 0 and 1 are %d bytes apart, want %d", d, len(out[0]))
	}
	var few Strings
	few.Copy("web")
	if cap(few.block) != StringsFirstSize {
		t.Errorf("first block is %d bytes, want %d", cap(few.block), StringsFirstSize)
	}
	long := strings.Repeat("x", StringsSize/8+1)
	if got := b.Copy(long); got != long || unsafe.StringData(got) == unsafe.StringData(long) {
		t.Error("a long string is not copied on its own")
	}
}

func ExampleSlab() {
	type pod struct{ namespace, name string }
	var pods Slab[pod]
	var kept []*pod
	for _, name := range []string{"web-1", "web-2"} {
		kept = append(kept, pods.New(pod{"shop", name}))
	}
	fmt.Println(*kept[0], *kept[1])
	// Output: {shop web-1} {shop web-2}
}

func ExampleStrings() {
	var names Strings
	decoded := []byte(`web-1`) // a decoder's own buffer, about to be garbage
	name := names.Copy(string(decoded))
	fmt.Println(name)
	// Output: web-1
}
