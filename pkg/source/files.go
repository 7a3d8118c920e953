// Package source reads RBAC and related objects into a model.Inventory, from
// files (offline) or from a cluster (live). Both paths share one decoder, so an
// object means the same thing wherever it came from.
package source

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/auth-paths/kubectl-auth-paths/pkg/model"
)

// FileOptions are the kubectl-style `-f` inputs.
type FileOptions struct {
	// Filenames are files, directories or "-" for standard input.
	Filenames []string
	// Recursive walks directories recursively (kubectl's -R).
	Recursive bool
	// DefaultNamespace is given to namespaced objects written without one,
	// as `kubectl apply -n` would.
	DefaultNamespace string
	// Stdin is read for "-".
	Stdin io.Reader
}

// manifestExtensions are the file types kubectl reads from directories.
var manifestExtensions = map[string]bool{".yaml": true, ".yml": true, ".json": true}

// expand turns the user's -f arguments into an ordered list of files to read.
func expand(opts FileOptions) ([]string, error) {
	var out []string
	stdinSeen := false
	for _, name := range opts.Filenames {
		if name == "-" {
			if stdinSeen {
				return nil, errors.New(`"-" (standard input) given more than once`)
			}
			stdinSeen = true
			out = append(out, "-")
			continue
		}
		if strings.HasPrefix(name, "http://") || strings.HasPrefix(name, "https://") {
			return nil, fmt.Errorf("%s: URLs are not read; download the file and pass its path", name)
		}
		info, err := os.Stat(name)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, unwrapPathError(err))
		}
		if !info.IsDir() {
			out = append(out, name)
			continue
		}
		files, err := walkDir(name, opts.Recursive)
		if err != nil {
			return nil, err
		}
		if len(files) == 0 {
			hint := ""
			if !opts.Recursive {
				hint = " (use -R to read subdirectories)"
			}
			return nil, fmt.Errorf("%s: directory contains no .yaml, .yml or .json files%s", name, hint)
		}
		out = append(out, files...)
	}
	return out, nil
}

func walkDir(root string, recursive bool) ([]string, error) {
	var files []string
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return fmt.Errorf("%s: %w", path, unwrapPathError(err))
		}
		if d.IsDir() {
			if path != root && !recursive {
				return filepath.SkipDir
			}
			return nil
		}
		if manifestExtensions[strings.ToLower(filepath.Ext(path))] {
			files = append(files, path)
		}
		return nil
	})
	sort.Strings(files)
	return files, err
}

func unwrapPathError(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// LoadFiles decodes every object in the given files into one Inventory.
// The first malformed document stops the load with an error that names the
// file, the document and what is wrong.
func LoadFiles(opts FileOptions) (*model.Inventory, error) {
	if len(opts.Filenames) == 0 {
		return nil, errors.New("no input: give -f FILE, a directory or - for standard input")
	}
	files, err := expand(opts)
	if err != nil {
		return nil, err
	}
	d := newDecoder(opts.DefaultNamespace)
	for _, f := range files {
		if err := d.decodeFile(f, opts.Stdin); err != nil {
			return nil, err
		}
	}
	return d.finish(), nil
}

func (d *decoder) decodeFile(name string, stdin io.Reader) error {
	var r io.Reader
	display := name
	if name == "-" {
		if stdin == nil {
			stdin = os.Stdin
		}
		r = d.tryFastStdin(stdin)
		display = "<stdin>"
	} else {
		f, err := os.Open(name)
		if err != nil {
			return fmt.Errorf("%s: %w", name, unwrapPathError(err))
		}
		defer f.Close() //nolint:errcheck // read-only file
		done, err := d.tryFastFile(f, display)
		if err != nil || done {
			return err
		}
		r = f
	}
	if r == nil {
		return nil // read by the fast path (large JSON: no comment header)
	}
	br := bufio.NewReaderSize(r, dumpHeaderMax)
	if v := peekDumpVersion(br); v != "" {
		if d.inv.ServerVersion != "" && d.inv.ServerVersion != v {
			d.inv.Warnings = append(d.inv.Warnings, fmt.Sprintf("%s: dump of a cluster running %s, an earlier input says %s: using %s", display, v, d.inv.ServerVersion, d.inv.ServerVersion))
		} else {
			d.inv.ServerVersion = v
		}
	}
	d.inv.ServedGroups = unionSorted(d.inv.ServedGroups, peekDumpGroups(br))
	read, missing := peekDumpRead(br)
	d.inv.DeclaredRead = unionSorted(d.inv.DeclaredRead, read)
	d.inv.Missing = append(d.inv.Missing, missing...)
	n, err := d.decodeStream(display, br)
	if err != nil {
		return err
	}
	if n == 0 {
		return fmt.Errorf("%s: no Kubernetes objects found (empty file or only comments)", display)
	}
	return nil
}
