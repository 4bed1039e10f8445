// Copyright 2026 The acme_exporter Authors
// SPDX-License-Identifier: Apache-2.0

package scrape

import (
	"bufio"
	"fmt"
	"io"
	"math"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"unicode/utf8"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
)

// Samples and their exposition.
//
// A host with thousands of certificates produces on the order of 100,000
// series per scrape. client_golang's const metrics and Gather materialise
// every sample as protobuf structures (about 1 KiB each with our labels),
// which alone costs more memory than this exporter's whole budget. A sample
// here is a descriptor pointer, a value and the label values, which share
// their strings with the check's own data; the /metrics handler writes them
// straight to the text format. Samples still implement prometheus.Metric,
// so tests and /probe use the ordinary registry.

type DescMeta struct {
	desc       *prometheus.Desc
	name, help string
	labels     []string
	kind       prometheus.ValueType
	id         int // dense, so WriteText indexes a slice rather than a map
}

var (
	metas   sync.Map // *prometheus.Desc -> *descMeta
	metaIDs atomic.Int64
)

func register(d *prometheus.Desc, name, help string, labels []string, kind prometheus.ValueType) *prometheus.Desc {
	id := int(metaIDs.Add(1) - 1)
	metas.Store(d, &DescMeta{desc: d, name: name, help: help, labels: labels, kind: kind, id: id})
	return d
}

// Sample is 40 bytes plus its label values, which it shares with the
// check's own strings: the kind comes from the descriptor (Gauge and
// Counter use the kind the descriptor was made for).
type Sample struct {
	meta   *DescMeta
	value  float64
	labels []string
}

func newSample(d *prometheus.Desc, kind prometheus.ValueType, v float64, labels []string) prometheus.Metric {
	m, ok := metas.Load(d)
	if !ok {
		// A descriptor made elsewhere: the ordinary const metric.
		return prometheus.MustNewConstMetric(d, kind, v, labels...)
	}
	meta := m.(*DescMeta)
	if len(labels) != len(meta.labels) {
		panic(fmt.Sprintf("%s: %d label values for %d labels", meta.name, len(labels), len(meta.labels)))
	}
	copied := false
	for i, l := range labels {
		if !utf8.ValidString(l) {
			if !copied {
				labels, copied = append([]string(nil), labels...), true
			}
			labels[i] = EscapeInvalidUTF8(l)
		}
	}
	if kind != meta.kind {
		// A gauge built from a counter descriptor (or the reverse): rare,
		// so it takes the ordinary path.
		return prometheus.MustNewConstMetric(d, kind, v, labels...)
	}
	return &Sample{meta: meta, value: v, labels: labels}
}

// MetaOf returns the meta of a descriptor made by Desc or CounterDesc.
func MetaOf(d *prometheus.Desc) *DescMeta {
	m, ok := metas.Load(d)
	if !ok {
		panic("collector: descriptor not made by Desc or CounterDesc: " + d.String())
	}
	return m.(*DescMeta)
}

// Fill makes *dst a sample of meta, of the descriptor's own kind, for
// callers that allocate many samples in one block. labels belong to the
// caller's block and are made valid UTF-8 in place.
func Fill(dst *Sample, meta *DescMeta, v float64, labels []string) prometheus.Metric {
	if len(labels) != len(meta.labels) {
		panic(fmt.Sprintf("%s: %d label values for %d labels", meta.name, len(labels), len(meta.labels)))
	}
	for i, l := range labels {
		if !utf8.ValidString(l) {
			labels[i] = EscapeInvalidUTF8(l)
		}
	}
	*dst = Sample{meta: meta, value: v, labels: labels}
	return dst
}

func (s *Sample) Desc() *prometheus.Desc { return s.meta.desc }

func (s *Sample) Write(out *dto.Metric) error {
	out.Label = make([]*dto.LabelPair, 0, len(s.labels))
	for i := range s.meta.labels {
		out.Label = append(out.Label, &dto.LabelPair{Name: &s.meta.labels[i], Value: &s.labels[i]})
	}
	sort.Slice(out.Label, func(i, j int) bool { return out.Label[i].GetName() < out.Label[j].GetName() })
	v := s.value
	switch s.meta.kind {
	case prometheus.CounterValue:
		out.Counter = &dto.Counter{Value: &v}
	default:
		out.Gauge = &dto.Gauge{Value: &v}
	}
	return nil
}

// WriteText writes metrics in the Prometheus text format (0.0.4), grouped
// by family, families sorted by name; samples keep the order in which they
// came, which is the order of each family's targets (sorting 10,000 label
// sets per family would cost more than the rest of a warm scrape). The
// metrics come as any number of slices, as the scheduler hands them over.
// Metrics that are not samples go through client_model.
func WriteText(w io.Writer, batches ...[]prometheus.Metric) error {
	return write(w, false, batches)
}

// WriteOpenMetrics is WriteText in the OpenMetrics text format (1.0.0),
// which Prometheus asks for first: a counter's family is named without its
// _total suffix, help escapes quotes too, and "# EOF" ends the exposition,
// so anything else in the response must be written before.
func WriteOpenMetrics(w io.Writer, batches ...[]prometheus.Metric) error {
	return write(w, true, batches)
}

func write(w io.Writer, om bool, batches [][]prometheus.Metric) error {
	type family struct {
		meta    *DescMeta
		samples []prometheus.Metric // *Sample, or a Lazy carried (lazyOf)
		other   []prometheus.Metric
	}
	fams := map[string]*family{}
	byID := make([]*family, metaIDs.Load())
	// Count first, so that each family's samples take one allocation
	// rather than a growing series of them (10,000 pointers each).
	counts := make([]int, len(byID))
	for _, metrics := range batches {
		for _, m := range metrics {
			if s, ok := m.(*Sample); ok {
				counts[s.meta.id]++
			} else if l, ok := lazyOf(m); ok {
				for _, meta := range l.Metas() {
					counts[meta.id]++
				}
			}
		}
	}
	add := func(meta *DescMeta, m prometheus.Metric) {
		f := byID[meta.id]
		if f == nil {
			if f = fams[meta.name]; f == nil {
				f = &family{meta: meta}
				fams[meta.name] = f
			}
			byID[meta.id] = f
		}
		if f.meta == nil { // the family began with a foreign metric
			f.meta = meta
		}
		if f.samples == nil {
			f.samples = make([]prometheus.Metric, 0, counts[meta.id])
		}
		f.samples = append(f.samples, m)
	}
	for _, metrics := range batches {
		for _, m := range metrics {
			if s, ok := m.(*Sample); ok {
				add(s.meta, m)
				continue
			}
			if l, ok := lazyOf(m); ok {
				for _, meta := range l.Metas() {
					add(meta, m)
				}
				continue
			}
			name := descName(m.Desc())
			f := fams[name]
			if f == nil {
				f = &family{}
				fams[name] = f
			}
			f.other = append(f.other, m)
		}
	}
	names := make([]string, 0, len(fams))
	for n := range fams {
		names = append(names, n)
	}
	sort.Strings(names)
	bw := bufio.NewWriterSize(w, 64<<10)
	var line []byte
	for _, n := range names {
		f := fams[n]
		if len(f.other) > 0 {
			if err := writeOther(bw, om, n, f.other, f.meta, f.samples); err != nil {
				return err
			}
			continue
		}
		typ, family, help := "gauge", n, helpEscaper.Replace(f.meta.help)
		if f.meta.kind == prometheus.CounterValue {
			typ = "counter"
		}
		if om {
			help = omHelpEscaper.Replace(f.meta.help)
			if typ == "counter" {
				// The family is named without the suffix its samples carry.
				if strings.HasSuffix(n, "_total") {
					family = strings.TrimSuffix(n, "_total")
				} else {
					n += "_total"
				}
			}
		}
		bw.WriteString("# HELP ")
		bw.WriteString(family)
		bw.WriteByte(' ')
		bw.WriteString(help)
		bw.WriteString("\n# TYPE ")
		bw.WriteString(family)
		bw.WriteByte(' ')
		bw.WriteString(typ)
		bw.WriteByte('\n')
		// Each line is built in one buffer and written at once: fewer
		// calls than writing its dozen pieces one by one. A Lazy makes its
		// sample in tmp and scratch, so writing it allocates nothing.
		scratch := make([]string, len(f.meta.labels))
		var tmp Sample
		for _, m := range f.samples {
			s, ok := m.(*Sample)
			if !ok {
				l, _ := lazyOf(m)
				if tl, ok := l.(TextLazy); ok {
					line = append(line[:0], n...)
					if line, ok = tl.AppendText(f.meta, line); !ok {
						continue
					}
					line = append(line, '\n')
					if _, err := bw.Write(line); err != nil {
						return err
					}
					continue
				}
				if !l.SampleOf(f.meta, &tmp, scratch) {
					continue
				}
				s = &tmp
			}
			line = append(line[:0], n...)
			if len(s.labels) > 0 {
				line = append(line, '{')
				line = appendLabelPairs(line, f.meta.labels, s.labels)
				line = append(line, '}')
			}
			line = append(line, ' ')
			line = appendFloat(line, s.value)
			line = append(line, '\n')
			if _, err := bw.Write(line); err != nil {
				return err
			}
		}
	}
	if om {
		bw.WriteString("# EOF\n")
	}
	return bw.Flush()
}

// writeOther encodes a family holding foreign metrics through client_model.
func writeOther(w io.Writer, om bool, name string, other []prometheus.Metric, meta *DescMeta, samples []prometheus.Metric) error {
	mf := &dto.MetricFamily{Name: &name}
	all := append([]prometheus.Metric{}, other...)
	for _, m := range samples {
		if l, ok := lazyOf(m); ok {
			if s := lazySample(l, meta); s != nil {
				all = append(all, s)
			}
			continue
		}
		all = append(all, m)
	}
	for _, m := range all {
		pb := &dto.Metric{}
		if err := m.Write(pb); err != nil {
			return err
		}
		switch {
		case pb.Counter != nil:
			mf.Type = dto.MetricType_COUNTER.Enum()
		case pb.Histogram != nil:
			mf.Type = dto.MetricType_HISTOGRAM.Enum()
		case pb.Summary != nil:
			mf.Type = dto.MetricType_SUMMARY.Enum()
		case pb.Untyped != nil:
			mf.Type = dto.MetricType_UNTYPED.Enum()
		default:
			mf.Type = dto.MetricType_GAUGE.Enum()
		}
		mf.Metric = append(mf.Metric, pb)
	}
	help := descHelp(other[0].Desc())
	mf.Help = &help
	var err error
	if om {
		_, err = expfmt.MetricFamilyToOpenMetrics(w, mf)
	} else {
		_, err = expfmt.MetricFamilyToText(w, mf)
	}
	return err
}

var (
	helpEscaper   = strings.NewReplacer(`\`, `\\`, "\n", `\n`)
	omHelpEscaper = strings.NewReplacer(`\`, `\\`, "\n", `\n`, `"`, `\"`)
)

// appendLabelPairs appends name="value" pairs, comma-separated, without
// braces; the values must be valid UTF-8.
func appendLabelPairs(b []byte, names, values []string) []byte {
	for i, ln := range names {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, ln...)
		b = append(b, '=', '"')
		b = appendLabelValue(b, values[i])
		b = append(b, '"')
	}
	return b
}

// appendLabelValue escapes backslash, double quote and newline.
func appendLabelValue(b []byte, v string) []byte {
	start := 0
	for i := 0; i < len(v); i++ {
		var esc string
		switch v[i] {
		case '\\':
			esc = `\\`
		case '"':
			esc = `\"`
		case '\n':
			esc = `\n`
		default:
			continue
		}
		b = append(b, v[start:i]...)
		b = append(b, esc...)
		start = i + 1
	}
	return append(b, v[start:]...)
}

// appendFloat formats like client_golang's text encoder (shortest 'g'),
// except that whole numbers below 2^53 are written as integers: most
// samples are timestamps, 0 or 1, and a timestamp reads better (and is
// written faster) as 1767225600 than as 1.7672256e+09. Both parse the same.
func appendFloat(b []byte, f float64) []byte {
	switch {
	case math.IsInf(f, 1):
		return append(b, "+Inf"...)
	case math.IsInf(f, -1):
		return append(b, "-Inf"...)
	case math.IsNaN(f):
		return append(b, "NaN"...)
	}
	const exact = 1 << 53
	if f > -exact && f < exact && f == math.Trunc(f) { // -0 too, as "0" like client_golang
		return strconv.AppendInt(b, int64(f), 10)
	}
	return strconv.AppendFloat(b, f, 'g', -1, 64)
}

// descName and descHelp read a foreign descriptor through its String form,
// the only public view client_golang gives, which quotes both as Go
// strings: they are unquoted here, so the writer escapes them only once.
func descName(d *prometheus.Desc) string { return descField(d, "fqName: ") }

func descHelp(d *prometheus.Desc) string { return descField(d, "help: ") }

// descField returns the unquoted string that follows key in d.String().
func descField(d *prometheus.Desc, key string) string {
	s := d.String()
	i := strings.Index(s, key)
	if i < 0 {
		return ""
	}
	q, err := strconv.QuotedPrefix(s[i+len(key):])
	if err != nil {
		return ""
	}
	v, err := strconv.Unquote(q)
	if err != nil {
		return ""
	}
	return v
}

// EscapeInvalidUTF8 makes a label value valid UTF-8 while keeping values
// that differ in invalid bytes apart (file names are bytes, not text, and
// U+FFFD for every bad byte made two files one series): each invalid byte
// becomes \xNN and, in such a value, a backslash becomes \\, so two
// escaped values differ whenever their inputs do. Valid strings are
// returned as they are.
func EscapeInvalidUTF8(s string) string {
	if utf8.ValidString(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 8)
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && n == 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case r == '\\':
			b.WriteString(`\\`)
		default:
			b.WriteString(s[i : i+n])
		}
		i += n
	}
	return b.String()
}

// LabelOf returns the value of label name in m and m's value, without the
// client_model conversion (label pairs, sorting) a Write costs: /probe
// looks at every sample of its answer this way. ok is false when m has no
// such label or cannot be read.
func LabelOf(m prometheus.Metric, name string) (value string, v float64, ok bool) {
	if s, isSample := m.(*Sample); isSample {
		for i, ln := range s.meta.labels {
			if ln == name {
				return s.labels[i], s.value, true
			}
		}
		return "", s.value, false
	}
	var d dto.Metric
	if m.Write(&d) != nil {
		return "", 0, false
	}
	for _, l := range d.GetLabel() {
		if l.GetName() == name {
			return l.GetValue(), d.GetGauge().GetValue() + d.GetCounter().GetValue() + d.GetUntyped().GetValue(), true
		}
	}
	return "", 0, false
}
