package review

import (
	"bytes"
	"context"
	"fmt"

	"github.com/goccy/go-graphviz"
)

// RenderGraph renders DOT as "svg" with the graphviz library compiled to
// WebAssembly (github.com/goccy/go-graphviz, run by wazero): no cgo and no
// graphviz installation needed. PNG is refused: go-graphviz rasterises with
// its own Go renderer, which draws edges as filled shapes and drops
// clusters (measured with v0.2.10); use `dot -Tpng` or convert the SVG.
func RenderGraph(ctx context.Context, dot []byte, format string) ([]byte, error) {
	var f graphviz.Format
	switch format {
	case "svg":
		f = graphviz.SVG
	default:
		return nil, fmt.Errorf("cannot render %q: want svg (for PNG, render the DOT with graphviz's dot -Tpng)", format)
	}
	gv, err := graphviz.New(ctx)
	if err != nil {
		return nil, fmt.Errorf("graphviz: %w", err)
	}
	defer func() { _ = gv.Close() }()
	g, err := graphviz.ParseBytes(dot)
	if err != nil {
		return nil, fmt.Errorf("graphviz: parsing DOT: %w", err)
	}
	defer func() { _ = g.Close() }()
	var buf bytes.Buffer
	if err := gv.Render(ctx, g, f, &buf); err != nil {
		return nil, fmt.Errorf("graphviz: rendering %s: %w", format, err)
	}
	return buf.Bytes(), nil
}
