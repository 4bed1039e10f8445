// Copyright 2026 The acme_exporter Authors
// SPDX-License-Identifier: Apache-2.0

package scrape

import (
	"errors"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
)

// Lazy is what a check emits in place of samples it can make again from
// data it keeps anyway: the stored result holds only the Lazy. The
// /metrics writer asks it for one sample at a time, into a reused buffer,
// and every other consumer gets its samples built. Thousands of
// certificate files' samples then never sit in the heap, neither between
// scrapes nor during one, which is what sets the process's size.
// Implementations are immutable and safe for concurrent use.
//
// A Lazy is not a prometheus.Metric: a check hands it to the scheduler with
// Emit.Lazy, and nothing else can put it where a registry would see it.
type Lazy interface {
	// Metas lists the families it may have a sample of.
	Metas() []*DescMeta
	// SampleOf makes its sample of meta in *dst, with the label values in
	// scratch (len(meta.labels) of them fit); false when it has none.
	SampleOf(meta *DescMeta, dst *Sample, scratch []string) bool
}

// expandLazy builds l's samples as ordinary metrics.
func expandLazy(l Lazy) []prometheus.Metric {
	var ms []prometheus.Metric
	for _, meta := range l.Metas() {
		if s := lazySample(l, meta); s != nil {
			ms = append(ms, s)
		}
	}
	return ms
}

// lazySample builds l's sample of meta on its own (nil when it has none).
func lazySample(l Lazy, meta *DescMeta) *Sample {
	s := &Sample{}
	if !l.SampleOf(meta, s, make([]string, len(meta.labels))) {
		return nil
	}
	return s
}

// A LazyRef is a Lazy made ready to emit. A family that emits the same
// Lazy run after run keeps its LazyRef, so that emitting it allocates
// nothing: a warm scrape of thousands of files stays a few allocations.
type LazyRef struct{ l Lazy }

// NewLazyRef makes l ready to emit.
func NewLazyRef(l Lazy) *LazyRef { return &LazyRef{l} }

// Lazy emits r's Lazy in place of the samples it stands for.
func (e Emit) Lazy(r *LazyRef) { e(lazyMetric{r}) }

// lazyMetric carries a Lazy through the slices of metrics the scheduler
// stores and hands to WriteText. Only this package makes one, and every
// path towards a registry expands it first; its Metric methods fail should
// one ever get there. It is one pointer, so storing it in an interface
// allocates nothing.
type lazyMetric struct{ r *LazyRef }

var errLazy = errors.New("scrape: a Lazy must be expanded before it reaches a registry")

func (lazyMetric) Desc() *prometheus.Desc { return prometheus.NewInvalidDesc(errLazy) }

func (lazyMetric) Write(*dto.Metric) error { return errLazy }

// probeMetric carries a result's own probe series (probeLazy) the way
// lazyMetric carries a family's Lazy, without a LazyRef: the result is
// made on every run, so it must not cost another allocation.
type probeMetric struct{ r *result }

func (probeMetric) Desc() *prometheus.Desc { return prometheus.NewInvalidDesc(errLazy) }

func (probeMetric) Write(*dto.Metric) error { return errLazy }

// lazyOf returns the Lazy m carries, if it carries one.
func lazyOf(m prometheus.Metric) (Lazy, bool) {
	switch m := m.(type) {
	case lazyMetric:
		return m.r.l, true
	case probeMetric:
		return probeLazy(m), true
	}
	return nil, false
}
