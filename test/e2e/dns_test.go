// Copyright 2026 The acme_exporter Authors
// SPDX-License-Identifier: Apache-2.0

package e2e

import (
	"context"
	"fmt"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/miekg/dns"

	"github.com/acme-exporter/acme_exporter/internal/testbed"
)

// The DNS part of the bed (root cause 3), real Knot servers on loopback:
//   - the parent (127.0.0.2, own port) serves test., delegating the three
//     scenario zones with glue (CAA lookups climb up to test.);
//   - the primary (127.0.0.2) serves dnslag., dnstxt. and dnscaa.;
//   - the secondary (127.0.0.3) transfers dnslag. and dnstxt. from the
//     primary, only when told (no NOTIFY; SOA refresh an hour away), so a
//     dynamic update on the primary leaves it behind until zone-refresh;
//   - the exporter's resolver is stubResolver, an in-process FAKE of a
//     recursive resolver (the bed runs no recursor): it forwards each
//     question to the Knot serving the longest matching zone, so no name
//     reaches the host's resolver.
//
// Each scenario has its own zone, so their alerts never mix.
const (
	zoneLag = "dnslag.example.test"
	zoneTXT = "dnstxt.example.test"
	zoneCAA = "dnscaa.example.test"
)

const parentZone = `$ORIGIN test.
$TTL 60
@        SOA ns.test. hostmaster.test. 1 3600 600 86400 60
@        NS  ns
ns       A   127.0.0.2
dnslag.example   NS  ns1.dnslag.example
dnslag.example   NS  ns2.dnslag.example
ns1.dnslag.example A 127.0.0.2
ns2.dnslag.example A 127.0.0.3
dnstxt.example   NS  ns1.dnstxt.example
dnstxt.example   NS  ns2.dnstxt.example
ns1.dnstxt.example A 127.0.0.2
ns2.dnstxt.example A 127.0.0.3
dnscaa.example   NS  ns1.dnscaa.example
ns1.dnscaa.example A 127.0.0.2
`

func childZone(zone string, secondary bool) string {
	s := fmt.Sprintf(`$ORIGIN %s.
$TTL 60
@               SOA ns1 hostmaster 2026112701 3600 600 86400 60
@               NS  ns1
ns1             A   127.0.0.2
_acme-challenge TXT "canary-e2e"
`, zone)
	if secondary {
		s += "@               NS  ns2\nns2             A   127.0.0.3\n"
	}
	return s
}

type dnsBed struct {
	parent, primary, secondary *testbed.Knot
	resolver                   string
}

func startDNSBed(t *testing.T) *dnsBed {
	t.Helper()
	d := &dnsBed{}
	d.parent = testbed.StartKnot(t, "127.0.0.2", []testbed.KnotZone{{Name: "test.", Text: parentZone}})
	d.primary = testbed.StartKnot(t, "127.0.0.2", []testbed.KnotZone{
		{Name: zoneLag + ".", Text: childZone(zoneLag, true)},
		{Name: zoneTXT + ".", Text: childZone(zoneTXT, true)},
		{Name: zoneCAA + ".", Text: childZone(zoneCAA, false)},
	})
	d.secondary = testbed.StartKnot(t, "127.0.0.3", []testbed.KnotZone{
		{Name: zoneLag + ".", Primary: d.primary.Addr},
		{Name: zoneTXT + ".", Primary: d.primary.Addr},
	})
	d.resolver = testbed.StartStubResolver(t, map[string]string{
		"test.": d.parent.Addr, zoneLag + ".": d.primary.Addr, zoneTXT + ".": d.primary.Addr, zoneCAA + ".": d.primary.Addr,
	})
	for _, z := range []string{zoneLag, zoneTXT} {
		if err := d.caughtUp(context.Background(), z); err != nil {
			t.Fatal(err)
		}
	}
	return d
}

// exporterConfig is the dns01 part of the exporter's config.
func (d *dnsBed) exporterConfig() string {
	var sb strings.Builder
	fmt.Fprintf(&sb, "dns01_defaults:\n  resolver: %s\n  query_timeout: 1s\n  min_interval: 5s\n  concurrency: 4\n  caa_identities: [letsencrypt.org]\ndns01:\n", d.resolver)
	for _, z := range []string{zoneLag, zoneTXT} {
		fmt.Fprintf(&sb, "  - domain: %s\n    caa: false\n    canary: canary-e2e\n    nameservers:\n      ns1.%s: %s\n      ns2.%s: %s\n", z, z, d.primary.Addr, z, d.secondary.Addr)
	}
	fmt.Fprintf(&sb, "  - domain: %s\n    caa: true\n    caa_identities: [letsencrypt.org]\n    nameservers:\n      ns1.%s: %s\n", zoneCAA, zoneCAA, d.primary.Addr)
	return sb.String()
}

// update sends a dynamic update to the primary only (knsupdate).
func (d *dnsBed) update(ctx context.Context, zone string, commands ...string) error {
	script := fmt.Sprintf("server %s %d\nzone %s.\norigin %s.\n%s\nsend\n", d.primary.IP, d.primary.Port, zone, zone, strings.Join(commands, "\n"))
	cmd := exec.CommandContext(ctx, "knsupdate")
	cmd.Stdin = strings.NewReader(script)
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("knsupdate %s: %w\n%s", zone, err, out)
	}
	return nil
}

// serial asks a Knot for the zone's SOA serial.
func serial(ctx context.Context, k *testbed.Knot, zone string) (uint32, error) {
	m := new(dns.Msg)
	m.SetQuestion(zone+".", dns.TypeSOA)
	c := &dns.Client{Timeout: 2 * time.Second}
	r, _, err := c.ExchangeContext(ctx, m, k.Addr)
	if err != nil {
		return 0, err
	}
	for _, rr := range r.Answer {
		if soa, ok := rr.(*dns.SOA); ok {
			return soa.Serial, nil
		}
	}
	return 0, fmt.Errorf("%s: no SOA for %s (rcode %s)", k.Addr, zone, dns.RcodeToString[r.Rcode])
}

// caughtUp tells the secondary to refresh zone and waits until it serves
// the primary's serial.
func (d *dnsBed) caughtUp(ctx context.Context, zone string) error {
	deadline := time.Now().Add(30 * time.Second)
	for {
		want, err := serial(ctx, d.primary, zone)
		if err == nil {
			got, err2 := serial(ctx, d.secondary, zone)
			if err2 == nil && got == want {
				return nil
			}
			err = err2
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("secondary %s did not catch up on %s: %w", d.secondary.Addr, zone, err)
		}
		out, rerr := exec.CommandContext(ctx, "knotc", "-s", d.secondary.Socket, "-t", "5", "zone-refresh", zone+".").CombinedOutput()
		if rerr != nil && time.Now().After(deadline.Add(-time.Second)) {
			return fmt.Errorf("knotc zone-refresh %s: %w %s", zone, rerr, out)
		}
		time.Sleep(500 * time.Millisecond)
	}
}

func dnsScenarios() []*scenario {
	return []*scenario{
		{
			ID: "knot-serial-lag", Cause: "3",
			What:    "the Knot secondary stops following the primary: an update on the primary, no transfer",
			Labels:  map[string]string{"zone": zoneLag},
			Alerts:  []string{"AcmeDnsSerialOutOfSync"},
			Timeout: 2 * time.Minute,
			Inject: func(ctx context.Context, b *bed) (time.Time, error) {
				return time.Now(), b.dns.update(ctx, zoneLag, fmt.Sprintf("update add marker-%d.%s. 60 A 127.0.0.9", time.Now().Unix(), zoneLag))
			},
			Revert: func(ctx context.Context, b *bed) error { return b.dns.caughtUp(ctx, zoneLag) },
		},
		{
			ID: "knot-txt-split", Cause: "3",
			What:   "the _acme-challenge TXT changed on the primary Knot only (as during a validation the secondary misses)",
			Labels: map[string]string{"domain": zoneTXT},
			Alerts: []string{"AcmeDnsTxtInconsistent"},
			// The update also moves the primary's serial ahead.
			Also:    []string{"AcmeDnsSerialOutOfSync"},
			Timeout: 2 * time.Minute,
			Inject: func(ctx context.Context, b *bed) (time.Time, error) {
				return time.Now(), b.dns.update(ctx, zoneTXT, fmt.Sprintf(`update add _acme-challenge.%s. 60 TXT "validation-token"`, zoneTXT))
			},
			Revert: func(ctx context.Context, b *bed) error {
				if err := b.dns.update(ctx, zoneTXT, fmt.Sprintf(`update delete _acme-challenge.%s. TXT "validation-token"`, zoneTXT)); err != nil {
					return err
				}
				return b.dns.caughtUp(ctx, zoneTXT)
			},
		},
		{
			ID: "caa-forbids", Cause: "3",
			What:    "a CAA record that names another CA added to the domain",
			Labels:  map[string]string{"domain": zoneCAA, "issuer": "letsencrypt.org"},
			Alerts:  []string{"AcmeCaaForbidsIssuance"},
			Timeout: 2 * time.Minute,
			Inject: func(ctx context.Context, b *bed) (time.Time, error) {
				return time.Now(), b.dns.update(ctx, zoneCAA, fmt.Sprintf(`update add %s. 60 CAA 0 issue "ca.example.net"`, zoneCAA))
			},
			Revert: func(ctx context.Context, b *bed) error {
				return b.dns.update(ctx, zoneCAA, fmt.Sprintf(`update delete %s. CAA`, zoneCAA))
			},
		},
	}
}
