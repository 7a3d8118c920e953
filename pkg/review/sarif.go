package review

import (
	"encoding/json"
	"fmt"
	"net/url"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"github.com/auth-paths/kubectl-auth-paths/pkg/model"
	"github.com/auth-paths/kubectl-auth-paths/pkg/risk"
	"github.com/auth-paths/kubectl-auth-paths/pkg/version"
)

// SARIFSchema is the URI of the SARIF 2.1.0 schema (errata 01) written in "$schema".
const SARIFSchema = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"

type sarifLog struct {
	Schema  string     `json:"$schema"`
	Version string     `json:"version"`
	Runs    []sarifRun `json:"runs"`
}

type sarifRun struct {
	Tool    sarifTool     `json:"tool"`
	Results []sarifResult `json:"results"`
	// Invocations carry a warning per kind the input lacked (incomplete
	// input); Properties.incomplete lists them as -o json does.
	Invocations []sarifInvocation `json:"invocations,omitempty"`
	Properties  map[string]any    `json:"properties,omitempty"`
}

type sarifInvocation struct {
	ExecutionSuccessful        bool                `json:"executionSuccessful"`
	ToolExecutionNotifications []sarifNotification `json:"toolExecutionNotifications,omitempty"`
}

type sarifNotification struct {
	Level   string    `json:"level"`
	Message sarifText `json:"message"`
}

// incompleteRun is the run's record of what the inputs lacked: one warning
// per missing kind (cluster-qualified in a fleet), and the kinds themselves.
func incompleteRun(run *sarifRun, invs map[string]*model.Inventory) {
	clusters := make([]string, 0, len(invs))
	for cl := range invs {
		clusters = append(clusters, cl)
	}
	sort.Strings(clusters)
	var missing []any
	var notes []sarifNotification
	for _, cl := range clusters {
		inv := invs[cl]
		if inv == nil {
			continue
		}
		for _, m := range inv.Missing {
			where := ""
			if cl != "" {
				where = cl + ": "
			}
			notes = append(notes, sarifNotification{Level: "warning", Message: sarifText{Text: fmt.Sprintf("%sincomplete input: %s (%s): %s", where, m.Resource, m.Reason, m.Impact)}})
			entry := map[string]any{"resource": m.Resource, "reason": m.Reason, "impact": m.Impact}
			if cl != "" {
				entry["cluster"] = cl
			}
			missing = append(missing, entry)
		}
	}
	if len(notes) == 0 {
		return
	}
	run.Invocations = []sarifInvocation{{ExecutionSuccessful: true, ToolExecutionNotifications: notes}}
	run.Properties = map[string]any{"incomplete": missing}
}

type sarifTool struct {
	Driver sarifDriver `json:"driver"`
}

type sarifDriver struct {
	Name           string      `json:"name"`
	InformationURI string      `json:"informationUri"`
	Version        string      `json:"version"`
	Rules          []sarifRule `json:"rules"`
}

type sarifText struct {
	Text     string `json:"text"`
	Markdown string `json:"markdown,omitempty"`
}

type sarifRule struct {
	ID                   string         `json:"id"`
	Name                 string         `json:"name"`
	ShortDescription     sarifText      `json:"shortDescription"`
	FullDescription      sarifText      `json:"fullDescription"`
	Help                 sarifText      `json:"help"`
	DefaultConfiguration map[string]any `json:"defaultConfiguration"`
	Properties           map[string]any `json:"properties,omitempty"`
}

type sarifResult struct {
	RuleID              string             `json:"ruleId"`
	RuleIndex           int                `json:"ruleIndex"`
	Level               string             `json:"level"`
	Message             sarifText          `json:"message"`
	Locations           []sarifLocation    `json:"locations,omitempty"`
	PartialFingerprints map[string]string  `json:"partialFingerprints"`
	BaselineState       string             `json:"baselineState,omitempty"`
	Suppressions        []sarifSuppression `json:"suppressions,omitempty"`
	Properties          map[string]any     `json:"properties,omitempty"`
}

type sarifLocation struct {
	PhysicalLocation *sarifPhysical `json:"physicalLocation,omitempty"`
	LogicalLocations []sarifLogical `json:"logicalLocations,omitempty"`
	Message          *sarifText     `json:"message,omitempty"`
}

type sarifPhysical struct {
	ArtifactLocation sarifArtifact `json:"artifactLocation"`
	Region           *sarifRegion  `json:"region,omitempty"`
}

type sarifArtifact struct {
	URI string `json:"uri"`
}

type sarifRegion struct {
	StartLine int `json:"startLine"`
}

type sarifLogical struct {
	Name               string `json:"name"`
	FullyQualifiedName string `json:"fullyQualifiedName"`
	Kind               string `json:"kind"`
}

type sarifSuppression struct {
	Kind          string `json:"kind"`
	Status        string `json:"status"`
	Justification string `json:"justification"`
}

// RuleOf is the primitive a path is filed under: its first escalation step
// (after group memberships), or admin-rules for an identity that is admin outright.
func RuleOf(p risk.Path) string {
	for _, s := range p.Steps {
		if s.Primitive != "member-of" {
			return s.Primitive
		}
	}
	if len(p.Steps) > 0 {
		return p.Steps[0].Primitive
	}
	return "admin-rules"
}

// firstBindings returns the bindings of the path's first step that has any.
func firstBindings(p risk.Path) []string {
	for _, s := range p.Steps {
		if len(s.Bindings) > 0 {
			return s.Bindings
		}
	}
	return nil
}

// SARIF renders a reviewed scan as SARIF 2.1.0: one rule per primitive, one
// result per path (accepted ones carry an accepted suppression), located at
// the binding of the first step that has one: file and line when the input
// was read from files, a logical location (the binding ID) always. Paths gone
// since the baseline are results with baselineState "absent".
func SARIF(r Result, inv *model.Inventory) ([]byte, error) {
	return SARIFFleet(r, map[string]*model.Inventory{"": inv})
}

// SARIFFleet is SARIF for a fleet run: invs maps each cluster name to its
// inventory. Results carry their cluster in properties.cluster, and the
// binding's logical location is qualified by it (CLUSTER/RoleBinding/ns/name).
func SARIFFleet(r Result, invs map[string]*model.Inventory) ([]byte, error) {
	rules := []sarifRule{}
	index := map[string]int{}
	add := func(id, summary string, techniques []string) {
		if _, ok := index[id]; ok {
			return
		}
		index[id] = len(rules)
		rules = append(rules, sarifRule{
			ID: id, Name: ruleName(id),
			ShortDescription:     sarifText{Text: summary},
			FullDescription:      sarifText{Text: "Escalation step " + id + ": " + summary + "."},
			Help:                 sarifText{Text: summary + ". `kubectl auth-paths from SUBJECT` shows the path with every binding, role and rule; `kubectl auth-paths chokepoints` suggests the binding to change.", Markdown: "**" + id + "**: " + summary + ".\n\nRun `kubectl auth-paths from SUBJECT` for the full path and `kubectl auth-paths chokepoints` for a fix."},
			DefaultConfiguration: map[string]any{"level": "error"},
			Properties:           map[string]any{"tags": append([]string{"security", "rbac", "kubernetes"}, attackTags(techniques)...)},
		})
	}
	for _, p := range append(risk.Primitives(), risk.Structural()...) {
		add(p.ID(), p.Summary(), p.Techniques())
	}
	idx := map[string]map[string]*model.Binding{}
	for cl, inv := range invs {
		if inv != nil {
			idx[cl] = Bindings(inv)
		}
	}
	results := []sarifResult{}
	emit := func(f ReviewedPath, accepted, gone bool) {
		rule := RuleOf(f.Path)
		if _, ok := index[rule]; !ok {
			// A rule pack's step: its techniques travel with the step.
			var techniques []string
			for _, s := range f.Steps {
				if s.Primitive == rule {
					techniques = s.Techniques
					break
				}
			}
			add(rule, rule, techniques)
		}
		res := sarifResult{
			RuleID: rule, RuleIndex: index[rule], Level: "error",
			Message:             sarifText{Text: pathMessage(f)},
			PartialFingerprints: map[string]string{"authPathsPathId/v1": f.ID},
			Properties:          map[string]any{"subject": f.Subject.String(), "hops": f.Hops, "pathId": f.ID, "steps": stepsText(f.Path)},
		}
		if tags := attackTags(pathTechniques(f.Path)); len(tags) > 0 {
			// The rule is the first step's; the path's tags are every step's.
			res.Properties["tags"] = tags
		}
		if f.Cluster != "" {
			res.Properties["cluster"] = f.Cluster
		}
		if f.Expected != nil {
			// A declared platform default: still reported, at level note.
			res.Properties["expected"] = f.Expected.Label
			res.Level = "note"
		}
		switch {
		case gone:
			// Gone since the baseline: kept so that dashboards close the
			// alert, at level note because nothing is wrong any more.
			res.BaselineState, res.Level = "absent", "note"
			res.Message.Text = fmt.Sprintf("Gone since the baseline: %s could become cluster-admin in %d hop(s): %s.", f.Subject, f.Hops, stepsText(f.Path))
		case f.Status == StatusNew:
			res.BaselineState = "new"
		case f.Status == StatusUnchanged:
			res.BaselineState = "unchanged"
		}
		if accepted && f.Acceptance != nil {
			res.Suppressions = []sarifSuppression{{Kind: "external", Status: "accepted",
				Justification: fmt.Sprintf("%s (owner %s, until %s)", f.Acceptance.Reason, f.Acceptance.Owner, f.Acceptance.Expires)}}
		}
		for _, id := range firstBindings(f.Path) {
			fqn := id
			if f.Cluster != "" {
				fqn = f.Cluster + "/" + id
			}
			loc := sarifLocation{LogicalLocations: []sarifLogical{{Name: id[strings.LastIndex(id, "/")+1:], FullyQualifiedName: fqn, Kind: "object"}}}
			// A gone path's binding may still exist (another step changed);
			// its file location is then today's, which is still where to look.
			if b := idx[f.Cluster][id]; b != nil && b.Source.File != "" && b.Source.File != "-" {
				loc.PhysicalLocation = &sarifPhysical{ArtifactLocation: sarifArtifact{URI: fileURI(b.Source.File)}}
				if b.Source.Line > 0 {
					loc.PhysicalLocation.Region = &sarifRegion{StartLine: b.Source.Line}
				}
			}
			res.Locations = append(res.Locations, loc)
		}
		results = append(results, res)
	}
	for _, f := range r.Paths {
		emit(f, false, false)
	}
	for _, f := range r.Accepted {
		emit(f, true, false)
	}
	for _, f := range r.Gone {
		emit(f, false, true)
	}
	run := sarifRun{
		Tool:    sarifTool{Driver: sarifDriver{Name: "kubectl-auth-paths", InformationURI: "https://github.com/auth-paths/kubectl-auth-paths", Version: version.Version, Rules: rules}},
		Results: results,
	}
	incompleteRun(&run, invs)
	log := sarifLog{Schema: SARIFSchema, Version: "2.1.0", Runs: []sarifRun{run}}
	return json.MarshalIndent(log, "", "  ")
}

// attackTags renders ATT&CK technique IDs as SARIF tags, in the
// "external/<taxonomy>/<id>" form code-scanning tools use for CWE.
func attackTags(techniques []string) []string {
	out := make([]string, 0, len(techniques))
	for _, t := range techniques {
		out = append(out, "external/mitre-attack/"+t)
	}
	return out
}

// pathTechniques are the techniques of a path's steps, in step order, once each.
func pathTechniques(p risk.Path) []string {
	var out []string
	for _, s := range p.Steps {
		for _, t := range s.Techniques {
			if !slices.Contains(out, t) {
				out = append(out, t)
			}
		}
	}
	return out
}

func ruleName(id string) string {
	parts := strings.Split(id, "-")
	for i, p := range parts {
		if p != "" {
			parts[i] = strings.ToUpper(p[:1]) + p[1:]
		}
	}
	return strings.Join(parts, "")
}

// fileURI turns a file name into a URI reference: relative paths stay
// relative (code scanning resolves them against the repository root).
func fileURI(file string) string {
	slash := filepath.ToSlash(file)
	if filepath.IsAbs(file) {
		return (&url.URL{Scheme: "file", Path: slash}).String()
	}
	return (&url.URL{Path: strings.TrimPrefix(slash, "./")}).String()
}

func pathMessage(f ReviewedPath) string {
	msg := fmt.Sprintf("%s can become cluster-admin in %d hop(s): %s.", f.Subject, f.Hops, stepsText(f.Path))
	if f.Note != "" {
		msg += " Note: " + f.Note + "."
	}
	return msg
}

func stepsText(p risk.Path) string {
	if len(p.Steps) == 0 {
		return "is cluster-admin"
	}
	parts := make([]string, 0, len(p.Steps))
	for _, s := range p.Steps {
		parts = append(parts, fmt.Sprintf("%s -%s-> %s", s.From, s.Primitive, s.To))
	}
	return strings.Join(parts, ", ")
}
