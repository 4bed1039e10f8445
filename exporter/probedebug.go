// Copyright 2026 The acme_exporter Authors
// SPDX-License-Identifier: Apache-2.0

package exporter

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/common/expfmt"
	"go.yaml.in/yaml/v3"

	"github.com/acme-exporter/acme_exporter/config"
	"github.com/acme-exporter/acme_exporter/internal/probelog"
	"github.com/acme-exporter/acme_exporter/scrape"
)

// stepLog is the log of one /probe?debug=true request, shown before its
// metrics as blackbox_exporter does, so a user sees why a probe fails:
// each resolution, dial, TLS handshake, HTTP hop and DNS answer, then
// every check's outcome.
type stepLog struct {
	mu     sync.Mutex
	buf    bytes.Buffer
	logger *slog.Logger
}

func newStepLog(module string, m *config.Module, target string, deadline time.Time) *stepLog {
	s := &stepLog{}
	s.logger = slog.New(slog.NewTextHandler(s, &slog.HandlerOptions{Level: slog.LevelDebug}))
	s.logger.Info("Beginning probe", "module", module, "kind", m.Kind, "target", target,
		"timeout", time.Until(deadline).Round(time.Millisecond))
	return s
}

// Write lets the handler write from the checks' goroutines.
func (s *stepLog) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.buf.Write(p)
}

// wrap runs t with the step log in its context and logs its outcome.
func (s *stepLog) wrap(t scrape.Target) func(context.Context, scrape.Emit) error {
	run := t.Run
	return func(ctx context.Context, emit scrape.Emit) error {
		l := s.logger.With("check", t.Check, "target", t.Target)
		start := time.Now()
		err := run(probelog.With(ctx, l), emit)
		d := time.Since(start).Round(time.Microsecond)
		if err != nil {
			l.Error("Check failed", "reason", scrape.ReasonOf(err), "err", err, "duration", d)
		} else {
			l.Info("Check succeeded", "duration", d)
		}
		return err
	}
}

// serve writes the step log, the metrics and the module, as plain text.
func (s *stepLog) serve(w http.ResponseWriter, reg *prometheus.Registry, m *config.Module) {
	mfs, err := reg.Gather()
	var metrics bytes.Buffer
	for _, mf := range mfs {
		_, _ = expfmt.MetricFamilyToText(&metrics, mf)
	}
	if err != nil {
		fmt.Fprintf(&metrics, "# gathering: %v\n", err)
	}
	mod, _ := yaml.Marshal(m)
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	s.mu.Lock()
	defer s.mu.Unlock()
	fmt.Fprintf(w, "Logs for the probe:\n%s\n\nMetrics that would have been returned:\n%s\n\nModule configuration:\n%s", s.buf.String(), metrics.String(), mod)
}
