// Copyright 2026 The acme_exporter Authors
// SPDX-License-Identifier: Apache-2.0

package endpoint

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"

	"github.com/acme-exporter/acme_exporter/scrape"
)

// Limits on what a STARTTLS server may send before the upgrade.
const (
	maxStartTLSLine  = 4096
	maxStartTLSLines = 64
	maxLDAPResponse  = 4096
)

// starttlsHelo is the name the exporter gives itself in EHLO.
const starttlsHelo = "acme-exporter.invalid"

// startTLS speaks proto's plaintext prologue on conn up to the point where
// the TLS handshake starts. It never sends credentials.
func startTLS(conn net.Conn, proto, serverName string) error {
	// The server sends nothing after its "go ahead" until our
	// ClientHello, so a buffered reader cannot swallow TLS bytes.
	r := bufio.NewReaderSize(io.LimitReader(conn, maxStartTLSLine*maxStartTLSLines), 512)
	switch proto {
	case "smtp":
		return smtpStartTLS(conn, r)
	case "imap":
		return imapStartTLS(conn, r)
	case "pop3":
		return pop3StartTLS(conn, r)
	case "ftp":
		return ftpStartTLS(conn, r)
	case "postgres":
		return postgresStartTLS(conn)
	case "ldap":
		return ldapStartTLS(conn)
	}
	return scrape.Fail("starttls_failed", fmt.Errorf("unknown STARTTLS protocol %q", proto))
}

// readLine reads one CRLF- or LF-terminated line, bounded.
func readLine(r *bufio.Reader) (string, error) {
	var b []byte
	for {
		chunk, isPrefix, err := r.ReadLine()
		if err != nil {
			return "", scrape.Fail("starttls_failed", fmt.Errorf("reading reply: %w", err))
		}
		b = append(b, chunk...)
		if len(b) > maxStartTLSLine {
			return "", scrape.Fail("starttls_failed", errors.New("reply line too long"))
		}
		if !isPrefix {
			return string(b), nil
		}
	}
}

// readCodeReply reads a multi-line SMTP/FTP reply ("250-..." lines ending
// with "250 ...") and returns its code and lines.
func readCodeReply(r *bufio.Reader) (string, []string, error) {
	var lines []string
	for range maxStartTLSLines {
		line, err := readLine(r)
		if err != nil {
			return "", nil, err
		}
		code, last, text, ok := parseCodeLine(line)
		if !ok {
			// FTP allows free text inside a multi-line reply.
			if len(lines) > 0 {
				lines = append(lines, line)
				continue
			}
			return "", nil, scrape.Fail("starttls_failed", fmt.Errorf("malformed reply %q", truncate(line)))
		}
		lines = append(lines, text)
		if last {
			return code, lines, nil
		}
	}
	return "", nil, scrape.Fail("starttls_failed", errors.New("reply has too many lines"))
}

// parseCodeLine splits "250-text" or "250 text".
func parseCodeLine(line string) (code string, last bool, text string, ok bool) {
	if len(line) < 3 {
		return "", false, "", false
	}
	for i := 0; i < 3; i++ {
		if line[i] < '0' || line[i] > '9' {
			return "", false, "", false
		}
	}
	code = line[:3]
	if len(line) == 3 {
		return code, true, "", true
	}
	switch line[3] {
	case ' ':
		return code, true, line[4:], true
	case '-':
		return code, false, line[4:], true
	}
	return "", false, "", false
}

func truncate(s string) string {
	if len(s) > 80 {
		return s[:80] + "..."
	}
	return s
}

func send(conn net.Conn, s string) error {
	if _, err := io.WriteString(conn, s); err != nil {
		return scrape.Fail("starttls_failed", err)
	}
	return nil
}

func smtpStartTLS(conn net.Conn, r *bufio.Reader) error {
	code, _, err := readCodeReply(r)
	if err != nil {
		return err
	}
	if code != "220" {
		return scrape.Fail("starttls_failed", fmt.Errorf("SMTP greeting %s", code))
	}
	if err := send(conn, "EHLO "+starttlsHelo+"\r\n"); err != nil {
		return err
	}
	code, lines, err := readCodeReply(r)
	if err != nil {
		return err
	}
	if code != "250" {
		return scrape.Fail("starttls_failed", fmt.Errorf("SMTP EHLO answered %s", code))
	}
	offered := false
	for _, l := range lines {
		if strings.EqualFold(strings.TrimSpace(l), "STARTTLS") {
			offered = true
		}
	}
	if !offered {
		return scrape.Fail("starttls_not_offered", errors.New("SMTP server does not offer STARTTLS"))
	}
	if err := send(conn, "STARTTLS\r\n"); err != nil {
		return err
	}
	code, _, err = readCodeReply(r)
	if err != nil {
		return err
	}
	if code != "220" {
		return scrape.Fail("starttls_refused", fmt.Errorf("SMTP STARTTLS answered %s", code))
	}
	return nil
}

func ftpStartTLS(conn net.Conn, r *bufio.Reader) error {
	code, _, err := readCodeReply(r)
	if err != nil {
		return err
	}
	if code != "220" {
		return scrape.Fail("starttls_failed", fmt.Errorf("FTP greeting %s", code))
	}
	if err := send(conn, "AUTH TLS\r\n"); err != nil {
		return err
	}
	code, _, err = readCodeReply(r)
	if err != nil {
		return err
	}
	switch code {
	case "234":
		return nil
	case "500", "502", "504", "530", "534":
		return scrape.Fail("starttls_not_offered", fmt.Errorf("FTP AUTH TLS answered %s", code))
	}
	return scrape.Fail("starttls_refused", fmt.Errorf("FTP AUTH TLS answered %s", code))
}

func imapStartTLS(conn net.Conn, r *bufio.Reader) error {
	line, err := readLine(r)
	if err != nil {
		return err
	}
	if !strings.HasPrefix(line, "* OK") {
		return scrape.Fail("starttls_failed", fmt.Errorf("IMAP greeting %q", truncate(line)))
	}
	if err := send(conn, "a1 STARTTLS\r\n"); err != nil {
		return err
	}
	for range maxStartTLSLines {
		line, err := readLine(r)
		if err != nil {
			return err
		}
		if strings.HasPrefix(line, "* ") {
			continue // untagged data
		}
		switch {
		case strings.HasPrefix(line, "a1 OK"):
			return nil
		case strings.HasPrefix(line, "a1 BAD"):
			return scrape.Fail("starttls_not_offered", fmt.Errorf("IMAP STARTTLS: %q", truncate(line)))
		}
		return scrape.Fail("starttls_refused", fmt.Errorf("IMAP STARTTLS: %q", truncate(line)))
	}
	return scrape.Fail("starttls_failed", errors.New("IMAP reply has too many lines"))
}

func pop3StartTLS(conn net.Conn, r *bufio.Reader) error {
	line, err := readLine(r)
	if err != nil {
		return err
	}
	if !strings.HasPrefix(line, "+OK") {
		return scrape.Fail("starttls_failed", fmt.Errorf("POP3 greeting %q", truncate(line)))
	}
	if err := send(conn, "STLS\r\n"); err != nil {
		return err
	}
	line, err = readLine(r)
	if err != nil {
		return err
	}
	if !strings.HasPrefix(line, "+OK") {
		return scrape.Fail("starttls_not_offered", fmt.Errorf("POP3 STLS: %q", truncate(line)))
	}
	return nil
}

// postgresSSLRequest is the 8-byte SSLRequest message (length 8, code
// 80877103).
var postgresSSLRequest = []byte{0, 0, 0, 8, 0x04, 0xd2, 0x16, 0x2f}

func postgresStartTLS(conn net.Conn) error {
	if _, err := conn.Write(postgresSSLRequest); err != nil {
		return scrape.Fail("starttls_failed", err)
	}
	var b [1]byte
	if _, err := io.ReadFull(conn, b[:]); err != nil {
		return scrape.Fail("starttls_failed", err)
	}
	switch b[0] {
	case 'S':
		return nil
	case 'N':
		return scrape.Fail("starttls_not_offered", errors.New("PostgreSQL server does not accept SSL"))
	}
	return scrape.Fail("starttls_failed", fmt.Errorf("PostgreSQL answered %q to SSLRequest", b[0]))
}

// ldapStartTLSOID names the StartTLS extended operation (RFC 4511 4.14).
const ldapStartTLSOID = "1.3.6.1.4.1.1466.20037"

// ldapStartTLSRequest is LDAPMessage{messageID 1, ExtendedRequest{[0] OID}}.
var ldapStartTLSRequest = func() []byte {
	oid := append([]byte{0x80, byte(len(ldapStartTLSOID))}, ldapStartTLSOID...)
	ext := append([]byte{0x77, byte(len(oid))}, oid...)
	body := append([]byte{0x02, 0x01, 0x01}, ext...)
	return append([]byte{0x30, byte(len(body))}, body...)
}()

func ldapStartTLS(conn net.Conn) error {
	if _, err := conn.Write(ldapStartTLSRequest); err != nil {
		return scrape.Fail("starttls_failed", err)
	}
	msg, err := readBER(conn, maxLDAPResponse)
	if err != nil {
		return scrape.Fail("starttls_failed", err)
	}
	code, err := parseLDAPExtendedResponse(msg)
	if err != nil {
		return scrape.Fail("starttls_failed", err)
	}
	switch code {
	case 0:
		return nil
	case 2, 53: // protocolError, unwillingToPerform
		return scrape.Fail("starttls_not_offered", fmt.Errorf("LDAP StartTLS result code %d", code))
	}
	return scrape.Fail("starttls_refused", fmt.Errorf("LDAP StartTLS result code %d", code))
}

// readBER reads one BER element (definite length) of at most max bytes.
func readBER(r io.Reader, max int) ([]byte, error) {
	hdr := make([]byte, 2)
	if _, err := io.ReadFull(r, hdr); err != nil {
		return nil, err
	}
	n := int(hdr[1])
	if hdr[1]&0x80 != 0 {
		k := int(hdr[1] & 0x7f)
		if k == 0 || k > 3 {
			return nil, fmt.Errorf("unsupported BER length form 0x%02x", hdr[1])
		}
		lb := make([]byte, k)
		if _, err := io.ReadFull(r, lb); err != nil {
			return nil, err
		}
		hdr = append(hdr, lb...)
		n = 0
		for _, b := range lb {
			n = n<<8 | int(b)
		}
	}
	if n > max {
		return nil, fmt.Errorf("BER element of %d bytes exceeds %d", n, max)
	}
	body := make([]byte, n)
	if _, err := io.ReadFull(r, body); err != nil {
		return nil, err
	}
	return append(hdr, body...), nil
}

// berElem splits the first TLV off b.
func berElem(b []byte) (tag byte, val, rest []byte, err error) {
	if len(b) < 2 {
		return 0, nil, nil, errors.New("short BER element")
	}
	tag = b[0]
	n := int(b[1])
	off := 2
	if b[1]&0x80 != 0 {
		k := int(b[1] & 0x7f)
		if k == 0 || k > 3 || len(b) < 2+k {
			return 0, nil, nil, errors.New("bad BER length")
		}
		n = 0
		for _, c := range b[2 : 2+k] {
			n = n<<8 | int(c)
		}
		off += k
	}
	if n < 0 || len(b)-off < n {
		return 0, nil, nil, errors.New("BER length beyond data")
	}
	return tag, b[off : off+n], b[off+n:], nil
}

// parseLDAPExtendedResponse returns the resultCode of an LDAPMessage
// holding an ExtendedResponse ([APPLICATION 24]).
func parseLDAPExtendedResponse(msg []byte) (int, error) {
	tag, seq, _, err := berElem(msg)
	if err != nil {
		return 0, err
	}
	if tag != 0x30 {
		return 0, fmt.Errorf("LDAPMessage tag 0x%02x", tag)
	}
	tag, _, rest, err := berElem(seq) // messageID
	if err != nil || tag != 0x02 {
		return 0, errors.New("LDAPMessage without messageID")
	}
	tag, op, _, err := berElem(rest)
	if err != nil {
		return 0, err
	}
	if tag != 0x78 {
		return 0, fmt.Errorf("expected ExtendedResponse, got tag 0x%02x", tag)
	}
	tag, code, _, err := berElem(op)
	if err != nil || tag != 0x0a || len(code) == 0 || len(code) > 4 {
		return 0, errors.New("ExtendedResponse without resultCode")
	}
	var v [4]byte
	copy(v[4-len(code):], code)
	return int(binary.BigEndian.Uint32(v[:])), nil
}
