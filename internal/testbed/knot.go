// Copyright 2026 The acme_exporter Authors
// SPDX-License-Identifier: Apache-2.0

package testbed

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// KnotZone is one zone a Knot instance serves.
type KnotZone struct {
	Name string // e.g. "example.test."
	// Text is the zone file of a primary zone; empty for a secondary.
	Text string
	// Primary is the ip:port a secondary transfers the zone from.
	Primary string
	// Sign enables Knot's automatic DNSSEC signing with RRSIGLifetime.
	Sign          bool
	RRSIGLifetime time.Duration // default 14 days (Knot's own default)
	// SemanticChecks off lets a primary serve a pre-signed zone whose
	// signatures already expired, exactly as written.
	NoSemanticChecks bool
}

// Knot is a running knotd bound to one loopback address and a random port.
type Knot struct {
	Addr   string // ip:port, UDP and TCP
	IP     string
	Port   int
	Dir    string
	Conf   string
	Socket string
	Proc   *Process
}

// StartKnot starts knotd on ip (127.0.0.2, 127.0.0.3, ...) at a random
// port with its own rundir, database and zone storage under a fresh
// directory, serving zones. Dynamic updates and transfers are allowed from
// loopback. Secondaries refresh only when told (knotc zone-refresh) or when
// the SOA refresh timer fires, and primaries send no NOTIFY, so a test
// decides when a secondary catches up. It stops by PID when the test ends.
func StartKnot(t testing.TB, ip string, zones []KnotZone) *Knot {
	t.Helper()
	knotd := Binary(t, "knotd")
	Binary(t, "knotc")
	dir := Dir(t)
	port := FreePort(t, ip)
	k := &Knot{IP: ip, Port: port, Addr: net.JoinHostPort(ip, strconv.Itoa(port)), Dir: dir}
	for _, d := range []string{"zones", "db", "run"} {
		if err := os.MkdirAll(filepath.Join(dir, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	k.Socket = filepath.Join(dir, "run", "knot.sock")
	var b strings.Builder
	fmt.Fprintf(&b, "server:\n  rundir: %q\n  listen: %s@%d\n", filepath.Join(dir, "run"), ip, port)
	fmt.Fprintf(&b, "log:\n  - target: stderr\n    any: info\n")
	fmt.Fprintf(&b, "database:\n  storage: %q\n", filepath.Join(dir, "db"))
	fmt.Fprintf(&b, "control:\n  listen: %q\n", k.Socket)
	b.WriteString("acl:\n  - id: local\n    address: 127.0.0.0/8\n    action: [update, transfer, notify]\n")
	var remotes []string
	for i, z := range zones {
		if z.Primary != "" {
			h, p, err := net.SplitHostPort(z.Primary)
			if err != nil {
				t.Fatal(err)
			}
			remotes = append(remotes, fmt.Sprintf("  - id: primary%d\n    address: %s@%s\n", i, h, p))
		}
	}
	if len(remotes) > 0 {
		b.WriteString("remote:\n" + strings.Join(remotes, ""))
	}
	var policies []string
	for i, z := range zones {
		if z.Sign {
			life := z.RRSIGLifetime
			if life == 0 {
				life = 14 * 24 * time.Hour
			}
			refresh := life / 2
			policies = append(policies, fmt.Sprintf("  - id: sign%d\n    algorithm: ecdsap256sha256\n    rrsig-lifetime: %ds\n    rrsig-refresh: %ds\n    rrsig-pre-refresh: 1s\n",
				i, int(life.Seconds()), int(refresh.Seconds())))
		}
	}
	if len(policies) > 0 {
		b.WriteString("policy:\n" + strings.Join(policies, ""))
	}
	fmt.Fprintf(&b, "template:\n  - id: default\n    storage: %q\n    file: \"%%s.zone\"\n    zonefile-sync: -1\n    zonefile-load: difference-no-serial\n    journal-content: all\n    acl: local\n",
		filepath.Join(dir, "zones"))
	b.WriteString("zone:\n")
	for i, z := range zones {
		fmt.Fprintf(&b, "  - domain: %s\n", z.Name)
		if z.Text != "" {
			name := strings.TrimSuffix(z.Name, ".") + ".zone"
			if err := os.WriteFile(filepath.Join(dir, "zones", name), []byte(z.Text), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		if z.Primary != "" {
			fmt.Fprintf(&b, "    master: primary%d\n", i)
		}
		if z.NoSemanticChecks {
			b.WriteString("    semantic-checks: off\n")
		} else {
			b.WriteString("    semantic-checks: on\n")
		}
		if z.Sign {
			fmt.Fprintf(&b, "    dnssec-signing: on\n    dnssec-policy: sign%d\n", i)
		}
	}
	k.Conf = filepath.Join(dir, "knot.conf")
	if err := os.WriteFile(k.Conf, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	Run(t, []string{Binary(t, "knotc"), "-c", k.Conf, "conf-check"})
	k.Proc = Start(t, dir, "knotd-"+ip, []string{knotd, "-c", k.Conf})
	// Wait until the control socket answers and every zone is loaded.
	// (WaitTCP reads the process state the Wait goroutine writes, which
	// the race detector flags, so this polls the socket itself.)
	deadline := time.Now().Add(20 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", k.Addr, 200*time.Millisecond)
		if err == nil {
			_ = c.Close()
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("knot on %s did not start listening: %v\nlog:\n%s", k.Addr, err, k.Proc.Logs())
		}
		time.Sleep(20 * time.Millisecond)
	}
	for {
		out, err := k.control("zone-status")
		if err == nil && !strings.Contains(out, "empty") && strings.Count(out, "serial:") >= len(zones) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("knot on %s did not load its zones: %v\n%s\nlog:\n%s", k.Addr, err, out, k.Proc.Logs())
		}
		time.Sleep(50 * time.Millisecond)
	}
	return k
}

func (k *Knot) control(args ...string) (string, error) {
	argv := append([]string{"knotc", "-s", k.Socket, "-t", "5"}, args...)
	return runOut(argv)
}

// Control runs knotc against this instance and fails the test on error.
func (k *Knot) Control(t testing.TB, args ...string) string {
	t.Helper()
	argv := append([]string{Binary(t, "knotc"), "-s", k.Socket, "-t", "5"}, args...)
	return Run(t, argv)
}

// Update sends a dynamic update (RFC 2136) for zone to this instance only,
// with knsupdate. Each command is a knsupdate line such as
// `update add _acme-challenge.example.test. 60 TXT "token"`.
func (k *Knot) Update(t testing.TB, zone string, commands ...string) {
	t.Helper()
	script := fmt.Sprintf("server %s %d\nzone %s\norigin %s\n%s\nsend\n", k.IP, k.Port, zone, zone, strings.Join(commands, "\n"))
	f := filepath.Join(k.Dir, fmt.Sprintf("update-%d.txt", time.Now().UnixNano()))
	if err := os.WriteFile(f, []byte(script), 0o644); err != nil {
		t.Fatal(err)
	}
	Run(t, []string{Binary(t, "knsupdate"), f})
}

// runOut runs a command and returns its combined output and error.
func runOut(argv []string) (string, error) {
	cmd := exec.Command(argv[0], argv[1:]...)
	out, err := cmd.CombinedOutput()
	return string(out), err
}
