// Copyright 2026 The acme_exporter Authors
// SPDX-License-Identifier: Apache-2.0

package e2e

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"syscall"
	"time"
)

// A scenario injects one fault into the bed and reverts it. The suite
// checks that every alert in Alerts reaches a receiver (PagerDuty for
// critical ones, the non-paging receiver otherwise), then that it resolves
// after Revert.
type scenario struct {
	ID    string // short, for the table
	Cause string // root cause number (1-6) or "lifecycle", "directory", "exporter"
	What  string
	// Labels identify the scenario's alerts: a webhook alert matches when
	// it carries every label (a `name` also matches a `target` holding it,
	// as failure alerts carry the path); a PagerDuty event when its body
	// holds every value. Empty for exporter-wide alerts.
	Labels map[string]string
	// Alerts are the alert names that must reach a receiver, in order.
	Alerts []string
	// Also are alerts the fault may raise besides Alerts (the same fault
	// seen by another check); they are neither required nor unexpected.
	Also []string
	// Pages are the alerts of Alerts that must page: reach the PagerDuty
	// receiver as a trigger event.
	Pages []string
	// Incidents is how many distinct incidents (PagerDuty dedup keys, or
	// webhook groups) each alert must open; 0 means 1. Two hosts failing
	// the same way must be two incidents, not one the second joins.
	Incidents int
	// Pending, when set, says why the scenario cannot run yet.
	Pending string
	// Exclusive scenarios run alone, after the others: they disturb every
	// series (the exporter killed) or raise host-wide alerts that inhibit
	// other scenarios' warnings (the directory down).
	Exclusive bool
	// ReachesBaseline marks a fault of something every certificate depends
	// on (the CA stopped): the baseline certificates are then as blind as
	// the scenario's, and a warning of its Also alerts naming them, while
	// the fault lasts and until it resolves, is the right answer, not noise.
	ReachesBaseline bool
	// HoldRenewals stops the renewal job for every lineage while the
	// scenario runs (a renewal could not succeed during it).
	HoldRenewals bool
	// Timeout bounds the wait for each alert.
	Timeout time.Duration
	// Inject returns the moment the fault took effect.
	Inject func(ctx context.Context, b *bed) (time.Time, error)
	Revert func(ctx context.Context, b *bed) error
}

// Lineages of the bed: each scenario has its own certificate, so scenarios
// can run at the same time without one's alerts being another's. Endpoint
// lineages are also checked as served by nginx (endpoints: in the
// exporter's config).
var bedLineages = []struct {
	name, client  string
	endpoint, own bool
}{
	{"baseline-certbot", "certbot", true, false},
	{"baseline-lego", "lego", false, false},
	{"rc6-chain", "certbot", true, false},
	{"rc6-key", "certbot", false, false},
	{"rc6-unreadable", "certbot", false, false},
	{"renewal-stop", "lego", false, false},
	{"revoked", "certbot", false, false},
	{"stale", "certbot", true, true},
	{"dup-limit", "certbot", false, false},
}

// baselineNames must never alert: they renew on schedule all along.
var baselineNames = []string{"baseline-certbot", "baseline-lego"}

func relink(link, target string) error {
	tmp := link + ".new"
	_ = os.Remove(tmp)
	if err := os.Symlink(target, tmp); err != nil {
		return err
	}
	return os.Rename(tmp, link)
}

func name(n string) map[string]string { return map[string]string{"name": n} }

// ntpName is the NTP server name the exporter is configured with; the
// address it dials is the bed's chrony (or the skewed one).
const ntpName = "ntp.e2e.example.test"

func scenarios() []*scenario {
	list := []*scenario{
		{
			ID: "account-key-unreadable", Cause: "1",
			What: "the service user's account key rewritten as root (owner root, mode 0600), as a client run " +
				"with sudo leaves it; checked by a second exporter that keeps its capabilities",
			Labels:  map[string]string{}, // filled at run time: the key path
			Alerts:  []string{"AcmeAccountKeyUnusable"},
			Timeout: 2 * time.Minute,
			Inject: func(ctx context.Context, b *bed) (time.Time, error) {
				return time.Now(), os.Chown(b.acctSvc.key, 0, 0)
			},
			Revert: func(ctx context.Context, b *bed) error {
				return os.Chown(b.acctSvc.key, serviceUser, serviceUser)
			},
		},
		{
			ID: "account-deactivated", Cause: "1",
			What: "account deactivated in Pebble (RFC 8555 §7.3.6, with its key), lookup on. The exporter looks a " +
				"key up at most every 10 minutes (the minimum registration_interval), so the key is added to its " +
				"config at the injection; the revert replaces it by the registered account",
			Labels:    map[string]string{}, // filled at run time: the key path
			Alerts:    []string{"AcmeAccountNotRegistered"},
			Exclusive: true, // host-wide: it inhibits every RenewalOverdue of the instance
			Timeout:   2 * time.Minute,
			Inject: func(ctx context.Context, b *bed) (time.Time, error) {
				if err := b.deactivate(ctx, b.acctDeact); err != nil {
					return time.Time{}, fmt.Errorf("deactivating: %w", err)
				}
				b.confMu.Lock()
				b.accounts = []*acmeAccount{b.acctFresh, b.acctDeact}
				b.confMu.Unlock()
				b.writeExporterConfig()
				return time.Now(), b.reloadExporter()
			},
			Revert: func(ctx context.Context, b *bed) error {
				b.confMu.Lock()
				b.accounts = []*acmeAccount{b.acctFresh}
				b.confMu.Unlock()
				b.writeExporterConfig()
				return b.reloadExporter()
			},
		},
		{
			ID: "http01-nginx-stopped", Cause: "2", Labels: map[string]string{"domain": http01Stop},
			What:    "the nginx answering the domain's HTTP port stopped (SIGQUIT), then started again",
			Alerts:  []string{"AcmeHttp01Unreachable"},
			Timeout: 2 * time.Minute,
			Inject: func(ctx context.Context, b *bed) (time.Time, error) {
				err := b.nginxHTTP01.stop(ctx)
				return time.Now(), err
			},
			Revert: func(ctx context.Context, b *bed) error {
				b.nginxHTTP01.start()
				return nil
			},
		},
		{
			ID: "http01-basic-auth", Cause: "2", Labels: map[string]string{"domain": http01Auth},
			What:    "basic auth put over the domain's challenge path (nginx reloaded)",
			Alerts:  []string{"AcmeHttp01Unreachable"},
			Timeout: 2 * time.Minute,
			Inject: func(ctx context.Context, b *bed) (time.Time, error) {
				b.httpAuth.Store(true)
				return time.Now(), b.rewriteNginx()
			},
			Revert: func(ctx context.Context, b *bed) error {
				b.httpAuth.Store(false)
				return b.rewriteNginx()
			},
		},
		{
			ID: "port80-taken", Cause: "2", Labels: map[string]string{"domain": http01Standalone},
			What: "standalone mode: its port (a free port stands in for :80) taken by another process (nginx), " +
				"then freed",
			Alerts:    []string{"AcmeHttp01PortTaken"},
			Exclusive: true, // host-wide: it inhibits every RenewalOverdue of the instance
			Timeout:   2 * time.Minute,
			Inject: func(ctx context.Context, b *bed) (time.Time, error) {
				b.nginxTaker = b.startMiniNginxOn("nginx-taker", b.standalonePort, `    server {
        listen 127.0.0.1:%[1]d;
        location / { return 404; }
    }`)
				return time.Now(), nil
			},
			Revert: func(ctx context.Context, b *bed) error {
				return b.nginxTaker.stop(ctx)
			},
		},
		{
			ID: "duplicate-limit", Cause: "4",
			What: "one name set renewed with certbot renew --force-renewal until 4 of its certificates fall in the " +
				"bed CA's 2 min window (duplicate_certificates: 5; the mixin warns at 0.8); certbot's archive/ is " +
				"configured as history files. Revert: no more forced renewals, the window passes",
			Labels: map[string]string{"ca": bedCA, "registered_domain": "example.test"},
			Alerts: []string{"AcmeDuplicateCertificateLimitNear"},
			// A scheduled renewal of the set inside the window makes 5 of 5.
			Also:    []string{"AcmeDuplicateCertificateLimitReached"},
			Timeout: 2 * time.Minute,
			Inject: func(ctx context.Context, b *bed) (time.Time, error) {
				l := b.lineage("dup-limit")
				// Paused, not under renewMu: the other lineages keep
				// renewing (certbot runs are serialised by runClient).
				l.setPaused(true)
				for range dupForced {
					if err := b.renewForced(ctx, l); err != nil {
						return time.Time{}, err
					}
				}
				return time.Now(), nil
			},
			Revert: func(ctx context.Context, b *bed) error {
				b.lineage("dup-limit").setPaused(false)
				return nil
			},
		},
		{
			ID: "client-ratelimited", Cause: "4", Labels: map[string]string{}, // filled at run time: the log path
			What: "a certbot log entry with a urn:ietf:params:acme:error:rateLimited problem appended to the log the " +
				"exporter tails (Pebble has no rate limiting, so no real client writes one). Revert: nothing more " +
				"appended; clientErrorsWindow (1m on the bed) passes",
			Alerts:  []string{"AcmeClientRateLimited"},
			Timeout: 2 * time.Minute,
			Inject: func(ctx context.Context, b *bed) (time.Time, error) {
				return time.Now(), b.appendRateLimited(time.Now())
			},
			Revert: func(ctx context.Context, b *bed) error { return nil },
		},
		{
			ID: "ntp-skewed", Cause: "5",
			What:    "the exporter's NTP server pointed at a chrony whose clock runs 90 s behind (libfaketime), config reloaded",
			Labels:  map[string]string{"reference": "ntp", "server": ntpName + ":123"},
			Alerts:  []string{"AcmeClockOffsetHigh"},
			Timeout: 3 * time.Minute, // clock.min_interval is at least 1m
			Inject: func(ctx context.Context, b *bed) (time.Time, error) {
				return time.Now(), b.pointNTP(b.ntpSkewed.Addr)
			},
			Revert: func(ctx context.Context, b *bed) error {
				return b.pointNTP(b.ntpGood.Addr)
			},
		},
		{
			ID: "nginx-cert-pem", Cause: "6", Labels: name("rc6-chain"),
			What:    "nginx switched to cert.pem (no chain) and reloaded",
			Alerts:  []string{"AcmeServedChainIncomplete", "AcmeCertificateFileChainIncomplete"},
			Timeout: 2 * time.Minute,
			Inject: func(ctx context.Context, b *bed) (time.Time, error) {
				l := b.lineage("rc6-chain")
				if err := relink(l.Watched, b.livePath(l, "cert.pem")); err != nil {
					return time.Time{}, err
				}
				return time.Now(), b.reloadNginx()
			},
			Revert: func(ctx context.Context, b *bed) error {
				l := b.lineage("rc6-chain")
				if err := relink(l.Watched, b.livePath(l, "fullchain.pem")); err != nil {
					return err
				}
				return b.reloadNginx()
			},
		},
		{
			ID: "not-reloaded", Cause: "6", Labels: name("stale"),
			What: "certificates renewed on disk on schedule, their nginx no longer reloaded: a warning, then a " +
				"page once the served certificate passes its renewal point",
			Alerts: []string{"AcmeEndpointServingStaleCert", "AcmeEndpointStalePastRenewal"},
			// The served certificate also ages past the overdue point.
			Also:    []string{"AcmeCertificateRenewalOverdue"},
			Timeout: 3 * time.Minute,
			Inject: func(ctx context.Context, b *bed) (time.Time, error) {
				l := b.lineage("stale")
				// Start from a freshly served certificate, so the warning
				// comes before the served one reaches its renewal point.
				b.renewMu.Lock()
				defer b.renewMu.Unlock()
				if err := b.renewForced(ctx, l); err != nil {
					return time.Time{}, err
				}
				if err := b.nginxStale.reload(); err != nil {
					return time.Time{}, err
				}
				l.mu.Lock()
				l.noDeploy = true
				l.mu.Unlock()
				time.Sleep(3 * time.Second)
				err := b.renewForced(ctx, l)
				return time.Now(), err
			},
			Revert: func(ctx context.Context, b *bed) error {
				l := b.lineage("stale")
				l.mu.Lock()
				l.noDeploy = false
				l.mu.Unlock()
				return b.nginxStale.reload()
			},
		},
		{
			ID: "key-mismatch", Cause: "6", Labels: name("rc6-key"),
			What:    "key file replaced by another certificate's key",
			Alerts:  []string{"AcmeCertificateKeyMismatch"},
			Timeout: 2 * time.Minute,
			Inject: func(ctx context.Context, b *bed) (time.Time, error) {
				l := b.lineage("rc6-key")
				other := b.lineage("baseline-certbot")
				return time.Now(), relink(l.KeyPath, b.livePath(other, "privkey.pem"))
			},
			Revert: func(ctx context.Context, b *bed) error {
				l := b.lineage("rc6-key")
				return relink(l.KeyPath, b.livePath(l, "privkey.pem"))
			},
		},
		{
			ID: "file-unreadable", Cause: "6", Labels: name("rc6-unreadable"),
			What:    "certificate directory made unreadable for the exporter (mode 000)",
			Alerts:  []string{"AcmeCertificateFileUnreadable"},
			Timeout: 2 * time.Minute,
			Inject: func(ctx context.Context, b *bed) (time.Time, error) {
				l := b.lineage("rc6-unreadable")
				return time.Now(), os.Chmod(filepath.Dir(l.Watched), 0)
			},
			Revert: func(ctx context.Context, b *bed) error {
				l := b.lineage("rc6-unreadable")
				return os.Chmod(filepath.Dir(l.Watched), 0o755)
			},
		},
		{
			ID: "renewal-stopped", Cause: "lifecycle", Labels: name("renewal-stop"),
			What:   "the renewal job stops while the certificate ages (time from the missed renewal)",
			Alerts: []string{"AcmeCertificateRenewalOverdue", "AcmeCertificateExpiringSoon"},
			// Pebble's ARI window ends at notAfter for minutes-long certificates.
			Also: []string{"AcmeAriWindowEndedNotReplaced"},
			Inject: func(ctx context.Context, b *bed) (time.Time, error) {
				l := b.lineage("renewal-stop")
				l.setPaused(true)
				// The fault is real from the moment the renewal was due.
				for {
					c, err := b.leaf(l)
					if err != nil {
						return time.Time{}, err
					}
					life := c.NotAfter.Sub(c.NotBefore) + time.Second
					dueAt := c.NotAfter.Add(-life / 2)
					if time.Now().After(dueAt) {
						return dueAt, nil
					}
					select {
					case <-ctx.Done():
						return time.Time{}, ctx.Err()
					case <-time.After(time.Until(dueAt)):
					}
				}
			},
			Revert: func(ctx context.Context, b *bed) error {
				b.lineage("renewal-stop").setPaused(false)
				return nil
			},
		},
		{
			ID: "revoked", Cause: "lifecycle", Labels: name("revoked"),
			What: "certificate revoked in Pebble (certbot revoke), then deployed; ARI says renew now. " +
				"AcmeCertificateRevoked cannot fire: Pebble publishes no CRL",
			// The window is in the past: the page; the early-window warning
			// gives way to it.
			Alerts:  []string{"AcmeAriWindowEndedNotReplaced"},
			Pages:   []string{"AcmeAriWindowEndedNotReplaced"},
			Timeout: 2 * time.Minute,
			Inject:  injectRevoked,
			Revert: func(ctx context.Context, b *bed) error {
				l := b.lineage("revoked")
				defer l.setPaused(false)
				return b.renewForced(ctx, l)
			},
		},
		{
			ID: "pebble-stopped", Cause: "directory",
			What:   "Pebble stopped (SIGSTOP: it keeps its state and answers nothing), then continued",
			Labels: map[string]string{}, // filled at run time: the directory URL
			Alerts: []string{"AcmeDirectoryUnreachable"},
			// The same outage seen by the directory and ARI checks.
			Also:            []string{"AcmeCheckFailing", "AcmeCheckServingStaleResults", "AcmeDirectoryNonceFailing", "AcmeExporterCollectorFailing"},
			Exclusive:       true,
			ReachesBaseline: true,
			HoldRenewals:    true,
			Timeout:         2 * time.Minute,
			Inject: func(ctx context.Context, b *bed) (time.Time, error) {
				return time.Now(), syscall.Kill(b.pebble.Cmd.Process.Pid, syscall.SIGSTOP)
			},
			Revert: func(ctx context.Context, b *bed) error {
				return syscall.Kill(b.pebble.Cmd.Process.Pid, syscall.SIGCONT)
			},
		},
		{
			ID: "exporters-killed", Cause: "exporter",
			What: "both exporters (two targets, as two hosts) killed (SIGKILL), then restarted: the dead-man " +
				"page, once per host (two PagerDuty incidents, not one the second joins)",
			Alerts:    []string{"AcmeExporterDown"},
			Pages:     []string{"AcmeExporterDown"},
			Incidents: 2,
			Exclusive: true,
			Timeout:   2 * time.Minute,
			Inject: func(ctx context.Context, b *bed) (time.Time, error) {
				if err := b.killAccountsExporter(); err != nil {
					return time.Time{}, err
				}
				return time.Now(), b.killExporter()
			},
			Revert: func(ctx context.Context, b *bed) error {
				b.restartAccountsExporter()
				return b.startExporterErr()
			},
		},
		{
			ID: "exporter-absent", Cause: "exporter",
			What: "the accounts exporter's target removed from Prometheus' scrape configuration (as a target " +
				"that left service discovery; reload), then put back: the absent() dead-man page",
			Labels:    map[string]string{"job": jobAccounts},
			Alerts:    []string{"AcmeExporterAbsent"},
			Pages:     []string{"AcmeExporterAbsent"},
			Exclusive: true,
			Timeout:   2 * time.Minute,
			Inject: func(ctx context.Context, b *bed) (time.Time, error) {
				return time.Now(), b.setAccountsJob(ctx, false)
			},
			Revert: func(ctx context.Context, b *bed) error {
				return b.setAccountsJob(ctx, true)
			},
		},
	}
	// The DNS scenarios (root cause 3) follow root cause 2 in the table.
	i := slices.IndexFunc(list, func(s *scenario) bool { return s.ID == "port80-taken" }) + 1
	return slices.Insert(list, i, dnsScenarios()...)
}

// injectRevoked: the exporter keeps a certificate's ARI answer for its
// Retry-After (Pebble says 6 h), so a revocation of a certificate it
// already polled shows up hours later. The scenario therefore revokes a
// fresh certificate before it is deployed: the watched files are frozen
// on a copy of the current ones, certbot renews and revokes, and the
// watched files are pointed at the revoked certificate (injection time).
func injectRevoked(ctx context.Context, b *bed) (time.Time, error) {
	l := b.lineage("revoked")
	l.setPaused(true)
	frozen := filepath.Join(b.dir, "frozen", l.Name)
	if err := os.MkdirAll(frozen, 0o755); err != nil {
		return time.Time{}, err
	}
	for _, f := range []string{"fullchain.pem", "privkey.pem"} {
		data, err := os.ReadFile(b.livePath(l, f))
		if err != nil {
			return time.Time{}, err
		}
		if err := os.WriteFile(filepath.Join(frozen, f), data, 0o644); err != nil {
			return time.Time{}, err
		}
	}
	if err := relink(l.Watched, filepath.Join(frozen, "fullchain.pem")); err != nil {
		return time.Time{}, err
	}
	if err := relink(l.KeyPath, filepath.Join(frozen, "privkey.pem")); err != nil {
		return time.Time{}, err
	}
	if err := b.renewForced(ctx, l); err != nil {
		return time.Time{}, err
	}
	argv := append(b.certbotArgs("revoke"), "--cert-name", l.Name, "--server", b.pebbleDir,
		"--no-delete-after-revoke", "--reason", "superseded")
	if err := b.runClient(ctx, argv, "REQUESTS_CA_BUNDLE="+b.minica); err != nil {
		return time.Time{}, fmt.Errorf("certbot revoke: %w", err)
	}
	if err := relink(l.Watched, b.livePath(l, "fullchain.pem")); err != nil {
		return time.Time{}, err
	}
	return time.Now(), relink(l.KeyPath, b.livePath(l, "privkey.pem"))
}

// The bed's CA in rate_limits: Pebble's intermediates ("Pebble
// Intermediate CA <hex>") with a duplicate limit of 5 over a 2 min window,
// so the duplicate-limit scenario's forced renewals leave the window
// within the suite's time.
const (
	bedCA       = "pebble"
	bedCAWindow = 2 * time.Minute
	bedCADupMax = 5
	// dupForced renewals put at least 4 certificates of the name set in
	// the window: 4/5 reaches the mixin's 0.8.
	dupForced = 4
)

// rateLimitsConfig is the exporter's rate_limits section.
func rateLimitsConfig() string {
	return fmt.Sprintf("rate_limits:\n  cas:\n    - name: %s\n      issuers: [\"Pebble Intermediate CA *\"]\n"+
		"      window: %dm\n      limits:\n        duplicate_certificates: %d\n", bedCA, int(bedCAWindow.Minutes()), bedCADupMax)
}

// historyConfig: certbot's archive/ of the duplicate-limit lineage as
// history files (rate-limit accounting only, no lifecycle series).
func (b *bed) historyConfig() string {
	l := b.lineage("dup-limit")
	return fmt.Sprintf("  - path: %s\n    client: certbot\n    history: true\n",
		filepath.Join(b.dir, "certbot", "config", "archive", l.Name, "cert*.pem"))
}

// clientLog is the certbot log the exporter tails (client_logs).
func (b *bed) clientLog() string { return filepath.Join(b.dir, "clientlog", "letsencrypt.log") }

func (b *bed) clientLogConfig() string {
	return fmt.Sprintf("client_logs:\n  files:\n    - path: %s\n      format: certbot\n", b.clientLog())
}

// appendRateLimited appends what certbot logs when the CA refuses an order
// with rateLimited: the response, its problem document, then the abnormal
// exit (the shape of internal/acmelog/testdata/synthetic-certbot.log).
func (b *bed) appendRateLimited(now time.Time) error {
	ts := func(d time.Duration) string {
		t := now.Add(d).UTC()
		return fmt.Sprintf("%s,%03d", t.Format(time.DateTime), t.Nanosecond()/1e6)
	}
	retry := now.Add(bedCAWindow).UTC().Format("2006-01-02 15:04:05 UTC")
	entry := ts(0) + ":DEBUG:acme.client:Received response:\nHTTP 429\nContent-Type: application/problem+json\n" +
		"Retry-After: 120\n\n{\n  \"type\": \"urn:ietf:params:acme:error:rateLimited\",\n" +
		"  \"detail\": \"too many certificates (5) already issued for this exact set of identifiers in the last 2m0s, retry after " +
		retry + "\",\n  \"status\": 429\n}\n" +
		ts(time.Millisecond) + ":DEBUG:certbot._internal.log:Exiting abnormally:\n" +
		"acme.messages.Error: urn:ietf:params:acme:error:rateLimited :: There were too many requests of a given type :: " +
		"too many certificates (5) already issued for this exact set of identifiers\n"
	f, err := os.OpenFile(b.clientLog(), os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		return err
	}
	if _, err := f.WriteString(entry); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

func (b *bed) lineage(name string) *lineage {
	for _, l := range b.lineages {
		if l.Name == name {
			return l
		}
	}
	panic("no lineage " + name)
}
