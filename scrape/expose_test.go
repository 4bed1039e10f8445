// Copyright 2026 The acme_exporter Authors
// SPDX-License-Identifier: Apache-2.0

package scrape_test

import (
	"bytes"
	"io"
	"math"
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

// WriteText must say exactly what client_golang's encoder says about the
// same metrics: both outputs are parsed and compared family by family.
func TestWriteTextMatchesClientGolang(t *testing.T) {
	ms := []prometheus.Metric{
		scrape.Gauge(exposeGauge, 1.5, "b", `quo"te`),
		scrape.Gauge(exposeGauge, 2e9, "a", "back\\slash\nnewline"),
		scrape.Gauge(exposeGauge, 0, "c", "bad utf8 \xff"),
		scrape.Counter(exposeCounter, 7, "/var/log/x.log"),
		prometheus.MustNewConstMetric(foreignDesc, prometheus.GaugeValue, 3, "y"),
	}
	// Values around the integer fast path and the special ones.
	for i, v := range []float64{math.Copysign(0, -1), -5, 1767225600, -1767225600, 1 << 53, 1<<53 - 1,
		1e21, 0.1, 1e-7, 123456.5, math.NaN(), math.Inf(1), math.Inf(-1), math.MaxFloat64} {
		ms = append(ms, scrape.Gauge(exposeGauge, v, "v", strconv.Itoa(i)))
	}
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

// WriteOpenMetrics says what client_golang's OpenMetrics encoder says about
// the same metrics: the two outputs, each made parseable as the text
// format (counter families named after their samples, # EOF dropped), are
// compared family by family; the OpenMetrics specifics are checked as such.
func TestWriteOpenMetricsMatchesClientGolang(t *testing.T) {
	ms := []prometheus.Metric{
		scrape.Gauge(exposeGauge, 1.5, "b", `quo"te`),
		scrape.Gauge(exposeGauge, 1767225600, "a", "back\\slash\nnewline"),
		scrape.Counter(exposeCounter, 7, "/var/log/x.log"),
		prometheus.MustNewConstMetric(foreignDesc, prometheus.GaugeValue, 3, "y"),
	}
	var ours bytes.Buffer
	if err := scrape.WriteOpenMetrics(&ours, ms[:1], ms[1:]); err != nil {
		t.Fatal(err)
	}
	theirs := clientGolang(t, ms, func(w io.Writer, mf *dto.MetricFamily) (int, error) {
		return expfmt.MetricFamilyToOpenMetrics(w, mf)
	})
	theirs.WriteString("# EOF\n")
	out := ours.String()
	for _, want := range []string{
		"# TYPE acme_test_expose counter\n",
		"acme_test_expose_total{log=\"/var/log/x.log\"} 7\n",
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
		if fb := b[name]; fb == nil || fa.String() != fb.String() {
			t.Errorf("family %s differs:\nours:   %v\ntheirs: %v", name, fa, fb)
		}
	}
}

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
