// Copyright 2026 The acme_exporter Authors
// SPDX-License-Identifier: Apache-2.0

package e2e

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/acme-exporter/acme_exporter/internal/testbed"
)

var updateDoc = flag.Bool("update", false, "write the timing table into docs/e2e.md")

// lifetimeFromEnv: E2E_LIFETIME (seconds) overrides the certificates'
// lifetime; 180 s keeps the whole suite near 5 minutes.
func lifetimeFromEnv(t testing.TB) time.Duration {
	if s := os.Getenv("E2E_LIFETIME"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 120 {
			t.Fatalf("E2E_LIFETIME=%q: want seconds >= 120", s)
		}
		return time.Duration(n) * time.Second
	}
	return 180 * time.Second
}

// result is what one scenario measured.
type result struct {
	s        *scenario
	injected time.Time
	// per expected alert: when it reached a receiver, which, severity
	notified []notice
	resolved time.Duration // revert -> last resolve notification
	reverted time.Time
	err      error
}

type notice struct {
	alert, receiver, severity string
	after                     time.Duration
}

func TestEndToEnd(t *testing.T) {
	start := time.Now()
	b := &bed{t: t, dir: testbed.Dir(t), lifetime: lifetimeFromEnv(t), root: moduleRoot(t)}
	b.httpPort = testbed.FreePort(t, "127.0.0.1")
	b.httpsPort = testbed.FreePort(t, "127.0.0.1")
	b.webroot = filepath.Join(b.dir, "webroot")
	b.tlsDir = filepath.Join(b.dir, "tls")
	for _, d := range []string{b.webroot, b.tlsDir} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}

	// Build the exporter while the CA issues the certificates.
	built := make(chan string, 1)
	go func() {
		defer close(built)
		bin := filepath.Join(b.dir, "bin")
		if err := os.MkdirAll(bin, 0o755); err == nil {
			built <- buildExporterNoFatal(b.root, bin)
		}
	}()

	b.startNginx()
	b.startPebble()
	b.ntpGood = testbed.StartChrony(t, "")
	b.ntpSkewed = testbed.StartChrony(t, "-90s")
	b.writeCanary()
	b.standalonePort = testbed.FreePort(t, "127.0.0.1")
	b.nginxHTTP01 = b.startMiniNginx("nginx-http01", fmt.Sprintf(`    server {
        listen 127.0.0.1:%%[1]d;
        server_name %s;
        location /.well-known/acme-challenge/ { root %s; default_type text/plain; }
        location / { return 404; }
    }`, http01Stop, b.webroot))
	b.dns = startDNSBed(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	for _, l := range bedLineages {
		ln := &lineage{Name: l.name, Client: l.client, Domain: l.name + "." + domain, Endpoint: l.endpoint, Own: l.own}
		if l.client == "certbot" {
			d := filepath.Join(b.tlsDir, l.name)
			if err := os.MkdirAll(d, 0o755); err != nil {
				t.Fatal(err)
			}
			ln.Watched, ln.KeyPath = filepath.Join(d, "fullchain.pem"), filepath.Join(d, "privkey.pem")
		}
		b.lineages = append(b.lineages, ln)
		if err := b.obtain(ctx, ln); err != nil {
			t.Fatalf("first issuance of %s: %v\npebble log:\n%s", l.name, err, b.pebble.Logs())
		}
		if l.client == "certbot" {
			for _, f := range []string{"fullchain.pem", "privkey.pem"} {
				if err := os.Symlink(b.livePath(ln, f), filepath.Join(b.tlsDir, l.name, f)); err != nil {
					t.Fatal(err)
				}
			}
		} else {
			ln.Watched = b.livePath(ln, "fullchain.pem")
		}
	}
	b.acctFresh = b.registerAccount(ctx, "fresh")
	b.acctDeact = b.registerAccount(ctx, "deact")
	b.acctSvc = b.registerAccount(ctx, "svc")
	b.handToServiceUser(b.acctSvc)
	b.accounts = []*acmeAccount{b.acctFresh}
	issuedAt := time.Now()
	// The "stale" lineage's own nginx; the renewal job deploys to it.
	stale := b.lineage("stale")
	b.nginxStale = b.startMiniNginx("nginx-stale", fmt.Sprintf(`    server {
        listen 127.0.0.1:%%[1]d ssl;
        server_name %s;
        ssl_certificate     %s;
        ssl_certificate_key %s;
        location / { default_type text/plain; return 200 "stale\n"; }
    }`, stale.Domain, stale.Watched, stale.KeyPath))
	stale.EndpointPort = b.nginxStale.port
	stale.deploy = b.nginxStale.reload
	b.writeNginx(true)
	testbed.Run(t, []string{testbed.Binary(t, "nginx"), "-t", "-e", "stderr", "-p", filepath.Join(b.dir, "nginx"), "-c", b.nginxConf})
	if err := b.reloadNginx(); err != nil {
		t.Fatal(err)
	}
	renewErrs := make(chan error, 16)
	renewDone := make(chan struct{})
	go func() {
		defer close(renewDone)
		b.renewalJob(ctx, renewErrs)
	}()

	bin, ok := <-built
	if !ok || strings.HasPrefix(bin, "error:") {
		t.Fatalf("building the exporter: %s", bin)
	}
	b.exporterBin = bin
	b.exporterAddr = fmt.Sprintf("127.0.0.1:%d", testbed.FreePort(t, "127.0.0.1"))
	// global.ca_file: Pebble's issuing root (certificates) and its minica
	// (Pebble's own TLS, for the account lookups, which use the global roots).
	minica, err := os.ReadFile(b.minica)
	if err != nil {
		t.Fatal(err)
	}
	b.caFile = filepath.Join(b.dir, "pebble-roots.pem")
	if err := os.WriteFile(b.caFile, append(b.pebbleRoot(), minica...), 0o644); err != nil {
		t.Fatal(err)
	}
	b.ntpAddr = b.ntpGood.Addr
	// The client log the exporter tails, empty until client-ratelimited.
	if err := os.MkdirAll(filepath.Dir(b.clientLog()), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(b.clientLog(), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	b.writeExporterConfig()
	b.startExporter()
	b.startAccountsExporter()

	b.sink = testbed.StartPDSink(t)
	amCfg, amSource := alertmanagerConfig(t, b.root, b.dir, b.sink)
	b.am = testbed.StartAlertmanager(t, b.dir, amCfg)
	rules, rulesSource := rulesFile(t, b.root, b.dir)
	b.promRules = rules
	b.prom = testbed.StartPrometheus(t, b.dir, prometheusConfig(rules, strings.TrimPrefix(b.am.URL, "http://"), b.exporterAddr, b.acctExporterAddr))
	t.Logf("bed up in %s: rules from %s; Alertmanager from %s; lifetime %s", time.Since(start).Round(time.Second), rulesSource, amSource, b.lifetime)
	if g, r, err := b.prom.RuleGroups(ctx); err != nil || r == 0 {
		t.Fatalf("Prometheus loaded %d groups, %d rules (%v)", g, r, err)
	}
	b.waitScraped(ctx)
	b.checkRouting(t)
	b.detectHostState(ctx)

	// Run the non-exclusive scenarios concurrently, then the exclusive ones.
	all := scenarios()
	for _, s := range all {
		switch s.ID {
		case "pebble-stopped":
			s.Labels["directory"] = b.pebbleDir
		case "account-deactivated":
			s.Labels["path"] = b.acctDeact.key
		case "account-key-unreadable":
			s.Labels["path"] = b.acctSvc.key
		case "client-ratelimited":
			s.Labels["log"] = b.clientLog()
		}
	}
	var (
		wg      sync.WaitGroup
		mu      sync.Mutex
		results []*result
	)
	for _, s := range all {
		if s.Pending != "" || s.Exclusive {
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := b.run(ctx, s)
			mu.Lock()
			results = append(results, r)
			mu.Unlock()
		}()
	}
	wg.Wait()
	// The baseline runs through at least one full lifetime.
	if rest := time.Until(issuedAt.Add(b.lifetime + 5*time.Second)); rest > 0 {
		t.Logf("baseline: waiting %s more to cover a full certificate lifetime", rest.Round(time.Second))
		time.Sleep(rest)
	}
	b.checkQuiet(t, "after the concurrent scenarios")
	for _, s := range all {
		if s.Pending == "" && s.Exclusive {
			results = append(results, b.run(ctx, s))
			b.checkQuiet(t, "after "+s.ID)
		}
	}
	b.checkQuiet(t, "at the end")
	figures := b.exporterFigures(ctx, time.Since(start))
	cancel()
	// The job may be inside a renewal: wait for it before reading what it
	// counted and closing the channel it sends on.
	<-renewDone

	// Renewal errors of the baseline are failures: the healthy bed must renew.
	close(renewErrs)
	for err := range renewErrs {
		t.Errorf("renewal job: %v", err)
	}
	for _, name := range baselineNames {
		l := b.lineage(name)
		l.mu.Lock()
		n := l.renewals
		l.mu.Unlock()
		if n == 0 {
			t.Errorf("baseline %s was never renewed during the run", name)
		}
	}

	table := b.table(all, results, time.Since(start)) + figures
	t.Log("\n" + table)
	for _, r := range results {
		if r.err != nil {
			t.Errorf("scenario %s (%s): %v", r.s.ID, r.s.What, r.err)
		}
	}
	b.checkNotifications(t, results)
	if *updateDoc {
		writeDoc(t, b.root, table, rulesSource, amSource, b.lifetime)
	}
}

func buildExporterNoFatal(root, dir string) (bin string) {
	ft := &fatalCatcher{}
	defer func() {
		if r := recover(); r != nil {
			bin = "error: " + ft.msg
		}
	}()
	return buildExporter(ft, root, dir)
}

// fatalCatcher lets buildExporter run outside the test goroutine.
type fatalCatcher struct {
	testing.TB
	msg string
}

func (f *fatalCatcher) Helper() {}
func (f *fatalCatcher) Fatalf(format string, args ...any) {
	f.msg = fmt.Sprintf(format, args...)
	panic(f.msg)
}
func (f *fatalCatcher) Fatal(args ...any) { f.msg = fmt.Sprint(args...); panic(f.msg) }

// waitScraped waits until Prometheus has scraped the exporter and sees
// every certificate file.
func (b *bed) waitScraped(ctx context.Context) {
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		s, err := b.prom.Query(ctx, `count(acme_certificate_not_after_timestamp_seconds{job="`+jobName+`", source="file"})`)
		if err == nil && len(s) == 1 && fmt.Sprint(s[0].Value[1]) == strconv.Itoa(len(b.lineages)) {
			return
		}
		time.Sleep(time.Second)
	}
	b.t.Fatalf("Prometheus does not see the %d certificates\nexporter metrics:\n%s", len(b.lineages), b.exporterMetrics("acme_"))
}

// checkRouting: amtool says critical alerts reach a PagerDuty receiver and
// warnings do not.
func (b *bed) checkRouting(t *testing.T) {
	cfg := filepath.Join(b.dir, "alertmanager.yml")
	pd := pagerdutyReceivers(t, cfg)
	crit := routeReceivers(t, cfg, "severity=critical", "alertname=AcmeCertificateExpiringSoon", "name=x")
	warn := routeReceivers(t, cfg, "severity=warning", "alertname=AcmeCertificateRenewalOverdue", "name=x")
	if !slices.ContainsFunc(crit, func(r string) bool { return pd[r] }) {
		t.Errorf("a critical alert reaches %v, no PagerDuty receiver (%v)", crit, keys(pd))
	}
	if slices.ContainsFunc(warn, func(r string) bool { return pd[r] }) {
		t.Errorf("a warning reaches %v, which pages (PagerDuty receivers %v)", warn, keys(pd))
	}
}

func keys(m map[string]bool) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// matches says whether a notification is about alert with the scenario's
// labels, and whether it reports it firing or resolved. A PagerDuty
// resolve carries no descriptions: it matches by the trigger's dedup key.
func matches(n testbed.Notification, alert string, labels map[string]string, dedup string) (firing, resolved bool) {
	if n.PagerDuty != nil {
		if n.PagerDuty.EventAction == "resolve" {
			return false, dedup != "" && n.PagerDuty.DedupKey == dedup
		}
		if !strings.Contains(n.Body, alert) {
			return false, false
		}
		for _, v := range labels {
			if !strings.Contains(n.Body, v) {
				return false, false
			}
		}
		return n.PagerDuty.EventAction == "trigger", false
	}
	if n.Webhook != nil {
		for _, a := range n.Webhook.Alerts {
			if a.Labels["alertname"] == alert && labelsMatch(a.Labels, labels) {
				firing = firing || a.Status == "firing"
				resolved = resolved || a.Status == "resolved"
			}
		}
	}
	return firing, resolved
}

// mentions says whether any label value holds one of the wanted values: an
// Also-alert (the same fault seen by another check) names the target in
// its own labels, such as target="<directory URL>".
func mentions(have, want map[string]string) bool {
	for _, v := range want {
		for _, h := range have {
			if strings.Contains(h, v) {
				return true
			}
		}
	}
	return false
}

// labelsMatch: every wanted label is carried; a wanted name also matches a
// target path or host:port that holds it (failure alerts carry the target).
func labelsMatch(have, want map[string]string) bool {
	for k, v := range want {
		if have[k] == v {
			continue
		}
		if k == "name" && (strings.Contains(have["target"], "/"+v+"/") || strings.HasPrefix(have["target"], v+".")) {
			continue
		}
		return false
	}
	return true
}

func receiverOf(n testbed.Notification) string {
	if n.PagerDuty != nil {
		return "pagerduty"
	}
	return strings.TrimPrefix(n.Path, "/webhook/")
}

func severityOf(n testbed.Notification, alert string) string {
	if n.PagerDuty != nil && n.PagerDuty.Payload != nil {
		return n.PagerDuty.Payload.Severity
	}
	if n.Webhook != nil {
		for _, a := range n.Webhook.Alerts {
			if a.Labels["alertname"] == alert {
				return a.Labels["severity"]
			}
		}
	}
	return ""
}

// run injects a scenario, waits for its notifications, reverts it and
// waits for the resolves.
func (b *bed) run(ctx context.Context, s *scenario) *result {
	r := &result{s: s}
	if s.HoldRenewals {
		b.holdRenewals.Store(true)
		// Released right after the revert (and on every early return).
		defer b.holdRenewals.Store(false)
		// Wait for a renewal already under way (it would hang on the fault).
		b.renewMu.Lock()
		b.renewMu.Unlock() //nolint:staticcheck // an empty critical section is the point: a barrier

	}
	fail := func(err error) *result {
		r.err = fmt.Errorf("%w\n%s", err, b.diagnose(ctx, s))
		return r
	}
	at, err := s.Inject(ctx, b)
	if err != nil {
		return fail(fmt.Errorf("inject: %w", err))
	}
	r.injected = at
	timeout := s.Timeout
	if timeout == 0 {
		timeout = b.lifetime + time.Minute
	}
	type seen struct {
		alert string
		n     testbed.Notification
		dedup string
	}
	var firing []seen
	want := max(1, s.Incidents)
	for _, alert := range s.Alerts {
		deadline := time.Now().Add(timeout)
		var got []testbed.Notification
		keys := map[string]bool{}
		for len(got) < want && time.Now().Before(deadline) {
			for _, n := range b.sink.Notifications() {
				if f, _ := matches(n, alert, s.Labels, ""); f && !n.At.Before(at.Add(-time.Second)) && !keys[incidentKey(n)] {
					keys[incidentKey(n)] = true
					got = append(got, n)
					if len(got) == want {
						break
					}
				}
			}
			if len(got) < want {
				sleepCtx(ctx, 500*time.Millisecond)
			}
		}
		if len(got) < want {
			_ = s.Revert(ctx, b)
			if len(got) == 0 {
				return fail(fmt.Errorf("%s did not reach any receiver within %s of the injection", alert, timeout))
			}
			return fail(fmt.Errorf("%s opened %d incident(s) within %s of the injection, want %d", alert, len(got), timeout, want))
		}
		for _, g := range got {
			if slices.Contains(s.Pages, alert) && g.PagerDuty == nil {
				_ = s.Revert(ctx, b)
				return fail(fmt.Errorf("%s reached %s, want a page (PagerDuty)", alert, receiverOf(g)))
			}
			r.notified = append(r.notified, notice{alert: alert, receiver: receiverOf(g), severity: severityOf(g, alert), after: g.At.Sub(at)})
			sv := seen{alert: alert, n: g}
			if g.PagerDuty != nil {
				sv.dedup = g.PagerDuty.DedupKey
			}
			firing = append(firing, sv)
		}
	}
	reverted := time.Now()
	r.reverted = reverted
	err = s.Revert(ctx, b)
	b.holdRenewals.Store(false)
	if err != nil {
		return fail(fmt.Errorf("revert: %w", err))
	}
	// Every notified alert must be resolved at its receiver, and nothing of
	// the scenario may be left pending or firing in Prometheus.
	deadline := time.Now().Add(2*time.Minute + b.lifetime/4)
	for _, f := range firing {
		alert := f.alert
		var done time.Time
		for done.IsZero() && time.Now().Before(deadline) {
			for _, n := range b.sink.Notifications() {
				// A later alert of the scenario may supersede an earlier
				// one (the mixin's unless/inhibit), which then resolves
				// before the revert.
				if !n.At.After(f.n.At) {
					continue
				}
				if _, res := matches(n, alert, s.Labels, f.dedup); res {
					done = n.At
					break
				}
			}
			if done.IsZero() {
				sleepCtx(ctx, 500*time.Millisecond)
			}
		}
		if done.IsZero() {
			return fail(fmt.Errorf("%s was not resolved at its receiver within %s of the revert", alert, time.Since(reverted).Round(time.Second)))
		}
		if d := done.Sub(reverted); d > r.resolved {
			r.resolved = d
		}
	}
	for time.Now().Before(deadline) {
		left := b.promAlertsFor(ctx, s)
		if len(left) == 0 {
			return r
		}
		sleepCtx(ctx, time.Second)
	}
	return fail(fmt.Errorf("alerts still pending or firing after the revert: %v", b.promAlertsFor(ctx, s)))
}

// incidentKey tells incidents apart: PagerDuty's dedup key (one per
// Alertmanager group), or a webhook message's group key.
func incidentKey(n testbed.Notification) string {
	if n.PagerDuty != nil {
		return n.PagerDuty.DedupKey
	}
	if n.Webhook != nil {
		return n.Webhook.GroupKey
	}
	return n.Body
}

func sleepCtx(ctx context.Context, d time.Duration) {
	select {
	case <-ctx.Done():
	case <-time.After(d):
	}
}

// promAlertsFor lists Prometheus alerts about the scenario's target.
func (b *bed) promAlertsFor(ctx context.Context, s *scenario) []string {
	as, err := b.prom.Alerts(ctx)
	if err != nil {
		return []string{err.Error()}
	}
	var out []string
	for _, a := range as {
		if !slices.Contains(s.Alerts, a.Labels["alertname"]) && !slices.Contains(s.Also, a.Labels["alertname"]) {
			continue
		}
		also := slices.Contains(s.Also, a.Labels["alertname"]) && mentions(a.Labels, s.Labels)
		if len(s.Labels) > 0 && !labelsMatch(a.Labels, s.Labels) && !also {
			continue
		}
		out = append(out, fmt.Sprintf("%s%v=%s", a.Labels["alertname"], a.Labels, a.State))
	}
	return out
}

// diagnose is what a failure prints: the alerts Alertmanager holds, the
// ones Prometheus evaluates and the exporter's metrics for the target.
func (b *bed) diagnose(ctx context.Context, s *scenario) string {
	var sb strings.Builder
	fmt.Fprintf(&sb, "scenario %s (root cause %s): %s\n", s.ID, s.Cause, s.What)
	if as, err := b.am.Alerts(ctx); err != nil {
		fmt.Fprintf(&sb, "Alertmanager /api/v2/alerts: %v\n", err)
	} else {
		fmt.Fprintf(&sb, "Alertmanager /api/v2/alerts (%d):\n", len(as))
		for _, a := range as {
			var rs []string
			for _, r := range a.Receivers {
				rs = append(rs, r.Name)
			}
			fmt.Fprintf(&sb, "  %s %v state=%s receivers=%v inhibitedBy=%v\n", a.Labels["alertname"], a.Labels, a.Status.State, rs, a.Status.InhibitedBy)
		}
	}
	if as, err := b.prom.Alerts(ctx); err == nil {
		fmt.Fprintf(&sb, "Prometheus alerts (%d):\n", len(as))
		for _, a := range as {
			fmt.Fprintf(&sb, "  %s %v %s since %s\n", a.Labels["alertname"], a.Labels, a.State, a.ActiveAt.Format(time.TimeOnly))
		}
	}
	fmt.Fprintf(&sb, "notifications received (%d):\n", len(b.sink.Notifications()))
	for _, n := range b.sink.Notifications() {
		action := ""
		if n.PagerDuty != nil {
			action = n.PagerDuty.EventAction + " " + n.PagerDuty.DedupKey
		} else if n.Webhook != nil {
			action = n.Webhook.Status
		}
		fmt.Fprintf(&sb, "  %s %s %s\n", n.At.Format(time.TimeOnly), n.Path, action)
	}
	match := "acme_exporter_collector"
	for _, v := range s.Labels {
		match = v
	}
	fmt.Fprintf(&sb, "exporter metrics for %q:\n%s", match, b.exporterMetrics(match))
	return sb.String()
}

// exporterFigures reads the bed exporter's own cost from Prometheus over
// the run: scrape duration, CPU, RSS and series, with every collector on
// (the exporter was restarted once, by the exporter-killed scenario).
func (b *bed) exporterFigures(ctx context.Context, run time.Duration) string {
	w := fmt.Sprintf("%ds", int(run.Seconds()))
	q := func(expr string) string {
		s, err := b.prom.Query(ctx, expr)
		if err != nil || len(s) == 0 {
			return "?"
		}
		f, err := strconv.ParseFloat(fmt.Sprint(s[0].Value[1]), 64)
		if err != nil {
			return "?"
		}
		return strconv.FormatFloat(f, 'g', 3, 64)
	}
	sel := `{job="` + jobName + `"}`
	return fmt.Sprintf("\nExporter on the bed over the run (from Prometheus, every collector on, %d certificate files, "+
		"scrape every %s): scrape duration mean %s s, max %s s; CPU %s cores (mean over the run); RSS max %s MiB; "+
		"%s series per scrape.\n",
		len(b.lineages), scrapeInterval,
		q(`avg_over_time(scrape_duration_seconds`+sel+`[`+w+`])`),
		q(`max_over_time(scrape_duration_seconds`+sel+`[`+w+`])`),
		q(`sum(rate(process_cpu_seconds_total`+sel+`[`+w+`]))`),
		q(`max_over_time(process_resident_memory_bytes`+sel+`[`+w+`]) / 1048576`),
		q(`max(scrape_samples_scraped`+sel+`)`))
}

// detectHostState records alerts that are about the machine the bed runs
// on rather than the bed: a kernel clock that is not synchronised (a
// container or CI host without an NTP daemon) fires
// AcmeClockNotSynchronised from the start. Such alerts are tolerated and
// named in the table.
func (b *bed) detectHostState(ctx context.Context) {
	b.hostAlerts = map[string]bool{}
	s, err := b.prom.Query(ctx, `acme_clock_synchronized{job="`+jobName+`"} == 0`)
	if err == nil && len(s) > 0 {
		b.hostAlerts["AcmeClockNotSynchronised"] = true
		b.hostNotes = append(b.hostNotes, "the host's kernel reports its clock as not synchronised (adjtimex), so AcmeClockNotSynchronised fires all along; it is about the machine, not the bed, and is tolerated")
	}
}

// hostAlert says whether a notification is only about host-state alerts.
func (b *bed) hostAlert(n testbed.Notification) bool {
	for a := range b.hostAlerts {
		if !strings.Contains(n.Body, a) {
			continue
		}
		if n.Webhook != nil {
			for _, wa := range n.Webhook.Alerts {
				if !b.hostAlerts[wa.Labels["alertname"]] {
					return false
				}
			}
		}
		return true
	}
	return false
}

// checkQuiet waits until nothing fires in Prometheus or Alertmanager.
func (b *bed) checkQuiet(t *testing.T, when string) {
	ctx := context.Background()
	deadline := time.Now().Add(90 * time.Second)
	var left []string
	for time.Now().Before(deadline) {
		left = left[:0]
		if as, err := b.prom.Alerts(ctx); err == nil {
			for _, a := range as {
				if b.hostAlerts[a.Labels["alertname"]] {
					continue
				}
				left = append(left, fmt.Sprintf("prometheus: %s%v %s", a.Labels["alertname"], a.Labels, a.State))
			}
		}
		if as, err := b.am.Alerts(ctx); err == nil {
			for _, a := range as {
				if a.Status.State == "active" && !b.hostAlerts[a.Labels["alertname"]] {
					left = append(left, fmt.Sprintf("alertmanager: %s%v", a.Labels["alertname"], a.Labels))
				}
			}
		}
		if len(left) == 0 {
			return
		}
		time.Sleep(time.Second)
	}
	t.Errorf("alerts left firing %s:\n  %s\nexporter:\n%s", when, strings.Join(left, "\n  "), b.exporterMetrics("acme_"))
}

// checkNotifications: every PagerDuty event is valid and carries the
// routing key, only critical alerts page, every page belongs to a
// scenario, and the baseline certificates notified nobody.
func (b *bed) checkNotifications(t *testing.T, results []*result) {
	expected := func(n testbed.Notification) bool {
		for _, r := range results {
			for _, a := range append(slices.Clone(r.s.Alerts), r.s.Also...) {
				if f, _ := matches(n, a, r.s.Labels, ""); f {
					return true
				}
				// Also-alerts are about the same fault seen by another check:
				// they need not carry the scenario's labels.
				if slices.Contains(r.s.Also, a) && strings.Contains(n.Body, a) {
					return true
				}
			}
		}
		return false
	}
	for _, n := range b.sink.Notifications() {
		if len(n.Invalid) > 0 {
			t.Errorf("PagerDuty would reject the event sent at %s: %v\n%s", n.At.Format(time.TimeOnly), n.Invalid, n.Body)
		}
		if pd := n.PagerDuty; pd != nil {
			if pd.RoutingKey != routingKey {
				t.Errorf("PagerDuty event with routing_key %q, want the key from routing_key_file", pd.RoutingKey)
			}
			if pd.DedupKey == "" {
				t.Errorf("PagerDuty %s event without dedup_key", pd.EventAction)
			}
			if pd.EventAction == "trigger" && (pd.Payload == nil || pd.Payload.Severity != "critical" || strings.Contains(n.Body, "severity = warning")) {
				t.Errorf("a non-critical alert paged:\n%s", n.Body)
			}
		}
		if isFiring(n) && !b.hostAlert(n) {
			if !expected(n) {
				t.Errorf("unexpected notification to %s (the healthy bed must page nobody):\n%s", receiverOf(n), n.Body)
			}
		}
		if b.reachedBaseline(n, results) {
			continue
		}
		for _, name := range baselineNames {
			if strings.Contains(n.Body, name) {
				t.Errorf("baseline certificate %s notified %s:\n%s", name, receiverOf(n), n.Body)
			}
		}
	}
}

// reachedBaseline: the notification is a warning of a ReachesBaseline
// scenario's Also alerts, sent between its injection and the end of its
// resolve wait. Pages are never excused: a warning webhook only.
func (b *bed) reachedBaseline(n testbed.Notification, results []*result) bool {
	if n.Webhook == nil || len(n.Webhook.Alerts) == 0 {
		return false
	}
	for _, r := range results {
		if !r.s.ReachesBaseline || r.reverted.IsZero() {
			continue
		}
		end := r.reverted.Add(2*time.Minute + b.lifetime/4)
		if n.At.Before(r.injected) || n.At.After(end) {
			continue
		}
		all := true
		for _, a := range n.Webhook.Alerts {
			if !slices.Contains(r.s.Also, a.Labels["alertname"]) || a.Labels["severity"] == "critical" {
				all = false
			}
		}
		if all {
			return true
		}
	}
	return false
}

// table renders the timing table (markdown).
func (b *bed) table(all []*scenario, results []*result, total time.Duration) string {
	byID := map[string]*result{}
	for _, r := range results {
		byID[r.s.ID] = r
	}
	var sb strings.Builder
	fmt.Fprintf(&sb, "| scenario | root cause | alert → receiver (severity) | injection → notification | revert → resolved | status |\n|---|---|---|---|---|---|\n")
	for _, s := range all {
		r := byID[s.ID]
		switch {
		case s.Pending != "":
			fmt.Fprintf(&sb, "| %s | %s | – | – | – | pending: %s |\n", s.ID, s.Cause, s.Pending)
		case r == nil:
			fmt.Fprintf(&sb, "| %s | %s | – | – | – | not run |\n", s.ID, s.Cause)
		default:
			var alerts, times []string
			for _, n := range r.notified {
				alerts = append(alerts, fmt.Sprintf("%s → %s (%s)", n.alert, n.receiver, n.severity))
				times = append(times, n.after.Round(time.Second).String())
			}
			status := "pass"
			if r.err != nil {
				status = "FAIL: " + strings.SplitN(r.err.Error(), "\n", 2)[0]
			}
			res := "–"
			if r.resolved > 0 {
				res = r.resolved.Round(time.Second).String()
			}
			fmt.Fprintf(&sb, "| %s | %s | %s | %s | %s | %s |\n", s.ID, s.Cause, strings.Join(alerts, "; "), strings.Join(times, "; "), res, status)
		}
	}
	fmt.Fprintf(&sb, "| baseline | – | none (%s) | – | – | %s |\n", strings.Join(baselineNames, ", "), "checked over one full lifetime")
	fmt.Fprintf(&sb, "\nTotal suite time: %s (certificate lifetime %s).\n", total.Round(time.Second), b.lifetime)
	for _, n := range b.hostNotes {
		fmt.Fprintf(&sb, "\nHost: %s.\n", n)
	}
	return sb.String()
}

// writeDoc replaces the table in docs/e2e.md between the markers.
func writeDoc(t *testing.T, root, table, rules, am string, lifetime time.Duration) {
	path := filepath.Join(root, "docs", "e2e.md")
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	const begin, end = "<!-- e2e-table:begin -->", "<!-- e2e-table:end -->"
	s := string(b)
	i, j := strings.Index(s, begin), strings.Index(s, end)
	if i < 0 || j < i {
		t.Fatalf("%s: markers %s / %s missing", path, begin, end)
	}
	body := fmt.Sprintf("%s\nLatest run: %s, rules from %s, Alertmanager config from %s.\n\n%s", begin,
		time.Now().UTC().Format("2006-01-02 15:04 MST"), rules, am, table)
	s = s[:i] + body + s[j:]
	if err := os.WriteFile(path, []byte(s), 0o644); err != nil {
		t.Fatal(err)
	}
}

// pagerdutyReceivers lists the receivers with a pagerduty_config.
func pagerdutyReceivers(t testing.TB, cfgPath string) map[string]bool {
	b, err := os.ReadFile(cfgPath)
	if err != nil {
		t.Fatal(err)
	}
	var cfg struct {
		Receivers []struct {
			Name      string `yaml:"name"`
			PagerDuty []any  `yaml:"pagerduty_configs"`
		} `yaml:"receivers"`
	}
	if err := yaml.Unmarshal(b, &cfg); err != nil {
		t.Fatal(err)
	}
	out := map[string]bool{}
	for _, r := range cfg.Receivers {
		if len(r.PagerDuty) > 0 {
			out[r.Name] = true
		}
	}
	return out
}

// isFiring says whether a notification reports something firing.
func isFiring(n testbed.Notification) bool {
	if n.PagerDuty != nil {
		return n.PagerDuty.EventAction == "trigger"
	}
	if n.Webhook != nil {
		for _, a := range n.Webhook.Alerts {
			if a.Status == "firing" {
				return true
			}
		}
	}
	return false
}
