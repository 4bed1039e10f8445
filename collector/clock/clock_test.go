// Copyright 2026 The acme_exporter Authors
// SPDX-License-Identifier: Apache-2.0

package clock

import (
	"encoding/binary"
	"fmt"
	"math"
	"net"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"golang.org/x/sys/unix"

	"github.com/acme-exporter/acme_exporter/internal/scrapetest"
	"github.com/acme-exporter/acme_exporter/internal/testbed"
	"github.com/acme-exporter/acme_exporter/internal/testcerts"
	"github.com/acme-exporter/acme_exporter/scrape"
)

func clockYAML(servers ...string) string {
	y := "clock:\n  servers:\n"
	for _, s := range servers {
		host, port, _ := net.SplitHostPort(s)
		y += fmt.Sprintf("    - server: %s\n      port: %s\n", host, port)
	}
	return y
}

// ntpTime encodes t as an NTP timestamp.
func ntpTime(t time.Time) uint64 {
	const era = 2208988800
	secs := uint64(t.Unix() + era)
	frac := uint64(t.Nanosecond()) << 32 / 1e9
	return secs<<32 | frac
}

// startFakeNTP is an in-process FAKE NTP server: with answer false it
// reads and never replies (a server that does not answer, which chrony
// cannot be made to do); with answer true it replies with the fixed time
// serverTime, so golden output is exact.
func startFakeNTP(t *testing.T, answer bool, serverTime time.Time, stratum byte) string {
	t.Helper()
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { pc.Close() })
	go func() {
		buf := make([]byte, 512)
		for {
			n, addr, err := pc.ReadFrom(buf)
			if err != nil {
				return
			}
			if !answer || n < 48 {
				continue
			}
			out := make([]byte, 48)
			out[0] = 0<<6 | 4<<3 | 4 // leap 0, v4, server
			out[1] = stratum
			out[2] = 6
			out[3] = 0xec
			copy(out[12:16], "FAKE")
			binary.BigEndian.PutUint64(out[16:], ntpTime(serverTime.Add(-time.Minute)))
			copy(out[24:32], buf[40:48]) // origin = client's transmit
			binary.BigEndian.PutUint64(out[32:], ntpTime(serverTime))
			binary.BigEndian.PutUint64(out[40:], ntpTime(serverTime))
			_, _ = pc.WriteTo(out, addr)
		}
	}()
	return pc.LocalAddr().String()
}

func ntpOffset(t *testing.T, h *scrapetest.Harness, server string) float64 {
	t.Helper()
	return scrapetest.MetricValue(t, scrapetest.ScrapeText(t, h), fmt.Sprintf(`acme_clock_offset_seconds{reference="ntp",server="%s"}`, server))
}

// TestClockGoldenFakeNTP: with the exporter's clock pinned at Epoch and a
// FAKE server answering Epoch-90s, every value is exact.
func TestClockGoldenFakeNTP(t *testing.T) {
	addr := startFakeNTP(t, true, testcerts.Epoch.Add(-90*time.Second), 2)
	silent := startFakeNTP(t, false, time.Time{}, 0)
	env := scrapetest.Env(t, clockYAML(addr, silent)+"  timeout: 1s\n", testcerts.Epoch, nil)
	restore := adjtimex
	adjtimex = func() (unix.Timex, int, error) {
		return unix.Timex{Esterror: 1500, Maxerror: 250000, Status: 0}, unix.TIME_OK, nil
	}
	t.Cleanup(func() { adjtimex = restore })
	h := scrapetest.NewHarness(env, map[string]scrape.Collector{clockFamily: &clockCollector{}})
	scrapetest.Compare(t, h, fmt.Sprintf(`
		acme_clock_offset_seconds{reference="ntp",server="%[1]s"} 90
		acme_clock_ntp_rtt_seconds{server="%[1]s"} 0
		acme_clock_ntp_stratum{server="%[1]s"} 2
		acme_clock_ntp_leap{server="%[1]s"} 0
		acme_clock_ntp_root_distance_seconds{server="%[1]s"} 0
		acme_clock_synchronized 1
		acme_clock_kernel_estimated_error_seconds 0.0015
		acme_clock_kernel_max_error_seconds 0.25
		acme_probe_failure_info{check="clock_ntp",reason="ntp_no_answer",target="%[2]s"} 1
	`, addr, silent), "acme_clock_offset_seconds", "acme_clock_ntp_rtt_seconds", "acme_clock_ntp_stratum",
		"acme_clock_ntp_leap", "acme_clock_ntp_root_distance_seconds", "acme_clock_synchronized",
		"acme_clock_kernel_estimated_error_seconds", "acme_clock_kernel_max_error_seconds", "acme_probe_failure_info")
	if problems, err := testutil.CollectAndLint(h); err != nil || len(problems) > 0 {
		t.Fatalf("lint: %v %v", err, problems)
	}
}

func TestClockKernelStates(t *testing.T) {
	for _, tc := range []struct {
		name   string
		state  int
		status int32
		want   string
	}{
		{"synchronised", unix.TIME_OK, 0, "1"},
		{"time error", unix.TIME_ERROR, 0, "0"},
		{"unsync flag", unix.TIME_OK, unix.STA_UNSYNC, "0"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			restore := adjtimex
			adjtimex = func() (unix.Timex, int, error) { return unix.Timex{Status: tc.status}, tc.state, nil }
			t.Cleanup(func() { adjtimex = restore })
			env := scrapetest.Env(t, "clock:\n  servers: []\n", testcerts.Epoch, nil)
			h := scrapetest.NewHarness(env, map[string]scrape.Collector{clockFamily: &clockCollector{}})
			scrapetest.Compare(t, h, "acme_clock_synchronized "+tc.want, "acme_clock_synchronized")
		})
	}
}

// TestClockKernelReal calls the real adjtimex (read-only) once.
func TestClockKernelReal(t *testing.T) {
	before, _, err := adjtimex()
	if err != nil {
		t.Fatal(err)
	}
	if err := kernelClock(func(m prometheus.Metric) {}); err != nil {
		t.Fatal(err)
	}
	after, _, _ := adjtimex()
	if before.Freq != after.Freq || before.Status != after.Status {
		t.Errorf("adjtimex changed the kernel state: %+v → %+v", before, after)
	}
}

// TestClockChrony: a real chronyd on loopback, and one under libfaketime
// 90 s behind.
func TestClockChrony(t *testing.T) {
	good := testbed.StartChrony(t, "")
	skew := testbed.StartChrony(t, "-90s")
	env := scrapetest.Env(t, clockYAML(good.Addr, skew.Addr), time.Time{}, nil)
	env.Now = time.Now
	h := scrapetest.NewHarness(env, map[string]scrape.Collector{clockFamily: &clockCollector{}})
	if off := ntpOffset(t, h, good.Addr); math.Abs(off) > 0.5 {
		t.Errorf("offset to a chrony on the same clock = %v s, want near 0", off)
	}
	if off := ntpOffset(t, h, skew.Addr); math.Abs(off-90) > 2 {
		t.Errorf("offset to a chrony 90 s behind = %v s, want +90 ± 2 (local ahead)", off)
	}
	scrapetest.Compare(t, h, fmt.Sprintf(`
		acme_clock_ntp_stratum{server="%[1]s"} 8
		acme_clock_ntp_stratum{server="%[2]s"} 8
		acme_clock_ntp_leap{server="%[1]s"} 0
		acme_clock_ntp_leap{server="%[2]s"} 0
	`, good.Addr, skew.Addr), "acme_clock_ntp_stratum", "acme_clock_ntp_leap")

	// Injected clock: the exporter's clock 90 s ahead of a good server.
	env2 := scrapetest.Env(t, clockYAML(good.Addr), time.Time{}, nil)
	env2.Now = func() time.Time { return time.Now().Add(90 * time.Second) }
	h2 := scrapetest.NewHarness(env2, map[string]scrape.Collector{clockFamily: &clockCollector{}})
	if off := ntpOffset(t, h2, good.Addr); math.Abs(off-90) > 0.5 {
		t.Errorf("offset with the clock injected 90 s ahead = %v, want 90", off)
	}
}

// TestClockMinInterval: scrapes inside min_interval do not query again.
func TestClockMinInterval(t *testing.T) {
	good := testbed.StartChrony(t, "")
	clock := &scrapetest.MutableClock{T: time.Now()}
	env := scrapetest.Env(t, clockYAML(good.Addr), time.Time{}, nil)
	env.Now = clock.Now
	h := scrapetest.NewHarness(env, map[string]scrape.Collector{clockFamily: &clockCollector{}})
	first := ntpOffset(t, h, good.Addr)
	clock.Add(30 * time.Second)
	if second := ntpOffset(t, h, good.Addr); second != first {
		t.Errorf("a scrape inside min_interval queried again: %v then %v", first, second)
	}
	clock.Add(31 * time.Second)
	if third := ntpOffset(t, h, good.Addr); math.Abs(third-(first+61)) > 0.5 {
		t.Errorf("after min_interval the server was not queried again: %v then %v", first, third)
	}
}
