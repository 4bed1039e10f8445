// Copyright 2026 The acme_exporter Authors
// SPDX-License-Identifier: Apache-2.0

package collector

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"strconv"
	"time"

	"github.com/beevik/ntp"
	"golang.org/x/sys/unix"
)

const (
	clockNTPCheck    = "clock_ntp"
	clockKernelCheck = "clock_kernel"
	clockFamily      = "clock"
)

var (
	clockRTTDesc = Desc(clockFamily, "acme_clock_ntp_rtt_seconds",
		"Round-trip time of the last NTP exchange with the server.", "server")
	clockStratumDesc = Desc(clockFamily, "acme_clock_ntp_stratum",
		"Stratum the NTP server reported (16: unsynchronised).", "server")
	clockLeapDesc = Desc(clockFamily, "acme_clock_ntp_leap",
		"Leap indicator the NTP server reported (0 none, 1 insert, 2 delete, 3 unsynchronised).", "server")
	clockRootDistanceDesc = Desc(clockFamily, "acme_clock_ntp_root_distance_seconds",
		"The NTP server's root distance: its worst-case error to its reference clock, plus half the round trip.", "server")
	clockSyncDesc = Desc(clockFamily, "acme_clock_synchronized",
		"1 when the kernel (adjtimex) says the system clock is synchronised.")
	clockEstErrorDesc = Desc(clockFamily, "acme_clock_kernel_estimated_error_seconds",
		"The kernel's estimated clock error (adjtimex esterror).")
	clockMaxErrorDesc = Desc(clockFamily, "acme_clock_kernel_max_error_seconds",
		"The kernel's maximum clock error (adjtimex maxerror); it grows while nothing disciplines the clock.")
)

// adjtimex is read-only (Modes 0); tests replace it.
var adjtimex = func() (unix.Timex, int, error) {
	var tx unix.Timex // Modes == 0: read, never set
	state, err := unix.Adjtimex(&tx)
	return tx, state, err
}

func init() {
	Register(clockFamily, true, func(l *slog.Logger) Collector { return &clockCollector{logger: l} })
}

type clockCollector struct{ logger *slog.Logger }

func (c *clockCollector) Targets(env *Env) ([]Target, error) {
	cfg := env.Config.Clock
	ts := []Target{{
		Check:  clockKernelCheck,
		Target: "adjtimex",
		Run:    func(ctx context.Context, emit Emit) error { return kernelClock(emit) },
	}}
	for _, s := range cfg.Servers {
		label := net.JoinHostPort(s.Server, strconv.Itoa(s.Port))
		ts = append(ts, Target{
			Check:       clockNTPCheck,
			Target:      label,
			MinInterval: cfg.MinInterval.D(),
			Timeout:     cfg.Timeout.D() + time.Second,
			Run: func(ctx context.Context, emit Emit) error {
				return queryNTP(ctx, env, label, s.Server, s.Port, s.Address, s.Resolver, cfg.Timeout.D(), emit)
			},
		})
	}
	return ts, nil
}

func kernelClock(emit Emit) error {
	tx, state, err := adjtimex()
	if err != nil {
		return Fail("adjtimex_failed", err)
	}
	synced := state != unix.TIME_ERROR && tx.Status&unix.STA_UNSYNC == 0
	emit(Gauge(clockSyncDesc, Bool(synced)))
	emit(Gauge(clockEstErrorDesc, float64(tx.Esterror)/1e6))
	emit(Gauge(clockMaxErrorDesc, float64(tx.Maxerror)/1e6))
	return nil
}

func queryNTP(ctx context.Context, env *Env, label, server string, port int, address, resolver string, timeout time.Duration, emit Emit) error {
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
			return Fail("ntp_kiss_of_death", err)
		}
		return Fail("ntp_invalid_response", err)
	}
	// ntp's ClockOffset is reference minus local; the contract is local
	// minus reference.
	emit(Gauge(clockOffsetDesc, -r.ClockOffset.Seconds(), "ntp", label))
	emit(Gauge(clockRTTDesc, r.RTT.Seconds(), label))
	emit(Gauge(clockStratumDesc, float64(r.Stratum), label))
	emit(Gauge(clockLeapDesc, float64(r.Leap), label))
	emit(Gauge(clockRootDistanceDesc, r.RootDistance.Seconds(), label))
	return nil
}

func ntpFailure(ctx context.Context, err error) error {
	var dnsErr *net.DNSError
	var ne net.Error
	switch {
	case ctx.Err() != nil:
		return Fail("timeout", err)
	case errors.As(err, &dnsErr):
		return Fail("dns_error", err)
	case errors.As(err, &ne) && ne.Timeout():
		return Fail("ntp_no_answer", err)
	}
	var opErr *net.OpError
	if errors.As(err, &opErr) {
		return Fail("ntp_unreachable", err)
	}
	return Fail("ntp_error", err)
}
