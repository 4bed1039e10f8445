// Copyright 2026 The acme_exporter Authors
// SPDX-License-Identifier: Apache-2.0

package scrapetest

import (
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/common/expfmt"
)

// gatherText renders one scrape of c as exposition text.
func gatherText(t *testing.T, c interface {
	Collect(chan<- prometheus.Metric)
}) string {
	t.Helper()
	reg := prometheus.NewPedanticRegistry()
	if err := reg.Register(c.(prometheus.Collector)); err != nil {
		t.Fatal(err)
	}
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for _, mf := range mfs {
		if _, err := expfmt.MetricFamilyToText(&b, mf); err != nil {
			t.Fatal(err)
		}
	}
	return b.String()
}
