// Copyright 2026 The acme_exporter Authors
// SPDX-License-Identifier: Apache-2.0

package e2e

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/acme-exporter/acme_exporter/internal/testbed"
)

// domain is the zone every certificate of the bed is for. Names under it
// never reach the host's resolver: Pebble's VA asks pebble-challtestsrv.
const domain = "e2e.example.test"

// lineage is one certificate a real ACME client obtained and keeps renewing.
type lineage struct {
	Name   string // the name label (certbot --cert-name, lego domain stem)
	Client string // certbot or lego
	Domain string
	// Watched is the certificate path the exporter checks, KeyPath its key.
	Watched, KeyPath string
	// paused stops the renewal job for this lineage (a scenario).
	mu     sync.Mutex
	paused bool
	// renewals counts successful renewals after the first issuance.
	renewals int
}

func (l *lineage) setPaused(p bool) { l.mu.Lock(); l.paused = p; l.mu.Unlock() }
func (l *lineage) isPaused() bool   { l.mu.Lock(); defer l.mu.Unlock(); return l.paused }

// livePath is the file the client itself keeps current.
func (b *bed) livePath(l *lineage, file string) string {
	if l.Client == "lego" {
		ext := map[string]string{"fullchain.pem": ".crt", "privkey.pem": ".key", "cert.pem": ".crt"}[file]
		return filepath.Join(b.dir, "lego", "certificates", l.Domain+ext)
	}
	return filepath.Join(b.dir, "certbot", "config", "live", l.Name, file)
}

type bed struct {
	t        *testing.T
	dir      string
	lifetime time.Duration
	root     string // module root

	minica     string // Pebble's own TLS trust (minica)
	pebbleDir  string // ACME directory URL
	pebbleMgmt string
	pebble     *testbed.Process
	pebbleCmd  []string
	pebbleEnv  []string

	nginx      *testbed.Process
	nginxConf  string
	httpPort   int
	httpsPort  int
	webroot    string
	tlsDir     string
	nginxReady bool

	exporterBin  string
	exporterAddr string
	exporterConf string
	exporterMu   sync.Mutex
	exporter     *testbed.Process

	prom *testbed.Prometheus
	am   *testbed.Alertmanager
	sink *testbed.PDSink

	clientMu sync.Mutex // certbot holds a lock on its config dir: one run at a time
	lineages []*lineage
}

func moduleRoot(t testing.TB) string {
	out, err := exec.Command("go", "env", "GOMOD").Output()
	if err != nil {
		t.Fatal(err)
	}
	return filepath.Dir(strings.TrimSpace(string(out)))
}

// buildExporter builds cmd/acme_exporter from this tree.
func buildExporter(t testing.TB, root, dir string) string {
	bin := filepath.Join(dir, "acme_exporter")
	cmd := exec.Command("go", "build", "-o", bin, "./cmd/acme_exporter")
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// pebbleModuleDir is the v2.10.3 module zip, which ships Pebble's TLS
// certificate, key and minica root.
func pebbleModuleDir(t testing.TB, root string) string {
	cmd := exec.Command("go", "mod", "download", "-json", "github.com/letsencrypt/pebble/v2@v2.10.3")
	cmd.Dir = root
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go mod download pebble: %v", err)
	}
	var m struct{ Dir string }
	if err := json.Unmarshal(out, &m); err != nil || m.Dir == "" {
		t.Fatalf("go mod download pebble: %v %s", err, out)
	}
	return m.Dir
}

func (b *bed) startPebble() {
	t := b.t
	pebble := testbed.Binary(t, "pebble")
	cts := testbed.Binary(t, "pebble-challtestsrv")
	mod := pebbleModuleDir(t, b.root)
	b.minica = filepath.Join(mod, "test/certs/pebble.minica.pem")

	dnsPort := testbed.FreeUDPPort(t, "127.0.0.1")
	ctsMgmt := testbed.FreePort(t, "127.0.0.1")
	c := testbed.Start(t, b.dir, "challtestsrv", []string{cts,
		"-dnsserver", fmt.Sprintf("127.0.0.1:%d", dnsPort), "-doh", "", "-http01", "", "-https01", "",
		"-tlsalpn01", "", "-management", fmt.Sprintf("127.0.0.1:%d", ctsMgmt),
		"-defaultIPv4", "127.0.0.1", "-defaultIPv6", ""})
	testbed.WaitTCP(t, fmt.Sprintf("127.0.0.1:%d", ctsMgmt), c)

	acme := testbed.FreePort(t, "127.0.0.1")
	mgmt := testbed.FreePort(t, "127.0.0.1")
	cfg := map[string]any{"pebble": map[string]any{
		"listenAddress":                  fmt.Sprintf("127.0.0.1:%d", acme),
		"managementListenAddress":        fmt.Sprintf("127.0.0.1:%d", mgmt),
		"certificate":                    filepath.Join(mod, "test/certs/localhost/cert.pem"),
		"privateKey":                     filepath.Join(mod, "test/certs/localhost/key.pem"),
		"httpPort":                       b.httpPort,
		"tlsPort":                        testbed.FreePort(t, "127.0.0.1"),
		"ocspResponderURL":               "",
		"externalAccountBindingRequired": false,
		"retryAfter":                     map[string]int{"authz": 1, "order": 1},
		"keyAlgorithm":                   "ecdsa",
		// One profile only: with several, Pebble picks one at random.
		"profiles": map[string]any{"default": map[string]any{
			"description": "e2e: minutes-long certificates", "validityPeriod": int(b.lifetime.Seconds())}},
	}}
	js, _ := json.MarshalIndent(cfg, "", "  ")
	path := filepath.Join(b.dir, "pebble-config.json")
	if err := os.WriteFile(path, js, 0o644); err != nil {
		t.Fatal(err)
	}
	b.pebbleCmd = []string{pebble, "-config", path, "-dnsserver", fmt.Sprintf("127.0.0.1:%d", dnsPort)}
	b.pebbleEnv = []string{"PEBBLE_VA_NOSLEEP=1", "PEBBLE_WFE_NONCEREJECT=0", "PEBBLE_AUTHZREUSE=0"}
	b.pebble = testbed.Start(t, b.dir, "pebble", b.pebbleCmd, b.pebbleEnv...)
	testbed.WaitTCP(t, fmt.Sprintf("127.0.0.1:%d", acme), b.pebble)
	b.pebbleDir = fmt.Sprintf("https://127.0.0.1:%d/dir", acme)
	b.pebbleMgmt = fmt.Sprintf("https://127.0.0.1:%d", mgmt)
}

// pebbleRoot fetches the root Pebble generated at start (it changes on
// every start) for the exporter's trust store.
func (b *bed) pebbleRoot() []byte {
	pool := x509.NewCertPool()
	pemBytes, err := os.ReadFile(b.minica)
	if err != nil || !pool.AppendCertsFromPEM(pemBytes) {
		b.t.Fatalf("minica: %v", err)
	}
	cl := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	resp, err := cl.Get(b.pebbleMgmt + "/roots/0")
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		b.t.Fatal(err)
	}
	if blk, _ := pem.Decode(body); blk == nil {
		b.t.Fatalf("/roots/0 is not PEM: %q", body)
	}
	return body
}

// writeNginx writes nginx.conf: the HTTP-01 webroot on the HTTP port and,
// once certificates exist, one HTTPS server per certbot lineage.
func (b *bed) writeNginx(withTLS bool) {
	d := filepath.Join(b.dir, "nginx")
	var sb strings.Builder
	fmt.Fprintf(&sb, `worker_processes 1;
pid %[1]s/nginx.pid;
error_log %[1]s/error.log info;
events { worker_connections 64; }
http {
    access_log %[1]s/access.log;
    client_body_temp_path %[1]s/tmp-body;
    proxy_temp_path %[1]s/tmp-proxy;
    fastcgi_temp_path %[1]s/tmp-fastcgi;
    uwsgi_temp_path %[1]s/tmp-uwsgi;
    scgi_temp_path %[1]s/tmp-scgi;
    server {
        listen 127.0.0.1:%[2]d;
        location /.well-known/acme-challenge/ { root %[3]s; default_type text/plain; }
        location / { return 404; }
    }
`, d, b.httpPort, b.webroot)
	if withTLS {
		for _, l := range b.lineages {
			if l.Client != "certbot" {
				continue
			}
			fmt.Fprintf(&sb, `    server {
        listen 127.0.0.1:%d ssl;
        server_name %s;
        ssl_certificate     %s;
        ssl_certificate_key %s;
        ssl_protocols TLSv1.2 TLSv1.3;
        location / { default_type text/plain; return 200 "%s\n"; }
    }
`, b.httpsPort, l.Domain, l.Watched, l.KeyPath, l.Name)
		}
	}
	sb.WriteString("}\n")
	if err := os.WriteFile(b.nginxConf, []byte(sb.String()), 0o644); err != nil {
		b.t.Fatal(err)
	}
}

func (b *bed) startNginx() {
	t := b.t
	nginx := testbed.Binary(t, "nginx")
	d := filepath.Join(b.dir, "nginx")
	for _, sub := range []string{"", "tmp-body", "tmp-proxy", "tmp-fastcgi", "tmp-uwsgi", "tmp-scgi"} {
		if err := os.MkdirAll(filepath.Join(d, sub), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	b.nginxConf = filepath.Join(d, "nginx.conf")
	b.writeNginx(false)
	testbed.Run(t, []string{nginx, "-t", "-e", "stderr", "-p", d, "-c", b.nginxConf})
	b.nginx = testbed.Start(t, b.dir, "nginx", []string{nginx, "-e", "stderr", "-p", d, "-c", b.nginxConf, "-g", "daemon off;"})
	testbed.WaitTCP(t, fmt.Sprintf("127.0.0.1:%d", b.httpPort), b.nginx)
}

// reloadNginx sends SIGHUP, as a deploy hook does.
func (b *bed) reloadNginx() error {
	return syscall.Kill(b.nginx.Cmd.Process.Pid, syscall.SIGHUP)
}

// runClient runs certbot or lego (one at a time) with a deadline.
func (b *bed) runClient(ctx context.Context, argv []string, env ...string) error {
	b.clientMu.Lock()
	defer b.clientMu.Unlock()
	ctx, cancel := context.WithTimeout(ctx, 90*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	cmd.Env = append(os.Environ(), env...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	out, err := cmd.CombinedOutput()
	if err != nil {
		return fmt.Errorf("%s: %v\n%s", strings.Join(argv, " "), err, out)
	}
	return nil
}

func (b *bed) certbotArgs(sub string) []string {
	c := filepath.Join(b.dir, "certbot")
	return []string{testbed.Binary(b.t, "certbot"), sub, "--non-interactive",
		"--config-dir", filepath.Join(c, "config"), "--work-dir", filepath.Join(c, "work"),
		"--logs-dir", filepath.Join(c, "logs"), "--no-random-sleep-on-renew"}
}

func (b *bed) legoArgs(l *lineage) []string {
	return []string{testbed.Binary(b.t, "lego"), "--server", b.pebbleDir, "--email", "admin@example.com",
		"--accept-tos", "--path", filepath.Join(b.dir, "lego"), "--key-type", "ec256",
		"--http", "--http.webroot", b.webroot, "-d", l.Domain}
}

// obtain gets the lineage's first certificate.
func (b *bed) obtain(ctx context.Context, l *lineage) error {
	switch l.Client {
	case "certbot":
		argv := append(b.certbotArgs("certonly"), "--agree-tos", "-m", "admin@example.com", "--no-eff-email",
			"--server", b.pebbleDir, "--webroot", "-w", b.webroot, "-d", l.Domain, "--cert-name", l.Name,
			"--deploy-hook", fmt.Sprintf("kill -HUP %d", b.nginx.Cmd.Process.Pid))
		return b.runClient(ctx, argv, "REQUESTS_CA_BUNDLE="+b.minica)
	default:
		return b.runClient(ctx, append(b.legoArgs(l), "run"), "LEGO_CA_CERTIFICATES="+b.minica)
	}
}

// renew renews the lineage the way its client's timer would.
func (b *bed) renew(ctx context.Context, l *lineage) error {
	switch l.Client {
	case "certbot":
		// certbot 2.1 renews when less than 30 days are left: always, here.
		// The job itself decides when (see due); no random sleeps.
		argv := append(b.certbotArgs("renew"), "--cert-name", l.Name)
		return b.runClient(ctx, argv, "REQUESTS_CA_BUNDLE="+b.minica)
	default:
		return b.runClient(ctx, append(b.legoArgs(l), "renew", "--days", "30", "--no-random-sleep"), "LEGO_CA_CERTIFICATES="+b.minica)
	}
}

// leaf reads the current certificate of a lineage.
func (b *bed) leaf(l *lineage) (*x509.Certificate, error) {
	data, err := os.ReadFile(b.livePath(l, "fullchain.pem"))
	if err != nil {
		return nil, err
	}
	blk, _ := pem.Decode(data)
	if blk == nil {
		return nil, fmt.Errorf("%s: no PEM", l.Name)
	}
	return x509.ParseCertificate(blk.Bytes)
}

// due says whether the lineage is past its renewal point: half of its
// lifetime left (certbot >= 4 and lego --dynamic for certificates shorter
// than 10 days).
func due(c *x509.Certificate, now time.Time) bool {
	life := c.NotAfter.Sub(c.NotBefore) + time.Second
	return c.NotAfter.Sub(now) < life/2
}

// renewalJob is the clients' timer: it renews every lineage that is due
// unless a scenario paused it. It stops with ctx.
func (b *bed) renewalJob(ctx context.Context, errs chan<- error) {
	tick := time.NewTicker(2 * time.Second)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		for _, l := range b.lineages {
			if l.isPaused() {
				continue
			}
			c, err := b.leaf(l)
			if err != nil || !due(c, time.Now()) {
				continue
			}
			if err := b.renew(ctx, l); err != nil {
				if ctx.Err() != nil {
					return
				}
				select {
				case errs <- fmt.Errorf("renewal of %s: %w", l.Name, err):
				default:
				}
				continue
			}
			l.mu.Lock()
			l.renewals++
			l.mu.Unlock()
		}
	}
}

// exporterConfig is the exporter's config for the bed.
func (b *bed) writeExporterConfig(rootPEM []byte) {
	ca := filepath.Join(b.dir, "pebble-root.pem")
	if err := os.WriteFile(ca, rootPEM, 0o644); err != nil {
		b.t.Fatal(err)
	}
	var sb strings.Builder
	fmt.Fprintf(&sb, "global:\n  ca_file: %s\n  system_roots: false\ncertificate_files:\n", ca)
	for _, l := range b.lineages {
		fmt.Fprintf(&sb, "  - path: %s\n    name: %s\n    client: %s\n", l.Watched, l.Name, l.Client)
		if l.KeyPath != "" {
			fmt.Fprintf(&sb, "    key_file: %s\n", l.KeyPath)
		}
	}
	b.exporterConf = filepath.Join(b.dir, "acme_exporter.yml")
	if err := os.WriteFile(b.exporterConf, []byte(sb.String()), 0o644); err != nil {
		b.t.Fatal(err)
	}
}

// startExporter starts (or restarts) the exporter on its address. As root
// it runs without CAP_DAC_OVERRIDE and CAP_DAC_READ_SEARCH, so file modes
// apply to it as they would to a service without those capabilities.
func (b *bed) startExporter() {
	t := b.t
	argv := []string{b.exporterBin, "--config.file=" + b.exporterConf, "--web.listen-address=" + b.exporterAddr, "--log.level=debug"}
	if os.Geteuid() == 0 {
		setpriv := testbed.Binary(t, "setpriv")
		argv = append([]string{setpriv, "--inh-caps=-dac_override,-dac_read_search",
			"--bounding-set=-dac_override,-dac_read_search", "--"}, argv...)
	}
	p := testbed.Start(t, b.dir, fmt.Sprintf("acme_exporter-%d", time.Now().UnixNano()), argv)
	testbed.WaitHTTP(t, "http://"+b.exporterAddr+"/-/ready", p)
	b.exporterMu.Lock()
	b.exporter = p
	b.exporterMu.Unlock()
}

func (b *bed) killExporter() error {
	b.exporterMu.Lock()
	p := b.exporter
	b.exporterMu.Unlock()
	return syscall.Kill(p.Cmd.Process.Pid, syscall.SIGKILL)
}

// exporterMetrics returns the exporter's exposition lines that mention any
// of the given strings (all lines when none given).
func (b *bed) exporterMetrics(match ...string) string {
	resp, err := http.Get("http://" + b.exporterAddr + "/metrics")
	if err != nil {
		return "(exporter: " + err.Error() + ")"
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 8<<20))
	var sb strings.Builder
	for _, line := range strings.Split(string(body), "\n") {
		if strings.HasPrefix(line, "#") || line == "" {
			continue
		}
		ok := len(match) == 0
		for _, m := range match {
			if m != "" && strings.Contains(line, m) {
				ok = true
			}
		}
		if ok {
			sb.WriteString(line + "\n")
		}
	}
	return sb.String()
}
