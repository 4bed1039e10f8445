// Copyright 2026 The acme_exporter Authors
// SPDX-License-Identifier: Apache-2.0

// Package acmehttp is a minimal, read-only ACME HTTP client: it fetches and
// validates a directory (RFC 8555 §7.1.1), asks newNonce for a Replay-Nonce
// with HEAD (§7.2), and reads renewalInfo (RFC 9773) with Retry-After
// clamping. It never POSTs, never signs and never creates anything at the CA.
// Every body is size-limited; redirects are followed a bounded number of
// times through the same dialer (so a /probe guard checks every hop).
package acmehttp

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/asn1"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/acme-exporter/acme_exporter/internal/failure"
	"github.com/acme-exporter/acme_exporter/internal/httpclient"
)

// Limits.
const (
	// MaxDirectoryBody bounds a directory document (Let's Encrypt's is ~1 KiB).
	MaxDirectoryBody = 64 << 10
	// MaxRenewalInfoBody bounds a renewalInfo object (a few hundred bytes).
	MaxRenewalInfoBody = 16 << 10
	// MaxRedirects bounds the redirect hops followed.
	MaxRedirects = 5
	// RetryAfterMin and RetryAfterMax clamp renewalInfo's Retry-After as
	// RFC 9773 §4.3 suggests (less than a minute → a minute, more than a
	// day → a day).
	RetryAfterMin = time.Minute
	RetryAfterMax = 24 * time.Hour
	// RetryAfterLongTerm is the next poll after a long-term error (missing
	// or invalid Retry-After, invalid object, non-5xx HTTP error).
	RetryAfterLongTerm = 6 * time.Hour
)

// fail is the one reason-carrying error (package failure), which callers
// turn into a failure label; Status and Problem say what a server answered.
func fail(reason string, err error) *failure.Error { return failure.New(reason, err) }

// Options configure a Client.
type Options struct {
	// Roots verify the server's TLS certificate; nil is the system pool.
	Roots *x509.CertPool
	// Dialer makes every connection (a /probe guard's Control goes here);
	// nil is a plain net.Dialer with a 10 s connect timeout.
	Dialer *net.Dialer
	// Address, when set, is the host:port dialled instead of the URL's
	// host (the name is kept for SNI and Host); redirects to other hosts
	// are dialled normally.
	Address string
	// OverrideHost is the host:port of the URL whose connections go to
	// Address.
	OverrideHost string
	// Resolver, when set, is a DNS server ip:port used instead of the
	// host's resolver.
	Resolver string
}

// Client is safe for concurrent use.
type Client struct {
	HTTP *http.Client
}

// New builds a client. Timeouts come from the request contexts.
func New(o Options) *Client {
	tr := httpclient.Transport(httpclient.Options{
		Roots: o.Roots, Dialer: o.Dialer, Address: o.Address, PinHost: o.OverrideHost, Resolver: o.Resolver,
		TLSHandshakeTimeout: 10 * time.Second, ResponseHeaderTimeout: 20 * time.Second,
		KeepAlive: true, HTTP2: true,
	})
	return &Client{HTTP: &http.Client{
		Transport: tr,
		CheckRedirect: func(req *http.Request, via []*http.Request) error {
			if len(via) > MaxRedirects {
				return fail("too_many_redirects", fmt.Errorf("stopped after %d redirects", MaxRedirects))
			}
			if req.URL.Scheme != "https" && via[0].URL.Scheme == "https" {
				return fail("insecure_redirect", fmt.Errorf("redirect from https to %s", req.URL.Scheme))
			}
			return nil
		},
	}}
}

// HostPort returns the URL's host with its default port.
func HostPort(u *url.URL) string {
	if u.Port() != "" {
		return u.Host
	}
	if u.Scheme == "http" {
		return net.JoinHostPort(u.Hostname(), "80")
	}
	return net.JoinHostPort(u.Hostname(), "443")
}

// Response is what a request returned besides its body.
type Response struct {
	Status   int
	Header   http.Header
	Body     []byte
	TLS      *tls.ConnectionState
	Start    time.Time // local time the request was sent (from now())
	End      time.Time // local time the headers arrived (from now())
	Duration time.Duration
}

// do sends one request; now is the (injectable) clock for Start/End.
func (c *Client) do(ctx context.Context, method, rawURL string, limit int64, now func() time.Time) (*Response, error) {
	req, err := http.NewRequestWithContext(ctx, method, rawURL, nil)
	if err != nil {
		return nil, fail("bad_url", err)
	}
	req.Header.Set("User-Agent", httpclient.UserAgent)
	req.Header.Set("Accept", "application/json")
	start, mono := now(), time.Now()
	resp, err := c.HTTP.Do(req)
	if err != nil {
		return nil, classify(ctx, err)
	}
	defer resp.Body.Close()
	r := &Response{Status: resp.StatusCode, Header: resp.Header, TLS: resp.TLS, Start: start,
		End: now(), Duration: time.Since(mono)}
	if method == http.MethodHead {
		return r, nil
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, limit+1))
	if err != nil {
		return r, classify(ctx, err)
	}
	if int64(len(body)) > limit {
		return r, fail("body_too_large", fmt.Errorf("%s: body larger than %d bytes", rawURL, limit))
	}
	r.Body = body
	return r, nil
}

// classify maps a transport error to a bounded reason.
func classify(ctx context.Context, err error) error {
	var e *failure.Error
	if errors.As(err, &e) {
		return e
	}
	var dnsErr *net.DNSError
	var certErr *tls.CertificateVerificationError
	var unknownAuth x509.UnknownAuthorityError
	var invalid x509.CertificateInvalidError
	var hostErr x509.HostnameError
	var recordErr tls.RecordHeaderError
	var opErr *net.OpError
	switch {
	case errors.Is(err, context.DeadlineExceeded) || ctx.Err() != nil:
		return fail("timeout", err)
	case errors.As(err, &certErr), errors.As(err, &unknownAuth), errors.As(err, &invalid), errors.As(err, &hostErr):
		return fail("tls_verify_failed", err)
	case errors.As(err, &recordErr):
		return fail("tls_error", err)
	case errors.As(err, &dnsErr):
		return fail("dns_error", err)
	case errors.As(err, &opErr) && opErr.Op == "dial":
		var ne net.Error
		if errors.As(err, &ne) && ne.Timeout() {
			return fail("timeout", err)
		}
		if strings.Contains(err.Error(), "refused by module policy") {
			return fail("refused", err)
		}
		return fail("connection_failed", err)
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return fail("timeout", err)
	}
	return fail("connection_failed", err)
}

// problemOf reads an RFC 7807 problem document's type, if the body is one.
func problemOf(body []byte) string {
	var p struct {
		Type string `json:"type"`
	}
	if json.Unmarshal(body, &p) != nil {
		return ""
	}
	return strings.TrimPrefix(p.Type, "urn:ietf:params:acme:error:")
}

func statusError(r *Response, what string) *failure.Error {
	e := fail("http_status", fmt.Errorf("%s answered HTTP %d", what, r.Status))
	e.Status = r.Status
	e.Problem = problemOf(r.Body)
	if e.Problem != "" {
		e.Err = fmt.Errorf("%s answered HTTP %d (%s)", what, r.Status, e.Problem)
	}
	return e
}

// Directory is a validated ACME directory.
type Directory struct {
	NewNonce    string `json:"newNonce"`
	NewAccount  string `json:"newAccount"`
	NewOrder    string `json:"newOrder"`
	NewAuthz    string `json:"newAuthz,omitempty"`
	RevokeCert  string `json:"revokeCert"`
	KeyChange   string `json:"keyChange"`
	RenewalInfo string `json:"renewalInfo,omitempty"`
	Meta        Meta   `json:"meta"`
}

// Meta is the directory's meta object.
type Meta struct {
	TermsOfService          string            `json:"termsOfService"`
	Website                 string            `json:"website"`
	CAAIdentities           []string          `json:"caaIdentities"`
	ExternalAccountRequired bool              `json:"externalAccountRequired"`
	Profiles                map[string]string `json:"profiles"`
}

// ParseDirectory decodes and validates a directory document: the
// resources RFC 8555 §7.1.1 requires (newNonce, newAccount, newOrder,
// revokeCert, keyChange) must be absolute http(s) URLs; renewalInfo, when
// present, too.
func ParseDirectory(body []byte) (*Directory, error) {
	var d Directory
	if err := json.Unmarshal(body, &d); err != nil {
		return nil, fail("bad_json", err)
	}
	for _, f := range []struct{ name, v string }{
		{"newNonce", d.NewNonce}, {"newAccount", d.NewAccount}, {"newOrder", d.NewOrder},
		{"revokeCert", d.RevokeCert}, {"keyChange", d.KeyChange},
	} {
		if f.v == "" {
			return nil, fail("missing_field", fmt.Errorf("directory has no %s", f.name))
		}
		if err := checkURL(f.v); err != nil {
			return nil, fail("invalid_field", fmt.Errorf("directory %s: %w", f.name, err))
		}
	}
	if d.RenewalInfo != "" {
		if err := checkURL(d.RenewalInfo); err != nil {
			return nil, fail("invalid_field", fmt.Errorf("directory renewalInfo: %w", err))
		}
	}
	return &d, nil
}

func checkURL(s string) error {
	u, err := url.Parse(s)
	if err != nil {
		return err
	}
	if (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return fmt.Errorf("%q is not an absolute http(s) URL", s)
	}
	return nil
}

// GetDirectory fetches and validates the directory at rawURL.
func (c *Client) GetDirectory(ctx context.Context, rawURL string, now func() time.Time) (*Directory, *Response, error) {
	r, err := c.do(ctx, http.MethodGet, rawURL, MaxDirectoryBody, now)
	if err != nil {
		return nil, r, err
	}
	if r.Status != http.StatusOK {
		return nil, r, statusError(r, "directory")
	}
	d, err := ParseDirectory(r.Body)
	return d, r, err
}

// HeadNonce sends HEAD to newNonce and checks that a Replay-Nonce came back
// (RFC 8555 §7.2: 200 for HEAD; a nonce is base64url, §6.5.1).
func (c *Client) HeadNonce(ctx context.Context, nonceURL string, now func() time.Time) (*Response, error) {
	r, err := c.do(ctx, http.MethodHead, nonceURL, 0, now)
	if err != nil {
		return r, err
	}
	if r.Status != http.StatusOK && r.Status != http.StatusNoContent {
		return r, statusError(r, "newNonce")
	}
	n := r.Header.Get("Replay-Nonce")
	if n == "" {
		return r, fail("no_replay_nonce", errors.New("newNonce answered without a Replay-Nonce header"))
	}
	if !ValidNonce(n) {
		return r, fail("bad_replay_nonce", errors.New("Replay-Nonce is not base64url"))
	}
	return r, nil
}

// ValidNonce says whether n is a non-empty base64url string without padding.
func ValidNonce(n string) bool {
	if n == "" || len(n) > 512 {
		return false
	}
	for _, c := range n {
		if (c < 'A' || c > 'Z') && (c < 'a' || c > 'z') && (c < '0' || c > '9') && c != '-' && c != '_' {
			return false
		}
	}
	return true
}

// ServerDate returns the Date header, or false when absent or unparsable.
func ServerDate(h http.Header) (time.Time, bool) {
	v := h.Get("Date")
	if v == "" {
		return time.Time{}, false
	}
	t, err := http.ParseTime(v)
	return t, err == nil
}

// CertID is RFC 9773 §4.1's unique identifier: base64url of the AKI
// keyIdentifier, ".", base64url of the serial's DER INTEGER value bytes
// (with the leading zero a positive serial with the high bit set needs),
// both without padding.
func CertID(aki []byte, serial *big.Int) (string, error) {
	if len(aki) == 0 {
		return "", errors.New("certificate has no authority key identifier")
	}
	if serial == nil || serial.Sign() <= 0 {
		return "", errors.New("certificate serial is not positive")
	}
	der, err := asn1.Marshal(serial)
	if err != nil {
		return "", err
	}
	// Skip the INTEGER tag and length (short or long form).
	var raw asn1.RawValue
	if _, err := asn1.Unmarshal(der, &raw); err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(aki) + "." + base64.RawURLEncoding.EncodeToString(raw.Bytes), nil
}

// RenewalInfo is a CA's suggested renewal window.
type RenewalInfo struct {
	Start, End     time.Time
	ExplanationURL string
	// RetryAfter is the clamped delay before the next poll.
	RetryAfter time.Duration
}

// ParseRenewalInfo decodes a renewalInfo object; a window whose end is not
// after its start is invalid (RFC 9773 §4.2).
func ParseRenewalInfo(body []byte) (*RenewalInfo, error) {
	var v struct {
		SuggestedWindow *struct {
			Start *time.Time `json:"start"`
			End   *time.Time `json:"end"`
		} `json:"suggestedWindow"`
		ExplanationURL string `json:"explanationURL"`
	}
	if err := json.Unmarshal(body, &v); err != nil {
		return nil, fail("bad_json", err)
	}
	if v.SuggestedWindow == nil || v.SuggestedWindow.Start == nil || v.SuggestedWindow.End == nil {
		return nil, fail("invalid_window", errors.New("renewalInfo has no suggestedWindow start and end"))
	}
	ri := &RenewalInfo{Start: *v.SuggestedWindow.Start, End: *v.SuggestedWindow.End}
	if !ri.End.After(ri.Start) {
		return nil, fail("invalid_window", fmt.Errorf("suggestedWindow end %s is not after start %s", ri.End, ri.Start))
	}
	if v.ExplanationURL != "" {
		if err := checkURL(v.ExplanationURL); err != nil {
			return nil, fail("invalid_window", fmt.Errorf("explanationURL: %w", err))
		}
		ri.ExplanationURL = v.ExplanationURL
	}
	return ri, nil
}

// ParseRetryAfter reads a Retry-After value (delay-seconds or HTTP-date,
// RFC 9110 §10.2.3) relative to now and clamps it to
// [RetryAfterMin, RetryAfterMax]. A missing or invalid value gives
// RetryAfterLongTerm and false.
func ParseRetryAfter(v string, now time.Time) (time.Duration, bool) {
	d, ok := httpclient.RetryAfter(v, now)
	if !ok {
		return RetryAfterLongTerm, false
	}
	return Clamp(d), true
}

// Clamp limits a poll delay to [RetryAfterMin, RetryAfterMax].
func Clamp(d time.Duration) time.Duration {
	if d < RetryAfterMin {
		return RetryAfterMin
	}
	if d > RetryAfterMax {
		return RetryAfterMax
	}
	return d
}

// GetRenewalInfo fetches renewalInfo/<certID>. A 200 with a valid object
// returns it with the clamped Retry-After; errors carry RetryAfter through
// RetryAfterOf.
func (c *Client) GetRenewalInfo(ctx context.Context, base, certID string, now func() time.Time) (*RenewalInfo, *Response, error) {
	u := strings.TrimRight(base, "/") + "/" + certID
	r, err := c.do(ctx, http.MethodGet, u, MaxRenewalInfoBody, now)
	if err != nil {
		return nil, r, err
	}
	if r.Status != http.StatusOK {
		e := statusError(r, "renewalInfo")
		switch {
		case r.Status == http.StatusNotFound:
			e.Reason = "certificate_unknown"
		case r.Status == http.StatusBadRequest && e.Problem == "malformed":
			// Pebble answers 400 malformed for a certificate it did not
			// issue (an AKI it does not know).
			e.Reason = "certificate_unknown"
		case r.Status == http.StatusTooManyRequests || r.Status == http.StatusServiceUnavailable:
			e.Reason = "rate_limited"
		}
		return nil, r, e
	}
	ri, err := ParseRenewalInfo(r.Body)
	if err != nil {
		return nil, r, err
	}
	ri.RetryAfter, _ = ParseRetryAfter(r.Header.Get("Retry-After"), r.End)
	return ri, r, nil
}
