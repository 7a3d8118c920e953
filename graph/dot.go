package graph

import (
	"sort"
	"strings"

	gonum "gonum.org/v1/gonum/graph"
	"gonum.org/v1/gonum/graph/encoding"
	"gonum.org/v1/gonum/graph/encoding/dot"
	"gonum.org/v1/gonum/graph/multi"
)

// DOTOptions control the rendering of a set of edges.
type DOTOptions struct {
	// Name is the DOT graph's name.
	Name string
	// Title is shown as the graph label.
	Title string
	// EdgeColor gives the colour of a primitive's edges ("" for black).
	EdgeColor func(primitive string) string
	// Legend adds a legend with one sample edge per primitive drawn.
	Legend bool
	// NodeNote, when set, adds a line to a node's label (e.g. its entry points).
	NodeNote func(*Node) string
	// EdgeNote, when set and not empty for an edge, adds a line to its label
	// and draws it dotted and grey (e.g. "expected (EKS default)").
	EdgeNote func(*Edge) string
}

type dotNode struct {
	id    int64
	key   string
	attrs []encoding.Attribute
}

func (n dotNode) ID() int64                        { return n.id }
func (n dotNode) DOTID() string                    { return n.key }
func (n dotNode) Attributes() []encoding.Attribute { return n.attrs }

type dotLine struct {
	from, to dotNode
	id       int64
	attrs    []encoding.Attribute
}

func (l dotLine) From() gonum.Node { return l.from }
func (l dotLine) To() gonum.Node   { return l.to }
func (l dotLine) ID() int64        { return l.id }
func (l dotLine) ReversedLine() gonum.Line {
	return dotLine{from: l.to, to: l.from, id: l.id, attrs: l.attrs}
}
func (l dotLine) Attributes() []encoding.Attribute { return l.attrs }

type attrs []encoding.Attribute

func (a attrs) Attributes() []encoding.Attribute { return a }

type dotGraph struct {
	*multi.DirectedGraph
	id                   string
	graphAttrs           attrs
	nodeAttrs, edgeAttrs attrs
	subs                 []dot.Multigraph
}

func (g *dotGraph) DOTID() string { return g.id }
func (g *dotGraph) DOTAttributers() (encoding.Attributer, encoding.Attributer, encoding.Attributer) {
	return g.graphAttrs, g.nodeAttrs, g.edgeAttrs
}
func (g *dotGraph) Structure() []dot.Multigraph { return g.subs }

func nodeShape(k NodeKind) (shape, fill string) {
	switch k {
	case KindUser:
		return "box", "#dbeafe"
	case KindGroup:
		return "box3d", "#e0e7ff"
	case KindServiceAccount:
		return "ellipse", "#dcfce7"
	case KindNode:
		return "component", "#fef3c7"
	case KindScope:
		return "note", "#f3e8ff"
	case KindSink:
		return "doubleoctagon", "#fecaca"
	}
	return "ellipse", "white"
}

// DisplayName is the text shown for a node.
func (n *Node) DisplayName() string {
	if n.Label != "" {
		return n.Label
	}
	switch n.Kind {
	case KindServiceAccount:
		return string(n.Kind) + "\n" + n.Namespace + "/" + n.Name
	case KindSink:
		return "cluster-admin"
	}
	return string(n.Kind) + "\n" + n.Name
}

// DOT renders the edges (and their end nodes) as a Graphviz digraph:
// namespaced identities in one cluster per namespace, edges labelled and
// coloured by primitive, a legend. The output is deterministic: nodes are
// numbered in key order and edges in their stable order.
func DOT(edges []*Edge, opts DOTOptions) ([]byte, error) {
	nodeSet := map[string]*Node{}
	for _, e := range edges {
		nodeSet[e.From.Key] = e.From
		nodeSet[e.To.Key] = e.To
	}
	keys := make([]string, 0, len(nodeSet))
	for k := range nodeSet {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	name := opts.Name
	if name == "" {
		name = "auth_paths"
	}
	top := &dotGraph{
		DirectedGraph: multi.NewDirectedGraph(),
		id:            name,
		graphAttrs:    attrs{{Key: "rankdir", Value: "LR"}, {Key: "fontname", Value: "Helvetica"}, {Key: "labelloc", Value: "t"}},
		nodeAttrs:     attrs{{Key: "fontname", Value: "Helvetica"}, {Key: "style", Value: "filled"}},
		edgeAttrs:     attrs{{Key: "fontname", Value: "Helvetica"}, {Key: "fontsize", Value: "10"}},
	}
	if opts.Title != "" {
		top.graphAttrs = append(top.graphAttrs, encoding.Attribute{Key: "label", Value: quote(opts.Title)})
	}
	dn := map[string]dotNode{}
	byNS := map[string][]dotNode{}
	for i, k := range keys {
		n := nodeSet[k]
		shape, fill := nodeShape(n.Kind)
		d := dotNode{id: int64(i), key: quote(k), attrs: []encoding.Attribute{
			{Key: "label", Value: quote(nodeLabel(n, opts))},
			{Key: "shape", Value: shape},
			{Key: "fillcolor", Value: quote(fill)},
		}}
		dn[k] = d
		top.AddNode(d)
		if n.Namespace != "" {
			byNS[n.Namespace] = append(byNS[n.Namespace], d)
		}
	}
	nss := make([]string, 0, len(byNS))
	for ns := range byNS {
		nss = append(nss, ns)
	}
	sort.Strings(nss)
	for _, ns := range nss {
		sub := &dotGraph{
			DirectedGraph: multi.NewDirectedGraph(),
			id:            quote("cluster_ns_" + ns),
			graphAttrs:    attrs{{Key: "label", Value: quote("namespace " + ns)}, {Key: "style", Value: "rounded"}, {Key: "color", Value: quote("#94a3b8")}},
		}
		for _, d := range byNS[ns] {
			sub.AddNode(dotNode{id: d.id, key: d.key})
		}
		top.subs = append(top.subs, sub)
	}
	used := map[string]bool{}
	for i, e := range edges {
		color := ""
		if opts.EdgeColor != nil {
			color = opts.EdgeColor(e.Primitive)
		}
		if color == "" {
			color = "black"
		}
		label, style := e.Primitive, ""
		if e.Hops == 0 {
			style = "dashed"
		}
		if opts.EdgeNote != nil {
			if note := opts.EdgeNote(e); note != "" {
				label, style, color = e.Primitive+"\n"+note, "dotted", "#9ca3af"
			}
		}
		a := []encoding.Attribute{{Key: "label", Value: quote(label)}, {Key: "color", Value: quote(color)}, {Key: "fontcolor", Value: quote(color)}}
		if style != "" {
			a = append(a, encoding.Attribute{Key: "style", Value: style})
		}
		if len(e.GrantedBy()) > 0 {
			a = append(a, encoding.Attribute{Key: "tooltip", Value: quote(strings.Join(e.GrantedBy(), "\n"))})
		}
		top.SetLine(dotLine{from: dn[e.From.Key], to: dn[e.To.Key], id: int64(i), attrs: a})
		used[e.Primitive] = true
	}
	if opts.Legend && len(used) > 0 {
		top.subs = append(top.subs, legend(used, opts, int64(len(keys)), int64(len(edges))))
	}
	return dot.MarshalMulti(top, name, "", "  ")
}

// legend draws one sample edge per primitive in a separate cluster.
func legend(used map[string]bool, opts DOTOptions, firstNode, firstLine int64) dot.Multigraph {
	prims := make([]string, 0, len(used))
	for p := range used {
		prims = append(prims, p)
	}
	sort.Strings(prims)
	sub := &dotGraph{
		DirectedGraph: multi.NewDirectedGraph(),
		id:            "cluster_legend",
		graphAttrs:    attrs{{Key: "label", Value: "legend"}, {Key: "style", Value: "dashed"}},
	}
	id := firstNode
	lid := firstLine
	for _, p := range prims {
		color := "black"
		if opts.EdgeColor != nil && opts.EdgeColor(p) != "" {
			color = opts.EdgeColor(p)
		}
		a := dotNode{id: id, key: quote("legend_" + p + "_a"), attrs: []encoding.Attribute{{Key: "label", Value: `""`}, {Key: "shape", Value: "point"}}}
		b := dotNode{id: id + 1, key: quote("legend_" + p + "_b"), attrs: []encoding.Attribute{{Key: "label", Value: `""`}, {Key: "shape", Value: "point"}}}
		id += 2
		sub.AddNode(a)
		sub.AddNode(b)
		sub.SetLine(dotLine{from: a, to: b, id: lid, attrs: []encoding.Attribute{{Key: "label", Value: quote(p)}, {Key: "color", Value: quote(color)}, {Key: "fontcolor", Value: quote(color)}}})
		lid++
	}
	return sub
}

// dotEscaper escapes what a DOT double-quoted string cannot hold as is;
// made once (a Replacer builds its tables on first use: one per call was
// a third of `graph --all` on a large cluster).
var dotEscaper = strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`)

// quote makes a DOT double-quoted string.
func quote(s string) string {
	return `"` + dotEscaper.Replace(s) + `"`
}

func nodeLabel(n *Node, opts DOTOptions) string {
	label := n.DisplayName()
	if opts.NodeNote != nil {
		if note := opts.NodeNote(n); note != "" {
			label += "\n" + note
		}
	}
	return label
}
