// Copyright 2026 The acme_exporter Authors
// SPDX-License-Identifier: Apache-2.0

package testbed

import (
	"strings"
	"testing"
)

const knotTestZone = `$ORIGIN example.test.
$TTL 60
@   SOA ns1 hostmaster 2026112601 3600 600 86400 60
@   NS  ns1
@   NS  ns2
ns1 A   127.0.0.2
ns2 A   127.0.0.3
_acme-challenge TXT "token-old"
`

func TestKnotPrimarySecondary(t *testing.T) {
	p := StartKnot(t, "127.0.0.2", []KnotZone{{Name: "example.test.", Text: knotTestZone}})
	s := StartKnot(t, "127.0.0.3", []KnotZone{{Name: "example.test.", Primary: p.Addr}})
	if out := s.Control(t, "zone-status", "example.test."); !strings.Contains(out, "serial: 2026112601") {
		t.Fatalf("secondary did not transfer: %s", out)
	}
	p.Update(t, "example.test.", `update delete _acme-challenge TXT`, `update add _acme-challenge 60 TXT "token-new"`)
	if out := p.Control(t, "zone-status", "example.test."); !strings.Contains(out, "serial: 2026112602") {
		t.Fatalf("primary serial not bumped: %s", out)
	}
	if out := s.Control(t, "zone-status", "example.test."); !strings.Contains(out, "serial: 2026112601") {
		t.Fatalf("secondary should still be behind: %s", out)
	}
}
