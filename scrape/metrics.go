// Copyright 2026 The acme_exporter Authors
// SPDX-License-Identifier: Apache-2.0

package scrape

import (
	"slices"
	"sort"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/acme-exporter/acme_exporter/internal/failure"
)

// MetricDoc documents one metric family; docs/metrics.md is generated from
// the list, so the reference cannot drift from the code.
type MetricDoc struct {
	Name   string
	Help   string
	Labels []string
	Kind   string // gauge or counter
	Family string // the check family that exports it, or "exporter"
	// Values lists, for a label with a closed set of values, every value
	// the code can give it (see Bounded). The mixin's label matchers are
	// checked against them (tools/mixincheck reads docs/metrics.md).
	Values map[string][]string
}

var (
	docsMu sync.Mutex
	docs   = map[string]MetricDoc{}
)

// Desc creates a gauge descriptor and records it for the reference.
func Desc(family, name, help string, labels ...string) *prometheus.Desc {
	Document(MetricDoc{Name: name, Help: help, Labels: labels, Kind: "gauge", Family: family})
	return register(prometheus.NewDesc(name, help, labels, nil), name, help, labels, prometheus.GaugeValue)
}

// CounterDesc is Desc for a counter.
func CounterDesc(family, name, help string, labels ...string) *prometheus.Desc {
	Document(MetricDoc{Name: name, Help: help, Labels: labels, Kind: "counter", Family: family})
	return register(prometheus.NewDesc(name, help, labels, nil), name, help, labels, prometheus.CounterValue)
}

// Document records a family created elsewhere (reload metrics, build info).
func Document(d MetricDoc) {
	docsMu.Lock()
	defer docsMu.Unlock()
	if old, ok := docs[d.Name]; ok {
		if old.Family != d.Family {
			panic("metric " + d.Name + " documented by two families")
		}
		d.Values = old.Values // declared before this (re)documentation
	}
	docs[d.Name] = d
}

// Bounded declares every value label can take in d's family. Declare it
// next to the Desc, for each label whose values the mixin may match on: a
// rule or dashboard that matches a value outside the set fails
// tools/mixincheck, so a renamed value cannot silently empty an alert.
// Values add up over calls (families sharing a label each add theirs).
func Bounded(d *prometheus.Desc, label string, values ...string) *prometheus.Desc {
	addValues(descName(d), label, values)
	return d
}

func addValues(name, label string, values []string) {
	docsMu.Lock()
	defer docsMu.Unlock()
	doc, ok := docs[name]
	if !ok {
		panic("Bounded: metric " + name + " is not documented")
	}
	if !slices.Contains(doc.Labels, label) {
		panic("Bounded: metric " + name + " has no label " + label)
	}
	if doc.Values == nil {
		doc.Values = map[string][]string{}
	}
	vs := append(slices.Clone(doc.Values[label]), values...)
	slices.Sort(vs)
	doc.Values[label] = slices.Compact(vs)
	docs[name] = doc
}

// Checks declares check names (the check label of every acme_probe_* and
// acme_check_* series). A target whose check is not declared panics when it
// runs, which the scheduler turns into reason="panic": a test of the family
// catches it.
func Checks(names ...string) struct{} {
	for _, d := range []*prometheus.Desc{probeSuccessDesc, probeFailureDesc, lastSuccessDesc, staleDesc} {
		Bounded(d, "check", names...)
	}
	checksMu.Lock()
	defer checksMu.Unlock()
	for _, n := range names {
		declaredChecks[n] = true
	}
	return struct{}{}
}

var (
	checksMu       sync.RWMutex
	declaredChecks = map[string]bool{}
)

func checkDeclared(name string) bool {
	checksMu.RLock()
	defer checksMu.RUnlock()
	return declaredChecks[name]
}

// DeclareReasons declares the failure reasons a family makes with Fail
// (see failure.Declare). Declare them next to the code that makes them.
func DeclareReasons(reasons ...string) struct{} { return failure.Declare(reasons...) }

// Prefixed returns every reason of sets with prefix: the reasons of a
// failure passed on from an edge (a key file's read: key_not_found).
func Prefixed(prefix string, sets ...[]string) []string {
	var out []string
	for _, set := range sets {
		for _, r := range set {
			out = append(out, prefix+r)
		}
	}
	return out
}

// DocumentReasons fills the reason label of acme_probe_failure_info from
// every declared reason; metricsdoc calls it once every family's package
// is initialised.
func DocumentReasons() {
	addValues(descName(probeFailureDesc), "reason", failure.Declared())
}

// Docs returns every documented family sorted by name.
func Docs() []MetricDoc {
	docsMu.Lock()
	defer docsMu.Unlock()
	out := make([]MetricDoc, 0, len(docs))
	for _, d := range docs {
		out = append(out, d)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// Gauge builds a constant gauge sample.
func Gauge(d *prometheus.Desc, v float64, labels ...string) prometheus.Metric {
	return newSample(d, prometheus.GaugeValue, v, labels)
}

// Counter builds a constant counter sample.
func Counter(d *prometheus.Desc, v float64, labels ...string) prometheus.Metric {
	return newSample(d, prometheus.CounterValue, v, labels)
}

// Bool is 1 for true.
func Bool(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

// Exporter-level families.
var (
	probeSuccessDesc = Desc("exporter", "acme_probe_success",
		"1 when the check obtained its data; the verdict on health is in the family's own metrics.",
		"check", "target")
	probeFailureDesc = Desc("exporter", "acme_probe_failure_info",
		"1 while the check fails, with a bounded reason; absent otherwise.",
		"check", "target", "reason")
	lastSuccessDesc = Desc("exporter", "acme_check_last_success_timestamp_seconds",
		"Unix time of the check's last success: present while the check fails, while its result is stale and when it is cached by min_interval; absent for a check that succeeded in this scrape.",
		"check", "target")
	staleDesc = Desc("exporter", "acme_check_stale",
		"1 while the check's result is served from an earlier run because the current run did not finish within the scrape timeout; absent otherwise.",
		"check", "target")
	collectorSuccessDesc = Desc("exporter", "acme_exporter_collector_success",
		"1 when every check of the collector finished this scrape without panic or timeout.",
		"collector")
	collectorDurationDesc = Desc("exporter", "acme_exporter_collector_duration_seconds",
		"Wall time the collector took in this scrape, in seconds.",
		"collector")
)

// The reasons the scheduler itself gives.
var _ = DeclareReasons("panic", "timeout")

func init() {
	Document(MetricDoc{Name: "acme_exporter_config_last_reload_successful", Kind: "gauge", Family: "exporter",
		Help: "1 when the last configuration load succeeded, 0 when it failed and the previous configuration is still in use."})
	Document(MetricDoc{Name: "acme_exporter_config_last_reload_success_timestamp_seconds", Kind: "gauge", Family: "exporter",
		Help: "Unix time of the last successful configuration load."})
	Document(MetricDoc{Name: "acme_exporter_build_info", Kind: "gauge", Family: "exporter",
		Labels: []string{"version", "revision", "branch", "goversion", "goos", "goarch", "tags"},
		Help:   "A metric with a constant '1' value labeled by version, revision, branch, goversion, goos, goarch and tags from which acme_exporter was built."})
	Document(MetricDoc{Name: "acme_exporter_probe_refused_total", Kind: "counter", Family: "exporter",
		Labels: []string{"reason"},
		Help:   "/probe requests refused, by reason: unknown_module, target_refused, bad_request (answered 400), busy (503), refused_by_policy (an address reached while probing, after DNS or a redirect, was refused: answered 200 with that failure reason)."})
}

func UnixSeconds(t time.Time) float64 { return float64(t.Unix()) }
