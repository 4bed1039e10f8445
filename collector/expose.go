// Copyright 2026 The acme_exporter Authors
// SPDX-License-Identifier: Apache-2.0

package collector

import (
	"bufio"
	"fmt"
	"io"
	"math"
	"sort"
	"strconv"
	"strings"
	"sync"
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

type descMeta struct {
	desc       *prometheus.Desc
	name, help string
	labels     []string
	kind       prometheus.ValueType
}

var metas sync.Map // *prometheus.Desc -> *descMeta

func register(d *prometheus.Desc, name, help string, labels []string, kind prometheus.ValueType) *prometheus.Desc {
	metas.Store(d, &descMeta{desc: d, name: name, help: help, labels: labels, kind: kind})
	return d
}

// sample is 40 bytes plus its label values, which it shares with the
// check's own strings: the kind comes from the descriptor (Gauge and
// Counter use the kind the descriptor was made for).
type sample struct {
	meta   *descMeta
	value  float64
	labels []string
}

func newSample(d *prometheus.Desc, kind prometheus.ValueType, v float64, labels []string) prometheus.Metric {
	m, ok := metas.Load(d)
	if !ok {
		// A descriptor made elsewhere: the ordinary const metric.
		return prometheus.MustNewConstMetric(d, kind, v, labels...)
	}
	meta := m.(*descMeta)
	if len(labels) != len(meta.labels) {
		panic(fmt.Sprintf("%s: %d label values for %d labels", meta.name, len(labels), len(meta.labels)))
	}
	copied := false
	for i, l := range labels {
		if !utf8.ValidString(l) {
			if !copied {
				labels, copied = append([]string(nil), labels...), true
			}
			labels[i] = strings.ToValidUTF8(l, "\uFFFD")
		}
	}
	if kind != meta.kind {
		// A gauge built from a counter descriptor (or the reverse): rare,
		// so it takes the ordinary path.
		return prometheus.MustNewConstMetric(d, kind, v, labels...)
	}
	return &sample{meta: meta, value: v, labels: labels}
}

func (s *sample) Desc() *prometheus.Desc { return s.meta.desc }

func (s *sample) Write(out *dto.Metric) error {
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
// sets per family would cost more than the rest of a warm scrape).
// Metrics that are not samples go through client_model.
func WriteText(w io.Writer, metrics []prometheus.Metric) error {
	type family struct {
		meta    *descMeta
		samples []*sample
		other   []prometheus.Metric
	}
	fams := map[string]*family{}
	byMeta := map[*descMeta]*family{} // pointer keys: cheaper than names
	for _, m := range metrics {
		if s, ok := m.(*sample); ok {
			f := byMeta[s.meta]
			if f == nil {
				if f = fams[s.meta.name]; f == nil {
					f = &family{meta: s.meta}
					fams[s.meta.name] = f
				}
				byMeta[s.meta] = f
			}
			f.samples = append(f.samples, s)
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
	names := make([]string, 0, len(fams))
	for n := range fams {
		names = append(names, n)
	}
	sort.Strings(names)
	bw := bufio.NewWriterSize(w, 64<<10)
	for _, n := range names {
		f := fams[n]
		if len(f.other) > 0 {
			if err := writeOther(bw, n, f.other, f.samples); err != nil {
				return err
			}
			continue
		}
		typ := "gauge"
		if f.meta.kind == prometheus.CounterValue {
			typ = "counter"
		}
		bw.WriteString("# HELP ")
		bw.WriteString(n)
		bw.WriteByte(' ')
		bw.WriteString(escapeHelp(f.meta.help))
		bw.WriteString("\n# TYPE ")
		bw.WriteString(n)
		bw.WriteByte(' ')
		bw.WriteString(typ)
		bw.WriteByte('\n')
		var num []byte
		for _, s := range f.samples {
			bw.WriteString(n)
			if len(s.labels) > 0 {
				bw.WriteByte('{')
				for i, ln := range f.meta.labels {
					if i > 0 {
						bw.WriteByte(',')
					}
					bw.WriteString(ln)
					bw.WriteString(`="`)
					writeLabelValue(bw, s.labels[i])
					bw.WriteByte('"')
				}
				bw.WriteByte('}')
			}
			bw.WriteByte(' ')
			num = appendFloat(num[:0], s.value)
			bw.Write(num)
			bw.WriteByte('\n')
		}
	}
	return bw.Flush()
}

// writeOther encodes a family holding foreign metrics through client_model.
func writeOther(w io.Writer, name string, other []prometheus.Metric, samples []*sample) error {
	mf := &dto.MetricFamily{Name: &name}
	all := append([]prometheus.Metric{}, other...)
	for _, s := range samples {
		all = append(all, s)
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
	_, err := expfmt.MetricFamilyToText(w, mf)
	return err
}

var helpEscaper = strings.NewReplacer(`\`, `\\`, "\n", `\n`)

func escapeHelp(s string) string { return helpEscaper.Replace(s) }

func writeLabelValue(w *bufio.Writer, v string) {
	if !strings.ContainsAny(v, "\\\"\n") {
		w.WriteString(v)
		return
	}
	for _, r := range v {
		switch r {
		case '\\':
			w.WriteString(`\\`)
		case '"':
			w.WriteString(`\"`)
		case '\n':
			w.WriteString(`\n`)
		default:
			w.WriteRune(r)
		}
	}
}

func appendFloat(b []byte, f float64) []byte {
	switch {
	case math.IsInf(f, 1):
		return append(b, "+Inf"...)
	case math.IsInf(f, -1):
		return append(b, "-Inf"...)
	case math.IsNaN(f):
		return append(b, "NaN"...)
	}
	return strconv.AppendFloat(b, f, 'g', -1, 64)
}

// descName and descHelp read a foreign descriptor through its String form,
// the only public view client_golang gives.
func descName(d *prometheus.Desc) string {
	s := d.String()
	const k = `fqName: "`
	i := strings.Index(s, k)
	if i < 0 {
		return s
	}
	s = s[i+len(k):]
	return s[:strings.IndexByte(s, '"')]
}

func descHelp(d *prometheus.Desc) string {
	s := d.String()
	const k = `help: "`
	i := strings.Index(s, k)
	if i < 0 {
		return ""
	}
	s = s[i+len(k):]
	for _, end := range []string{`", unit: "`, `", constLabels`} {
		if j := strings.Index(s, end); j >= 0 {
			return s[:j]
		}
	}
	return ""
}
