// Copyright 2026 The acme_exporter Authors
// SPDX-License-Identifier: Apache-2.0

package scrape_test

import (
	"bytes"
	"io"
	"math"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/acme-exporter/acme_exporter/scrape"
)

var (
	exposeGauge   = scrape.Desc("test", "acme_test_expose_gauge", "Help with \\ backslash\nand newline.", "name", "target")
	exposeCounter = scrape.CounterDesc("test", "acme_test_expose_total", "A counter.", "log")
	foreignDesc   = prometheus.NewDesc("acme_test_foreign", "Made by client_golang, with a \\ backslash, \"quotes\"\nand a newline.", []string{"x"}, nil)
)

// exposeMetrics are the metrics both exposition tests write: label values
// to escape (quotes, backslashes, newlines, invalid UTF-8), a counter, a
// foreign metric, and values around the integer fast path and the
// special ones.
func exposeMetrics() []prometheus.Metric {
	ms := []prometheus.Metric{
		scrape.Gauge(exposeGauge, 1.5, "b", `quo"te`),
		scrape.Gauge(exposeGauge, 2e9, "a", "back\\slash\nnewline"),
		scrape.Gauge(exposeGauge, 0, "c", "bad utf8 \xff"),
		scrape.Counter(exposeCounter, 7, "/var/log/x.log"),
		prometheus.MustNewConstMetric(foreignDesc, prometheus.GaugeValue, 3, "y"),
	}
	for i, v := range []float64{math.Copysign(0, -1), -5, 1767225600, -1767225600, 1 << 53, 1<<53 - 1,
		1e21, 0.1, 1e-7, 123456.5, math.NaN(), math.Inf(1), math.Inf(-1), math.MaxFloat64} {
		ms = append(ms, scrape.Gauge(exposeGauge, v, "v", strconv.Itoa(i)))
	}
	return ms
}

// WriteText must say exactly what client_golang's encoder says about the
// same metrics: both outputs are parsed and compared family by family.
func TestWriteTextMatchesClientGolang(t *testing.T) {
	ms := exposeMetrics()
	// Any split into batches writes the same families.
	var ours bytes.Buffer
	if err := scrape.WriteText(&ours, ms[:2], nil, ms[2:7], ms[7:]); err != nil {
		t.Fatal(err)
	}
	theirs := clientGolang(t, ms, expfmt.MetricFamilyToText)
	p := expfmt.NewTextParser(model.UTF8Validation)
	a, err := p.TextToMetricFamilies(strings.NewReader(ours.String()))
	if err != nil {
		t.Fatalf("our output does not parse: %v\n%s", err, ours.String())
	}
	b, err := p.TextToMetricFamilies(strings.NewReader(theirs.String()))
	if err != nil {
		t.Fatal(err)
	}
	if len(a) != len(b) {
		t.Fatalf("%d families, client_golang has %d", len(a), len(b))
	}
	for name, fa := range a {
		fb := b[name]
		if fb != nil {
			// Order within a family is not part of the format.
			for _, f := range []*dto.MetricFamily{fa, fb} {
				sort.Slice(f.Metric, func(i, j int) bool { return f.Metric[i].String() < f.Metric[j].String() })
			}
		}
		if fb == nil || fa.String() != fb.String() {
			t.Errorf("family %s differs:\nours:   %v\ntheirs: %v", name, fa, fb)
		}
	}
}

func TestSampleRejectsWrongLabelCount(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Fatal("no panic for a missing label value")
		}
	}()
	scrape.Gauge(exposeGauge, 1, "only-one")
}

// clientGolang is what client_golang's registry and encoder say about ms.
func clientGolang(t *testing.T, ms []prometheus.Metric, encode func(io.Writer, *dto.MetricFamily) (int, error)) *bytes.Buffer {
	t.Helper()
	reg := prometheus.NewPedanticRegistry()
	reg.MustRegister(metricList(ms))
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	for _, mf := range mfs {
		if _, err := encode(&b, mf); err != nil {
			t.Fatal(err)
		}
	}
	return &b
}

type metricList []prometheus.Metric

func (l metricList) Describe(ch chan<- *prometheus.Desc) {
	seen := map[*prometheus.Desc]bool{}
	for _, m := range l {
		if !seen[m.Desc()] {
			seen[m.Desc()] = true
			ch <- m.Desc()
		}
	}
}

func (l metricList) Collect(ch chan<- prometheus.Metric) {
	for _, m := range l {
		ch <- m
	}
}

// testLazy stands for samples made again from kept data, as the
// certificate family's Lazy does: a gauge and a counter sample.
type testLazy struct{ v float64 }

func (l testLazy) Metas() []*scrape.DescMeta {
	return []*scrape.DescMeta{scrape.MetaOf(exposeGauge), scrape.MetaOf(exposeCounter)}
}

func (l testLazy) SampleOf(meta *scrape.DescMeta, dst *scrape.Sample, scratch []string) bool {
	if meta == scrape.MetaOf(exposeGauge) {
		scratch[0], scratch[1] = "lazy", "kept \"data\""
	} else {
		scratch[0] = "/var/log/lazy.log"
	}
	scrape.Fill(dst, meta, l.v, scratch)
	return true
}

// lazyOut is what a check emits for l: the carrier the scheduler stores.
func lazyOut(l scrape.Lazy) prometheus.Metric {
	var out prometheus.Metric
	scrape.Emit(func(m prometheus.Metric) { out = m }).Lazy(scrape.NewLazyRef(l))
	return out
}

// WriteOpenMetrics says what client_golang's OpenMetrics encoder says about
// the same metrics (the text test's set, and a Lazy's samples, which
// client_golang gets built): the two outputs, each made parseable as the
// text format (counter families named after their samples, # EOF
// dropped), are compared family by family and sample by sample; the
// OpenMetrics specifics are checked as such. docs/development.md says why
// /metrics streams OpenMetrics itself rather than through the encoder.
func TestWriteOpenMetricsMatchesClientGolang(t *testing.T) {
	ms := exposeMetrics()
	lazy := testLazy{v: 42}
	built := []prometheus.Metric{
		scrape.Gauge(exposeGauge, 42, "lazy", `kept "data"`),
		scrape.Counter(exposeCounter, 42, "/var/log/lazy.log"),
	}
	var ours bytes.Buffer
	if err := scrape.WriteOpenMetrics(&ours, ms[:1], []prometheus.Metric{lazyOut(lazy)}, ms[1:7], ms[7:]); err != nil {
		t.Fatal(err)
	}
	theirs := clientGolang(t, append(append([]prometheus.Metric{}, ms...), built...), func(w io.Writer, mf *dto.MetricFamily) (int, error) {
		return expfmt.MetricFamilyToOpenMetrics(w, mf)
	})
	theirs.WriteString("# EOF\n")
	out := ours.String()
	for _, want := range []string{
		"# TYPE acme_test_expose counter\n",
		"acme_test_expose_total{log=\"/var/log/x.log\"} 7\n",
		"acme_test_expose_total{log=\"/var/log/lazy.log\"} 42\n",
		`# HELP acme_test_foreign Made by client_golang, with a \\ backslash, \"quotes\"\nand a newline.` + "\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("OpenMetrics output lacks %q:\n%s", want, out)
		}
	}
	if !strings.HasSuffix(out, "\n# EOF\n") || strings.Count(out, "# EOF") != 1 {
		t.Errorf("OpenMetrics output must end with one # EOF:\n%s", out)
	}
	asText := func(s string) map[string]*dto.MetricFamily {
		t.Helper()
		s = strings.TrimSuffix(s, "# EOF\n")
		s = strings.ReplaceAll(s, " acme_test_expose ", " acme_test_expose_total ")
		var lines []string
		for _, l := range strings.SplitAfter(s, "\n") {
			if strings.HasPrefix(l, "# HELP ") { // OpenMetrics escapes quotes in help too
				l = strings.ReplaceAll(l, `\"`, `"`)
			}
			lines = append(lines, l)
		}
		s = strings.Join(lines, "")
		p := expfmt.NewTextParser(model.UTF8Validation)
		mfs, err := p.TextToMetricFamilies(strings.NewReader(s))
		if err != nil {
			t.Fatalf("%v\n%s", err, s)
		}
		for _, f := range mfs {
			sort.Slice(f.Metric, func(i, j int) bool { return f.Metric[i].String() < f.Metric[j].String() })
		}
		return mfs
	}
	a, b := asText(out), asText(theirs.String())
	if len(a) != len(b) || len(a) != 3 {
		t.Fatalf("%d families, client_golang has %d (want 3)", len(a), len(b))
	}
	for name, fa := range a {
		fb := b[name]
		if fb == nil || fa.GetType() != fb.GetType() || fa.GetHelp() != fb.GetHelp() || len(fa.Metric) != len(fb.Metric) {
			t.Errorf("family %s differs:\nours:   %v\ntheirs: %v", name, fa, fb)
			continue
		}
		for i := range fa.Metric {
			if sa, sb := fa.Metric[i].String(), fb.Metric[i].String(); sa != sb {
				t.Errorf("family %s, sample %d differs:\nours:   %s\ntheirs: %s", name, i, sa, sb)
			}
		}
	}
}

// A Lazy cannot reach a registry unexpanded: the interface is neither a
// prometheus.Metric nor a Collector, and the carrier Emit.Lazy makes fails
// a registry's Gather rather than exposing nothing or garbage.
func TestLazyCannotBeRegistered(t *testing.T) {
	lazyType := reflect.TypeOf((*scrape.Lazy)(nil)).Elem()
	for _, iface := range []reflect.Type{
		reflect.TypeOf((*prometheus.Metric)(nil)).Elem(),
		reflect.TypeOf((*prometheus.Collector)(nil)).Elem(),
	} {
		if lazyType.Implements(iface) {
			t.Errorf("scrape.Lazy implements %v", iface)
		}
	}
	if _, ok := any(testLazy{}).(prometheus.Metric); ok {
		t.Error("a Lazy implementation is a prometheus.Metric")
	}
	carried := lazyOut(testLazy{v: 1})
	if err := prometheus.NewRegistry().Register(metricList{carried}); err == nil {
		t.Error("a registry accepted a collector describing an unexpanded Lazy")
	}
	// An unchecked collector (describing nothing) gets it past Register:
	// Gather then fails.
	reg := prometheus.NewRegistry()
	reg.MustRegister(unchecked{carried})
	if _, err := reg.Gather(); err == nil {
		t.Error("a registry gathered an unexpanded Lazy without error")
	}
}

type unchecked struct{ m prometheus.Metric }

func (unchecked) Describe(chan<- *prometheus.Desc)      {}
func (u unchecked) Collect(ch chan<- prometheus.Metric) { ch <- u.m }

func TestEscapeInvalidUTF8(t *testing.T) {
	cases := map[string]string{
		"plain/ascii.pem":  "plain/ascii.pem",
		"caf\u00e9.pem":    "caf\u00e9.pem",
		"a\xfe.pem":        `a\xfe.pem`,
		"a\xff.pem":        `a\xff.pem`,
		"a\xff\\b.pem":     `a\xff\\b.pem`,
		"\xc3":             `\xc3`,
		"valid\\backslash": "valid\\backslash",
	}
	seen := map[string]string{}
	for in, want := range cases {
		got := scrape.EscapeInvalidUTF8(in)
		if got != want {
			t.Errorf("EscapeInvalidUTF8(%q) = %q, want %q", in, got, want)
		}
		if prev, ok := seen[got]; ok {
			t.Errorf("%q and %q both escape to %q", prev, in, got)
		}
		seen[got] = in
	}
}

// LabelOf reads a sample's label and value directly, and any other metric
// through client_model, with the same answers.
func TestLabelOf(t *testing.T) {
	d := scrape.Desc("test", "acme_test_labelof_info", "Test.", "check", "reason")
	foreign := prometheus.NewDesc("acme_test_foreign", "Test.", []string{"reason"}, nil)
	for _, c := range []struct {
		name  string
		m     prometheus.Metric
		label string
		want  string
		v     float64
		ok    bool
	}{
		{"sample", scrape.Gauge(d, 1, "endpoint", "refused_by_policy"), "reason", "refused_by_policy", 1, true},
		{"sample, other label", scrape.Gauge(d, 0, "endpoint", "timeout"), "check", "endpoint", 0, true},
		{"sample, no such label", scrape.Gauge(d, 1, "endpoint", "timeout"), "target", "", 1, false},
		{"foreign gauge", prometheus.MustNewConstMetric(foreign, prometheus.GaugeValue, 1, "refused_by_policy"), "reason", "refused_by_policy", 1, true},
		{"foreign, no such label", prometheus.MustNewConstMetric(foreign, prometheus.GaugeValue, 1, "x"), "check", "", 0, false},
	} {
		got, v, ok := scrape.LabelOf(c.m, c.label)
		if got != c.want || v != c.v || ok != c.ok {
			t.Errorf("%s: got %q %v %v, want %q %v %v", c.name, got, v, ok, c.want, c.v, c.ok)
		}
	}
}
