// Copyright 2026 The acme_exporter Authors
// SPDX-License-Identifier: Apache-2.0

package main

import (
	"bufio"
	"fmt"
	"os"
	"regexp"
	"sort"
	"strings"
)

var (
	// metricsRow matches a row of the metric table in docs/metrics.md.
	metricsRow = regexp.MustCompile("^\\|\\s*`(acme_[a-zA-Z0-9_]+)`\\s*\\|")
	// metricUse matches an acme_* name in PromQL. Label names and values in
	// this mixin never start with acme_, so every match is a metric.
	metricUse = regexp.MustCompile(`(?:^|[^a-zA-Z0-9_:"])(acme_[a-zA-Z0-9_]+)`)
	// templateQuery matches a metric inside a `query` template (raw string).
	templateQuery = regexp.MustCompile("`(acme_[a-zA-Z0-9_]+)\\{")
)

// readMetrics returns the metric families listed in the metric reference.
func readMetrics(path string) (map[string]bool, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	known := map[string]bool{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if m := metricsRow.FindStringSubmatch(sc.Text()); m != nil {
			known[m[1]] = true
		}
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	if len(known) == 0 {
		return nil, fmt.Errorf("%s: no metric rows (| `acme_name` |) found", path)
	}
	return known, nil
}

// metricsIn returns the acme_* metric names used in a PromQL expression.
func metricsIn(expr string) []string {
	seen := map[string]bool{}
	for _, m := range metricUse.FindAllStringSubmatch(expr, -1) {
		seen[m[1]] = true
	}
	return sortedKeys(seen)
}

// metricsInTemplate returns the acme_* metrics queried by an annotation.
func metricsInTemplate(text string) []string {
	seen := map[string]bool{}
	for _, m := range templateQuery.FindAllStringSubmatch(text, -1) {
		seen[m[1]] = true
	}
	return sortedKeys(seen)
}

// isKnown accepts a family name, and the sample names of counters and
// histograms whose family is listed (with or without _total).
func isKnown(known map[string]bool, name string) bool {
	if known[name] {
		return true
	}
	for _, suffix := range []string{"_total", "_bucket", "_sum", "_count", "_created"} {
		if base, ok := strings.CutSuffix(name, suffix); ok && known[base] {
			return true
		}
	}
	return known[name+"_total"]
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
