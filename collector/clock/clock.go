// Copyright 2026 The acme_exporter Authors
// SPDX-License-Identifier: Apache-2.0

// Package clock checks the local clock against NTP servers and the
// kernel's synchronisation state: certificates are judged by it.
package clock

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"strconv"
	"time"

	"github.com/beevik/ntp"
	"golang.org/x/sys/unix"

	"github.com/acme-exporter/acme_exporter/internal/series"
	"github.com/acme-exporter/acme_exporter/scrape"
)

const (
	clockNTPCheck    = "clock_ntp"
	clockKernelCheck = "clock_kernel"
	clockFamily      = "clock"
)

var (
	clockRTTDesc = scrape.Desc(clockFamily, "acme_clock_ntp_rtt_seconds",
		"Round-trip time of the last NTP exchange with the server.", "server")
	clockStratumDesc = scrape.Desc(clockFamily, "acme_clock_ntp_stratum",
		"Stratum the NTP server reported (16: unsynchronised).", "server")
	clockLeapDesc = scrape.Desc(clockFamily, "acme_clock_ntp_leap",
		"Leap indicator the NTP server reported (0 none, 1 insert, 2 delete, 3 unsynchronised).", "server")
	clockRootDistanceDesc = scrape.Desc(clockFamily, "acme_clock_ntp_root_distance_seconds",
		"The NTP server's root distance: its worst-case error to its reference clock, plus half the round trip.", "server")
	clockSyncDesc = scrape.Desc(clockFamily, "acme_clock_synchronized",
		"1 when the kernel (adjtimex) says the system clock is synchronised.")
	clockEstErrorDesc = scrape.Desc(clockFamily, "acme_clock_kernel_estimated_error_seconds",
		"The kernel's estimated clock error (adjtimex esterror).")
	clockMaxErrorDesc = scrape.Desc(clockFamily, "acme_clock_kernel_max_error_seconds",
		"The kernel's maximum clock error (adjtimex maxerror); it grows while nothing disciplines the clock.")
)

// adjtimex is read-only (Modes 0); tests replace it.
var adjtimex = func() (unix.Timex, int, error) {
	var tx unix.Timex // Modes == 0: read, never set
	state, err := unix.Adjtimex(&tx)
	return tx, state, err
}

func init() {
	scrape.Register(clockFamily, true, func(l *slog.Logger) scrape.Collector { return &clockCollector{logger: l} })
}

type clockCollector struct{ logger *slog.Logger }

func (c *clockCollector) Targets(env *scrape.Env) ([]scrape.Target, error) {
	cfg := env.Config.Clock
	ts := []scrape.Target{{
		Check:  clockKernelCheck,
		Target: "adjtimex",
		Run:    func(ctx context.Context, emit scrape.Emit) error { return kernelClock(emit) },
	}}
	for _, s := range cfg.Servers {
		label := net.JoinHostPort(s.Server, strconv.Itoa(s.Port))
		ts = append(ts, scrape.Target{
			Check:       clockNTPCheck,
			Target:      label,
			MinInterval: cfg.MinInterval.D(),
			Timeout:     cfg.Timeout.D() + time.Second,
			Run: func(ctx context.Context, emit scrape.Emit) error {
				return queryNTP(ctx, env, label, s.Server, s.Port, s.Address, s.Resolver, cfg.Timeout.D(), emit)
			},
		})
	}
	return ts, nil
}

func kernelClock(emit scrape.Emit) error {
	tx, state, err := adjtimex()
	if err != nil {
		return scrape.Fail("adjtimex_failed", err)
	}
	synced := state != unix.TIME_ERROR && tx.Status&unix.STA_UNSYNC == 0
	emit(scrape.Gauge(clockSyncDesc, scrape.Bool(synced)))
	emit(scrape.Gauge(clockEstErrorDesc, float64(tx.Esterror)/1e6))
	emit(scrape.Gauge(clockMaxErrorDesc, float64(tx.Maxerror)/1e6))
	return nil
}

func queryNTP(ctx context.Context, env *scrape.Env, label, server string, port int, address, resolver string, timeout time.Duration, emit scrape.Emit) error {
	d := &net.Dialer{Timeout: timeout}
	if resolver != "" {
		base := net.Dialer{Timeout: timeout}
		d.Resolver = &net.Resolver{PreferGo: true, Dial: func(ctx context.Context, network, _ string) (net.Conn, error) {
			return base.DialContext(ctx, network, resolver)
		}}
	}
	remote := net.JoinHostPort(server, strconv.Itoa(port))
	if address != "" {
		remote = address
	}
	if dl, ok := ctx.Deadline(); ok && time.Until(dl) < timeout {
		timeout = time.Until(dl)
	}
	r, err := ntp.QueryWithOptions(remote, ntp.QueryOptions{
		Timeout:       timeout,
		Port:          port,
		GetSystemTime: env.Now,
		Dialer: func(_, ra string) (net.Conn, error) {
			return d.DialContext(ctx, "udp", ra)
		},
	})
	if err != nil {
		return ntpFailure(ctx, err)
	}
	if err := r.Validate(); err != nil {
		if r.IsKissOfDeath() {
			return scrape.Fail("ntp_kiss_of_death", err)
		}
		return scrape.Fail("ntp_invalid_response", err)
	}
	// ntp's ClockOffset is reference minus local; the contract is local
	// minus reference.
	emit(scrape.Gauge(series.ClockOffsetDesc, -r.ClockOffset.Seconds(), "ntp", label))
	emit(scrape.Gauge(clockRTTDesc, r.RTT.Seconds(), label))
	emit(scrape.Gauge(clockStratumDesc, float64(r.Stratum), label))
	emit(scrape.Gauge(clockLeapDesc, float64(r.Leap), label))
	emit(scrape.Gauge(clockRootDistanceDesc, r.RootDistance.Seconds(), label))
	return nil
}

func ntpFailure(ctx context.Context, err error) error {
	var dnsErr *net.DNSError
	var ne net.Error
	switch {
	case ctx.Err() != nil:
		return scrape.Fail("timeout", err)
	case errors.As(err, &dnsErr):
		return scrape.Fail("dns_error", err)
	case errors.As(err, &ne) && ne.Timeout():
		return scrape.Fail("ntp_no_answer", err)
	}
	var opErr *net.OpError
	if errors.As(err, &opErr) {
		return scrape.Fail("ntp_unreachable", err)
	}
	return scrape.Fail("ntp_error", err)
}
