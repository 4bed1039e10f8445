// Copyright 2026 The acme_exporter Authors
// SPDX-License-Identifier: Apache-2.0

// Package renewal checks ACME clients' renewal configuration and when
// each lineage is due, from the clients' own records.
package renewal

import (
	"bufio"
	"context"
	"errors"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/acme-exporter/acme_exporter/discovery"
	"github.com/acme-exporter/acme_exporter/internal/files"
	"github.com/acme-exporter/acme_exporter/inventory"
	"github.com/acme-exporter/acme_exporter/scrape"
)

const (
	renewalCheck    = "renewal"
	renewalRunCheck = "renewal_last_run"
)

var (
	renewalLastRunDesc = scrape.Desc(renewalRunCheck, "acme_renewal_last_run_timestamp_seconds",
		"When the client's renewal job last ran, as a Unix time: the newest of its systemd timer stamp (stamp-<unit>.timer mtime) and the last renewal entry in its log.",
		"client")
	renewalScheduledDesc = scrape.Desc(renewalCheck, "acme_renewal_scheduled_timestamp_seconds",
		"When the client itself plans to renew the certificate, as a Unix time, where it stores that (certmagic's ARI selected time, acme.sh Le_NextRenewTime).",
		"client", "name")
	renewalProblemDesc = scrape.Desc(renewalCheck, "acme_renewal_config_problem_info",
		"1 for each problem in a lineage's renewal configuration or layout (see docs/checks/discovery.md for the list); absent otherwise.",
		"client", "name", "problem")
	renewalLineageDesc = scrape.Desc(renewalCheck, "acme_renewal_lineage_info",
		"1 for each certificate a discovered client renews, with its ACME directory URL and validation mode (webroot, standalone, nginx, dns-<provider>, ...; empty when the client does not store it).",
		"client", "name", "directory", "mode")
)

func init() {
	scrape.Register("renewal", true, func(l *slog.Logger) scrape.Collector { return renewalCollector{} })
}

type renewalCollector struct{}

// timerStamps are the systemd timer units (persistent stamps) that run
// each client's renewal, as file name patterns.
var timerStamps = map[string][]string{
	discovery.Certbot: {"stamp-certbot.timer", "stamp-snap.certbot.renew.timer", "stamp-certbot-renew.timer"},
	discovery.Lego:    {"stamp-lego*.timer"},
	discovery.AcmeSh:  {"stamp-acme.sh*.timer", "stamp-acme-sh*.timer", "stamp-acmesh*.timer"},
}

func (renewalCollector) Targets(env *scrape.Env) ([]scrape.Target, error) {
	var ts []scrape.Target
	clients := map[string]bool{}
	for _, r := range env.Discovered.Clients {
		// Installed but unused (no lineage): no renewal job is expected
		// to have run, so its absence is no failure.
		if len(r.Lineages) > 0 {
			clients[r.Client] = true
		}
		ts = append(ts, scrape.Target{
			Check:  renewalCheck,
			Target: r.Root,
			Run: func(ctx context.Context, emit scrape.Emit) error {
				return checkRenewal(env, r, emit)
			},
		})
	}
	for _, c := range discovery.Clients {
		if !clients[c] || timerStamps[c] == nil {
			continue
		}
		ts = append(ts, scrape.Target{
			Check:  renewalRunCheck,
			Target: c,
			Run: func(ctx context.Context, emit scrape.Emit) error {
				return checkLastRun(env, c, emit)
			},
		})
	}
	return ts, nil
}

// checkRenewal reports the lineages of one client root as discovery's
// last scan read them (the snapshot): the root is not read again here.
func checkRenewal(env *scrape.Env, cr inventory.ClientRoot, emit scrape.Emit) error {
	if cr.Unreadable {
		return files.Failure(cr.Root, cr.Err)
	}
	var lifetimes map[string]time.Duration // by certificate path, from the inventory
	for _, l := range cr.Lineages {
		emit(scrape.Gauge(renewalLineageDesc, 1, l.Client, l.Name, l.Directory, l.Mode))
		if !l.Scheduled.IsZero() {
			emit(scrape.Gauge(renewalScheduledDesc, scrape.UnixSeconds(l.Scheduled), l.Client, l.Name))
		}
		problems := slices.Clone(l.Problems)
		if l.RenewBefore > 0 && l.CertPath != "" {
			if lifetimes == nil {
				lifetimes = currentLifetimes(env)
			}
			life, ok := lifetimes[l.CertPath]
			if !ok && l.Lifetime > 0 {
				// A file the certificate family does not check (it is
				// off): the lifetime discovery read with the lineage.
				life, ok = l.Lifetime, true
			}
			if ok && l.RenewBefore*2 >= life {
				problems = append(problems, "renew_before_expiry_too_long")
			}
		}
		slices.Sort(problems)
		for _, p := range slices.Compact(problems) {
			emit(scrape.Gauge(renewalProblemDesc, 1, l.Client, l.Name, p))
		}
	}
	if cr.Err != nil {
		return scrape.Fail("layout_unreadable", cr.Err)
	}
	return nil
}

// currentLifetimes are the lifetimes (notAfter - notBefore + 1s) of the
// current certificate files the certificate family read, by path: the
// inventory holds them, so they are not parsed again here.
func currentLifetimes(env *scrape.Env) map[string]time.Duration {
	out := map[string]time.Duration{}
	for _, c := range env.Inventory.Current(func(c *inventory.Certificate) bool { return c.Source == "file" }) {
		out[c.Path] = c.NotAfter.Sub(c.NotBefore) + time.Second
	}
	return out
}

func checkLastRun(env *scrape.Env, client string, emit scrape.Emit) error {
	var last time.Time
	dir := env.Config.Discovery.SystemdTimerDir
	for _, pat := range timerStamps[client] {
		ms, _ := filepath.Glob(filepath.Join(dir, pat))
		for _, m := range ms {
			if fi, err := os.Stat(m); err == nil && fi.ModTime().After(last) {
				last = fi.ModTime()
			}
		}
	}
	for _, lf := range env.Discovered.Logs {
		if lf.Client != client || lf.Format != "certbot" {
			continue
		}
		for _, p := range []string{lf.Path, lf.Path + ".1"} {
			if t, ok := lastCertbotRenewal(p); ok && t.After(last) {
				last = t
			}
		}
	}
	if last.IsZero() {
		return scrape.Fail("no_renewal_record", errors.New("no systemd timer stamp and no renewal entry in the client's log"))
	}
	emit(scrape.Gauge(renewalLastRunDesc, scrape.UnixSeconds(last), client))
	return nil
}

// maxLogTail is how much of the end of a log is read.
const maxLogTail = 4 << 20

func lastCertbotRenewal(path string) (time.Time, bool) {
	f, id, err := files.Open(path)
	if err != nil {
		return time.Time{}, false
	}
	defer func() { _ = f.Close() }()
	if id.Size() > maxLogTail {
		if _, err := f.Seek(id.Size()-maxLogTail, io.SeekStart); err != nil {
			return time.Time{}, false
		}
	}
	return LastCertbotRenewal(io.LimitReader(f, maxLogTail), time.Local)
}

// LastCertbotRenewal finds the time of the last record certbot's renewal
// module wrote ("...:DEBUG:certbot._internal.renewal:..."): only
// `certbot renew` logs through it. Log times are in the host's zone.
func LastCertbotRenewal(r io.Reader, loc *time.Location) (time.Time, bool) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	var last time.Time
	for sc.Scan() {
		line := sc.Text()
		if len(line) < 24 || !strings.Contains(line, ":certbot._internal.renewal:") {
			continue
		}
		t, err := time.ParseInLocation("2006-01-02 15:04:05,000", line[:23], loc)
		if err == nil && t.After(last) {
			last = t
		}
	}
	return last, !last.IsZero()
}
