// Copyright 2026 The acme_exporter Authors
// SPDX-License-Identifier: Apache-2.0

package main

import (
	"fmt"
	"html"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/acme-exporter/acme_exporter/discovery"
	"github.com/acme-exporter/acme_exporter/internal/testbed"
)

// landingServer serves the exporter's routes, as main wires them, with
// the config file yml and discovery of the certbot fixture tree.
func landingServer(t *testing.T, yml string) (*httptest.Server, string) {
	t.Helper()
	dst := testbed.Dir(t)
	testbed.CopyTree(t, "../../discovery/testdata", dst)
	cfg := filepath.Join(dst, "acme_exporter.yml")
	closed := fmt.Sprintf("127.0.0.1:%d", testbed.FreeUDPPort(t, "127.0.0.1"))
	writeFile(t, cfg, strings.NewReplacer("ROOT", dst, "CLOSED", closed).Replace(yml))
	exp, sc := startWithDiscovery(t, cfg, discovery.Overrides{CertbotDirs: []string{filepath.Join(dst, "certbot")},
		CertbotLogDirs: []string{filepath.Join(dst, "certbot-logs")}, NoDefaults: true})
	srv := httptest.NewServer(routes(exp, "/metrics", nil, 0, func() error { return sc.Reload(nil) }))
	t.Cleanup(srv.Close)
	return srv, dst
}

func fetch(t *testing.T, srv *httptest.Server, path string) (int, string) {
	t.Helper()
	resp, err := srv.Client().Get(srv.URL + path)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = resp.Body.Close() }()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// TestLandingPage: the page shows the discovered inventory (clients,
// certificates, accounts, domains), each check's state and reason, the
// configured /probe modules with a form that works, and only links that
// answer 200.
func TestLandingPage(t *testing.T) {
	srv, dst := landingServer(t, `
certificate_files:
  - path: ROOT/gone/fullchain.pem
# The discovered webroot domain, asked of a resolver nobody answers on,
# never of the host's.
http01:
  - domain: beta.example.test
    resolver: CLOSED
modules:
  files:
    kind: certificate_file
    file_roots: [ROOT/certbot/live, ROOT/certbot/archive]
`)
	fetch(t, srv, "/metrics") // checks run when scraped
	code, page := fetch(t, srv, "/")
	if code != http.StatusOK {
		t.Fatalf("/ answered %d", code)
	}
	page = html.UnescapeString(page)
	live := dst + "/certbot/live/alpha.example.test/fullchain.pem"
	for _, want := range []string{
		"<td>certbot</td><td><code>" + dst + "/certbot</code></td><td>3</td>", // client and its lineages
		"<td>alpha.example.test</td><td><code>" + live + "</code></td><td>certbot</td>",
		"/certbot/accounts/127.0.0.1:56763/dir/6415a838f97b3a973c6f2747e0dc8464/private_key.json",
		"<td>beta.example.test</td><td>certbot</td><td>beta.example.test</td><td>http-01</td><td>webroot</td>",
		"<td>files</td><td>certificate_file</td><td>files below " + dst + "/certbot/live, " + dst + "/certbot/archive</td>",
		`<form action="/probe" method="get">`, `<option value="files">`,
		// Each check's state and reason, failing first.
		"<tr><td>http01</td><td><code>beta.example.test</code></td><td class=\"fail\">failing</td><td>dns_error</td>", // the closed resolver
		"<tr><td>certificate_file</td><td><code>" + dst + "/gone/fullchain.pem</code></td><td class=\"fail\">failing</td><td>not_found</td>",
		"<tr><td>certificate_file</td><td><code>" + live + "</code></td><td class=\"ok\">ok</td>",
	} {
		if !strings.Contains(page, want) {
			t.Errorf("landing page lacks %q\n%s", want, page)
		}
	}
	// Every link answers 200.
	links := regexp.MustCompile(`href="([^"]+)"`).FindAllStringSubmatch(page, -1)
	if len(links) < 3 {
		t.Fatalf("only %d links", len(links))
	}
	for _, l := range links {
		if code, body := fetch(t, srv, l[1]); code != http.StatusOK {
			t.Errorf("link %s answered %d: %s", l[1], code, body)
		}
	}
	// The form, filled in as a user would.
	q := url.Values{"module": {"files"}, "target": {live}}
	if code, body := fetch(t, srv, "/probe?"+q.Encode()); code != http.StatusOK ||
		!strings.Contains(body, fmt.Sprintf(`acme_probe_success{check="certificate_file",target=%q} 1`, live)) {
		t.Errorf("the probe form's request: %d\n%s", code, body)
	}
	if code, _ := fetch(t, srv, "/nosuchpage"); code != http.StatusNotFound {
		t.Errorf("an unknown path answered %d, want 404", code)
	}
}
