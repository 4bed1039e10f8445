// Copyright 2026 The acme_exporter Authors
// SPDX-License-Identifier: Apache-2.0

// Package account checks ACME account keys (parseable, usable by the
// client's user, stored with safe permissions) and the account's
// registration at its CA (read-only lookup).
package account

import (
	"bytes"
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"math/big"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"golang.org/x/crypto/acme"

	"github.com/acme-exporter/acme_exporter/internal/certs"
	"github.com/acme-exporter/acme_exporter/internal/files"
	"github.com/acme-exporter/acme_exporter/internal/httpclient"
	"github.com/acme-exporter/acme_exporter/internal/idname"
	"github.com/acme-exporter/acme_exporter/internal/perm"
	"github.com/acme-exporter/acme_exporter/inventory"
	"github.com/acme-exporter/acme_exporter/scrape"
)

const (
	accountKeyCheck = "account_key"
	accountRegCheck = "account_registration"
)

var (
	accountUsableDesc = scrape.Desc(accountKeyCheck, "acme_account_key_usable",
		"1 when the ACME account key file exists, parses (JWK JSON, PEM SEC1, PKCS#1 or PKCS#8) and the service user can read it; the reason is in acme_account_key_problem_info.",
		"client", "path")
	accountInsecureDesc = scrape.Desc(accountKeyCheck, "acme_account_key_insecure",
		"1 when the account key file's mode lets its group or others read it.",
		"client", "path")
	accountProblemDesc = scrape.Desc(accountKeyCheck, "acme_account_key_problem_info",
		"1 for each problem with the account key: missing, parse_error, unreadable_by_service_user, service_user_unknown, not_registered, deactivated; absent otherwise.",
		"client", "path", "problem")
	accountInfoDesc = scrape.Desc(accountKeyCheck, "acme_account_key_info",
		"Details of the account key file: format, key type, owner, group, permission bits and the service user the checks are computed for.",
		"client", "path", "format", "key_type", "owner", "group", "mode", "service_user")
	accountStorageDesc = scrape.Desc(accountKeyCheck, "acme_account_storage_writable",
		"1 when the service user can write the client's storage directory (computed from ownership, mode bits, groups and POSIX ACLs; read-only mounts are not seen).",
		"client", "path")
	accountRegisteredDesc = scrape.Desc(accountRegCheck, "acme_account_registered",
		"1 when the CA still knows the account key (newAccount with onlyReturnExisting, RFC 8555 7.3.1), 0 when it answers accountDoesNotExist or the account is deactivated; opt-in and cached.",
		"client", "path", "directory")
)

// maxKeyFile bounds an account key file; maxACMEBody an ACME response.
const (
	maxKeyFile  = 64 << 10
	maxACMEBody = 1 << 20
)

func init() {
	scrape.Register("account", true, func(l *slog.Logger) scrape.Collector {
		return &accountCollector{logger: l, reg: map[string]*regState{}}
	})
}

type accountCollector struct {
	logger *slog.Logger
	mu     sync.Mutex
	reg    map[string]*regState
}

// regState remembers the last lookup of one key, to honour Retry-After.
type regState struct {
	notBefore time.Time
	metrics   []prometheus.Metric
	err       error
}

// accountSpec is one key with its settings after merging config and discovery.
type accountSpec struct {
	client, path, runAs, storage, directory, address string
	checkReg                                         bool
}

func (c *accountCollector) specs(env *scrape.Env) []accountSpec {
	var out []accountSpec
	idx := map[string]int{}
	global := env.Config.Accounts
	for _, k := range global.Keys {
		p := filepath.Clean(k.Path)
		s := accountSpec{client: k.Client, path: p, runAs: k.RunAs, storage: k.StorageDir,
			directory: k.Directory, address: k.Address, checkReg: global.CheckRegistration}
		if k.CheckRegistration != nil {
			s.checkReg = *k.CheckRegistration
		}
		if _, dup := idx[p]; dup {
			continue
		}
		idx[p] = len(out)
		out = append(out, s)
	}
	for _, a := range env.Discovered.Accounts {
		p := filepath.Clean(a.KeyPath)
		root := clientRootOf(env.Discovered, a)
		if i, ok := idx[p]; ok {
			s := &out[i]
			if s.client == "" {
				s.client = a.Client
			}
			if s.directory == "" {
				s.directory = a.Directory
			}
			if s.storage == "" {
				s.storage = root
			}
			continue
		}
		idx[p] = len(out)
		out = append(out, accountSpec{client: a.Client, path: p, storage: root, directory: a.Directory,
			checkReg: global.CheckRegistration})
	}
	for i := range out {
		s := &out[i]
		if s.runAs == "" {
			s.runAs = env.Config.Global.RunAs
		}
		if s.storage == "" {
			s.storage = filepath.Dir(s.path)
		}
		if s.client == "" {
			s.client = "unknown"
		}
	}
	return out
}

// clientRootOf is the discovered root holding an account.
func clientRootOf(s *inventory.Snapshot, a inventory.Account) string {
	best := ""
	for _, r := range s.Clients {
		if r.Client == a.Client && strings.HasPrefix(a.KeyPath, r.Root+string(filepath.Separator)) && len(r.Root) > len(best) {
			best = r.Root
		}
	}
	return best
}

func (c *accountCollector) Targets(env *scrape.Env) ([]scrape.Target, error) {
	var ts []scrape.Target
	g := env.Config.Accounts
	for _, s := range c.specs(env) {
		ts = append(ts, scrape.Target{
			Check:  accountKeyCheck,
			Target: s.path,
			Run: func(ctx context.Context, emit scrape.Emit) error {
				return checkAccountKey(s, emit)
			},
		})
		if s.checkReg {
			ts = append(ts, scrape.Target{
				Check:       accountRegCheck,
				Target:      s.path,
				MinInterval: g.RegistrationInterval.D(),
				Timeout:     g.Timeout.D(),
				Run: func(ctx context.Context, emit scrape.Emit) error {
					return c.checkRegistration(ctx, env, s, emit)
				},
			})
		}
	}
	return ts, nil
}

func checkAccountKey(s accountSpec, emit scrape.Emit) error {
	l := []string{s.client, s.path}
	problem := func(p string) { emit(scrape.Gauge(accountProblemDesc, 1, s.client, s.path, p)) }
	id, idErr := perm.ResolveUser(s.runAs, s.storage)

	fi, err := os.Stat(s.path)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			// ENOENT: every directory on the way was searchable, so the
			// key is really gone (a hidden one gives EACCES).
			emit(scrape.Gauge(accountUsableDesc, 0, l...))
			problem("missing")
			return nil
		}
		if errors.Is(err, fs.ErrPermission) {
			return scrape.Fail("exporter_cannot_read", err)
		}
		return scrape.Fail("read_error", err)
	}
	st, _ := fi.Sys().(*syscall.Stat_t)
	insecure := fi.Mode().Perm()&0o044 != 0
	emit(scrape.Gauge(accountInsecureDesc, scrape.Bool(insecure), l...))

	data, rerr := readKeyFile(s.path)
	format, keyType := "", ""
	var parseErr error
	if rerr == nil {
		var signer crypto.Signer
		signer, format, parseErr = ParseAccountKey(data)
		clear(data)
		if parseErr == nil {
			keyType = certs.KeyType(signer.Public())
		}
	}
	owner, group := "", ""
	if st != nil {
		owner, group = idname.User(st.Uid), idname.Group(st.Gid) // as ls -l shows them
	}
	svc := s.runAs
	if svc == "" && idErr == nil {
		svc = "owner:" + strconv.FormatUint(uint64(id.UID), 10)
	}
	emit(scrape.Gauge(accountInfoDesc, 1, s.client, s.path, format, keyType, owner, group,
		fmt.Sprintf("%04o", fi.Mode().Perm()), svc))

	var problems []string
	if idErr != nil {
		problems = append(problems, "service_user_unknown")
	} else {
		if !perm.CanAccess(id, s.path, perm.AccessRead) {
			problems = append(problems, "unreadable_by_service_user")
		}
		emit(scrape.Gauge(accountStorageDesc, scrape.Bool(perm.CanAccess(id, s.storage, perm.AccessWrite|perm.AccessExec)), l...))
	}
	if rerr != nil {
		// Ownership and modes are known; the content is not.
		for _, p := range problems {
			problem(p)
		}
		if errors.Is(rerr, fs.ErrPermission) {
			return scrape.Fail("exporter_cannot_read", rerr)
		}
		return scrape.Fail("read_error", rerr)
	}
	if parseErr != nil {
		problems = append(problems, "parse_error")
	}
	emit(scrape.Gauge(accountUsableDesc, scrape.Bool(len(problems) == 0), l...))
	for _, p := range problems {
		problem(p)
	}
	return nil
}

func readKeyFile(path string) ([]byte, error) {
	return files.ReadLimited(path, maxKeyFile)
}

// ParseAccountKey parses an account private key: certbot's JWK JSON, or
// PEM in SEC1, PKCS#1 or PKCS#8. Errors never quote key material.
func ParseAccountKey(b []byte) (crypto.Signer, string, error) {
	t := bytes.TrimSpace(b)
	if len(t) > 0 && t[0] == '{' {
		k, err := parseJWK(t)
		return k, "jwk", err
	}
	for {
		var blk *pem.Block
		blk, t = pem.Decode(t)
		if blk == nil {
			return nil, "", errors.New("no private key (neither JWK JSON nor PEM)")
		}
		var k any
		var err error
		switch blk.Type {
		case "EC PRIVATE KEY":
			k, err = x509.ParseECPrivateKey(blk.Bytes)
		case "RSA PRIVATE KEY":
			k, err = x509.ParsePKCS1PrivateKey(blk.Bytes)
		case "PRIVATE KEY":
			k, err = x509.ParsePKCS8PrivateKey(blk.Bytes)
		default:
			continue // EC PARAMETERS and the like
		}
		if err != nil {
			return nil, "pem", fmt.Errorf("%s block does not parse", blk.Type)
		}
		s, ok := k.(crypto.Signer)
		if !ok {
			return nil, "pem", fmt.Errorf("unsupported key %T", k)
		}
		return s, "pem", nil
	}
}

type jwk struct {
	Kty string `json:"kty"`
	Crv string `json:"crv"`
	X   string `json:"x"`
	Y   string `json:"y"`
	D   string `json:"d"`
	N   string `json:"n"`
	E   string `json:"e"`
	P   string `json:"p"`
	Q   string `json:"q"`
}

func b64(s string) ([]byte, error) {
	return base64.RawURLEncoding.DecodeString(strings.TrimRight(s, "="))
}

func parseJWK(b []byte) (crypto.Signer, error) {
	var j jwk
	if err := json.Unmarshal(b, &j); err != nil {
		return nil, errors.New("JWK is not valid JSON")
	}
	switch j.Kty {
	case "RSA":
		n, err1 := b64(j.N)
		e, err2 := b64(j.E)
		d, err3 := b64(j.D)
		if err := errors.Join(err1, err2, err3); err != nil || len(n) == 0 || len(d) == 0 || len(e) == 0 || len(e) > 4 {
			return nil, errors.New("RSA JWK lacks valid n, e or d")
		}
		var ev [4]byte
		copy(ev[4-len(e):], e)
		k := &rsa.PrivateKey{PublicKey: rsa.PublicKey{N: new(big.Int).SetBytes(n), E: int(binary.BigEndian.Uint32(ev[:]))},
			D: new(big.Int).SetBytes(d)}
		if j.P != "" && j.Q != "" {
			p, err1 := b64(j.P)
			q, err2 := b64(j.Q)
			if errors.Join(err1, err2) != nil {
				return nil, errors.New("RSA JWK has bad primes")
			}
			k.Primes = []*big.Int{new(big.Int).SetBytes(p), new(big.Int).SetBytes(q)}
		}
		if len(k.Primes) != 2 || k.Validate() != nil {
			return nil, errors.New("RSA JWK does not validate")
		}
		k.Precompute()
		return k, nil
	case "EC":
		var curve elliptic.Curve
		switch j.Crv {
		case "P-256":
			curve = elliptic.P256()
		case "P-384":
			curve = elliptic.P384()
		case "P-521":
			curve = elliptic.P521()
		default:
			return nil, fmt.Errorf("unsupported EC curve %q", j.Crv)
		}
		d, err := b64(j.D)
		if err != nil || len(d) == 0 || len(d) > (curve.Params().BitSize+7)/8 {
			return nil, errors.New("EC JWK lacks a valid d")
		}
		full := make([]byte, (curve.Params().BitSize+7)/8)
		copy(full[len(full)-len(d):], d)
		k, err := ecdsa.ParseRawPrivateKey(curve, full)
		clear(full)
		if err != nil {
			return nil, errors.New("EC JWK private key is invalid")
		}
		return k, nil
	}
	return nil, fmt.Errorf("unsupported JWK kty %q", j.Kty)
}

// Permissions, computed for a service user from what stat and the ACL
// xattr show. Nothing is opened, written or locked for this.

// Registration lookup.

func (c *accountCollector) checkRegistration(ctx context.Context, env *scrape.Env, s accountSpec, emit scrape.Emit) error {
	now := env.Now()
	c.mu.Lock()
	st := c.reg[s.path]
	c.mu.Unlock()
	if st != nil && now.Before(st.notBefore) {
		// The CA asked us to wait: serve the last answer.
		for _, m := range st.metrics {
			emit(m)
		}
		return st.err
	}
	var kept []prometheus.Metric
	keep := func(m prometheus.Metric) { kept = append(kept, m); emit(m) }
	err := c.lookup(ctx, env, s, keep)
	next := time.Time{}
	var ae *acme.Error
	if errors.As(err, &ae) && ae.Header != nil {
		if d, ok := retryAfter(ae.Header.Get("Retry-After"), now); ok {
			next = now.Add(d)
		}
	}
	c.mu.Lock()
	c.reg[s.path] = &regState{notBefore: next, metrics: kept, err: err}
	c.mu.Unlock()
	return err
}

func (c *accountCollector) lookup(ctx context.Context, env *scrape.Env, s accountSpec, emit scrape.Emit) error {
	if s.directory == "" {
		// No CA to ask is a state of the configuration, not a failure:
		// nothing is looked up and nothing is reported (a failure here
		// would keep AcmeCheckFailing up for good).
		return nil
	}
	data, err := readKeyFile(s.path)
	if err != nil {
		if errors.Is(err, fs.ErrPermission) {
			return scrape.Fail("exporter_cannot_read", err)
		}
		return scrape.Fail("key_unreadable", err)
	}
	key, _, err := ParseAccountKey(data)
	clear(data)
	if err != nil {
		return scrape.Fail("parse_error", err)
	}
	cl := &acme.Client{
		Key:          key,
		DirectoryURL: s.directory,
		HTTPClient:   acmeHTTPClient(env.Roots, s.address),
		UserAgent:    httpclient.UserAgent,
		// One retry for a bad nonce; anything else (429, 5xx) is not
		// retried here: its Retry-After postpones the next lookup.
		RetryBackoff: func(n int, _ *http.Request, resp *http.Response) time.Duration {
			if n == 1 && resp != nil && resp.StatusCode == http.StatusBadRequest {
				return 10 * time.Millisecond
			}
			return 0
		},
	}
	l := []string{s.client, s.path, s.directory}
	_, err = cl.GetReg(ctx, "")
	var ae *acme.Error
	switch {
	case err == nil:
		emit(scrape.Gauge(accountRegisteredDesc, 1, l...))
		return nil
	case errors.Is(err, acme.ErrNoAccount):
		emit(scrape.Gauge(accountRegisteredDesc, 0, l...))
		emit(scrape.Gauge(accountProblemDesc, 1, s.client, s.path, "not_registered"))
		return nil
	case errors.As(err, &ae) && ae.StatusCode == http.StatusForbidden && strings.HasSuffix(ae.ProblemType, ":unauthorized"):
		emit(scrape.Gauge(accountRegisteredDesc, 0, l...))
		emit(scrape.Gauge(accountProblemDesc, 1, s.client, s.path, "deactivated"))
		return nil
	case errors.As(err, &ae) && (ae.StatusCode == http.StatusTooManyRequests || strings.HasSuffix(ae.ProblemType, ":rateLimited")):
		return scrape.Fail("rate_limited", ae)
	case errors.As(err, &ae):
		return scrape.Fail("acme_error", fmt.Errorf("%d %s", ae.StatusCode, ae.ProblemType))
	case errors.Is(err, context.DeadlineExceeded):
		return scrape.Fail("timeout", err)
	}
	var ce *tls.CertificateVerificationError
	if errors.As(err, &ce) {
		return scrape.Fail("tls_error", err)
	}
	return scrape.Fail("unreachable", err)
}

// acmeHTTPClient trusts roots, dials address when set, and caps bodies.
func acmeHTTPClient(roots *x509.CertPool, address string) *http.Client {
	tr := httpclient.Transport(httpclient.Options{Roots: roots, Address: address,
		DialTimeout: 5 * time.Second, TLSHandshakeTimeout: 5 * time.Second})
	return &http.Client{Transport: httpclient.LimitBody(tr, maxACMEBody), Timeout: 30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

// retryAfter is Retry-After as a delay from now, clamped to a day.
func retryAfter(v string, now time.Time) (time.Duration, bool) {
	d, ok := httpclient.RetryAfter(v, now)
	if !ok || d <= 0 {
		return 0, false
	}
	return min(d, 24*time.Hour), true
}
