// Copyright 2026 The acme_exporter Authors
// SPDX-License-Identifier: Apache-2.0

package scrape

import (
	"errors"
	"fmt"

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

// A TextLazy also writes its samples' text itself: AppendText appends to b
// what follows the family name on the sample's line ("{labels} value",
// without the newline), or reports that it has no sample of meta. A family
// with thousands of targets renders each target's label text once, when
// its data changes (AppendLabels), and keeps it with the values in one
// object: the writer visits every target once per family, and at 100,000
// files the objects a pass would otherwise follow (spec, inventory entry,
// chain verdict, each string) no longer fit in the processor's caches, so
// every pass paid a cache miss for each of them. The text must be what
// SampleOf's sample would print.
type TextLazy interface {
	Lazy
	AppendText(meta *DescMeta, b []byte) ([]byte, bool)
}

// AppendLabels appends meta's labels with values, escaped as the text
// format needs (name="value",...), without braces; values that are not
// valid UTF-8 are escaped as Fill does.
func AppendLabels(b []byte, meta *DescMeta, values ...string) []byte {
	if len(values) != len(meta.labels) {
		panic(fmt.Sprintf("%s: %d label values for %d labels", meta.name, len(values), len(meta.labels)))
	}
	copied := false
	for i, v := range values {
		if e := EscapeInvalidUTF8(v); e != v {
			if !copied {
				values, copied = append([]string(nil), values...), true
			}
			values[i] = e
		}
	}
	return appendLabelPairs(b, meta.labels, values)
}

// AppendValue appends v as the writer formats sample values.
func AppendValue(b []byte, v float64) []byte { return appendFloat(b, v) }

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

// Set makes r, which may be a field of l itself, ready to emit l: a Lazy
// written once per family on every scrape then costs the writer one object
// to fetch from memory rather than two.
func (r *LazyRef) Set(l Lazy) { r.l = l }

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

// Name is the family's name.
func (m *DescMeta) Name() string { return m.name }

// Labels are the family's label names, in the order samples carry them.
// The caller must not modify them.
func (m *DescMeta) Labels() []string { return m.labels }
