package review

import (
	"fmt"
	"os"
	"strings"
	"time"

	rbacv1 "k8s.io/api/rbac/v1"
	"sigs.k8s.io/yaml"

	"github.com/auth-paths/kubectl-auth-paths/pkg/rbac"
	"github.com/auth-paths/kubectl-auth-paths/pkg/risk"
)

// Acceptance is one entry of an --accept file: a known path (by ID) or every
// path of a subject, accepted by an owner for a reason until a date.
type Acceptance struct {
	Subject string `json:"subject,omitempty"`
	PathID  string `json:"pathID,omitempty"`
	// Cluster restricts the entry to one member of a fleet; without it the
	// entry applies in every cluster. Entries with a cluster match nothing
	// in a single-cluster run.
	Cluster string `json:"cluster,omitempty"`
	Reason  string `json:"reason"`
	Owner   string `json:"owner"`
	// Expires is an RFC 3339 full date (2026-12-31: accepted through that
	// day, UTC) or date-time.
	Expires string `json:"expires"`

	// Entry is the 1-based position in the file.
	Entry int `json:"entry"`
	// File is the file the entry was read from.
	File string `json:"file,omitempty"`

	subject string
	until   time.Time
}

// Until is the instant the acceptance ends.
func (a Acceptance) Until() time.Time { return a.until }

// Expired reports whether the acceptance has ended at now.
func (a Acceptance) Expired(now time.Time) bool { return !now.Before(a.until) }

// Target renders what the entry accepts.
func (a Acceptance) Target() string {
	t := a.Subject
	if a.PathID != "" {
		t = "path " + a.PathID
	}
	if a.Cluster != "" {
		t += " in cluster " + a.Cluster
	}
	return t
}

// Matches reports whether the acceptance covers the path (its cluster is
// checked by the caller). A path ID matches the path's full ID or, in a
// fleet, the single-cluster ID after the cluster prefix.
func (a Acceptance) Matches(p risk.Path) bool {
	if a.PathID != "" {
		return p.ID == a.PathID || LocalID(p.ID) == a.PathID
	}
	return a.subject == p.Subject.String()
}

// LoadAcceptances reads an --accept file.
func LoadAcceptances(file string) ([]Acceptance, error) {
	raw, err := os.ReadFile(file)
	if err != nil {
		return nil, fmt.Errorf("--accept: %w", err)
	}
	return ParseAcceptances(file, raw)
}

var acceptFields = map[string]bool{"subject": true, "pathID": true, "cluster": true, "reason": true, "owner": true, "expires": true}

// ParseAcceptances parses the content of an --accept file: a YAML list of
// {subject | pathID, reason, owner, expires}. Errors name the file, the entry
// and the field.
func ParseAcceptances(file string, raw []byte) ([]Acceptance, error) {
	var generic any
	if err := yaml.Unmarshal(raw, &generic); err != nil {
		return nil, fmt.Errorf("accept file %s: not valid YAML: %v", file, err)
	}
	if generic == nil {
		return nil, nil
	}
	list, ok := generic.([]any)
	if !ok {
		return nil, fmt.Errorf("accept file %s: want a list of entries {subject or pathID, reason, owner, expires}, got %s", file, kindOf(generic))
	}
	out := make([]Acceptance, 0, len(list))
	for i, item := range list {
		n := i + 1
		m, ok := item.(map[string]any)
		if !ok {
			return nil, fmt.Errorf("accept file %s: entry %d: want a map {subject or pathID, reason, owner, expires}, got %s", file, n, kindOf(item))
		}
		for k := range m {
			if !acceptFields[k] {
				return nil, fmt.Errorf("accept file %s: entry %d: field %q: unknown field (want subject or pathID, cluster, reason, owner, expires)", file, n, k)
			}
		}
		a := Acceptance{Entry: n, File: file}
		for _, f := range []struct {
			name string
			dst  *string
		}{{"subject", &a.Subject}, {"pathID", &a.PathID}, {"cluster", &a.Cluster}, {"reason", &a.Reason}, {"owner", &a.Owner}, {"expires", &a.Expires}} {
			v, present := m[f.name]
			if !present || v == nil {
				continue
			}
			s, ok := v.(string)
			if !ok {
				return nil, fmt.Errorf("accept file %s: entry %d: field %q: want a string, got %s", file, n, f.name, kindOf(v))
			}
			*f.dst = strings.TrimSpace(s)
		}
		switch {
		case a.Subject == "" && a.PathID == "":
			return nil, fmt.Errorf("accept file %s: entry %d: field \"subject\": one of subject or pathID is required", file, n)
		case a.Subject != "" && a.PathID != "":
			return nil, fmt.Errorf("accept file %s: entry %d: field \"pathID\": give subject or pathID, not both", file, n)
		}
		if a.Subject != "" {
			s, err := rbac.ParseSubject(a.Subject)
			if err != nil {
				return nil, fmt.Errorf("accept file %s: entry %d: field \"subject\": %v", file, n, err)
			}
			a.subject = s.String()
			if node, ok := strings.CutPrefix(s.Name, rbac.NodeUserPrefix); ok && s.Kind == rbacv1.UserKind {
				a.subject = "Node:" + node // as paths name a node's identity
			}
		}
		if a.Reason == "" {
			return nil, fmt.Errorf("accept file %s: entry %d (%s): field \"reason\": required", file, n, a.Target())
		}
		if a.Owner == "" {
			return nil, fmt.Errorf("accept file %s: entry %d (%s): field \"owner\": required", file, n, a.Target())
		}
		if a.Expires == "" {
			return nil, fmt.Errorf("accept file %s: entry %d (%s): field \"expires\": required (an RFC 3339 date such as 2026-12-31)", file, n, a.Target())
		}
		until, err := parseExpiry(a.Expires)
		if err != nil {
			return nil, fmt.Errorf("accept file %s: entry %d (%s): field \"expires\": %q is not an RFC 3339 date (2026-12-31) or date-time (2026-12-31T18:00:00Z)", file, n, a.Target(), a.Expires)
		}
		a.until = until
		out = append(out, a)
	}
	return out, nil
}

// parseExpiry: a full-date is accepted through the end of that day (UTC).
func parseExpiry(s string) (time.Time, error) {
	if t, err := time.Parse(time.DateOnly, s); err == nil {
		return t.AddDate(0, 0, 1), nil
	}
	return time.Parse(time.RFC3339, s)
}
