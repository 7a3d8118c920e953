package review

// markdownTemplate is a single-cluster report: the head, then the body.
const markdownTemplate = `{{template "head" .}}
{{template "body" .}}`

// markdownHead opens a single-cluster report.
const markdownHead = `{{define "head"}}# RBAC review: paths to cluster-admin

Generated {{.Now}} by kubectl auth-paths from {{md .Input}}.
{{- if .SimulatedRemoved}}
Analysed as if these bindings were removed: {{md (join .SimulatedRemoved ", ")}}.
{{- end}}
{{- if .Missing}}

> **Incomplete input**: some kinds could not be read:{{range .Missing}} {{md .Resource}} ({{md .Reason}});{{end}} the result may miss paths.
{{- end}}
{{end}}`

// markdownBody is one cluster's sections; {{h N}} is a heading of level N,
// one level deeper inside a fleet report.
const markdownBody = `{{define "body"}}{{h 2}} Summary

| Figure | Value |
|---|---|
| Identities analysed | {{.Result.Summary.Identities}} |
| Already cluster-admin | {{.Result.Summary.AlreadyAdmin}} |
| Become cluster-admin by escalation | {{.Result.Summary.ByEscalation}} |
| Paths not accepted | {{len .Result.Paths}} |
| Accepted paths | {{len .Result.Accepted}} |
| Expired acceptances | {{len .Expired}} |
{{- if .Result.Baseline}}
| New since baseline | {{.Result.Baseline.New}} |
| Gone since baseline | {{.Result.Baseline.Gone}} |
{{- end}}
{{- if .Chokepoints}}
| Bindings whose removal cuts every escalation | {{len .Chokepoints.Cover.Bindings}} |
{{- end}}
{{with .Chokepoints}}
{{h 2}} Start here
{{if .Cover.Bindings}}
Removing {{len .Cover.Bindings}} binding(s) cuts every path of {{len .Cover.Cut}} of the {{.Cover.Identities}} identities that are not already cluster-admin{{if .Cover.Remaining}} ({{len .Cover.Remaining}} keep one){{end}}. {{if gt (len .Cover.Bindings) (len $.StartHere)}}The first {{len $.StartHere}}{{else}}They{{end}}, in the order that cuts most:
{{range $i, $s := $.StartHere}}
{{add $i 1}}. {{md $s.Binding}}{{with where $s.Source}} ({{md .}}){{end}}: {{if $s.Alone}}alone, cuts every path of {{$s.Cuts}}{{else}}cuts what the ones above leave{{end}}{{if $s.Fix}}. {{md $s.Fix}}{{end}}
{{- end}}
{{else}}
No binding to remove: {{if .Cover.Identities}}no binding is on the paths{{else}}no identity escalates{{end}}.
{{end}}{{end}}
{{h 2}} Changes since the baseline
{{if .Result.Baseline}}
Baseline: {{md .Result.Baseline.File}}: {{.Result.Baseline.New}} new, {{.Result.Baseline.Unchanged}} unchanged, {{.Result.Baseline.Gone}} gone.
{{if .NewPaths}}
**New paths**

{{range .NewPaths}}- {{md .Subject.String}} ({{.Hops}} hop(s), {{first .Path}}) [{{.ID}}]{{with .Acceptance}} — accepted (owner {{md .Owner}}: {{md .Reason}}){{end}}
{{end}}{{end}}{{if .Result.Gone}}
**Gone paths**

{{range .Result.Gone}}- {{md .Subject.String}} ({{.Hops}} hop(s), {{first .Path}}) [{{.ID}}]
{{end}}{{end}}{{else}}
No baseline given (--baseline FILE, a previous ` + "`scan -o json`" + `).
{{end}}
{{h 2}} Top paths
{{if not .TopPaths}}
No path to cluster-admin that is not accepted.
{{end}}{{range $i, $p := .TopPaths}}
{{h 3}} {{add $i 1}}. {{md $p.Subject.String}} → cluster-admin in {{$p.Hops}} hop(s)

ID {{$p.ID}}{{if $p.Status}}, {{$p.Status}}{{end}}{{if $p.Note}}. **{{md $p.Note}}**{{end}}{{with $p.Expected}}. {{md .Label}}{{end}}
{{if not $p.Steps}}
- is cluster-admin
{{end}}{{range $p.Steps}}
- **{{md .From}}** ─{{.Primitive}}→ **{{md .To}}**{{if .Condition}}
  - when: {{md .Condition}}{{end}}{{range .GrantedBy}}
  - by: {{md .}}{{end}}{{range .Bindings}}{{with source .}}
  - source: {{md .}}{{end}}{{end}}{{with attack .Techniques}}
  - ATT&CK:{{range $j, $t := .}}{{if $j}},{{end}} [{{$t.ID}}]({{$t.URL}}) {{md $t.Name}}{{end}}{{end}}
{{- end}}
{{end}}{{if .MorePaths}}
… and {{.MorePaths}} more (` + "`kubectl auth-paths scan`" + ` lists them all).
{{end}}
{{h 2}} Choke points
{{with .Chokepoints}}{{if .ChokePoints}}
| Binding | Source | Every path of | Fix |
|---|---|---|---|
{{range .ChokePoints}}| {{md .Binding}} | {{md (where .Source)}} | {{md (join .Identities ", ")}} | {{md .Fix}} |
{{end}}{{else}}
No binding is on every path of any identity.
{{end}}
**Cut every escalation** by removing {{len .Cover.Bindings}} binding(s){{if .Cover.Bindings}}: {{md (join .Cover.Bindings ", ")}}{{end}}. It cuts {{len .Cover.Cut}} of {{.Cover.Identities}} identities that are not already cluster-admin{{if .Cover.Verified}} (verified by re-analysis){{end}}.{{if .Cover.Remaining}} Still reaching cluster-admin: {{md (join .Cover.Remaining ", ")}}.{{end}}

<details><summary>Method</summary>

{{md .Method}}

{{md .Cover.Method}}

</details>
{{end}}
{{h 2}} Accepted risks
{{if or .Result.Accepted .Expired}}
| Subject | Path | Owner | Expires | Reason | State |
|---|---|---|---|---|---|
{{range .Result.Accepted}}| {{md .Subject.String}} | {{.ID}} | {{md .Acceptance.Owner}} | {{.Acceptance.Expires}} | {{md .Acceptance.Reason}} | accepted |
{{end}}{{range .Expired}}| {{md .Subject.String}} | {{.ID}} | {{md .Acceptance.Owner}} | {{.Acceptance.Expires}} | {{md .Acceptance.Reason}} | **expired: listed with the paths again** |
{{end}}{{else}}
No accepted risks{{if not .Result.UnusedAcceptances}} (--accept FILE){{end}}.
{{end}}{{range .Result.UnusedAcceptances}}
- Accept entry {{.Entry}} ({{md .Target}}) matches no current path.
{{- end}}

{{h 2}} Graph
{{if .SVGDataURI}}
![Paths to cluster-admin]({{.SVGDataURI}})
{{else}}
{{md .SVGNote}}
{{end}}
<details><summary>DOT source</summary>

` + "```dot" + `
{{.DOT}}
` + "```" + `

</details>
{{end}}`

// markdownFleetHead opens a fleet report: the clusters and their figures;
// each cluster's body follows under its own heading.
const markdownFleetHead = `# RBAC review: paths to cluster-admin in {{len .Clusters}} clusters

Generated {{.Now}} by kubectl auth-paths from {{md .Input}}.

## Clusters

| Cluster | Status | Source | Identities | Already cluster-admin | By escalation | Paths not accepted | Accepted | New | Gone |
|---|---|---|---|---|---|---|---|---|---|
{{range .Clusters}}| [{{md .Name}}](#{{anchor .Name}}) | {{.Status}}{{with .Error}}: {{md .}}{{end}}{{range .Incomplete}}; could not read {{md .Resource}} ({{md .Reason}}){{end}} | {{md (source_of .)}} | {{with .Summary}}{{.Identities}} | {{.AlreadyAdmin}} | {{.ByEscalation}}{{else}}- | - | -{{end}} | {{.Paths}} | {{.Accepted}} | {{.New}} | {{.Gone}} |
{{end}}
Total: {{len .Result.Paths}} path(s), {{len .Result.Accepted}} accepted; {{.Result.Summary.AlreadyAdmin}} already cluster-admin, {{.Result.Summary.ByEscalation}} by escalation, {{.Result.Summary.Identities}} identities analysed.
{{- with .Result.Baseline}}
Since {{md .File}}: {{.New}} new, {{.Unchanged}} unchanged, {{.Gone}} gone.{{if .NotScanned}} Not compared (in the baseline, not read now): {{md (join .NotScanned ", ")}}.{{end}}
{{- end}}
{{range .Result.UnusedAcceptances}}
- Accept entry {{.Entry}} ({{md .Target}}) matches no current path in any cluster.
{{- end}}
`

// htmlTemplate is a single-cluster report.
const htmlTemplate = `{{template "doc-head" .}}
<h1>RBAC review: paths to cluster-admin</h1>
<p class="muted">Generated {{.Now}} by kubectl auth-paths from {{.Input}}.{{if .SimulatedRemoved}} Analysed as if these bindings were removed: {{join .SimulatedRemoved ", "}}.{{end}}</p>
{{if .Missing}}<p class="warn"><strong>Incomplete input</strong>: some kinds could not be read:{{range .Missing}} {{.Resource}} ({{.Reason}});{{end}} the result may miss paths.</p>{{end}}
{{template "body" .}}
</body>
</html>
`

// htmlDocHead is the document head with the inline style sheet.
const htmlDocHead = `{{define "doc-head"}}<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'none'; style-src 'unsafe-inline'; img-src data:">
<title>RBAC review: paths to cluster-admin</title>
<style>
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:2rem auto;max-width:72rem;padding:0 1rem;color:#111827;line-height:1.45}
h1{font-size:1.6rem;margin-bottom:.2rem}h2{border-bottom:2px solid #e5e7eb;padding-bottom:.2rem;margin-top:2rem}
table{border-collapse:collapse;width:100%;margin:.5rem 0}th,td{border:1px solid #d1d5db;padding:.3rem .5rem;text-align:left;vertical-align:top;font-size:.92rem}
td{overflow-wrap:anywhere}th{background:#f3f4f6}.figures td:last-child{font-weight:600;text-align:right;width:8rem}
.new{background:#fee2e2;color:#991b1b;font-weight:600;padding:0 .3rem;border-radius:.2rem}
.unchanged{background:#e5e7eb;padding:0 .3rem;border-radius:.2rem}
.expired{color:#b45309;font-weight:600}.muted{color:#6b7280}
.path{border:1px solid #e5e7eb;border-radius:.4rem;padding:.5rem 1rem;margin:.8rem 0}
.path h3{margin:.2rem 0;font-size:1.05rem}.step{margin:.4rem 0 .4rem 1rem}.prov{margin-left:2rem;font-size:.88rem;color:#374151}
code{background:#f3f4f6;padding:0 .2rem;border-radius:.2rem}
pre{background:#f9fafb;border:1px solid #e5e7eb;padding:.5rem;overflow:auto;font-size:.8rem}
.graph svg{max-width:100%;height:auto}
section.cluster{border-top:4px solid #374151;margin-top:2.5rem}section.cluster h3{font-size:1.2rem;border-bottom:1px solid #e5e7eb}
.warn{border-left:4px solid #b45309;background:#fffbeb;padding:.5rem 1rem}
</style>
</head>
<body>{{end}}`

// htmlBody is one cluster's sections; {{hopen N id}} opens a heading of
// level N (one deeper inside a fleet report) with a unique id.
const htmlBody = `{{define "body"}}{{hopen 2 "summary"}}Summary{{hclose 2}}
<table class="figures">
<tr><td>Identities analysed</td><td>{{.Result.Summary.Identities}}</td></tr>
<tr><td>Already cluster-admin</td><td>{{.Result.Summary.AlreadyAdmin}}</td></tr>
<tr><td>Become cluster-admin by escalation</td><td>{{.Result.Summary.ByEscalation}}</td></tr>
<tr><td>Paths not accepted</td><td>{{len .Result.Paths}}</td></tr>
<tr><td>Accepted paths</td><td>{{len .Result.Accepted}}</td></tr>
<tr><td>Expired acceptances</td><td>{{len .Expired}}</td></tr>
{{- if .Result.Baseline}}
<tr><td>New since baseline</td><td>{{.Result.Baseline.New}}</td></tr>
<tr><td>Gone since baseline</td><td>{{.Result.Baseline.Gone}}</td></tr>
{{- end}}
{{- if .Chokepoints}}
<tr><td>Bindings whose removal cuts every escalation</td><td>{{len .Chokepoints.Cover.Bindings}}</td></tr>
{{- end}}
</table>
{{with .Chokepoints}}
{{hopen 2 "start"}}Start here{{hclose 2}}
{{if .Cover.Bindings}}<p>Removing {{len .Cover.Bindings}} binding(s) cuts every path of {{len .Cover.Cut}} of the {{.Cover.Identities}} identities that are not already cluster-admin{{if .Cover.Remaining}} ({{len .Cover.Remaining}} keep one){{end}}. {{if gt (len .Cover.Bindings) (len $.StartHere)}}The first {{len $.StartHere}}{{else}}They{{end}}, in the order that cuts most:</p>
<ol>{{range $.StartHere}}<li><code>{{.Binding}}</code>{{with where .Source}} ({{.}}){{end}}: {{if .Alone}}alone, cuts every path of {{.Cuts}}{{else}}cuts what the ones above leave{{end}}{{if .Fix}}. {{.Fix}}{{end}}</li>{{end}}</ol>
{{else}}<p>No binding to remove: {{if .Cover.Identities}}no binding is on the paths{{else}}no identity escalates{{end}}.</p>{{end}}
{{end}}

{{hopen 2 "changes"}}Changes since the baseline{{hclose 2}}
{{if .Result.Baseline}}
<p>Baseline <code>{{.Result.Baseline.File}}</code>: {{.Result.Baseline.New}} new, {{.Result.Baseline.Unchanged}} unchanged, {{.Result.Baseline.Gone}} gone.</p>
{{if .NewPaths}}{{hopen 3 ""}}New paths{{hclose 3}}<ul>{{range .NewPaths}}<li><span class="new">new</span> {{.Subject.String}} ({{.Hops}} hop(s), {{first .Path}}) <code>{{.ID}}</code>{{with .Acceptance}} — accepted (owner {{.Owner}}: {{.Reason}}){{end}}</li>{{end}}</ul>{{end}}
{{if .Result.Gone}}{{hopen 3 ""}}Gone paths{{hclose 3}}<ul>{{range .Result.Gone}}<li>{{.Subject.String}} ({{.Hops}} hop(s), {{first .Path}}) <code>{{.ID}}</code></li>{{end}}</ul>{{end}}
{{else}}<p class="muted">No baseline given (--baseline FILE, a previous <code>scan -o json</code>).</p>{{end}}

{{hopen 2 "paths"}}Top paths{{hclose 2}}
{{if not .TopPaths}}<p>No path to cluster-admin that is not accepted.</p>{{end}}
{{range $i, $p := .TopPaths}}<div class="path">
{{hopen 3 ""}}{{add $i 1}}. {{$p.Subject.String}} → cluster-admin in {{$p.Hops}} hop(s) {{if $p.Status}}<span class="{{$p.Status}}">{{$p.Status}}</span>{{end}}{{hclose 3}}
<div class="muted">ID <code>{{$p.ID}}</code>{{if $p.Note}} · <span class="expired">{{$p.Note}}</span>{{end}}{{with $p.Expected}} · {{.Label}}{{end}}</div>
{{if not $p.Steps}}<div class="step">is cluster-admin</div>{{end}}
{{range $p.Steps}}<div class="step"><strong>{{.From}}</strong> ─{{.Primitive}}→ <strong>{{.To}}</strong>
{{if .Condition}}<div class="prov">when: {{.Condition}}</div>{{end}}
{{range .GrantedBy}}<div class="prov">by: {{.}}</div>{{end}}
{{range .Bindings}}{{with source .}}<div class="prov">source: <code>{{.}}</code></div>{{end}}{{end}}
{{with attack .Techniques}}<div class="prov">ATT&amp;CK:{{range $j, $t := .}}{{if $j}},{{end}} <code>{{$t.ID}}</code> {{$t.Name}}{{end}}</div>{{end}}
</div>{{end}}
</div>{{end}}
{{if .MorePaths}}<p class="muted">… and {{.MorePaths}} more (<code>kubectl auth-paths scan</code> lists them all).</p>{{end}}

{{hopen 2 "chokepoints"}}Choke points{{hclose 2}}
{{with .Chokepoints}}
{{if .ChokePoints}}<table>
<tr><th>Binding</th><th>Source</th><th>Every path of</th><th>Fix</th></tr>
{{range .ChokePoints}}<tr><td><code>{{.Binding}}</code></td><td>{{where .Source}}</td><td>{{join .Identities ", "}}</td><td>{{.Fix}}</td></tr>
{{end}}</table>{{else}}<p>No binding is on every path of any identity.</p>{{end}}
<p><strong>Cut every escalation</strong> by removing {{len .Cover.Bindings}} binding(s){{if .Cover.Bindings}}: {{range $i, $b := .Cover.Bindings}}{{if $i}}, {{end}}<code>{{$b}}</code>{{end}}{{end}}.
It cuts {{len .Cover.Cut}} of {{.Cover.Identities}} identities that are not already cluster-admin{{if .Cover.Verified}} (verified by re-analysis){{end}}.{{if .Cover.Remaining}} Still reaching cluster-admin: {{join .Cover.Remaining ", "}}.{{end}}</p>
<details><summary>Method</summary><p>{{.Method}}</p><p>{{.Cover.Method}}</p></details>
{{end}}

{{hopen 2 "accepted"}}Accepted risks{{hclose 2}}
{{if or .Result.Accepted .Expired}}<table>
<tr><th>Subject</th><th>Path</th><th>Owner</th><th>Expires</th><th>Reason</th><th>State</th></tr>
{{range .Result.Accepted}}<tr><td>{{.Subject.String}}</td><td><code>{{.ID}}</code></td><td>{{.Acceptance.Owner}}</td><td>{{.Acceptance.Expires}}</td><td>{{.Acceptance.Reason}}</td><td>accepted</td></tr>
{{end}}{{range .Expired}}<tr><td>{{.Subject.String}}</td><td><code>{{.ID}}</code></td><td>{{.Acceptance.Owner}}</td><td>{{.Acceptance.Expires}}</td><td>{{.Acceptance.Reason}}</td><td class="expired">expired: listed with the paths again</td></tr>
{{end}}</table>{{else}}<p class="muted">No accepted risks.</p>{{end}}
{{if .Result.UnusedAcceptances}}<ul>{{range .Result.UnusedAcceptances}}<li>Accept entry {{.Entry}} ({{.Target}}) matches no current path.</li>{{end}}</ul>{{end}}

{{hopen 2 "graph"}}Graph{{hclose 2}}
{{if .HTMLSVG}}<div class="graph">{{.HTMLSVG}}</div>{{else}}<p class="warn">{{.SVGNote}}</p>{{end}}
<details><summary>DOT source</summary><pre>{{.DOT}}</pre></details>
{{end}}`

// htmlFleetHead opens a fleet report; each cluster's body follows in a section.
const htmlFleetHead = `<h1>RBAC review: paths to cluster-admin in {{len .Clusters}} clusters</h1>
<p class="muted">Generated {{.Now}} by kubectl auth-paths from {{.Input}}.</p>
<h2 id="clusters">Clusters</h2>
<table>
<tr><th>Cluster</th><th>Status</th><th>Source</th><th>Identities</th><th>Already cluster-admin</th><th>By escalation</th><th>Paths not accepted</th><th>Accepted</th><th>New</th><th>Gone</th></tr>
{{range .Clusters}}<tr><td><a href="#{{anchor .Name}}">{{.Name}}</a></td><td{{if ne .Status "ok"}} class="expired"{{end}}>{{.Status}}{{with .Error}}: {{.}}{{end}}{{range .Incomplete}}; could not read {{.Resource}} ({{.Reason}}){{end}}</td><td><code>{{source_of .}}</code></td>{{with .Summary}}<td>{{.Identities}}</td><td>{{.AlreadyAdmin}}</td><td>{{.ByEscalation}}</td>{{else}}<td>-</td><td>-</td><td>-</td>{{end}}<td>{{.Paths}}</td><td>{{.Accepted}}</td><td>{{.New}}</td><td>{{.Gone}}</td></tr>
{{end}}</table>
<p>Total: {{len .Result.Paths}} path(s), {{len .Result.Accepted}} accepted; {{.Result.Summary.AlreadyAdmin}} already cluster-admin, {{.Result.Summary.ByEscalation}} by escalation, {{.Result.Summary.Identities}} identities analysed.
{{- with .Result.Baseline}} Since <code>{{.File}}</code>: {{.New}} new, {{.Unchanged}} unchanged, {{.Gone}} gone.{{if .NotScanned}} Not compared (in the baseline, not read now): {{join .NotScanned ", "}}.{{end}}{{end}}</p>
{{if .Result.UnusedAcceptances}}<ul>{{range .Result.UnusedAcceptances}}<li>Accept entry {{.Entry}} ({{.Target}}) matches no current path in any cluster.</li>{{end}}</ul>{{end}}
`

// htmlSection is one cluster of a fleet report.
const htmlSection = `{{define "section"}}<section class="cluster" id="{{anchor .Cluster.Name}}">
<h2>Cluster {{.Cluster.Name}}</h2>
{{with .Missing}}<p class="warn"><strong>Incomplete input</strong>: some kinds could not be read:{{range .}} {{.Resource}} ({{.Reason}});{{end}} the result may miss paths.</p>{{end}}
{{template "body" .}}
</section>
{{end}}`
