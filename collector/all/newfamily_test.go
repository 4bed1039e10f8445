// Copyright 2026 The acme_exporter Authors
// SPDX-License-Identifier: Apache-2.0

package all_test

import (
	"context"
	"log/slog"
	"slices"
	"testing"
	"time"

	"github.com/alecthomas/kingpin/v2"

	"github.com/acme-exporter/acme_exporter/internal/scrapetest"
	"github.com/acme-exporter/acme_exporter/scrape"
)

// A family added in one file: registered from init(), described with
// scrape.Desc, run by the scheduler. Nothing else names it, yet it gets its
// flag, its place in the metrics reference, the probe series, and a place
// beside every other family.
const trivialFamily = "trivial_test"

var trivialAnswerDesc = scrape.Desc(trivialFamily, "acme_trivial_test_answer",
	"A constant, from the family a test adds.", "target")

// Its check name is declared, as every check label value is.
var _ = scrape.Checks(trivialFamily)

type trivial struct{}

func (trivial) Targets(*scrape.Env) ([]scrape.Target, error) {
	return []scrape.Target{{Check: trivialFamily, Target: "one", Run: func(_ context.Context, emit scrape.Emit) error {
		emit(scrape.Gauge(trivialAnswerDesc, 42, "one"))
		return nil
	}}}, nil
}

func init() {
	scrape.Register(trivialFamily, false, func(*slog.Logger) scrape.Collector { return trivial{} })
}

func TestNewFamilyTouchesNoOtherFile(t *testing.T) {
	app := kingpin.New("test", "")
	scrape.AddFlags(app)
	if _, err := app.Parse([]string{"--collector." + trivialFamily}); err != nil {
		t.Fatalf("the family's flag: %v", err)
	}
	defer func() {
		if err := scrape.SetEnabled(trivialFamily, false); err != nil {
			t.Error(err)
		}
	}()
	logger := slog.New(slog.DiscardHandler)
	fams := scrape.Families(logger)
	defer func() {
		if err := scrape.Close(fams); err != nil {
			t.Error(err)
		}
	}()
	if _, ok := fams[trivialFamily]; !ok {
		t.Fatal("the enabled family is not among the families")
	}
	// It stands beside the real families: they are registered too.
	for _, other := range []string{"certificate_file", "endpoint", "dns01", "ari"} {
		if _, ok := fams[other]; !ok {
			t.Errorf("family %s missing beside the new one", other)
		}
	}
	if !slices.ContainsFunc(scrape.Docs(), func(d scrape.MetricDoc) bool {
		return d.Name == "acme_trivial_test_answer" && d.Family == trivialFamily
	}) {
		t.Error("the family's metric is not in the reference")
	}
	env := scrapetest.Env(t, "", time.Now(), nil)
	h := scrapetest.NewHarness(env, map[string]scrape.Collector{trivialFamily: fams[trivialFamily]})
	scrapetest.Compare(t, h, `
acme_trivial_test_answer{target="one"} 42
acme_probe_success{check="trivial_test",target="one"} 1
`, "acme_trivial_test_answer", "acme_probe_success")
}
