// Copyright 2026 The acme_exporter Authors
// SPDX-License-Identifier: Apache-2.0

package e2e

import (
	"context"
	"os"
	"path/filepath"
	"time"
)

// A scenario injects one fault into the bed and reverts it. The suite
// checks that every alert in Alerts reaches a receiver (PagerDuty for
// critical ones, the non-paging receiver otherwise), then that it resolves
// after Revert.
type scenario struct {
	ID    string // short, for the table
	Cause string // root cause number (1-6) or "lifecycle", "exporter"
	What  string
	// Name is the name label the alerts carry ("" for exporter-wide alerts).
	Name string
	// Alerts are the alert names that must reach a receiver, in order.
	Alerts []string
	// Pending, when set, says why the scenario cannot run yet.
	Pending string
	// Exclusive scenarios run alone, after the others (they disturb every
	// series, like killing the exporter).
	Exclusive bool
	// Timeout bounds the wait for each alert.
	Timeout time.Duration
	// Inject returns the moment the fault took effect.
	Inject func(ctx context.Context, b *bed) (time.Time, error)
	Revert func(ctx context.Context, b *bed) error
}

// Lineages of the bed: each scenario has its own certificate, so scenarios
// can run at the same time without one's alerts being another's.
var bedLineages = []struct{ name, client string }{
	{"baseline-certbot", "certbot"},
	{"baseline-lego", "lego"},
	{"rc6-chain", "certbot"},
	{"rc6-key", "certbot"},
	{"rc6-unreadable", "certbot"},
	{"renewal-stop", "lego"},
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

func scenarios() []*scenario {
	pending := func(id, cause, what, why string) *scenario {
		return &scenario{ID: id, Cause: cause, What: what, Pending: why}
	}
	return []*scenario{
		pending("account-key-unreadable", "1", "account key made unreadable for the service user",
			"account collector (issue 3) not in main: no acme_account_key_usable"),
		pending("account-deactivated", "1", "account deactivated in Pebble, lookup on",
			"account collector (issue 3) not in main: no acme_account_registered"),
		pending("http01-nginx-stopped", "2", "nginx stopped on the HTTP port",
			"HTTP-01 collector (issue 4) not in main: no acme_http01_reachable"),
		pending("http01-basic-auth", "2", "basic auth on the challenge path",
			"HTTP-01 collector (issue 4) not in main: no acme_http01_reachable"),
		pending("port80-taken", "2", "standalone mode, :80 taken by another process",
			"port collector (issue 4) not in main: no acme_port_listening"),
		pending("knot-serial-lag", "3", "Knot secondary stops following the primary",
			"DNS collector (issue 5) not in main: no acme_dns_soa_serial_consistent"),
		pending("knot-txt-split", "3", "TXT changed on one Knot only during a validation",
			"DNS collector (issue 5) not in main: no acme_dns_txt_consistent"),
		pending("caa-forbids", "3", "CAA set to forbid the CA",
			"DNS collector (issue 5) not in main: no acme_dns_caa_issuance_allowed"),
		pending("duplicate-limit", "4", "duplicate-certificate limit approached by forced renewals",
			"rate-limit collector (issue 7) not in main: no acme_duplicate_certificates"),
		pending("client-ratelimited", "4", "rateLimited in the client log",
			"rate-limit collector (issue 7) not in main: no acme_client_errors_total"),
		pending("ntp-skewed", "5", "NTP pointed at a skewed chrony (faketime)",
			"clock collector (issue 6) not in main: no acme_clock_offset_seconds"),
		{
			ID: "nginx-cert-pem", Cause: "6", Name: "rc6-chain",
			What:    "nginx switched to cert.pem (no chain) and reloaded",
			Alerts:  []string{"AcmeCertificateChainIncomplete"},
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
		pending("not-reloaded", "6", "certificate renewed on disk, nginx not reloaded",
			"endpoint collector (issue 4) not in main: no acme_endpoint_serving_latest"),
		{
			ID: "key-mismatch", Cause: "6", Name: "rc6-key",
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
			ID: "file-unreadable", Cause: "6", Name: "rc6-unreadable",
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
			ID: "renewal-stopped", Cause: "lifecycle", Name: "renewal-stop",
			What:   "the renewal job stops while the certificate ages (time from the missed renewal)",
			Alerts: []string{"AcmeCertificateRenewalOverdue", "AcmeCertificateExpiringSoon"},
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
		pending("revoked", "lifecycle", "certificate revoked in Pebble",
			"revocation/ARI collector (issue 6) not in main: no acme_certificate_revoked, acme_ari_*"),
		pending("pebble-stopped", "directory", "Pebble stopped",
			"directory collector (issue 6) not in main: no acme_directory_up"),
		{
			ID: "exporter-killed", Cause: "exporter", Name: "",
			What:      "the exporter killed (SIGKILL), then restarted",
			Alerts:    []string{"AcmeExporterDown"},
			Exclusive: true,
			Timeout:   2 * time.Minute,
			Inject: func(ctx context.Context, b *bed) (time.Time, error) {
				return time.Now(), b.killExporter()
			},
			Revert: func(ctx context.Context, b *bed) error {
				b.startExporter()
				return nil
			},
		},
	}
}

func (b *bed) lineage(name string) *lineage {
	for _, l := range b.lineages {
		if l.Name == name {
			return l
		}
	}
	b.t.Fatalf("no lineage %s", name)
	return nil
}
