// Package browsertest renders the HTML report in headless Chromium for the
// tests of pkg/review (the page as rendered) and pkg/cmd (the page the
// binary writes).
package browsertest

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// Chromium returns the browser on PATH. Without one the test is skipped,
// unless CI_REQUIRE_CHROMIUM is set.
func Chromium(t testing.TB) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("CI_REQUIRE_CHROMIUM") != "" {
		t.Fatal("CI_REQUIRE_CHROMIUM is set but chromium is not on PATH (apt-get install chromium)")
	}
	t.Skip("chromium not installed (set CI_REQUIRE_CHROMIUM to make this a failure)")
	return ""
}

// Command is a headless run of bin on a window width×2400 px with a profile
// of its own under dir, then args.
func Command(ctx context.Context, bin, dir string, width int, args ...string) *exec.Cmd {
	base := []string{"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--user-data-dir=" + filepath.Join(dir, "profile-"+strconv.Itoa(width)), "--window-size=" + strconv.Itoa(width) + ",2400"}
	return exec.CommandContext(ctx, bin, append(base, args...)...)
}

var csp = regexp.MustCompile(`<meta http-equiv="Content-Security-Policy"[^>]*>`)

// Widths loads page in a window width px wide and returns the document's
// scroll and client widths: equal when nothing scrolls horizontally. The
// report runs no script, so a copy without its Content-Security-Policy
// gets one that writes the widths into the DOM Chromium dumps.
func Widths(ctx context.Context, t testing.TB, bin, page string, width int) (scroll, client int) {
	t.Helper()
	dir := t.TempDir()
	probe := csp.ReplaceAllString(page, "")
	probe = strings.Replace(probe, "</body>", `<script>addEventListener("load", () => document.body.insertAdjacentHTML("beforeend", "<pre>widths "+document.documentElement.scrollWidth+" "+document.documentElement.clientWidth+"</pre>"))</script></body>`, 1)
	file := filepath.Join(dir, "measured.html")
	if err := os.WriteFile(file, []byte(probe), 0o600); err != nil {
		t.Fatal(err)
	}
	dom, err := Command(ctx, bin, dir, width, "--virtual-time-budget=3000", "--dump-dom", "file://"+file).Output()
	if err != nil {
		t.Fatalf("chromium --dump-dom: %v", err)
	}
	m := regexp.MustCompile(`widths (\d+) (\d+)`).FindStringSubmatch(string(dom))
	if m == nil {
		t.Fatalf("no widths in the dumped DOM:\n%.2000s", dom)
	}
	scroll, _ = strconv.Atoi(m[1])
	client, _ = strconv.Atoi(m[2])
	return scroll, client
}
