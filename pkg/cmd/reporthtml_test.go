package cmd

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/auth-paths/kubectl-auth-paths/pkg/review/browsertest"
)

// TestReportHTMLFitsInChromium: the HTML the binary writes (report -o html
// on standard output) does not scroll horizontally at 1280 px in headless
// Chromium, long choke-point cells included: of the demo, of a review with
// baseline and acceptances, and of a fleet.
func TestReportHTMLFitsInChromium(t *testing.T) {
	bin := browsertest.Chromium(t)
	demo := filepath.Join("..", "..", "testdata", "demo", "cluster.yaml")
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	for name, args := range map[string][]string{
		"demo":   {"-f", demo},
		"review": {"-f", rv("cluster.yaml"), "--baseline", rv("baseline-old.json"), "--accept", rv("accept.yaml")},
		"fleet":  {"--cluster-file", "demo=" + demo, "--cluster-file", "prod=" + rv("cluster.yaml")},
	} {
		page, errOut, code := runCLIProcess(t, "", append([]string{"report", "-o", "html"}, args...)...)
		if code != ExitOK && code != ExitPartial || !strings.HasPrefix(page, "<!DOCTYPE html>") {
			t.Fatalf("%s: report -o html: exit %d: %s", name, code, errOut)
		}
		if !strings.Contains(page, `chokepoints">Choke points</h`) {
			t.Errorf("%s: no choke-points section", name)
		}
		if scroll, client := browsertest.Widths(ctx, t, bin, page, 1280); scroll != client {
			t.Errorf("%s: the report scrolls horizontally at 1280 px: scrollWidth %d, clientWidth %d", name, scroll, client)
		}
	}
}
