package review_test

import (
	"bytes"
	"encoding/json"
	"os"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/auth-paths/kubectl-auth-paths/pkg/model"
	"github.com/auth-paths/kubectl-auth-paths/pkg/review"
	"github.com/auth-paths/kubectl-auth-paths/pkg/risk"
)

// sarifSchema compiles the official SARIF 2.1.0 schema of testdata/review.
func sarifSchema(t *testing.T) *jsonschema.Schema {
	t.Helper()
	f, err := os.Open(fixture("sarif-schema-2.1.0.json"))
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = f.Close() }()
	doc, err := jsonschema.UnmarshalJSON(f)
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	if err := c.AddResource(review.SARIFSchema, doc); err != nil {
		t.Fatal(err)
	}
	sch, err := c.Compile(review.SARIFSchema)
	if err != nil {
		t.Fatal(err)
	}
	return sch
}

func validate(t *testing.T, sch *jsonschema.Schema, data []byte) error {
	t.Helper()
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	return sch.Validate(inst)
}

type sarifDoc struct {
	Version string `json:"version"`
	Runs    []struct {
		Tool struct {
			Driver struct {
				Rules []struct {
					ID        string `json:"id"`
					ShortDesc struct {
						Text string `json:"text"`
					} `json:"shortDescription"`
					Properties struct {
						Tags []string `json:"tags"`
					} `json:"properties"`
				} `json:"rules"`
			} `json:"driver"`
		} `json:"tool"`
		Results []struct {
			RuleID        string            `json:"ruleId"`
			RuleIndex     int               `json:"ruleIndex"`
			Level         string            `json:"level"`
			BaselineState string            `json:"baselineState"`
			Fingerprints  map[string]string `json:"partialFingerprints"`
			Suppressions  []struct {
				Status string `json:"status"`
			} `json:"suppressions"`
			Locations []struct {
				Physical *struct {
					Artifact struct {
						URI string `json:"uri"`
					} `json:"artifactLocation"`
					Region struct {
						StartLine int `json:"startLine"`
					} `json:"region"`
				} `json:"physicalLocation"`
				Logical []struct {
					FQN string `json:"fullyQualifiedName"`
				} `json:"logicalLocations"`
			} `json:"locations"`
			Properties struct {
				Subject string   `json:"subject"`
				Cluster string   `json:"cluster"`
				Tags    []string `json:"tags"`
			} `json:"properties"`
		} `json:"results"`
	} `json:"runs"`
}

func TestSARIF(t *testing.T) {
	sch := sarifSchema(t)
	res, inv := scan(t, "cluster.yaml", risk.Options{})
	base, err := review.LoadBaseline(fixture("baseline-old.json"))
	if err != nil {
		t.Fatal(err)
	}
	accept, err := review.LoadAcceptances(fixture("accept.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name     string
		opts     review.Options
		accepted int
		baseline bool
		// gone are the subjects of the paths gone since the baseline.
		gone []string
	}{
		{"plain", review.Options{Now: now}, 0, false, nil},
		{"baseline and acceptances", review.Options{Baseline: base, Acceptances: accept, Now: now}, 3, true, []string{"User:carol", "User:eve"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rv := review.Apply(res, c.opts)
			data, err := review.SARIF(rv, inv)
			if err != nil {
				t.Fatal(err)
			}
			if err := validate(t, sch, data); err != nil {
				t.Fatalf("not valid SARIF 2.1.0: %v", err)
			}
			var doc sarifDoc
			if err := json.Unmarshal(data, &doc); err != nil {
				t.Fatal(err)
			}
			run := doc.Runs[0]
			rules := map[string]int{}
			for i, r := range run.Tool.Driver.Rules {
				rules[r.ID] = i
			}
			for _, p := range append(risk.Primitives(), risk.Structural()...) {
				i, ok := rules[p.ID()]
				if !ok || run.Tool.Driver.Rules[i].ShortDesc.Text != p.Summary() {
					t.Errorf("rule %s missing or without its summary", p.ID())
					continue
				}
				// Each rule is tagged with its primitive's ATT&CK techniques.
				tags := run.Tool.Driver.Rules[i].Properties.Tags
				for _, tech := range p.Techniques() {
					if !slices.Contains(tags, "external/mitre-attack/"+tech) {
						t.Errorf("rule %s: tags %v lack %s", p.ID(), tags, tech)
					}
				}
			}
			if len(run.Tool.Driver.Rules) != len(rules) {
				t.Error("duplicate rule IDs")
			}
			if len(run.Results) != len(res.Paths)+len(c.gone) {
				t.Fatalf("%d results, want one per path (%d) and one per gone path (%d)", len(run.Results), len(res.Paths), len(c.gone))
			}
			suppressed := 0
			var gone []string
			for _, r := range run.Results {
				if r.BaselineState == "absent" {
					// Gone since the baseline: reported so that dashboards close it.
					gone = append(gone, r.Properties.Subject)
					if r.Level != "note" || len(r.Suppressions) > 0 {
						t.Errorf("gone %s: level %q, suppressions %v", r.Properties.Subject, r.Level, r.Suppressions)
					}
					continue
				}
				if r.Level != "error" {
					t.Errorf("%s: level %q", r.Properties.Subject, r.Level)
				}
				if rules[r.RuleID] != r.RuleIndex {
					t.Errorf("%s: ruleIndex %d does not point at rule %s", r.Properties.Subject, r.RuleIndex, r.RuleID)
				}
				if r.Fingerprints["authPathsPathId/v1"] == "" {
					t.Errorf("%s: no fingerprint", r.Properties.Subject)
				}
				if len(r.Suppressions) > 0 && r.Suppressions[0].Status == "accepted" {
					suppressed++
				}
				if c.baseline != (r.BaselineState != "") {
					t.Errorf("%s: baselineState %q", r.Properties.Subject, r.BaselineState)
				}
				if len(r.Locations) == 0 || r.Locations[0].Physical == nil {
					t.Errorf("%s: no physical location", r.Properties.Subject)
					continue
				}
				loc := r.Locations[0]
				if !strings.HasSuffix(loc.Physical.Artifact.URI, "testdata/review/cluster.yaml") || loc.Physical.Region.StartLine <= 1 {
					t.Errorf("%s: location %+v", r.Properties.Subject, loc.Physical)
				}
			}
			sort.Strings(gone)
			if strings.Join(gone, ",") != strings.Join(c.gone, ",") {
				t.Errorf("absent results for %v, want %v", gone, c.gone)
			}
			if suppressed != c.accepted {
				t.Errorf("%d accepted (suppressed) results, want %d", suppressed, c.accepted)
			}
			// alice's first step is granted by RoleBinding ci/alice-reads-secrets, line 46 of cluster.yaml.
			for _, r := range run.Results {
				if r.Properties.Subject == "User:alice" {
					l := r.Locations[0]
					if l.Physical.Region.StartLine != 46 || l.Logical[0].FQN != "RoleBinding/ci/alice-reads-secrets" || r.RuleID != "read-secrets" {
						t.Errorf("alice: %+v %+v %s", l.Physical, l.Logical, r.RuleID)
					}
					// The result's tags are every step's techniques, the first step's first.
					if len(r.Properties.Tags) == 0 || r.Properties.Tags[0] != "external/mitre-attack/T1552.007" {
						t.Errorf("alice: result tags %v", r.Properties.Tags)
					}
				}
			}
		})
	}
}

// TestSARIFWithoutFiles: from a live read (no file), results carry only the
// binding as a logical location, and stay valid.
func TestSARIFWithoutFiles(t *testing.T) {
	res, inv := scan(t, "cluster.yaml", risk.Options{})
	for _, b := range append(inv.ClusterRoleBindings, inv.RoleBindings...) {
		b.Source.File, b.Source.Line = "", 0
	}
	data, err := review.SARIF(review.Apply(res, review.Options{Now: now}), inv)
	if err != nil {
		t.Fatal(err)
	}
	if err := validate(t, sarifSchema(t), data); err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(data, []byte("physicalLocation")) {
		t.Error("no file: no physical location")
	}
}

// TestSARIFSchemaRejects shows the validator is not vacuous: documents that
// break the spec's required fields fail.
func TestSARIFSchemaRejects(t *testing.T) {
	sch := sarifSchema(t)
	bad := map[string]string{
		"no version":         `{"runs":[]}`,
		"wrong version":      `{"version":"2.0.0","runs":[]}`,
		"result without msg": `{"version":"2.1.0","runs":[{"tool":{"driver":{"name":"x"}},"results":[{"ruleId":"a"}]}]}`,
		"bad level":          `{"version":"2.1.0","runs":[{"tool":{"driver":{"name":"x"}},"results":[{"message":{"text":"m"},"level":"fatal"}]}]}`,
		"bad baselineState":  `{"version":"2.1.0","runs":[{"tool":{"driver":{"name":"x"}},"results":[{"message":{"text":"m"},"baselineState":"old"}]}]}`,
	}
	for name, doc := range bad {
		if err := validate(t, sch, []byte(doc)); err == nil {
			t.Errorf("%s: accepted by the schema", name)
		}
	}
	if err := validate(t, sch, []byte(`{"version":"2.1.0","runs":[{"tool":{"driver":{"name":"x"}},"results":[{"message":{"text":"m"}}]}]}`)); err != nil {
		t.Errorf("minimal valid log rejected: %v", err)
	}
}

// TestSARIFIncompleteInput: a run on incomplete input says so in SARIF too:
// one warning notification per missing kind on the run's invocation, and
// the kinds under properties.incomplete; the document stays valid.
func TestSARIFIncompleteInput(t *testing.T) {
	res, inv := scan(t, "cluster.yaml", risk.Options{})
	inv.Missing = []model.MissingKind{{Resource: "pods", Reason: "none in the input", Impact: "running pods are unknown"}}
	data, err := review.SARIF(review.Apply(res, review.Options{Now: now}), inv)
	if err != nil {
		t.Fatal(err)
	}
	if err := validate(t, sarifSchema(t), data); err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Runs []struct {
			Invocations []struct {
				ExecutionSuccessful        bool `json:"executionSuccessful"`
				ToolExecutionNotifications []struct {
					Level   string                `json:"level"`
					Message struct{ Text string } `json:"message"`
				} `json:"toolExecutionNotifications"`
			} `json:"invocations"`
			Properties struct {
				Incomplete []struct{ Resource, Reason string } `json:"incomplete"`
			} `json:"properties"`
		} `json:"runs"`
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	r := doc.Runs[0]
	if len(r.Invocations) != 1 || len(r.Invocations[0].ToolExecutionNotifications) != 1 ||
		r.Invocations[0].ToolExecutionNotifications[0].Level != "warning" ||
		r.Invocations[0].ToolExecutionNotifications[0].Message.Text != "incomplete input: pods (none in the input): running pods are unknown" {
		t.Errorf("invocations = %+v", r.Invocations)
	}
	if len(r.Properties.Incomplete) != 1 || r.Properties.Incomplete[0].Resource != "pods" {
		t.Errorf("properties.incomplete = %+v", r.Properties.Incomplete)
	}
}
