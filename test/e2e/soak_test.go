// Copyright 2026 The acme_exporter Authors
// SPDX-License-Identifier: Apache-2.0

//go:build soak

// Long runs against the exporter built from this tree, outside make test
// (build tag soak): scripts/soak.sh, scripts/reload-under-load.sh and
// scripts/hostile-files.sh run them and docs/reliability.md has the
// figures.
package e2e

import (
	"bufio"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/acme-exporter/acme_exporter/internal/testbed"
	"github.com/acme-exporter/acme_exporter/internal/testcerts"
)

var (
	soakDuration = flag.Duration("soak.duration", 10*time.Minute, "how long the soak scrapes")
	soakScrapers = flag.Int("soak.scrapers", 50, "concurrent scrapers")
	soakFiles    = flag.Int("soak.files", 200, "certificate files")
	soakPause    = flag.Duration("soak.pause", time.Second, "pause between one scraper's scrapes")
	reloads      = flag.Int("reloads", 100, "reloads in TestReloadUnderLoad")
)

// tarpit is a FAKE TLS server, the hostile kind no real server is: it
// accepts and then sends one byte a second, forever.
func tarpit(t *testing.T) string {
	return testbed.ServeTCP(t, "127.0.0.1:0", func(c net.Conn) {
		defer c.Close()
		for {
			if _, err := c.Write([]byte{0x16}); err != nil {
				return
			}
			time.Sleep(time.Second)
		}
	})
}

// soakBed is the targets of the soak: certificate files, a TLS endpoint
// (nginx), a tarpit endpoint, DNS-01 zones (Knot) and an NTP server
// (chrony), all on loopback.
func soakBed(t *testing.T, dir string, files int) (cfg string) {
	ch := testcerts.NewChain(t, "Soak")
	for i := 0; i < files; i++ {
		leaf := ch.Leaf(t, testcerts.Options{Serial: int64(i + 1), DNSNames: []string{fmt.Sprintf("s%04d.soak.test", i)}})
		testcerts.Write(t, dir, fmt.Sprintf("live/s%04d/fullchain.pem", i), ch.FullChain(leaf), 0o644)
		testcerts.Write(t, dir, fmt.Sprintf("live/s%04d/privkey.pem", i), leaf.KeyPEM(), 0o600)
	}
	www := ch.Leaf(t, testcerts.Options{DNSNames: []string{"www.soak.test"}})
	crt := testcerts.Write(t, dir, "tls/fullchain.pem", ch.FullChain(www), 0o644)
	key := testcerts.Write(t, dir, "tls/key.pem", www.KeyPEM(), 0o600)
	port := testbed.FreePort(t, "127.0.0.1")
	listen := fmt.Sprintf("127.0.0.1:%d", port)
	testbed.StartNginx(t, testbed.Dir(t), testbed.NginxTLSServer(listen, "www.soak.test", [2]string{crt, key}), listen)
	pit := tarpit(t)
	dns := startDNSBed(t)
	ntp := testbed.StartChrony(t, "")

	var b strings.Builder
	b.WriteString("global:\n  concurrency: 16\n")
	b.WriteString("discovery:\n  enabled: false\nacme_directories:\n  default: \"\"\n")
	fmt.Fprintf(&b, "certificate_files:\n  - path: %s/live/*/fullchain.pem\n", dir)
	fmt.Fprintf(&b, "endpoints:\n  - target: www.soak.test:%d\n    address: %s\n  - target: tarpit.soak.test:443\n    address: %s\n    timeout: 30s\n", port, listen, pit)
	fmt.Fprintf(&b, "clock:\n  servers:\n    - server: ntp.soak.test\n      port: 123\n      address: %s\n  min_interval: 1m\n  timeout: 2s\n", ntp.Addr)
	b.WriteString(dns.exporterConfig())
	cfg = filepath.Join(dir, "acme_exporter.yml")
	if err := os.WriteFile(cfg, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return cfg
}

func startExporter(t *testing.T, dir, cfg string, extra ...string) (addr string, p *testbed.Process) {
	bin := buildExporter(t, moduleRoot(t), dir)
	addr = fmt.Sprintf("127.0.0.1:%d", testbed.FreePort(t, "127.0.0.1"))
	argv := append([]string{bin, "--config.file=" + cfg, "--web.listen-address=" + addr}, extra...)
	p = testbed.Start(t, dir, "exporter", argv, "ACME_EXPORTER_OFFLINE=1")
	testbed.WaitTCP(t, addr, p)
	return addr, p
}

// scrapers starts n loops scraping /metrics (5 s timeout header), each
// pausing between scrapes, reporting every scrape to record; the returned
// function stops them and waits.
func scrapers(n int, addr string, pause time.Duration, record func(code int, d time.Duration, err error)) func() {
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				code, _, d, err := getMetrics(addr, "5")
				record(code, d, err)
				time.Sleep(pause)
			}
		}()
	}
	return func() { close(stop); wg.Wait() }
}

var sampleRE = regexp.MustCompile(`(?m)^(go_goroutines|process_open_fds|process_resident_memory_bytes) (\S+)$`)

func getMetrics(addr string, timeout string) (int, string, time.Duration, error) {
	req, _ := http.NewRequest("GET", "http://"+addr+"/metrics", nil)
	req.Header.Set("X-Prometheus-Scrape-Timeout-Seconds", timeout)
	start := time.Now()
	resp, err := (&http.Client{Timeout: time.Minute}).Do(req)
	if err != nil {
		return 0, "", time.Since(start), err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), time.Since(start), nil
}

func pct(d []time.Duration, p float64) time.Duration {
	if len(d) == 0 {
		return 0
	}
	return d[min(len(d)-1, int(float64(len(d))*p))]
}

// TestSoak: soak.scrapers scrapers, each scraping /metrics (5 s timeout
// header) and pausing soak.pause, for soak.duration; every 10 s the
// exporter's goroutines, open fds and RSS are sampled.
func TestSoak(t *testing.T) {
	dir := testbed.Dir(t)
	cfg := soakBed(t, dir, *soakFiles)
	addr, p := startExporter(t, dir, cfg)
	var mu sync.Mutex
	var lat []time.Duration
	codes := map[int]int{}
	var errs atomic.Int64
	stopScrapers := scrapers(*soakScrapers, addr, *soakPause, func(code int, d time.Duration, err error) {
		mu.Lock()
		defer mu.Unlock()
		if err != nil {
			errs.Add(1)
			return
		}
		codes[code]++
		if code == 200 {
			lat = append(lat, d)
		}
	})
	type sample struct {
		at               time.Duration
		gor, fds, rssMiB float64
	}
	var samples []sample
	start := time.Now()
	tick := time.NewTicker(10 * time.Second)
	for time.Since(start) < *soakDuration {
		<-tick.C
		_, body, _, err := getMetrics(addr, "5")
		if err != nil {
			t.Fatalf("sampling scrape: %v\n%s", err, p.Logs())
		}
		s := sample{at: time.Since(start).Round(time.Second)}
		for _, m := range sampleRE.FindAllStringSubmatch(body, -1) {
			v, _ := strconv.ParseFloat(m[2], 64)
			switch m[1] {
			case "go_goroutines":
				s.gor = v
			case "process_open_fds":
				s.fds = v
			case "process_resident_memory_bytes":
				s.rssMiB = v / (1 << 20)
			}
		}
		samples = append(samples, s)
	}
	tick.Stop()
	stopScrapers()
	slices.Sort(lat)
	fmt.Printf("SOAK scrapers=%d duration=%s files=%d pause=%s\n", *soakScrapers, *soakDuration, *soakFiles, *soakPause)
	fmt.Printf("SOAK scrapes: 200=%d 503=%d other=%v errors=%d\n", codes[200], codes[503], codes, errs.Load())
	fmt.Printf("SOAK latency of 200s: p50=%s p90=%s p99=%s max=%s\n", pct(lat, .5).Round(time.Millisecond),
		pct(lat, .9).Round(time.Millisecond), pct(lat, .99).Round(time.Millisecond), pct(lat, 1).Round(time.Millisecond))
	fmt.Println("SOAK | t | goroutines | open fds | RSS MiB |")
	for i, s := range samples {
		if i%6 == 0 || i == len(samples)-1 { // every minute, and the last
			fmt.Printf("SOAK | %s | %.0f | %.0f | %.1f |\n", s.at, s.gor, s.fds, s.rssMiB)
		}
	}
	if p.Exited() {
		t.Fatalf("exporter exited during the soak\n%s", p.Logs())
	}
	if strings.Contains(p.Logs(), "panic") {
		t.Fatalf("panic in the exporter's log\n%s", p.Logs())
	}
	if len(samples) > 6 {
		first, last := samples[1], samples[len(samples)-1]
		if last.gor > 2*first.gor+50 || last.fds > 2*first.fds+50 {
			t.Errorf("goroutines or fds grew: %+v -> %+v", first, last)
		}
	}
}

// TestReloadUnderLoad: 10 scrapers while the config file alternates
// between a good config (two files) and a bad one, each followed by POST
// /-/reload: the good ones load, the bad ones are refused and the good
// config stays active, no panic.
func TestReloadUnderLoad(t *testing.T) {
	dir := testbed.Dir(t)
	ch := testcerts.NewChain(t, "Reload")
	for i := 0; i < 2; i++ {
		testcerts.Write(t, dir, fmt.Sprintf("live/r%d/fullchain.pem", i), ch.FullChain(ch.Leaf(t, testcerts.Options{Serial: int64(i + 1)})), 0o644)
	}
	cfg := filepath.Join(dir, "c.yml")
	good := func(n int) string {
		return fmt.Sprintf("discovery: {enabled: false}\nacme_directories: {default: \"\"}\nclock: {servers: []}\ncertificate_files:\n  - path: %s/live/r%d/fullchain.pem\n", dir, n)
	}
	bad := []string{"certificate_files:\n  - path: relative.pem\n", "", "global: {concurrency: -1}\n", "certificate_files: [\n"}
	write := func(s string) {
		if err := os.WriteFile(cfg+".tmp", []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.Rename(cfg+".tmp", cfg); err != nil {
			t.Fatal(err)
		}
	}
	write(good(0))
	addr, p := startExporter(t, dir, cfg)
	var scrapes, failed atomic.Int64
	stopScrapers := scrapers(10, addr, 0, func(code int, _ time.Duration, err error) {
		scrapes.Add(1)
		if err != nil || code != 200 {
			failed.Add(1)
		}
	})
	okReloads, refused, wrong := 0, 0, 0
	active := 0
	for i := 0; i < *reloads; i++ {
		if i%2 == 0 {
			active = (i / 2) % 2
			write(good(active))
		} else {
			write(bad[(i/2)%len(bad)])
		}
		resp, err := http.Post("http://"+addr+"/-/reload", "text/plain", nil)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode == 200 {
			okReloads++
		} else {
			refused++
		}
		_, body, _, err := getMetrics(addr, "5")
		if err != nil {
			t.Fatal(err)
		}
		want := fmt.Sprintf(`target="%s/live/r%d/fullchain.pem"`, dir, active)
		other := fmt.Sprintf(`target="%s/live/r%d/fullchain.pem"`, dir, 1-active)
		if !strings.Contains(body, want) || strings.Contains(body, other) {
			wrong++
		}
		wantOK := "acme_exporter_config_last_reload_successful 1"
		if i%2 == 1 {
			wantOK = "acme_exporter_config_last_reload_successful 0"
		}
		if !strings.Contains(body, wantOK) {
			wrong++
		}
	}
	stopScrapers()
	fmt.Printf("RELOAD reloads=%d accepted=%d refused=%d wrong_config_seen=%d scrapes=%d failed_scrapes=%d\n",
		*reloads, okReloads, refused, wrong, scrapes.Load(), failed.Load())
	if okReloads != *reloads/2 || refused != *reloads-*reloads/2 || wrong != 0 || failed.Load() != 0 {
		t.Errorf("reload under load: accepted %d refused %d wrong %d failed scrapes %d", okReloads, refused, wrong, failed.Load())
	}
	if p.Exited() || strings.Contains(p.Logs(), "panic") {
		t.Fatalf("exporter exited or panicked\n%s", p.Logs())
	}
}

// TestHostileFiles: the exporter's certificate glob meets what a hostile
// local user can put there: a FIFO, a symlink to /dev/zero, a directory
// named like a file, 3,000 sparse 2 GB files, names in invalid UTF-8 and
// one good file. Each scrape must finish well inside its deadline; every
// case gets its reason.
func TestHostileFiles(t *testing.T) {
	dir := testbed.Dir(t)
	ch := testcerts.NewChain(t, "Hostile")
	pem := ch.FullChain(ch.Leaf(t, testcerts.Options{}))
	testcerts.Write(t, dir, "live/good/fullchain.pem", pem, 0o644)
	testcerts.Write(t, dir, "live/bad\xfe/fullchain.pem", pem, 0o644)
	testcerts.Write(t, dir, "live/bad\xff/fullchain.pem", pem, 0o644)
	must := func(err error) {
		if err != nil {
			t.Fatal(err)
		}
	}
	must(os.MkdirAll(filepath.Join(dir, "live/fifo"), 0o755))
	must(syscall.Mkfifo(filepath.Join(dir, "live/fifo/fullchain.pem"), 0o644))
	must(os.MkdirAll(filepath.Join(dir, "live/zero"), 0o755))
	must(os.Symlink("/dev/zero", filepath.Join(dir, "live/zero/fullchain.pem")))
	must(os.MkdirAll(filepath.Join(dir, "live/dir/fullchain.pem"), 0o755))
	const sparse = 3000
	for i := 0; i < sparse; i++ {
		d := filepath.Join(dir, fmt.Sprintf("live/sparse%04d", i))
		must(os.MkdirAll(d, 0o755))
		f, err := os.Create(filepath.Join(d, "fullchain.pem"))
		must(err)
		must(f.Truncate(2 << 30))
		f.Close()
	}
	cfg := filepath.Join(dir, "c.yml")
	must(os.WriteFile(cfg, []byte(fmt.Sprintf("discovery: {enabled: false}\nacme_directories: {default: \"\"}\nclock: {servers: []}\ncertificate_files:\n  - path: %s/live/*/fullchain.pem\n", dir)), 0o644))
	addr, p := startExporter(t, dir, cfg)
	var ds []time.Duration
	var body string
	for i := 0; i < 5; i++ {
		code, b, d, err := getMetrics(addr, "5")
		if err != nil || code != 200 {
			t.Fatalf("scrape %d: %v %d\n%s", i, err, code, p.Logs())
		}
		ds = append(ds, d)
		body = b
	}
	reasons := map[string]int{}
	for _, m := range regexp.MustCompile(`(?m)^acme_probe_failure_info\{check="certificate_file",target="[^"]*",reason="([^"]+)"`).FindAllStringSubmatch(body, -1) {
		reasons[m[1]]++
	}
	// A file that reads shows it by its notAfter (acme_probe_success is
	// exported for a file only while it fails).
	okFiles := len(regexp.MustCompile(`(?m)^acme_certificate_not_after_timestamp_seconds\{.*source="file".*$`).FindAllString(body, -1))
	fmt.Printf("HOSTILE scrape durations: first=%s then=%v\n", ds[0].Round(time.Millisecond), ds[1:])
	fmt.Printf("HOSTILE succeeding files=%d failure reasons=%v\n", okFiles, reasons)
	fmt.Printf("HOSTILE collector_success line: %s\n", regexp.MustCompile(`(?m)^acme_exporter_collector_success\{collector="certificate_file"\} \S+$`).FindString(body))
	sc := bufio.NewScanner(strings.NewReader(body))
	for sc.Scan() {
		if l := sc.Text(); (strings.HasPrefix(l, "acme_probe_success{") || strings.HasPrefix(l, "acme_certificate_not_after_timestamp_seconds{")) && strings.Contains(l, `\x`) {
			fmt.Printf("HOSTILE %s\n", strings.ReplaceAll(l, dir, "$DIR"))
		}
	}
	if reasons["too_large"] != sparse || reasons["not_regular_file"] != 3 || okFiles != 3 {
		t.Errorf("reasons %v, %d files ok; want %d too_large, 3 not_regular_file, 3 ok", reasons, okFiles, sparse)
	}
	for _, d := range ds {
		if d > 4*time.Second {
			t.Errorf("a scrape took %s with a 5 s timeout", d)
		}
	}
}

// TestKeyMaterialScan puts private keys of every format where the
// exporter looks (sibling keys, a key inside the certificate file,
// account keys in PEM and certbot's JWK), runs it with debug logging, and
// searches everything it says (metrics, landing page, /probe with
// debug=true for every file, its log) for any line of key material.
func TestKeyMaterialScan(t *testing.T) {
	dir := testbed.Dir(t)
	ch := testcerts.NewChain(t, "Keys")
	type keyFile struct{ path, pem string }
	var keys []keyFile
	add := func(rel string, b []byte, mode os.FileMode) string {
		p := testcerts.Write(t, dir, rel, b, mode)
		keys = append(keys, keyFile{p, string(b)})
		return p
	}
	formats := map[string]func(*testcerts.Cert) []byte{
		"pkcs8": func(c *testcerts.Cert) []byte { return c.KeyPEM() },
		"sec1": func(c *testcerts.Cert) []byte {
			der, err := x509.MarshalECPrivateKey(c.Key.(*ecdsa.PrivateKey))
			if err != nil {
				t.Fatal(err)
			}
			return pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: der})
		},
	}
	rsaFormats := map[string]func(*testcerts.Cert) []byte{
		"rsa-pkcs1": func(c *testcerts.Cert) []byte {
			return pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(c.Key.(*rsa.PrivateKey))})
		},
		"rsa-pkcs8": func(c *testcerts.Cert) []byte { return c.KeyPEM() },
	}
	n := 0
	for name, f := range formats {
		for i := 0; i < 8; i++ {
			leaf := ch.Leaf(t, testcerts.Options{Serial: int64(100 + n)})
			testcerts.Write(t, dir, fmt.Sprintf("live/%s-%d/fullchain.pem", name, i), ch.FullChain(leaf), 0o644)
			add(fmt.Sprintf("live/%s-%d/privkey.pem", name, i), f(leaf), 0o600)
			n++
		}
	}
	for name, f := range rsaFormats {
		for i := 0; i < 3; i++ {
			leaf := ch.Leaf(t, testcerts.Options{Serial: int64(100 + n), RSA: true})
			testcerts.Write(t, dir, fmt.Sprintf("live/%s-%d/fullchain.pem", name, i), ch.FullChain(leaf), 0o644)
			add(fmt.Sprintf("live/%s-%d/privkey.pem", name, i), f(leaf), 0o600)
			n++
		}
	}
	// Ed25519: a key the check cannot match to an ECDSA leaf, still read.
	_, ed, _ := ed25519.GenerateKey(rand.Reader)
	edDER, _ := x509.MarshalPKCS8PrivateKey(ed)
	leaf := ch.Leaf(t, testcerts.Options{Serial: 900})
	testcerts.Write(t, dir, "live/ed25519/fullchain.pem", ch.FullChain(leaf), 0o644)
	add("live/ed25519/privkey.pem", pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: edDER}), 0o600)
	// A key inside the certificate file (HAProxy style).
	leaf = ch.Leaf(t, testcerts.Options{Serial: 901})
	combined := append(ch.FullChain(leaf), leaf.KeyPEM()...)
	testcerts.Write(t, dir, "combined/site.pem", combined, 0o600)
	keys = append(keys, keyFile{filepath.Join(dir, "combined/site.pem"), string(leaf.KeyPEM())})
	// Account keys: PEM and certbot's JWK.
	var acct strings.Builder
	for i := 0; i < 8; i++ {
		k, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		der, _ := x509.MarshalECPrivateKey(k)
		p := add(fmt.Sprintf("accounts/a%d.key", i), pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: der}), 0o600)
		fmt.Fprintf(&acct, "    - path: %s\n", p)
	}
	for i := 0; i < 2; i++ {
		k, _ := rsa.GenerateKey(rand.Reader, 2048)
		b64 := func(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }
		jwk := fmt.Sprintf(`{"n": %q, "e": "AQAB", "d": %q, "p": %q, "q": %q, "dp": %q, "dq": %q, "qi": %q, "kty": "RSA"}`,
			b64(k.N.Bytes()), b64(k.D.Bytes()), b64(k.Primes[0].Bytes()), b64(k.Primes[1].Bytes()),
			b64(k.Precomputed.Dp.Bytes()), b64(k.Precomputed.Dq.Bytes()), b64(k.Precomputed.Qinv.Bytes()))
		p := testcerts.Write(t, dir, fmt.Sprintf("accounts/jwk%d/private_key.json", i), []byte(jwk), 0o600)
		keys = append(keys, keyFile{p, b64(k.D.Bytes()) + "\n" + b64(k.Primes[0].Bytes()) + "\n" + b64(k.Primes[1].Bytes())})
		fmt.Fprintf(&acct, "    - path: %s\n", p)
	}
	cfg := filepath.Join(dir, "c.yml")
	conf := fmt.Sprintf("discovery: {enabled: false}\nacme_directories: {default: \"\"}\nclock: {servers: []}\n"+
		"certificate_files:\n  - path: %[1]s/live/*/fullchain.pem\n  - path: %[1]s/combined/site.pem\n"+
		"accounts:\n  keys:\n%[2]s"+
		"modules:\n  files:\n    kind: certificate_file\n    file_roots: [%[1]s]\n", dir, acct.String())
	if err := os.WriteFile(cfg, []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	addr, p := startExporter(t, dir, cfg, "--log.level=debug")
	var outputs []string
	get := func(path string) {
		resp, err := http.Get("http://" + addr + path)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		outputs = append(outputs, string(b))
	}
	get("/metrics")
	get("/metrics")
	get("/")
	var targets []string
	_ = filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && (strings.HasSuffix(p, ".pem") || strings.HasSuffix(p, ".key") || strings.HasSuffix(p, ".json")) {
			targets = append(targets, p)
		}
		return nil
	})
	for _, tg := range targets {
		get("/probe?module=files&debug=true&target=" + tg)
		get("/probe?module=files&target=" + tg)
	}
	time.Sleep(500 * time.Millisecond)
	outputs = append(outputs, p.Logs())
	needles := 0
	var leaks []string
	for _, k := range keys {
		for _, line := range strings.Split(k.pem, "\n") {
			if len(line) < 16 || strings.HasPrefix(line, "-----") {
				continue
			}
			needles++
			for i, o := range outputs {
				if strings.Contains(o, line) {
					leaks = append(leaks, fmt.Sprintf("output %d holds a line of %s", i, k.path))
				}
			}
		}
	}
	fmt.Printf("KEYSCAN keys=%d key_lines=%d outputs=%d bytes_searched=%d leaks=%d\n", len(keys), needles, len(outputs), func() (n int) {
		for _, o := range outputs {
			n += len(o)
		}
		return n
	}(), len(leaks))
	if len(leaks) > 0 || len(keys) < 30 {
		t.Errorf("%d keys, leaks: %v", len(keys), leaks)
	}
}
