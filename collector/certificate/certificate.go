// Copyright 2026 The acme_exporter Authors
// SPDX-License-Identifier: Apache-2.0

// Package certificate checks certificate files on disk: validity, chain,
// key match, with the configured globs expanded and cached; it publishes
// what it reads to the inventory for the families that build on it.
package certificate

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/acme-exporter/acme_exporter/config"
	"github.com/acme-exporter/acme_exporter/internal/certs"
	"github.com/acme-exporter/acme_exporter/internal/failure"
	"github.com/acme-exporter/acme_exporter/internal/files"
	"github.com/acme-exporter/acme_exporter/internal/series"
	"github.com/acme-exporter/acme_exporter/inventory"
	"github.com/acme-exporter/acme_exporter/scrape"
)

const certFileCheck = "certificate_file"

// The certificate families are shared by files and endpoints; address is
// the dialled ip:port for endpoints and empty (absent) for files.
var (
	certKeyMatchDesc = scrape.Desc(certFileCheck, "acme_certificate_key_match",
		"1 when the private key file matches the leaf's public key; absent when no key file is known.",
		"name", "target")
)

// parseCount counts certificate parses, so tests can prove the cache works.
var parseCount atomic.Int64

func init() {
	scrape.Register(certFileCheck, true, func(l *slog.Logger) scrape.Collector { return newCertFileCollector(l) })
}

type certFileCollector struct {
	logger *slog.Logger
	mu     sync.Mutex
	files  map[string]*cachedCert
	keys   map[string]*cachedKey
	// listings are the last expansions of the configured paths; specs
	// what the last scrape made of them (never modified, only replaced).
	listings map[string]*listing
	sources  []specSource
	specs    []certFileSpec
	// failed holds why a file could not be read or parsed, with the
	// identity it had: while that is unchanged the file is not read again
	// (thousands of broken files cost a stat each per scrape).
	failed map[string]cachedFailure

	// targets are the checks of specs, made once per expansion rather than
	// per scrape (100,000 targets and closures were a tenth of a warm
	// scrape's garbage); their runs read the scrape's environment from env,
	// which every scrape sets. specsGen counts expansions; targetsGen is
	// the one targets were made for.
	targets              []scrape.Target
	specsGen, targetsGen uint64
	env                  atomic.Pointer[scrape.Env]
}

type cachedFailure struct {
	id  files.Identity
	err error
}

type cachedCert struct {
	// dropped: forget removed the entry (the file is no longer watched).
	dropped atomic.Bool
	id      files.Identity
	roots   *x509.CertPool
	// inv is what the inventory holds for this file (shared, not copied).
	inv   []inventory.Certificate
	spki  []byte // leaf public key hash, for key matching
	keyIn []byte // public key hash of a key held in the same file
	chain certs.Verdict

	names string // the dns_names label of the leaf

	// samples are what the last run emitted for this file, with the
	// settings and key identity they were made for.
	samples *scrape.LazyRef
	doneFor *certFileSpec
	doneKey files.Identity
}

// holds says whether cc is the parse of the file with identity id,
// verified under roots.
func (cc *cachedCert) holds(id files.Identity, roots *x509.CertPool) bool {
	return cc.id == id && cc.roots == roots
}

type cachedKey struct {
	id   files.Identity
	spki []byte
	err  error
}

func newCertFileCollector(l *slog.Logger) *certFileCollector {
	return &certFileCollector{logger: l, files: map[string]*cachedCert{}, keys: map[string]*cachedKey{},
		failed: map[string]cachedFailure{}}
}

// certFileSpec is one expanded file with its settings.
type certFileSpec struct {
	path, name, key, client string
	history                 bool
	minInterval             time.Duration
	// probed: a /probe target, which answers the request and stays out
	// of the inventory (rate limits, ARI, CRL, serving_latest count the
	// configured and discovered files only).
	probed bool
	// slot keeps what this file's runs find again on every scrape while
	// the spec lives (nil for a /probe target).
	slot *fileSlot
}

// fileSlot spares a cached file the lookups by path a warm scrape made for
// it: the scheduler's entry and the file's cache entry. At 100,000 files
// each lookup hashed and compared a path in a map too large for the
// caches. The map stays the record; the slot is a hint checked before use.
type fileSlot struct {
	sched scrape.Slot
	cc    atomic.Pointer[cachedCert]
	file  files.Path // the spec's path, ready to stat
}

func (c *certFileCollector) Targets(env *scrape.Env) ([]scrape.Target, error) {
	used := map[string]*listing{}
	sources := make([]specSource, 0, len(env.Config.CertificateFiles))
	var errs []error
	var denied []scrape.Target
	for _, f := range env.Config.CertificateFiles {
		l := c.listing(f.Path, f.KeyFile == "", used)
		if l.err != nil {
			errs = append(errs, l.err)
		}
		if len(l.denied) > 0 {
			denied = append(denied, deniedTarget(f.Path, l.denied))
		}
		sources = append(sources, specSource{l, f})
	}
	c.mu.Lock()
	c.listings = used
	specs := c.specs
	same := slices.Equal(sources, c.sources)
	c.mu.Unlock()
	if !same {
		// Something changed: expand again and drop what is gone.
		n := 0
		for _, src := range sources {
			n += len(src.l.files)
		}
		// A file that stays keeps its slot.
		slots := make(map[string]*fileSlot, len(specs))
		for i := range specs {
			slots[specs[i].path] = specs[i].slot
		}
		specs = make([]certFileSpec, 0, n)
		seen := make(map[string]bool, n)
		for _, src := range sources {
			for _, lf := range src.l.files {
				if seen[lf.path] {
					continue
				}
				seen[lf.path] = true
				f := src.f
				sp := certFileSpec{path: lf.path, name: f.Name, key: f.KeyFile, client: f.Client,
					history: f.History, minInterval: f.MinInterval.D(), slot: slots[lf.path]}
				if sp.slot == nil {
					sp.slot = &fileSlot{file: files.NewPath(lf.path)}
				}
				if sp.name == "" {
					sp.name = lf.name
				}
				if sp.key == "" {
					sp.key = lf.key
				}
				specs = append(specs, sp)
			}
		}
		env.Inventory.Retain(certFileCheck, seen)
		c.forget(seen)
		c.mu.Lock()
		c.sources, c.specs = sources, specs
		c.specsGen++
		c.mu.Unlock()
	}
	c.env.Store(env)
	c.mu.Lock()
	if c.targetsGen != c.specsGen || c.targets == nil {
		ts := make([]scrape.Target, len(c.specs))
		for i := range c.specs {
			ts[i] = c.watched(&c.specs[i])
		}
		c.targets, c.targetsGen = ts, c.specsGen
	}
	ts := c.targets
	c.mu.Unlock()
	// The cached slice is shared: the denied targets go into a copy.
	return append(ts[:len(ts):len(ts)], denied...), errors.Join(errs...)
}

// watched makes the check of a configured file, which runs with the
// environment of the scrape that asks for it.
func (c *certFileCollector) watched(s *certFileSpec) scrape.Target {
	return fileTarget(s, func(ctx context.Context, emit scrape.Emit) error {
		return c.check(c.env.Load(), s, emit)
	})
}

// deniedTarget is the failing check of a pattern that reaches directories
// the exporter may not read: it may match files nobody sees otherwise.
func deniedTarget(pattern string, dirs []string) scrape.Target {
	err := scrape.Fail("exporter_cannot_read", fmt.Errorf("%s: cannot list %s", pattern, strings.Join(slices.Compact(dirs), ", ")))
	return scrape.Target{
		Check:  certFileCheck,
		Target: pattern,
		Run:    func(context.Context, scrape.Emit) error { return err },
	}
}

// specSource is one configured entry and its expansion; an unchanged
// list of them means the previous scrape's specs still hold.
type specSource struct {
	l *listing
	f config.CertificateFile
}

// listing expands pattern, reusing the last expansion while the
// directories it read are unchanged.
func (c *certFileCollector) listing(pattern string, siblings bool, used map[string]*listing) *listing {
	k := pattern
	if siblings {
		k += "\x00siblings"
	}
	if l := used[k]; l != nil {
		return l
	}
	c.mu.Lock()
	l := c.listings[k]
	c.mu.Unlock()
	if l == nil || l.err != nil || len(l.denied) > 0 || !l.fresh() {
		l = expandPattern(pattern, siblings)
	}
	used[k] = l
	return l
}

// forget drops cache entries of files no longer configured.
func (c *certFileCollector) forget(keep map[string]bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for p, cc := range c.files {
		if !keep[p] {
			cc.dropped.Store(true)
			delete(c.files, p)
		}
	}
	for p := range c.failed {
		if !keep[p] {
			delete(c.failed, p)
		}
	}
}

// fileTarget makes the check of s, which must not change afterwards.
func fileTarget(s *certFileSpec, run func(context.Context, scrape.Emit) error) scrape.Target {
	return scrape.Target{
		Check:       certFileCheck,
		Target:      s.path,
		MinInterval: s.minInterval,
		Quiet:       s.history,
		Slot:        s.schedSlot(),
		// A file that reads has its not_after series; one that does not
		// reports acme_probe_success 0 with its reason. A /probe answer
		// keeps its acme_probe_success 1, as probe answers do.
		ImpliedSuccess: !s.probed,
		Run:            run,
	}
}

func (c *certFileCollector) check(env *scrape.Env, s *certFileSpec, emit scrape.Emit) error {
	cc, err := c.load(env, s)
	if err != nil {
		if !s.probed {
			env.Inventory.Delete(certFileCheck, s.path)
		}
		// Should the file come back unchanged, it is published again.
		c.mu.Lock()
		if old := c.files[s.path]; old != nil {
			old.doneFor = nil
		}
		c.mu.Unlock()
		return err
	}
	// The key: one held in the same file, the configured file, or a sibling.
	var keyID files.Identity
	var keyErr error
	keyPath := s.key
	if cc.keyIn == nil && keyPath != "" {
		keyID, keyErr = files.Stat(keyPath)
		if keyErr != nil {
			keyErr = keyFailure(keyErr)
		}
	}
	c.mu.Lock()
	if cc.doneFor != nil && *cc.doneFor == *s && cc.doneKey == keyID && keyErr == nil {
		// Unchanged file, key and settings: the inventory holds this file
		// already and the samples are what they were. This keeps a warm
		// scrape of thousands of files to stat calls.
		ref := cc.samples
		c.mu.Unlock()
		if ref != nil {
			emit.Lazy(ref)
		}
		return nil
	}
	if cur := cc.inv[0]; cur.Name != s.name || cur.Source != "file" || cur.Path != s.path ||
		cur.Client != s.client || cur.History != s.history {
		// A new slice: the old one may be in the inventory, being read.
		cur.Name, cur.Source, cur.Path, cur.Client, cur.History = s.name, "file", s.path, s.client, s.history
		cc.inv = []inventory.Certificate{cur}
	}
	published := cc.inv
	c.mu.Unlock()
	if !s.probed {
		env.Inventory.Put(certFileCheck, s.path, published)
	}
	var ref *scrape.LazyRef
	if !s.history {
		var keySPKI []byte
		switch {
		case cc.keyIn != nil:
			keySPKI = cc.keyIn
		case keyErr != nil:
		case keyPath != "":
			keySPKI, keyErr = c.loadKey(keyPath)
		}
		key := keyUnknown
		if keySPKI != nil {
			key = keyMismatch
			if string(keySPKI) == string(cc.spki) {
				key = keyMatch
			}
		}
		ref = &newFileSamples(s, &published[0], &cc.chain, cc.names, key).ref
		emit.Lazy(ref)
	}
	if keyErr != nil {
		return keyErr
	}
	c.mu.Lock()
	cc.samples, cc.doneFor, cc.doneKey = ref, s, keyID
	c.mu.Unlock()
	return nil
}

// fileSamples are a certificate file's samples, built on each scrape from
// what the cache and the inventory keep anyway (see Lazy). Immutable once
// emitted. The writer reads the values and the label text of the common
// families from this one object (see scrape.TextLazy): at 100,000 files,
// following spec, inventory entry and verdict for each of them, once per
// family, made the writer's cost grow faster than the number of files.
type fileSamples struct {
	ref scrape.LazyRef // emits f itself
	// text holds the label text of every family, rendered once: text[:common]
	// that of the families labelled name, source, target, address; the info
	// family's continues to text[:info]; key_match's is text[info:].
	text                               string
	common, info                       int32
	notBefore, notAfter, chainNotAfter float64
	complete                           bool
	key                                int8 // keyUnknown, keyMatch, keyMismatch

	spec  *certFileSpec
	inv   *inventory.Certificate // published, never modified
	names string                 // the dns_names label
}

func newFileSamples(s *certFileSpec, inv *inventory.Certificate, chain *certs.Verdict, names string, key int8) *fileSamples {
	f := &fileSamples{
		notBefore:     scrape.UnixSeconds(inv.NotBefore),
		notAfter:      scrape.UnixSeconds(inv.NotAfter),
		chainNotAfter: scrape.UnixSeconds(chain.ChainNotAfter),
		complete:      chain.Complete,
		key:           key,
		spec:          s,
		inv:           inv,
		names:         names,
	}
	f.ref.Set(f)
	// The info family's labels begin with the common ones, in the same
	// order (init checks it), so one rendering serves both.
	t := scrape.AppendLabels(make([]byte, 0, 256), certInfoMeta, s.name, "file", s.path, "", inv.Serial, inv.Issuer,
		inv.KeyType, names, strconv.FormatBool(inv.MustStaple))
	f.common = int32(len(scrape.AppendLabels(nil, certNotAfterMeta, s.name, "file", s.path, "")))
	f.info = int32(len(t))
	if key != keyUnknown {
		t = scrape.AppendLabels(t, certKeyMatchMeta, s.name, s.path)
	}
	f.text = string(t)
	return f
}

const (
	keyUnknown int8 = iota
	keyMatch
	keyMismatch
)

var (
	certNotBeforeMeta     = scrape.MetaOf(series.CertNotBeforeDesc)
	certNotAfterMeta      = scrape.MetaOf(series.CertNotAfterDesc)
	certInfoMeta          = scrape.MetaOf(series.CertInfoDesc)
	certChainNotAfterMeta = scrape.MetaOf(series.CertChainNotAfterDesc)
	certKeyMatchMeta      = scrape.MetaOf(certKeyMatchDesc)
)

func init() {
	// fileSamples renders the common labels once for all these families,
	// and as the start of the info family's.
	common := certNotAfterMeta.Labels()
	for _, m := range []*scrape.DescMeta{certNotBeforeMeta, certChainNotAfterMeta} {
		if !slices.Equal(m.Labels(), common) {
			panic("certificate: " + m.Name() + " is not labelled like the not_after family")
		}
	}
	if !slices.Equal(certInfoMeta.Labels()[:len(common)], common) {
		panic("certificate: the info family's labels do not begin with the common ones")
	}
}

var fileMetas = []*scrape.DescMeta{certNotBeforeMeta, certNotAfterMeta, certInfoMeta, certChainNotAfterMeta, certKeyMatchMeta}

// Metas implements Lazy.
func (f *fileSamples) Metas() []*scrape.DescMeta { return fileMetas }

// SampleOf implements Lazy.
func (f *fileSamples) SampleOf(meta *scrape.DescMeta, dst *scrape.Sample, scratch []string) bool {
	s, inv := f.spec, f.inv
	if meta == certKeyMatchMeta {
		if f.key == keyUnknown {
			return false
		}
		l := scratch[:2]
		l[0], l[1] = s.name, s.path
		scrape.Fill(dst, meta, scrape.Bool(f.key == keyMatch), l)
		return true
	}
	l := scratch[:4]
	l[0], l[1], l[2], l[3] = s.name, "file", s.path, ""
	if meta == certInfoMeta {
		l = scratch[:9]
		l[4], l[5], l[6], l[7], l[8] = inv.Serial, inv.Issuer, inv.KeyType, f.names, strconv.FormatBool(inv.MustStaple)
	}
	v, ok := f.value(meta)
	if !ok {
		return false
	}
	scrape.Fill(dst, meta, v, l)
	return true
}

// value is f's value for meta, other than key_match.
func (f *fileSamples) value(meta *scrape.DescMeta) (float64, bool) {
	switch meta {
	case certNotBeforeMeta:
		return f.notBefore, true
	case certNotAfterMeta:
		return f.notAfter, true
	case certInfoMeta:
		return 1, true
	case certChainNotAfterMeta:
		return f.chainNotAfter, f.complete
	}
	return 0, false
}

// AppendText implements scrape.TextLazy, from the label text and values
// f holds; only the info family reads the inventory entry.
func (f *fileSamples) AppendText(meta *scrape.DescMeta, b []byte) ([]byte, bool) {
	switch meta {
	case certKeyMatchMeta:
		if f.key == keyUnknown {
			return b, false
		}
		b = append(b, '{')
		b = append(b, f.text[f.info:]...)
		b = append(b, '}', ' ')
		return scrape.AppendValue(b, scrape.Bool(f.key == keyMatch)), true
	case certInfoMeta:
		b = append(b, '{')
		b = append(b, f.text[:f.info]...)
		return append(b, '}', ' ', '1'), true
	}
	v, ok := f.value(meta)
	if !ok {
		return b, false
	}
	b = append(b, '{')
	b = append(b, f.text[:f.common]...)
	b = append(b, '}', ' ')
	return scrape.AppendValue(b, v), true
}

// schedSlot is the scheduler's part of s's slot, if s has one.
func (s *certFileSpec) schedSlot() *scrape.Slot {
	if s.slot == nil {
		return nil
	}
	return &s.slot.sched
}

// load returns the derived values of the certificate file of s, from
// cache when the file's identity is unchanged.
func (c *certFileCollector) load(env *scrape.Env, s *certFileSpec) (*cachedCert, error) {
	path := s.path
	var id files.Identity
	var err error
	if s.slot != nil {
		id, err = s.slot.file.Stat()
	} else {
		id, err = files.Stat(path)
	}
	if err != nil {
		return nil, err
	}
	if s.slot != nil {
		// Any entry with this identity is a parse of these bytes; one the
		// cache dropped is not trusted.
		if cc := s.slot.cc.Load(); cc != nil && !cc.dropped.Load() && cc.holds(id, env.Roots) {
			return cc, nil
		}
	}
	c.mu.Lock()
	cc := c.files[path]
	c.mu.Unlock()
	if cc != nil && cc.holds(id, env.Roots) {
		if s.slot != nil {
			s.slot.cc.Store(cc)
		}
		return cc, nil
	}
	// Only a file not cached as read may be cached as failed: one map
	// lookup per healthy file and scrape, not two.
	c.mu.Lock()
	failed, hasFailed := c.failed[path]
	c.mu.Unlock()
	if hasFailed && failed.id == id {
		return nil, failed.err
	}
	data, id, err := files.ReadStable(path)
	if err != nil {
		// Not cached: the file that failed to open is not necessarily the
		// one stat saw (a path flipped between a file and a FIFO would
		// pin not_regular_file on the regular file's identity), and a
		// failed open costs one syscall next time.
		return nil, err
	}
	// A content failure is cached under the identity of the bytes read
	// (fstat of the open file), so it names exactly what was judged.
	fail := func(err error) (*cachedCert, error) {
		c.mu.Lock()
		c.failed[path] = cachedFailure{id: id, err: err}
		c.mu.Unlock()
		return nil, err
	}
	parseCount.Add(1)
	b, err := certs.ParseBundle(data)
	if err != nil {
		var ce *failure.Error
		if errors.As(err, &ce) {
			return fail(err)
		}
		return fail(scrape.Fail("parse_error", err))
	}
	spki, err := certs.PublicKeyHash(b.Certs[0].PublicKey)
	if err != nil {
		return fail(scrape.Fail("parse_error", err))
	}
	chain := certs.VerifyChain(b.Certs, env.Roots, env.Now())
	sum := certs.SummarizeVerified(b.Certs, chain)
	// The cache keeps values, not the parsed issuer (one per file).
	chain.Issuer = nil
	cc = &cachedCert{
		id:    id,
		roots: env.Roots,
		inv:   []inventory.Certificate{sum},
		names: certs.NamesLabel(sum.DNSNames),
		spki:  spki,
		keyIn: b.KeySPKI,
		chain: chain,
	}
	c.mu.Lock()
	c.files[path] = cc
	delete(c.failed, path)
	c.mu.Unlock()
	if s.slot != nil {
		s.slot.cc.Store(cc)
	}
	return cc, nil
}

func (c *certFileCollector) loadKey(path string) ([]byte, error) {
	id, err := files.Stat(path)
	if err != nil {
		return nil, keyFailure(err)
	}
	c.mu.Lock()
	ck := c.keys[path]
	c.mu.Unlock()
	if ck != nil && ck.id == id {
		return ck.spki, ck.err
	}
	data, id, err := files.ReadStable(path)
	if err != nil {
		return nil, keyFailure(err)
	}
	spki, err := certs.ParseKey(data)
	clear(data)
	if err != nil {
		err = scrape.Fail("key_parse_error", err)
	}
	c.mu.Lock()
	c.keys[path] = &cachedKey{id: id, spki: spki, err: err}
	c.mu.Unlock()
	return spki, err
}

// keyFailure prefixes a file failure's reason with key_.
func keyFailure(err error) error {
	return scrape.Fail("key_"+scrape.ReasonOf(err), err)
}

// genericBases are file names that say nothing about the certificate, so
// the directory names it instead (certbot's live/<name>/fullchain.pem).
var genericBases = []string{"fullchain", "cert", "chain", "certificate", "tls", "crt", "server", "bundle"}

// certExts are the extensions stripped from a name; autocert names files
// after the domain, whose last label is not an extension.
var certExts = []string{".pem", ".crt", ".cer", ".der", ".cert"}

// DeriveName picks the certificate's stable name from its path.
func DeriveName(path string) string {
	dir, base := filepath.Split(path)
	stem := base
	if ext := filepath.Ext(base); slices.Contains(certExts, ext) {
		stem = strings.TrimSuffix(base, ext)
	}
	if slices.Contains(genericBases, stem) {
		if d := filepath.Base(filepath.Clean(dir)); d != "." && d != "/" {
			return d
		}
	}
	return stem
}

// siblingCache finds the private key a client keeps next to its
// certificate, reading each directory once per scrape.
type siblingCache map[string]map[string]bool

func (sc siblingCache) lookup(path string) string {
	dir, base := filepath.Split(path)
	names, ok := sc[dir]
	if !ok {
		names = map[string]bool{}
		if ents, err := os.ReadDir(dir); err == nil {
			for _, e := range ents {
				if n := e.Name(); n == "privkey.pem" || n == "key.pem" || strings.HasSuffix(n, ".key") {
					names[n] = true
				}
			}
		}
		sc[dir] = names
	}
	stem := strings.TrimSuffix(base, filepath.Ext(base))
	for _, cand := range []string{
		"privkey.pem", // certbot
		stem + ".key", // lego, certmagic, tls.crt/tls.key
		"key.pem",
	} {
		if names[cand] {
			return filepath.Join(dir, cand)
		}
	}
	return ""
}

func hasMeta(p string) bool { return strings.ContainsAny(p, `*?[\`) }

// ProbeTargets serves the certificate_file module kind: the target is a
// path, accepted only when it resolves inside one of the module's roots.
func (c *certFileCollector) ProbeTargets(ctx context.Context, env *scrape.Env, m *config.Module, target string) ([]scrape.Target, error) {
	if !filepath.IsAbs(target) {
		return nil, scrape.Refuse("%s", ErrNotInsideRoots)
	}
	if err := InsideRoots(target, m.FileRoots); err != nil {
		return nil, err
	}
	p := filepath.Clean(target)
	s := certFileSpec{path: p, name: DeriveName(p), key: siblingCache{}.lookup(p), probed: true}
	return []scrape.Target{fileTarget(&s, func(ctx context.Context, emit scrape.Emit) error {
		return c.check(env, &s, emit)
	})}, nil
}

func (c *certFileCollector) Kinds() []string { return []string{certFileCheck} }

// ErrNotInsideRoots is the one text of every refusal of a file target: the
// caller is not authenticated, so the answer must not say whether a path
// outside the roots exists, where a symlink leads or where the exporter
// runs from.
const ErrNotInsideRoots = "target is not an absolute path to a file inside the module's file_roots"

// InsideRoots refuses paths that are not, after resolving every symlink,
// inside one of roots (also resolved). A missing file is judged by its
// resolved directory, so "not found" can still be reported.
func InsideRoots(p string, roots []string) error {
	resolved, err := filepath.EvalSymlinks(p)
	if err != nil {
		dir, derr := filepath.EvalSymlinks(filepath.Dir(p))
		if derr != nil {
			return scrape.Refuse("%s", ErrNotInsideRoots)
		}
		if fi, lerr := os.Lstat(p); lerr == nil && fi.Mode()&fs.ModeSymlink != 0 {
			// A dangling link: judge where it points.
			dest, _ := os.Readlink(p)
			if !filepath.IsAbs(dest) {
				dest = filepath.Join(dir, dest)
			}
			resolved = filepath.Clean(dest)
		} else {
			resolved = filepath.Join(dir, filepath.Base(p))
		}
	}
	for _, r := range roots {
		rr, err := filepath.EvalSymlinks(r)
		if err != nil {
			continue
		}
		if resolved == rr || strings.HasPrefix(resolved, rr+string(filepath.Separator)) {
			return nil
		}
	}
	return scrape.Refuse("%s", ErrNotInsideRoots)
}
