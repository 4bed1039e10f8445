// Copyright 2026 The acme_exporter Authors
// SPDX-License-Identifier: Apache-2.0

package endpoint

import (
	"bufio"
	"bytes"
	"crypto/tls"
	"fmt"
	"io"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/acme-exporter/acme_exporter/internal/scrapetest"
	"github.com/acme-exporter/acme_exporter/internal/testcerts"
	"github.com/acme-exporter/acme_exporter/scrape"
)

// fakeStartTLSServer is an in-process FAKE of a mail/FTP/database server:
// it speaks only the plaintext prologue of proto (no Debian server for
// these is cheap enough to start per test), then a real TLS handshake.
func fakeStartTLSServer(t *testing.T, proto string, offer bool, cert tls.Certificate) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = l.Close() })
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			go func() {
				defer func() { _ = c.Close() }()
				_ = c.SetDeadline(time.Now().Add(5 * time.Second))
				if fakePrologue(c, proto, offer) {
					_ = tls.Server(c, &tls.Config{Certificates: []tls.Certificate{cert}}).Handshake()
				}
			}()
		}
	}()
	return l.Addr().String()
}

func fakePrologue(c net.Conn, proto string, offer bool) bool {
	r := bufio.NewReader(c)
	line := func() string { s, _ := r.ReadString('\n'); return strings.TrimSpace(s) }
	w := func(s string) { _, _ = io.WriteString(c, s) }
	switch proto {
	case "smtp":
		w("220-mail.example.test ESMTP\r\n220 ready\r\n")
		if !strings.HasPrefix(line(), "EHLO ") {
			return false
		}
		if offer {
			w("250-mail.example.test\r\n250-PIPELINING\r\n250-STARTTLS\r\n250 8BITMIME\r\n")
		} else {
			w("250-mail.example.test\r\n250 8BITMIME\r\n")
			return false
		}
		if line() != "STARTTLS" {
			return false
		}
		w("220 2.0.0 Ready to start TLS\r\n")
	case "imap":
		w("* OK [CAPABILITY IMAP4rev1 STARTTLS] ready\r\n")
		if line() != "a1 STARTTLS" {
			return false
		}
		if !offer {
			w("a1 BAD unknown command\r\n")
			return false
		}
		w("* informational\r\na1 OK Begin TLS negotiation now\r\n")
	case "pop3":
		w("+OK POP3 ready\r\n")
		if line() != "STLS" {
			return false
		}
		if !offer {
			w("-ERR unknown command\r\n")
			return false
		}
		w("+OK Begin TLS negotiation\r\n")
	case "ftp":
		w("220-Welcome\r\n free text inside a multi-line reply\r\n220 ready\r\n")
		if line() != "AUTH TLS" {
			return false
		}
		if !offer {
			w("502 not implemented\r\n")
			return false
		}
		w("234 AUTH TLS successful\r\n")
	case "postgres":
		b := make([]byte, 8)
		if _, err := io.ReadFull(r, b); err != nil || !bytes.Equal(b, postgresSSLRequest) {
			return false
		}
		if !offer {
			w("N")
			return false
		}
		w("S")
	case "ldap":
		b := make([]byte, len(ldapStartTLSRequest))
		if _, err := io.ReadFull(r, b); err != nil || !bytes.Equal(b, ldapStartTLSRequest) {
			return false
		}
		code := byte(0)
		if !offer {
			code = 53
		}
		// LDAPMessage{1, ExtendedResponse{resultCode, "", ""}}
		w(string([]byte{0x30, 0x0c, 0x02, 0x01, 0x01, 0x78, 0x07, 0x0a, 0x01, code, 0x04, 0x00, 0x04, 0x00}))
		return offer
	}
	return true
}

func TestEndpointStartTLSFakes(t *testing.T) {
	ca := testcerts.NewChain(t, "StartTLS Test")
	leaf := ca.Leaf(t, testcerts.Options{DNSNames: []string{"mail.example.test"}, Serial: 2001})
	cert := tls.Certificate{Certificate: [][]byte{leaf.Cert.Raw, ca.Intermediate.Cert.Raw}, PrivateKey: leaf.Key}
	for _, proto := range []string{"smtp", "imap", "pop3", "ftp", "postgres", "ldap"} {
		for _, offer := range []bool{true, false} {
			t.Run(fmt.Sprintf("%s_offered_%v", proto, offer), func(t *testing.T) {
				addr := fakeStartTLSServer(t, proto, offer, cert)
				yml := fmt.Sprintf("endpoints:\n  - target: %s\n    server_name: mail.example.test\n    starttls: %s\n", addr, proto)
				env := scrapetest.Env(t, yml, testcerts.Epoch, ca.Pool())
				h := scrapetest.NewHarness(env, map[string]scrape.Collector{endpointCheck: newEndpointCollector(env.Logger)})
				want := fmt.Sprintf(`
acme_endpoint_up{address="%[1]s",name="mail.example.test",target="%[1]s"} 1
acme_endpoint_verified{address="%[1]s",name="mail.example.test",target="%[1]s"} 1
acme_certificate_info{address="%[1]s",dns_names="mail.example.test",issuer="StartTLS Test Intermediate",key_type="ecdsa_p256",must_staple="false",name="mail.example.test",serial="07d1",source="endpoint",target="%[1]s"} 1
acme_probe_success{check="endpoint",target="%[1]s"} 1
`, addr)
				if !offer {
					want = fmt.Sprintf(`
acme_endpoint_up{address="%[1]s",name="mail.example.test",target="%[1]s"} 0
acme_probe_success{check="endpoint",target="%[1]s"} 0
acme_probe_failure_info{check="endpoint",reason="starttls_not_offered",target="%[1]s"} 1
`, addr)
				}
				scrapetest.Compare(t, h, want, "acme_endpoint_up", "acme_endpoint_verified", "acme_certificate_info",
					"acme_probe_success", "acme_probe_failure_info")
			})
		}
	}
}

func FuzzCodeReply(f *testing.F) {
	f.Add([]byte("220-a\r\n220 b\r\n"))
	f.Add([]byte("250-x\r\n free\r\n250 STARTTLS\r\n"))
	f.Add([]byte("2\r\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		if len(b) > 1<<16 {
			return
		}
		_, _, _ = readCodeReply(bufio.NewReaderSize(bytes.NewReader(b), 512))
	})
}

func FuzzLDAPExtendedResponse(f *testing.F) {
	f.Add([]byte{0x30, 0x0c, 0x02, 0x01, 0x01, 0x78, 0x07, 0x0a, 0x01, 0x00, 0x04, 0x00, 0x04, 0x00})
	f.Add([]byte{0x30, 0x82, 0x00, 0x03, 0x02, 0x01, 0x01})
	f.Add(ldapStartTLSRequest)
	f.Fuzz(func(t *testing.T, b []byte) {
		if msg, err := readBER(bytes.NewReader(b), maxLDAPResponse); err == nil {
			_, _ = parseLDAPExtendedResponse(msg)
		}
		_, _ = parseLDAPExtendedResponse(b)
	})
}
