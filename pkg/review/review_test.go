package review_test

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/auth-paths/kubectl-auth-paths/pkg/model"
	"github.com/auth-paths/kubectl-auth-paths/pkg/review"
	"github.com/auth-paths/kubectl-auth-paths/pkg/risk"
	"github.com/auth-paths/kubectl-auth-paths/pkg/source"
)

const dir = "../../testdata/review"

func fixture(name string) string { return filepath.Join(dir, name) }

// now is the date the tests run at: after alice's acceptance expired (2025-01-31).
var now = time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)

func load(t *testing.T, name string) *model.Inventory {
	t.Helper()
	inv, err := source.LoadFiles(source.FileOptions{Filenames: []string{fixture(name)}})
	if err != nil {
		t.Fatal(err)
	}
	return inv
}

func scan(t *testing.T, name string, opts risk.Options) (risk.ScanResult, *model.Inventory) {
	t.Helper()
	inv := load(t, name)
	return risk.Analyze(inv, opts).Scan(false), inv
}

func subjects[T any](xs []T, f func(T) string) []string {
	out := []string{}
	for _, x := range xs {
		out = append(out, f(x))
	}
	slices.Sort(out)
	return out
}

func findingSubject(f review.ReviewedPath) string { return f.Subject.String() }

func TestParseAcceptances(t *testing.T) {
	as, err := review.LoadAcceptances(fixture("accept.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if len(as) != 5 {
		t.Fatalf("want 5 entries, got %d", len(as))
	}
	cases := []struct {
		entry   int
		target  string
		expired bool
		until   string
	}{
		{1, "ServiceAccount:ci:deployer", false, "2100-01-01T00:00:00Z"},
		{2, "ServiceAccount:build:builder", false, "2099-07-01T00:00:00Z"}, // unquoted YAML date
		{3, "User:ops", false, "2099-12-31T18:00:00Z"},                     // date-time
		{4, "User:alice", true, "2025-02-01T00:00:00Z"},                    // through the end of the day
		{5, "User:eve", false, "2099-01-02T00:00:00Z"},
	}
	for _, c := range cases {
		a := as[c.entry-1]
		if a.Entry != c.entry || a.Target() != c.target || a.Expired(now) != c.expired || a.Until().UTC().Format(time.RFC3339) != c.until {
			t.Errorf("entry %d: got %d %s expired=%v until=%s; want %s expired=%v until=%s", c.entry, a.Entry, a.Target(), a.Expired(now), a.Until().UTC().Format(time.RFC3339), c.target, c.expired, c.until)
		}
	}
	// The last instant of the day is still accepted; the next is not.
	alice := as[3]
	if alice.Expired(time.Date(2025, 1, 31, 23, 59, 59, 0, time.UTC)) || !alice.Expired(time.Date(2025, 2, 1, 0, 0, 0, 0, time.UTC)) {
		t.Error("a full-date expiry must hold through the end of that day (UTC)")
	}
}

func TestParseAcceptancesErrors(t *testing.T) {
	cases := []struct {
		file string
		want []string
	}{
		{"accept-malformed-expires.yaml", []string{"accept-malformed-expires.yaml", "entry 2", "User:alice", `field "expires"`, "31/01/2026", "RFC 3339"}},
		{"accept-malformed-missing-owner.yaml", []string{"accept-malformed-missing-owner.yaml", "entry 1", "path c80613954a2f", `field "owner"`, "required"}},
		{"accept-malformed-both.yaml", []string{"accept-malformed-both.yaml", "entry 1", `field "pathID"`, "not both"}},
		{"accept-malformed-unknown-field.yaml", []string{"accept-malformed-unknown-field.yaml", "entry 1", `field "expiry"`, "unknown field"}},
		{"accept-malformed-not-list.yaml", []string{"accept-malformed-not-list.yaml", "want a list"}},
		{"does-not-exist.yaml", []string{"--accept", "does-not-exist.yaml"}},
	}
	for _, c := range cases {
		t.Run(c.file, func(t *testing.T) {
			_, err := review.LoadAcceptances(fixture(c.file))
			if err == nil {
				t.Fatal("want an error")
			}
			if strings.Count(err.Error(), "\n") > 0 {
				t.Errorf("want one line, got %q", err)
			}
			for _, w := range c.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
		})
	}
	inline := []struct{ name, yaml, want string }{
		{"no subject nor pathID", "- {reason: r, owner: o, expires: 2026-01-01}", `entry 1: field "subject": one of subject or pathID is required`},
		{"bad subject", "- {subject: 'ServiceAccount:onlyns', reason: r, owner: o, expires: 2026-01-01}", `entry 1: field "subject"`},
		{"missing reason", "- {subject: User:a, owner: o, expires: 2026-01-01}", `entry 1 (User:a): field "reason": required`},
		{"missing expires", "- {subject: User:a, reason: r, owner: o}", `entry 1 (User:a): field "expires": required`},
		{"number as owner", "- {subject: User:a, reason: r, owner: 7, expires: 2026-01-01}", `entry 1: field "owner": want a string`},
		{"entry not a map", "- User:a", "entry 1: want a map"},
		{"not YAML", "- [", "not valid YAML"},
	}
	for _, c := range inline {
		t.Run(c.name, func(t *testing.T) {
			_, err := review.ParseAcceptances("inline.yaml", []byte(c.yaml))
			if err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), "inline.yaml") {
				t.Errorf("got %v, want an error naming inline.yaml with %q", err, c.want)
			}
		})
	}
	if as, err := review.ParseAcceptances("empty.yaml", nil); err != nil || len(as) != 0 {
		t.Errorf("an empty file accepts nothing: %v %v", as, err)
	}
}

func TestApply(t *testing.T) {
	res, _ := scan(t, "cluster.yaml", risk.Options{})
	base, err := review.LoadBaseline(fixture("baseline-old.json"))
	if err != nil {
		t.Fatal(err)
	}
	accept, err := review.LoadAcceptances(fixture("accept.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name         string
		opts         review.Options
		wantPaths    []string
		wantNew      []string
		wantAccepted []string
		wantGone     []string
		wantNoted    []string
		wantUnused   []string
	}{
		{
			name:      "nothing applied",
			opts:      review.Options{Now: now},
			wantPaths: []string{"Group:platform-oncall", "ServiceAccount:build:builder", "ServiceAccount:ci:deployer", "ServiceAccount:monitoring:prometheus", "User:alice", "User:carol", "User:dave", "User:ops"},
		},
		{
			name:      "baseline only",
			opts:      review.Options{Baseline: base, Now: now},
			wantPaths: []string{"Group:platform-oncall", "ServiceAccount:build:builder", "ServiceAccount:ci:deployer", "ServiceAccount:monitoring:prometheus", "User:alice", "User:carol", "User:dave", "User:ops"},
			// carol's shortest path now goes through build: her old path is gone, the new one is new.
			wantNew:  []string{"ServiceAccount:monitoring:prometheus", "User:carol"},
			wantGone: []string{"User:carol", "User:eve"},
		},
		{
			name:         "baseline and acceptances, alice's expired",
			opts:         review.Options{Baseline: base, Acceptances: accept, Now: now},
			wantPaths:    []string{"Group:platform-oncall", "ServiceAccount:monitoring:prometheus", "User:alice", "User:carol", "User:dave"},
			wantNew:      []string{"ServiceAccount:monitoring:prometheus", "User:carol"},
			wantAccepted: []string{"ServiceAccount:build:builder", "ServiceAccount:ci:deployer", "User:ops"},
			wantGone:     []string{"User:carol", "User:eve"},
			wantNoted:    []string{"User:alice"},
			wantUnused:   []string{"User:eve"},
		},
		{
			name:         "before alice's acceptance expired",
			opts:         review.Options{Acceptances: accept, Now: time.Date(2025, 1, 15, 0, 0, 0, 0, time.UTC)},
			wantPaths:    []string{"Group:platform-oncall", "ServiceAccount:monitoring:prometheus", "User:carol", "User:dave"},
			wantAccepted: []string{"ServiceAccount:build:builder", "ServiceAccount:ci:deployer", "User:alice", "User:ops"},
			wantUnused:   []string{"User:eve"},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rv := review.Apply(res, c.opts)
			check := func(what string, got, want []string) {
				if want == nil {
					want = []string{}
				}
				if !slices.Equal(got, want) {
					t.Errorf("%s: got %v, want %v", what, got, want)
				}
			}
			check("paths", subjects(rv.Paths, findingSubject), c.wantPaths)
			var news, noted []string
			for _, f := range rv.Paths {
				if f.Status == review.StatusNew {
					news = append(news, f.Subject.String())
				}
				if c.opts.Baseline != nil && f.Status != review.StatusNew && f.Status != review.StatusUnchanged {
					t.Errorf("%s: status %q with a baseline", f.Subject, f.Status)
				}
				if c.opts.Baseline == nil && f.Status != "" {
					t.Errorf("%s: status %q without a baseline", f.Subject, f.Status)
				}
				if f.Note != "" {
					noted = append(noted, f.Subject.String())
					if !strings.Contains(f.Note, "acceptance expired 2025-01-31") || !strings.Contains(f.Note, "entry 4") {
						t.Errorf("note %q", f.Note)
					}
				}
			}
			check("new", subjects(news, func(s string) string { return s }), c.wantNew)
			check("accepted", subjects(rv.Accepted, findingSubject), c.wantAccepted)
			check("gone", subjects(rv.Gone, findingSubject), c.wantGone)
			check("noted", subjects(noted, func(s string) string { return s }), c.wantNoted)
			check("unused", subjects(rv.UnusedAcceptances, review.Acceptance.Target), c.wantUnused)
			if c.opts.Baseline != nil && (rv.Baseline == nil || rv.Baseline.New != len(c.wantNew) || rv.Baseline.Gone != len(c.wantGone) || rv.Baseline.New+rv.Baseline.Unchanged != len(res.Paths)) {
				t.Errorf("baseline stats %+v", rv.Baseline)
			}
		})
	}
}

func TestApplyPrefersPathIDOverSubject(t *testing.T) {
	res, _ := scan(t, "cluster.yaml", risk.Options{})
	as, err := review.ParseAcceptances("x.yaml", []byte(`
- {subject: User:alice, reason: old, owner: a, expires: 2020-01-01}
- {pathID: c80613954a2f, reason: exact path, owner: b, expires: 2099-01-01}
`))
	if err != nil {
		t.Fatal(err)
	}
	rv := review.Apply(res, review.Options{Acceptances: as, Now: now})
	for _, f := range rv.Accepted {
		if f.Subject.String() == "User:alice" && f.Acceptance.Reason == "exact path" {
			return
		}
	}
	t.Errorf("alice's path should be accepted by its pathID entry: %+v", rv.Accepted)
}

func TestGate(t *testing.T) {
	res, _ := scan(t, "cluster.yaml", risk.Options{})
	base, err := review.LoadBaseline(fixture("baseline-old.json"))
	if err != nil {
		t.Fatal(err)
	}
	same, err := review.LoadBaseline(fixture("scan-new.json"))
	if err != nil {
		t.Fatal(err)
	}
	accept, err := review.LoadAcceptances(fixture("accept.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	acceptAll, err := review.ParseAcceptances("all.yaml", []byte(`
- {subject: ServiceAccount:monitoring:prometheus, reason: r, owner: o, expires: 2099-01-01}
- {subject: User:carol, reason: r, owner: o, expires: 2099-01-01}
`))
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		gate string
		opts review.Options
		want int
	}{
		{"new against the old baseline", review.FailOnNew, review.Options{Baseline: base}, 2},
		{"new against itself", review.FailOnNew, review.Options{Baseline: same}, 0},
		{"new, all new paths accepted", review.FailOnNew, review.Options{Baseline: base, Acceptances: acceptAll}, 0},
		{"any, nothing accepted", review.FailOnAny, review.Options{}, 8},
		{"any, admins accepted, alice's acceptance expired", review.FailOnAny, review.Options{Acceptances: accept}, 5},
		{"no gate", "", review.Options{Baseline: base}, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			c.opts.Now = now
			if got := review.Apply(res, c.opts).Gate(c.gate); len(got) != c.want {
				t.Errorf("gate %q: %d failing, want %d", c.gate, len(got), c.want)
			}
		})
	}
	for _, c := range []struct {
		gate     string
		baseline bool
		ok       bool
	}{{"", false, true}, {"any", false, true}, {"new", true, true}, {"new", false, false}, {"some", true, false}} {
		if err := review.ValidateGate(c.gate, c.baseline); (err == nil) != c.ok {
			t.Errorf("ValidateGate(%q, %v) = %v", c.gate, c.baseline, err)
		}
	}
}

func TestParseBaseline(t *testing.T) {
	b, err := review.LoadBaseline(fixture("baseline-old.json"))
	if err != nil || len(b.Paths) != 8 {
		t.Fatalf("baseline-old.json: %v, %d paths", err, len(b.Paths))
	}
	bad := []struct{ name, json, want string }{
		{"not JSON", "paths:", "not the JSON of"},
		{"no paths", `{"summary":{}}`, `no "paths" field`},
		{"path without id", `{"paths":[{"subject":{"kind":"User","name":"a"}}]}`, `path 1 has no "id"`},
	}
	for _, c := range bad {
		if _, err := review.ParseBaseline("b.json", []byte(c.json)); err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), "b.json") {
			t.Errorf("%s: got %v, want %q", c.name, err, c.want)
		}
	}
	// A reviewed result (findings and accepted) serves as the next baseline.
	b2, err := review.ParseBaseline("r.json", []byte(`{"paths":[{"id":"a"}],"accepted":[{"id":"b"}]}`))
	if err != nil || len(b2.Paths) != 2 {
		t.Errorf("reviewed result as baseline: %v %v", b2, err)
	}
}

func TestGroups(t *testing.T) {
	groups, err := review.LoadGroups(fixture("groups.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(groups["bob"], []string{"platform-oncall", "developers"}) || len(groups) != 2 {
		t.Fatalf("groups: %v", groups)
	}
	has := func(res risk.ScanResult, s string) bool {
		for _, p := range res.Paths {
			if p.Subject.String() == s {
				return true
			}
		}
		return false
	}
	inv := load(t, "cluster.yaml")
	with := risk.Analyze(inv, risk.Options{Groups: groups}).Scan(true)
	without := risk.Analyze(inv, risk.Options{}).Scan(true)
	if !has(with, "User:bob") {
		t.Error("with --groups, bob reaches cluster-admin through platform-oncall")
	}
	if has(with, "User:erin") {
		t.Error("erin's group holds nothing: no path")
	}
	if has(without, "User:bob") {
		t.Error("without --groups, bob is unknown")
	}
	for _, p := range with.Paths {
		if p.Subject.String() == "User:bob" && (len(p.Steps) < 2 || p.Steps[0].Primitive != "member-of" || p.Steps[0].To != "Group:platform-oncall") {
			t.Errorf("bob's path should start by entering the group: %+v", p.Steps)
		}
	}
	bad := []struct{ file, want string }{
		{"groups-malformed.yaml", `user "bob": want a list of group names, got the string "platform-oncall"`},
		{"groups-malformed-list.yaml", "want a map of user name to a list of groups"},
		{"missing.yaml", "--groups"},
	}
	for _, c := range bad {
		if _, err := review.LoadGroups(fixture(c.file)); err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), c.file) {
			t.Errorf("%s: got %v, want %q", c.file, err, c.want)
		}
	}
	if _, err := review.ParseGroups("g.yaml", []byte("bob: [ops, 3]")); err == nil || !strings.Contains(err.Error(), `user "bob": group 2`) {
		t.Errorf("a number as group: %v", err)
	}
}

func TestWithoutBindings(t *testing.T) {
	inv := load(t, "cluster.yaml")
	if _, err := review.WithoutBindings(inv, []string{"RoleBinding/ci/nope", "ClusterRoleBinding/prometheus-secrets"}); err == nil || !strings.Contains(err.Error(), "RoleBinding/ci/nope") || strings.Contains(err.Error(), "prometheus") {
		t.Errorf("unknown binding: %v", err)
	}
	out, err := review.WithoutBindings(inv, []string{"ClusterRoleBinding/prometheus-secrets", "RoleBinding/ci/alice-reads-secrets"})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.ClusterRoleBindings) != len(inv.ClusterRoleBindings)-1 || len(out.RoleBindings) != len(inv.RoleBindings)-1 {
		t.Errorf("removed the wrong number of bindings")
	}
	if len(review.Bindings(inv)) != len(inv.ClusterRoleBindings)+len(inv.RoleBindings) {
		t.Error("the input inventory must not change")
	}
	same, err := review.WithoutBindings(inv, nil)
	if err != nil || same != inv {
		t.Error("no IDs: the same inventory")
	}
}

func TestMain(m *testing.M) {
	if _, err := os.Stat(dir); err != nil {
		panic(err)
	}
	os.Exit(m.Run())
}
