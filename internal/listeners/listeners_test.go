// Copyright 2026 The acme_exporter Authors
// SPDX-License-Identifier: Apache-2.0

package listeners

import (
	"fmt"
	"net"
	"net/netip"
	"os"
	"slices"
	"strings"
	"syscall"
	"testing"
)

func FuzzParseProcNetTCP(f *testing.F) {
	for _, p := range []string{"testdata/proc-fixture/net/tcp", "testdata/proc-fixture/net/tcp6"} {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte("0: 0100007F:zz"))
	f.Fuzz(func(t *testing.T, b []byte) {
		if len(b) > 1<<16 {
			return
		}
		_, _ = ParseProcNetTCP(b)
	})
}

func FuzzParseInetDiagMsg(f *testing.F) {
	f.Add(make([]byte, 72))
	f.Add([]byte{2, 10, 0, 0})
	v4 := make([]byte, 72)
	v4[0], v4[1] = syscall.AF_INET, tcpListen
	f.Add(v4)
	f.Fuzz(func(t *testing.T, b []byte) {
		d, ok := parseInetDiagMsg(b)
		if !ok && d != (diagSocket{}) {
			t.Fatal("values without ok")
		}
		if ok && (len(b) < inetDiagMsgLen || !d.Local.IsValid()) {
			t.Fatalf("ok with %d bytes, address %v", len(b), d.Local)
		}
	})
}

// The host's listeners come from sock_diag; they must be the ones
// /proc/net/tcp{,6} lists (the other way to read them, kept for fixture
// roots and kernels without sock_diag).
func TestListenersSockDiagMatchesProcNet(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = l.Close() }()
	l6, err := net.Listen("tcp", "[::1]:0")
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = l6.Close() }()
	ds, err := listenSockets()
	if err != nil {
		t.Fatalf("sock_diag: %v", err)
	}
	ps, err := procListeners("/proc")
	if err != nil {
		t.Fatal(err)
	}
	key := func(s procSocket) string { return fmt.Sprintf("%v/%d", s.Local, s.Inode) }
	var fromDiag, fromProc []string
	for _, d := range ds {
		fromDiag = append(fromDiag, key(d.procSocket))
	}
	for _, p := range ps {
		if p.State == tcpListen {
			fromProc = append(fromProc, key(p))
		}
	}
	slices.Sort(fromDiag)
	slices.Sort(fromProc)
	// Other processes may open or close listeners in between: the test's
	// own two must be in both, and most of the rest too.
	for _, a := range []net.Addr{l.Addr(), l6.Addr()} {
		ap := netip.MustParseAddrPort(a.String())
		found := 0
		for _, set := range [][]string{fromDiag, fromProc} {
			for _, k := range set {
				if strings.HasPrefix(k, ap.String()+"/") {
					found++
					break
				}
			}
		}
		if found != 2 {
			t.Errorf("%v: in %d of the two views\nsock_diag: %v\n/proc/net: %v", ap, found, fromDiag, fromProc)
		}
	}
	if !slices.Equal(fromDiag, fromProc) {
		t.Logf("views differ (sockets opened or closed meanwhile?)\nsock_diag: %v\n/proc/net: %v", fromDiag, fromProc)
	}
}
