// Copyright 2026 The acme_exporter Authors
// SPDX-License-Identifier: Apache-2.0

package e2e

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
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
	// Endpoint: the exporter also checks it as served by nginx.
	Endpoint bool
	// Own: served by an nginx of its own (port EndpointPort), obtained
	// without certbot's deploy hook; the renewal job reloads that nginx
	// after renewing (deploy), unless a scenario skips it.
	Own          bool
	EndpointPort int
	deploy       func() error
	noDeploy     bool // a scenario: renewals are not deployed (mu)
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

	nginx     *testbed.Process
	nginxConf string
	httpPort  int
	httpsPort int
	webroot   string
	tlsDir    string

	exporterBin  string
	exporterAddr string
	exporterConf string
	exporterMu   sync.Mutex
	exporter     *testbed.Process

	caFile    string          // Pebble's issuing root, the exporter's global.ca_file
	ntpGood   *testbed.Chrony // chrony on the real clock
	ntpSkewed *testbed.Chrony // chrony 90 s behind (libfaketime)
	dns       *dnsBed
	// accounts are the account keys in the exporter's config (confMu).
	accounts             []*acmeAccount
	acctFresh, acctDeact *acmeAccount
	// acctSvc belongs to the service user (uid 65534); a second exporter,
	// which keeps its capabilities, checks it (acctExporterAddr).
	acctSvc          *acmeAccount
	acctExporterAddr string
	acctExporter     *testbed.Process
	acctExporterArgv []string
	// promRules is the rendered rules file; Prometheus' config is rewritten
	// (setAccountsJob) to take a target out of service discovery.
	promRules string
	confMu    sync.Mutex
	ntpAddr   string // where the exporter's NTP server name is dialled

	httpAuth    atomic.Bool // basic auth on the http01-auth domain
	nginxMu     sync.Mutex  // one writeNginx+reload at a time
	nginxHTTP01 *miniNginx  // serves the http01-stop domain only
	nginxStale  *miniNginx  // serves the "stale" lineage only
	// standalonePort stands in for :80 of a standalone-mode client;
	// nginxTaker takes it in the port80-taken scenario.
	standalonePort int
	nginxTaker     *miniNginx

	// holdRenewals pauses the renewal job for every lineage.
	holdRenewals atomic.Bool
	renewMu      sync.Mutex // held by the renewal job while it renews a lineage

	// hostAlerts fire because of the machine, not the bed (detectHostState).
	hostAlerts map[string]bool
	hostNotes  []string

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
	// The http01-basic-auth scenario's domain: the same webroot, with basic
	// auth over the challenge path while the scenario runs.
	auth := ""
	if b.httpAuth.Load() {
		auth = fmt.Sprintf(`auth_basic "e2e"; auth_basic_user_file %s/htpasswd;`, d)
	}
	fmt.Fprintf(&sb, `    server {
        listen 127.0.0.1:%d;
        server_name %s;
        location /.well-known/acme-challenge/ { root %s; default_type text/plain; %s }
        location / { return 404; }
    }
`, b.httpPort, http01Auth, b.webroot, auth)
	if withTLS {
		for _, l := range b.lineages {
			// Only endpoint lineages: a scenario that breaks another
			// lineage's files (key mismatch) must not make every reload fail.
			if l.Client != "certbot" || !l.Endpoint || l.Own {
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
		return fmt.Errorf("%s: %w\n%s", strings.Join(argv, " "), err, out)
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
			"--server", b.pebbleDir, "--webroot", "-w", b.webroot, "-d", l.Domain, "--cert-name", l.Name)
		if !l.Own {
			argv = append(argv, "--deploy-hook", fmt.Sprintf("kill -HUP %d", b.nginx.Cmd.Process.Pid))
		}
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

// renewForced renews a certbot lineage now, whatever its age.
func (b *bed) renewForced(ctx context.Context, l *lineage) error {
	argv := append(b.certbotArgs("renew"), "--cert-name", l.Name, "--force-renewal")
	return b.runClient(ctx, argv, "REQUESTS_CA_BUNDLE="+b.minica)
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

// errNotDue: the lineage needs no renewal now (or the job is paused).
var errNotDue = errors.New("not due")

// renewDue renews l if it is due and not paused.
func (b *bed) renewDue(ctx context.Context, l *lineage) error {
	if l.isPaused() || b.holdRenewals.Load() {
		return errNotDue
	}
	c, err := b.leaf(l)
	if err != nil || !due(c, time.Now()) {
		return errNotDue
	}
	if err := b.renew(ctx, l); err != nil {
		return err
	}
	l.mu.Lock()
	skip := l.noDeploy
	l.mu.Unlock()
	if l.deploy != nil && !skip {
		return l.deploy()
	}
	return nil
}

// rewriteNginx rewrites the main nginx's config and reloads it.
func (b *bed) rewriteNginx() error {
	b.nginxMu.Lock()
	defer b.nginxMu.Unlock()
	b.writeNginx(true)
	return b.reloadNginx()
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
			b.renewMu.Lock()
			err := b.renewDue(ctx, l)
			b.renewMu.Unlock()
			if errors.Is(err, errNotDue) {
				continue
			}
			if err != nil {
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

// writeExporterConfig writes the exporter's config for the bed. Every
// default that would reach a network is set explicitly (the process also
// runs with ACME_EXPORTER_OFFLINE=1): the NTP server is the bed's chrony,
// the only ACME directory is Pebble's (no Let's Encrypt default), every
// endpoint is dialled on loopback, discovery is off.
func (b *bed) writeExporterConfig() {
	b.confMu.Lock()
	defer b.confMu.Unlock()
	var sb strings.Builder
	fmt.Fprintf(&sb, "global:\n  ca_file: %s\n  system_roots: false\n", b.caFile)
	sb.WriteString("discovery:\n  enabled: false\n")
	fmt.Fprintf(&sb, "clock:\n  servers:\n    - server: %s\n      port: 123\n      address: %s\n  min_interval: 1m\n  timeout: 2s\n", ntpName, b.ntpAddr)
	fmt.Fprintf(&sb, "acme_directories:\n  default: \"\"\n  min_interval: 10s\n  timeout: 3s\n  directories:\n    - url: %s\n      tls_ca_file: %s\n      issuers: [\"Pebble Intermediate CA *\"]\n", b.pebbleDir, b.minica)
	sb.WriteString("ari:\n  concurrency: 2\n  timeout: 5s\n  max_per_scrape: 100\n")
	sb.WriteString("crl:\n  timeout: 5s\n  min_interval: 1m\n")
	sb.WriteString(b.dns.exporterConfig())
	sb.WriteString(b.http01Config())
	sb.WriteString(b.accountsConfig())
	sb.WriteString(rateLimitsConfig())
	sb.WriteString(b.clientLogConfig())
	sb.WriteString("certificate_files:\n")
	for _, l := range b.lineages {
		fmt.Fprintf(&sb, "  - path: %s\n    name: %s\n    client: %s\n", l.Watched, l.Name, l.Client)
		if l.KeyPath != "" {
			fmt.Fprintf(&sb, "    key_file: %s\n", l.KeyPath)
		}
	}
	sb.WriteString(b.historyConfig())
	sb.WriteString("endpoints:\n")
	for _, l := range b.lineages {
		if l.Endpoint {
			port := b.httpsPort
			if l.Own {
				port = l.EndpointPort
			}
			fmt.Fprintf(&sb, "  - target: %s:%d\n    name: %s\n    address: 127.0.0.1\n    timeout: 3s\n", l.Domain, port, l.Name)
		}
	}
	b.exporterConf = filepath.Join(b.dir, "acme_exporter.yml")
	if err := os.WriteFile(b.exporterConf, []byte(sb.String()), 0o644); err != nil {
		b.t.Error(err)
	}
}

// pointNTP dials the exporter's NTP server name at addr from now on:
// rewrites the config and reloads the exporter (POST /-/reload).
func (b *bed) pointNTP(addr string) error {
	b.confMu.Lock()
	b.ntpAddr = addr
	b.confMu.Unlock()
	b.writeExporterConfig()
	return b.reloadExporter()
}

func (b *bed) reloadExporter() error {
	resp, err := http.Post("http://"+b.exporterAddr+"/-/reload", "text/plain", nil)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("exporter reload: %s: %s", resp.Status, body)
	}
	return nil
}

// startExporter starts (or restarts) the exporter on its address, with
// ACME_EXPORTER_OFFLINE=1. As root it runs without CAP_DAC_OVERRIDE and
// CAP_DAC_READ_SEARCH, so file modes apply to it as they would to a
// service without those capabilities.
func (b *bed) startExporter() {
	t := b.t
	argv := []string{b.exporterBin, "--config.file=" + b.exporterConf, "--web.listen-address=" + b.exporterAddr, "--log.level=debug"}
	if os.Geteuid() == 0 {
		setpriv := testbed.Binary(t, "setpriv")
		argv = append([]string{setpriv, "--inh-caps=-dac_override,-dac_read_search",
			"--bounding-set=-dac_override,-dac_read_search", "--"}, argv...)
	}
	p := testbed.Start(t, b.dir, fmt.Sprintf("acme_exporter-%d", time.Now().UnixNano()), argv, "ACME_EXPORTER_OFFLINE=1")
	testbed.WaitHTTP(t, "http://"+b.exporterAddr+"/-/ready", p)
	b.exporterMu.Lock()
	b.exporter = p
	b.exporterMu.Unlock()
}

// startExporterErr restarts the exporter from an exclusive scenario's
// Revert (which runs on the test goroutine, so Fatal is allowed).
func (b *bed) startExporterErr() error {
	b.startExporter()
	return nil
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
