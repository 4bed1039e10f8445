// Copyright 2026 The acme_exporter Authors
// SPDX-License-Identifier: Apache-2.0

// Package exporter wires configuration, discovery and check families into
// the HTTP endpoints: /metrics, /probe and /-/reload.
package exporter

import (
	"crypto/x509"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/klauspost/compress/gzip"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"

	"github.com/acme-exporter/acme_exporter/config"
	"github.com/acme-exporter/acme_exporter/internal/failure"
	"github.com/acme-exporter/acme_exporter/inventory"
	"github.com/acme-exporter/acme_exporter/scrape"
)

// Augmenter adds discovered checks to the configured ones, de-duplicated.
type Augmenter func(*config.Config) *config.Config

// Exporter serves the endpoints.
type Exporter struct {
	Config    *config.SafeConfig
	Logger    *slog.Logger
	Now       func() time.Time
	Inventory *inventory.Inventory
	// Directories is shared by the directory family (writer) and CAA/ARI.
	Directories *inventory.DirectoryStore
	// Augment, when set, merges discovered checks into the config.
	Augment Augmenter
	// Discovered, when set, returns discovery's latest snapshot.
	Discovered func() *inventory.Snapshot
	// Registry holds the exporter's own long-lived metrics.
	Registry *prometheus.Registry

	families map[string]scrape.Collector
	sched    *scrape.Scheduler
	probes   *scrape.Scheduler
	probeSem chan struct{}
	refused  *prometheus.CounterVec

	mu    sync.RWMutex
	roots *x509.CertPool
}

// New builds an exporter around a loaded config. The families are the
// enabled check families.
func New(cfg *config.SafeConfig, reg *prometheus.Registry, logger *slog.Logger, now func() time.Time) (*Exporter, error) {
	if now == nil {
		now = time.Now
	}
	c := cfg.Get()
	if c == nil {
		return nil, fmt.Errorf("config not loaded")
	}
	e := &Exporter{
		Config:      cfg,
		Logger:      logger,
		Now:         now,
		Inventory:   inventory.New(),
		Directories: inventory.NewDirectoryStore(),
		Registry:    reg,
		families:    scrape.Families(logger),
		sched:       scrape.NewScheduler(c.Global.Concurrency, now, logger),
		probes:      scrape.NewScheduler(c.Global.Concurrency, now, logger),
		probeSem:    make(chan struct{}, c.Global.ProbeConcurrency),
		refused: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "acme_exporter_probe_refused_total",
			Help: "/probe requests refused, by reason: unknown_module, target_refused, bad_request (answered 400), busy (503), refused_by_policy (an address reached while probing, after DNS or a redirect, was refused: answered 200 with that failure reason).",
		}, []string{"reason"}),
	}
	e.sched.LogChanges = true
	e.probes.WaitForSlow = true
	for _, r := range []string{"unknown_module", "target_refused", "bad_request", "busy", "refused_by_policy"} {
		e.refused.WithLabelValues(r)
	}
	reg.MustRegister(e.refused)
	if err := e.loadRoots(c); err != nil {
		return nil, err
	}
	cfg.OnLoad(func(c *config.Config) {
		if err := e.loadRoots(c); err != nil {
			logger.Error("Cannot load trust roots, keeping the previous ones", "err", err)
		}
	})
	return e, nil
}

// Close stops what the check families keep running between scrapes (ARI's
// background fetchers). The exporter serves nothing after.
func (e *Exporter) Close() error { return scrape.Close(e.families) }

func (e *Exporter) loadRoots(c *config.Config) error {
	roots, err := scrape.LoadRoots(c.Global)
	if err != nil {
		return err
	}
	e.mu.Lock()
	e.roots = roots
	e.mu.Unlock()
	return nil
}

// Env returns the environment checks see in this scrape.
func (e *Exporter) Env() *scrape.Env {
	c := e.Config.Get()
	if e.Augment != nil {
		c = e.Augment(c)
	}
	e.mu.RLock()
	roots := e.roots
	e.mu.RUnlock()
	snap := &inventory.Snapshot{}
	if e.Discovered != nil {
		if s := e.Discovered(); s != nil {
			snap = s
		}
	}
	return &scrape.Env{Config: c, Now: e.Now, Logger: e.Logger, Roots: roots, Inventory: e.Inventory, Discovered: snap,
		Directories: e.Directories}
}

// deadline is when a scrape must have its answer: Prometheus's timeout
// header (or the configured default) minus the offset.
func deadline(r *http.Request, g config.Global, now time.Time) time.Time {
	timeout := g.ScrapeTimeout.D()
	if h := r.Header.Get("X-Prometheus-Scrape-Timeout-Seconds"); h != "" {
		if s, err := strconv.ParseFloat(h, 64); err == nil && s > 0 {
			timeout = time.Duration(s * float64(time.Second))
		}
	}
	timeout -= g.TimeoutOffset.D()
	if timeout < 100*time.Millisecond {
		timeout = 100 * time.Millisecond
	}
	return now.Add(timeout)
}

// MetricsHandler serves /metrics: the exporter's own registry (and extra,
// e.g. the Go and process collectors) through client_golang, then every
// check's samples streamed by scrape.WriteText, which keeps a scrape of
// thousands of certificates inside a small memory budget.
func (e *Exporter) MetricsHandler(extra prometheus.Gatherer, maxRequests int) http.Handler {
	var sem chan struct{}
	if maxRequests > 0 {
		sem = make(chan struct{}, maxRequests)
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if sem != nil {
			select {
			case sem <- struct{}{}:
				defer func() { <-sem }()
			default:
				http.Error(w, "too many concurrent scrapes", http.StatusServiceUnavailable)
				return
			}
		}
		env := e.Env()
		dl := deadline(r, env.Config.Global, time.Now())
		gs := prometheus.Gatherers{e.Registry}
		if extra != nil {
			gs = append(gs, extra)
		}
		// Text and OpenMetrics (which Prometheus asks for first) are
		// streamed from the checks' own data; any other format the scraper
		// asks for (protobuf) goes through client_golang's encoder, which
		// needs every sample built.
		format := expfmt.NegotiateAccept(r.Header, expfmt.DefaultOpenMetricsAcceptedFormats()...)
		kind := format.FormatType()
		streamed := kind == expfmt.TypeTextPlain || kind == expfmt.TypeOpenMetrics
		if kind == expfmt.TypeTextPlain {
			format = expfmt.NewFormat(expfmt.TypeTextPlain)
		}
		var ms [][]prometheus.Metric
		if streamed {
			var mu sync.Mutex
			e.sched.CollectBatches(env, e.families, dl, func(batch [][]prometheus.Metric) {
				mu.Lock()
				ms = append(ms, batch...)
				mu.Unlock()
			})
		} else {
			checks := prometheus.NewRegistry()
			checks.MustRegister(checkCollector{e, env, dl})
			gs = append(gs, checks)
		}
		mfs, err := gs.Gather()
		if err != nil {
			e.Logger.Error("Gathering metrics", "err", err)
		}

		w.Header().Set("Content-Type", string(format))
		var out io.Writer = w
		if acceptsGzip(r) {
			w.Header().Set("Content-Encoding", "gzip")
			// Prometheus asks for gzip. The bytes are what Prometheus and
			// the network pay on every scrape, so the level is klauspost's
			// default (6), whose matcher finds the repeats between a
			// file's lines: for 10,000 files 0.29 MB in 16 ms, against
			// 0.38 MB in 7 ms at BestSpeed and 0.38 MB in 48 ms with
			// compress/gzip at its default (docs/benchmarks.md).
			// klauspost/compress is in the module graph through
			// client_golang already. Compressors are pooled: each holds
			// about a megabyte of state.
			gz := gzipPool.Get().(*gzip.Writer)
			gz.Reset(w)
			defer func() {
				_ = gz.Close()
				gz.Reset(io.Discard)
				gzipPool.Put(gz)
			}()
			out = gz
		}
		if err := encode(out, format, mfs, ms); err != nil {
			e.Logger.Debug("Writing metrics", "err", err)
		}
	})
}

// encode writes the gathered families, then the checks' streamed batches
// (for text and OpenMetrics), in format.
func encode(w io.Writer, format expfmt.Format, mfs []*dto.MetricFamily, ms [][]prometheus.Metric) error {
	switch format.FormatType() {
	case expfmt.TypeTextPlain:
		for _, mf := range mfs {
			if _, err := expfmt.MetricFamilyToText(w, mf); err != nil {
				return err
			}
		}
		return scrape.WriteText(w, ms...)
	case expfmt.TypeOpenMetrics:
		for _, mf := range mfs {
			if _, err := expfmt.MetricFamilyToOpenMetrics(w, mf); err != nil {
				return err
			}
		}
		return scrape.WriteOpenMetrics(w, ms...) // ends with # EOF
	}
	enc := expfmt.NewEncoder(w, format)
	for _, mf := range mfs {
		if err := enc.Encode(mf); err != nil {
			return err
		}
	}
	if c, ok := enc.(expfmt.Closer); ok {
		return c.Close()
	}
	return nil
}

// checkCollector runs the checks for one scrape as a client_golang
// collector (every sample built), for formats other than text. It is
// unchecked: the families are known only once their targets are listed.
type checkCollector struct {
	e   *Exporter
	env *scrape.Env
	dl  time.Time
}

func (checkCollector) Describe(chan<- *prometheus.Desc) {}

func (c checkCollector) Collect(ch chan<- prometheus.Metric) {
	c.e.sched.Collect(c.env, c.e.families, c.dl, ch)
}

var gzipPool = sync.Pool{New: func() any {
	gz, _ := gzip.NewWriterLevel(io.Discard, 6) // see MetricsHandler
	return gz
}}

func acceptsGzip(r *http.Request) bool {
	for _, part := range strings.Split(r.Header.Get("Accept-Encoding"), ",") {
		if strings.TrimSpace(strings.Split(part, ";")[0]) == "gzip" {
			return true
		}
	}
	return false
}

type probeRun struct {
	e        *Exporter
	targets  []scrape.Target
	deadline time.Time
}

func (p *probeRun) Describe(chan<- *prometheus.Desc) {}

// Collect runs the probe. A refusal by the module's policy while probing
// (the dialer refusing a rebound name, a redirect to a refused address)
// reaches the caller as a failure reason in the metrics; it is counted in
// acme_exporter_probe_refused_total as well, once per request.
func (p *probeRun) Collect(ch chan<- prometheus.Metric) {
	inner := make(chan prometheus.Metric)
	done := make(chan bool)
	go func() {
		refused := false
		for m := range inner {
			if !refused && policyRefusal(m) {
				refused = true
			}
			ch <- m
		}
		done <- refused
	}()
	p.e.probes.Probe(p.targets, p.deadline, inner)
	close(inner)
	if <-done {
		p.e.refused.WithLabelValues("refused_by_policy").Inc()
	}
}

// policyRefusal says whether m is a failure sample with the reason
// refused_by_policy, as every family names a policy refusal.
func policyRefusal(m prometheus.Metric) bool {
	reason, v, ok := scrape.LabelOf(m, "reason")
	return ok && v != 0 && reason == "refused_by_policy"
}

// ProbeHandler serves /probe?module=M&target=T.
func (e *Exporter) ProbeHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		env := e.Env()
		q := r.URL.Query()
		modName, target := q.Get("module"), q.Get("target")
		if modName == "" || target == "" {
			e.refuse(w, "bad_request", http.StatusBadRequest, "both module and target parameters are required")
			return
		}
		mod, ok := env.Config.Modules[modName]
		if !ok {
			e.refuse(w, "unknown_module", http.StatusBadRequest, fmt.Sprintf("unknown module %q", modName))
			return
		}
		prober, ok := scrape.ProberFor(e.families, mod.Kind)
		if !ok {
			e.refuse(w, "unknown_module", http.StatusBadRequest, fmt.Sprintf("module %q: kind %q is not served (collector disabled?)", modName, mod.Kind))
			return
		}
		targets, err := prober.ProbeTargets(r.Context(), env, mod, target)
		if err != nil {
			// A refusal says why (its text without the reason word); any
			// other error is answered 400 the same way, as it is.
			msg := err.Error()
			if failure.IsRefused(err) {
				msg = failure.Detail(err)
			}
			e.refuse(w, failure.TargetRefused, http.StatusBadRequest, fmt.Sprintf("module %q refuses target: %s", modName, msg))
			return
		}
		dl := deadline(r, env.Config.Global, time.Now())
		if mod.Timeout > 0 && time.Now().Add(mod.Timeout.D()).Before(dl) {
			dl = time.Now().Add(mod.Timeout.D())
		}
		for i := range targets {
			if targets[i].Timeout <= 0 {
				targets[i].Timeout = time.Until(dl)
			}
			targets[i].MinInterval = 0 // a probe asks for a fresh answer
		}
		var steps *stepLog
		if q.Get("debug") == "true" {
			steps = newStepLog(modName, mod, target, dl)
			for i := range targets {
				targets[i].Run = steps.wrap(targets[i])
			}
		}
		select {
		case e.probeSem <- struct{}{}:
			defer func() { <-e.probeSem }()
		case <-time.After(time.Until(dl)):
			e.refuse(w, "busy", http.StatusServiceUnavailable, "too many concurrent probes")
			return
		}
		format := expfmt.NegotiateAccept(r.Header, expfmt.DefaultOpenMetricsAcceptedFormats()...)
		if kind := format.FormatType(); steps == nil && (kind == expfmt.TypeTextPlain || kind == expfmt.TypeOpenMetrics) {
			// A registry per request (gathering into client_model,
			// sorting, checking, gzip) cost more CPU than the TLS
			// handshake it reports on: the samples are written as
			// /metrics writes them. The answer is a few KB, sent as it
			// is rather than spending a compressor on it.
			if kind == expfmt.TypeTextPlain {
				format = expfmt.NewFormat(expfmt.TypeTextPlain)
			}
			var ms [][]prometheus.Metric
			refused := false
			e.probes.ProbeBatches(targets, dl, func(b []prometheus.Metric) {
				for _, m := range b {
					if !refused && policyRefusal(m) {
						refused = true
					}
				}
				ms = append(ms, b)
			})
			if refused {
				e.refused.WithLabelValues("refused_by_policy").Inc()
			}
			w.Header().Set("Content-Type", string(format))
			if err := encode(w, format, nil, ms); err != nil {
				e.Logger.Debug("Writing probe", "err", err)
			}
			return
		}
		reg := prometheus.NewRegistry()
		reg.MustRegister(&probeRun{e: e, targets: targets, deadline: dl})
		if steps != nil {
			steps.serve(w, reg, mod)
			return
		}
		promhttp.HandlerFor(reg, promhttp.HandlerOpts{ErrorHandling: promhttp.ContinueOnError}).ServeHTTP(w, r)
	})
}

func (e *Exporter) refuse(w http.ResponseWriter, reason string, code int, msg string) {
	e.refused.WithLabelValues(reason).Inc()
	e.Logger.Debug("Probe refused", "reason", reason, "msg", msg)
	http.Error(w, msg, code)
}

// ReloadHandler serves POST /-/reload.
func (e *Exporter) ReloadHandler(reload func() error) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost && r.Method != http.MethodPut {
			w.Header().Set("Allow", "POST")
			http.Error(w, "use POST", http.StatusMethodNotAllowed)
			return
		}
		if err := reload(); err != nil {
			http.Error(w, fmt.Sprintf("failed to reload config: %s", err), http.StatusInternalServerError)
			return
		}
		fmt.Fprintln(w, "config reloaded")
	})
}
