package cmd

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/spf13/cobra"
	"sigs.k8s.io/yaml"
)

// Output formats shared by the commands.
const (
	OutputTable = "table"
	OutputJSON  = "json"
	OutputYAML  = "yaml"
	// OutputSARIF is scan's SARIF 2.1.0 output.
	OutputSARIF = "sarif"
	// OutputDOT and OutputSVG are graph's.
	OutputDOT = "dot"
	OutputSVG = "svg"
	// OutputMarkdown and OutputHTML are report's.
	OutputMarkdown = "md"
	OutputHTML     = "html"
)

// The formats each command's -o takes, the default first. One list per
// command is the help text of -o, what Validate accepts and what the shell
// completes: a format added here is offered everywhere at once.
var (
	tableFormats   = []string{OutputTable, OutputJSON, OutputYAML}
	scanFormats    = []string{OutputTable, OutputJSON, OutputYAML, OutputSARIF}
	dumpFormats    = []string{OutputYAML, OutputJSON}
	graphFormats   = []string{OutputDOT, OutputSVG}
	reportFormats  = []string{OutputMarkdown, OutputHTML}
	versionFormats = []string{OutputJSON, OutputYAML}
)

// addOutputFlag registers -o, --output FORMAT for formats, with its help
// text and its shell completion; note, when set, ends the help text.
func addOutputFlag(cmd *cobra.Command, p *string, formats []string, note string) {
	usage := "Output `FORMAT`: " + orList(formats)
	if note != "" {
		usage += "; " + note
	}
	cmd.Flags().StringVarP(p, "output", "o", *p, usage)
	_ = cmd.RegisterFlagCompletionFunc("output", cobra.FixedCompletions(formats, cobra.ShellCompDirectiveNoFileComp))
}

// validateOutput refuses a format that is not in allowed, naming the valid ones.
func validateOutput(o string, allowed []string) error {
	if slices.Contains(allowed, o) {
		return nil
	}
	msg := fmt.Sprintf("unsupported output format %q: want one of %s", o, strings.Join(allowed, ", "))
	if strings.ContainsAny(o, "./") {
		// -o is a format, as in kubectl; an earlier release took a file name.
		msg += " (-o is the format; --output-file FILE writes to a file)"
	}
	return fmt.Errorf("%s", msg)
}

// orList spells a list as "a, b or c".
func orList(list []string) string {
	if len(list) < 2 {
		return strings.Join(list, "")
	}
	return strings.Join(list[:len(list)-1], ", ") + " or " + list[len(list)-1]
}

// printStructured writes v as indented JSON or as YAML.
func printStructured(w io.Writer, format string, v any) error {
	if format == OutputYAML {
		data, err := json.Marshal(v)
		if err != nil {
			return err
		}
		if data, err = yaml.JSONToYAML(data); err != nil {
			return err
		}
		_, err = w.Write(data)
		return err
	}
	// What json.MarshalIndent and a newline would write, with one copy of
	// the document (the Encoder's, compact) instead of three: the scan of a
	// large cluster prints hundreds of MB, and those copies set the
	// command's peak memory.
	iw := newIndentWriter(w)
	if err := json.NewEncoder(iw).Encode(v); err != nil {
		return err
	}
	return iw.Flush()
}

// printStructuredList is printStructured for a value with one long list,
// e.g. scan's paths: v must hold that list empty (so its JSON has
// `"key":[]`) and list is the list. As JSON, the list's elements are
// marshalled and written one at a time where the empty list is, which
// gives the bytes printStructured would give v with the list in it but
// never holds the whole document: the paths of a large cluster are hundreds
// of MB, and that copy and its growth set the command's peak memory after
// the analysis (which is garbage by then, but not yet collected). The key
// must not occur before the list's own in v's compact JSON.
func printStructuredList[T any](w io.Writer, format string, v any, setList func([]T), key string, list []T) error {
	if format != OutputJSON {
		setList(list)
		return printStructured(w, format, v)
	}
	head, err := json.Marshal(v)
	if err != nil {
		return err
	}
	empty := []byte(fmt.Sprintf("%q:[]", key))
	at := bytes.Index(head, empty)
	if at < 0 {
		return fmt.Errorf("internal error: %q is not in the output", empty)
	}
	split := at + len(empty) - 1 // just before the list's ']'
	iw := newIndentWriter(w)
	if _, err := iw.Write(head[:split]); err != nil {
		return err
	}
	for i, e := range list {
		b, err := json.Marshal(e)
		if err != nil {
			return err
		}
		if i > 0 {
			b = append([]byte{','}, b...)
		}
		if _, err := iw.Write(b); err != nil {
			return err
		}
	}
	// The rest, and a newline as the Encoder ends a value.
	if _, err := iw.Write(append(head[split:], '\n')); err != nil {
		return err
	}
	return iw.Flush()
}
