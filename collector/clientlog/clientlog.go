// Copyright 2026 The acme_exporter Authors
// SPDX-License-Identifier: Apache-2.0

// Package clientlog follows ACME clients' log files and counts the
// problems they report (rate limits, failed challenges, connection errors).
package clientlog

import (
	"context"
	"errors"
	"log/slog"
	"sort"
	"sync"
	"time"

	"github.com/acme-exporter/acme_exporter/internal/acmelog"
	"github.com/acme-exporter/acme_exporter/internal/failure"
	"github.com/acme-exporter/acme_exporter/internal/files"
	"github.com/acme-exporter/acme_exporter/internal/logtail"
	"github.com/acme-exporter/acme_exporter/scrape"
)

const clientLogCheck = "client_log"

var (
	clErrorsDesc = scrape.CounterDesc(clientLogCheck, "acme_client_errors_total",
		"ACME problem documents (urn:ietf:params:acme:error:<problem>) the CA returned, as seen in the client's log since the exporter started; unknown types count as problem=\"other\".",
		"log", "problem")
	clLastSeenDesc = scrape.Desc(clientLogCheck, "acme_client_error_last_seen_timestamp_seconds",
		"Unix time when the exporter last read a problem of this type from the log (read time, not the log line's own time).",
		"log", "problem")
	clRemoteDesc = scrape.CounterDesc(clientLogCheck, "acme_client_remote_validation_errors_total",
		"Problems whose detail starts with \"During secondary validation\": one of the CA's remote vantage points failed to validate.",
		"log", "problem")
	clRateLimitedDesc = scrape.CounterDesc(clientLogCheck, "acme_client_rate_limited_total",
		"rateLimited problems by the limit their detail names (paused_identifier: the account is paused for the identifier and must unpause it; unknown: detail not recognised).",
		"log", "limit")
	_ = scrape.Bounded(clErrorsDesc, "problem", append(acmelog.Problems, acmelog.Other)...)
	_ = scrape.Bounded(clLastSeenDesc, "problem", append(acmelog.Problems, acmelog.Other)...)
	_ = scrape.Bounded(clRemoteDesc, "problem", append(acmelog.Problems, acmelog.Other)...)
	_ = scrape.Bounded(clRateLimitedDesc, "limit", acmelog.LimitPerDomain, acmelog.LimitDuplicate, acmelog.LimitNewOrders,
		acmelog.LimitFailedValidation, acmelog.LimitRegistrations, acmelog.LimitPaused, acmelog.LimitUnknown)
	clLinesCutDesc = scrape.CounterDesc(clientLogCheck, "acme_client_log_lines_cut_total",
		"Log lines longer than client_logs.max_line_bytes, cut before parsing.",
		"log")
)

// Series present from the first scrape, so rate() sees the first error.
var (
	clInitialProblems = []string{"accountDoesNotExist", "badNonce", "caa", "connection", "dns", "rateLimited", "tls", "unauthorized"}
	clInitialLimits   = []string{acmelog.LimitPerDomain, acmelog.LimitDuplicate, acmelog.LimitNewOrders,
		acmelog.LimitFailedValidation, acmelog.LimitRegistrations, acmelog.LimitPaused, acmelog.LimitUnknown}
)

func init() {
	scrape.Register(clientLogCheck, true, func(l *slog.Logger) scrape.Collector { return newClientLogCollector(l) })
}

// clientLogCollector keeps one tailer and the counters per log across
// scrapes: the counters are the collector's own state.
type clientLogCollector struct {
	logger *slog.Logger
	mu     sync.Mutex
	logs   map[string]*clientLog
}

type clientLog struct {
	mu       sync.Mutex
	path     string
	format   string
	tail     *logtail.Tailer
	parser   *acmelog.Parser
	errors   map[string]float64
	remote   map[string]float64
	limits   map[string]float64
	lastSeen map[string]time.Time
}

func newClientLogCollector(l *slog.Logger) *clientLogCollector {
	return &clientLogCollector{logger: l, logs: map[string]*clientLog{}}
}

func (c *clientLogCollector) Targets(env *scrape.Env) ([]scrape.Target, error) {
	cfg := env.Config.ClientLogs
	formats := map[string]string{}
	var paths []string
	for _, f := range cfg.Files {
		if _, ok := formats[f.Path]; !ok {
			paths = append(paths, f.Path)
		}
		formats[f.Path] = f.Format
	}
	for _, l := range env.Discovered.Logs {
		if _, ok := formats[l.Path]; !ok && l.Path != "" {
			paths = append(paths, l.Path)
			formats[l.Path] = l.Format
		}
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	for p, l := range c.logs {
		if _, keep := formats[p]; !keep || l.format != normFormat(formats[p]) {
			l.mu.Lock()
			_ = l.tail.Close()
			l.mu.Unlock()
			delete(c.logs, p)
		}
	}
	ts := make([]scrape.Target, 0, len(paths))
	for _, p := range paths {
		l := c.logs[p]
		if l == nil {
			l = newClientLog(p, normFormat(formats[p]), cfg.MaxLineBytes)
			c.logs[p] = l
		}
		ts = append(ts, scrape.Target{
			Check:  clientLogCheck,
			Target: p,
			Run: func(ctx context.Context, emit scrape.Emit) error {
				return l.run(ctx, env.Now, cfg.MaxReadBytes, emit)
			},
		})
	}
	return ts, nil
}

func normFormat(f string) string {
	switch f {
	case acmelog.Certbot, acmelog.Lego, acmelog.CaddyJSON:
		return f
	}
	return acmelog.Auto
}

func newClientLog(path, format string, maxLine int) *clientLog {
	l := &clientLog{
		path: path, format: format,
		tail:   logtail.New(path, maxLine),
		parser: acmelog.NewParser(format),
		errors: map[string]float64{}, remote: map[string]float64{},
		limits: map[string]float64{}, lastSeen: map[string]time.Time{},
	}
	for _, p := range clInitialProblems {
		l.errors[p] = 0
	}
	for _, p := range clInitialLimits {
		l.limits[p] = 0
	}
	return l
}

// run reads what was written since the last run and emits the counters.
func (l *clientLog) run(ctx context.Context, now func() time.Time, maxRead int64, emit scrape.Emit) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	var err error
	if err = ctx.Err(); err == nil {
		seen := now()
		count := func(e acmelog.Event) {
			l.errors[e.Problem]++
			l.lastSeen[e.Problem] = seen
			if e.Secondary {
				l.remote[e.Problem]++
			}
			if e.Limit != "" {
				l.limits[e.Limit]++
			}
		}
		var st logtail.Stats
		st, err = l.tail.Read(maxRead, func(line []byte) { l.parser.Line(line, count) })
		l.parser.Flush(count)
		if err == nil && st.Missing {
			err = scrape.Fail("not_found", errors.New(l.path+" does not exist (yet)"))
		}
	}
	for _, p := range sortedKeys(l.errors) {
		emit(scrape.Counter(clErrorsDesc, l.errors[p], l.path, p))
	}
	for _, p := range sortedKeys(l.lastSeen) {
		emit(scrape.Gauge(clLastSeenDesc, float64(l.lastSeen[p].UnixNano())/1e9, l.path, p))
	}
	for _, p := range sortedKeys(l.remote) {
		emit(scrape.Counter(clRemoteDesc, l.remote[p], l.path, p))
	}
	for _, p := range sortedKeys(l.limits) {
		emit(scrape.Counter(clRateLimitedDesc, l.limits[p], l.path, p))
	}
	emit(scrape.Counter(clLinesCutDesc, float64(l.tail.Cut()), l.path))
	if err != nil {
		var f *failure.Error
		switch {
		case errors.As(err, &f):
		case errors.Is(err, context.DeadlineExceeded), errors.Is(err, context.Canceled):
		case errors.Is(err, logtail.ErrNotRegular):
			err = scrape.Fail("not_regular_file", err)
		default:
			err = files.Failure(l.path, err) // exporter_cannot_read, read_error, ...
		}
	}
	return err
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
