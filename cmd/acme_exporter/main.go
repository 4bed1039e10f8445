// Copyright 2026 The acme_exporter Authors
// SPDX-License-Identifier: Apache-2.0

// Command acme_exporter exports the health of ACME certificate renewal.
package main

import (
	"fmt"
	"net/http"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"

	"github.com/alecthomas/kingpin/v2"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	versioncollector "github.com/prometheus/client_golang/prometheus/collectors/version"
	"github.com/prometheus/common/promslog"
	promslogflag "github.com/prometheus/common/promslog/flag"
	"github.com/prometheus/common/version"
	"github.com/prometheus/exporter-toolkit/web"
	"github.com/prometheus/exporter-toolkit/web/kingpinflag"

	_ "github.com/acme-exporter/acme_exporter/collector/all"
	"github.com/acme-exporter/acme_exporter/config"
	"github.com/acme-exporter/acme_exporter/exporter"
	"github.com/acme-exporter/acme_exporter/scrape"
)

// defaultAddress: 10190 is outside the 9100-9999 range of the Prometheus
// default port allocations, which is full, and used by no known exporter.
const defaultAddress = ":10190"

func main() { os.Exit(run(os.Args[1:])) }

func run(args []string) int {
	app := kingpin.New("acme_exporter", "Exports why the next ACME certificate renewal would fail.")
	var (
		configFile    = app.Flag("config.file", "Configuration file; without one, ACME clients on the host are discovered.").Default("").String()
		configCheck   = app.Flag("config.check", "Validate the configuration file and exit.").Bool()
		metricsPath   = app.Flag("web.telemetry-path", "Path under which to expose metrics.").Default("/metrics").String()
		maxRequests   = app.Flag("web.max-requests", "Maximum concurrent scrapes of /metrics (0 disables the limit).").Default("40").Int()
		noExporterMet = app.Flag("web.disable-exporter-metrics", "Exclude go_* and process_* metrics.").Bool()
		memLimit      = app.Flag("runtime.memory-limit", "Soft memory limit for the Go runtime in bytes (0, the default, sets none); GOMEMLIMIT, when set, wins.").Default("0").Int64()
		gcPercent     = app.Flag("runtime.gc-percent", "Go GC target percentage (Go's default is 100); GOGC, when set, wins.").Default("50").Int()
		webFlags      = kingpinflag.AddFlags(app, defaultAddress)
		limits        serverLimits
	)
	app.Flag("web.read-header-timeout", "Time a client has to send its request headers.").Default("5s").DurationVar(&limits.ReadHeaderTimeout)
	app.Flag("web.read-timeout", "Time a client has to send its whole request.").Default("10s").DurationVar(&limits.ReadTimeout)
	app.Flag("web.idle-timeout", "Time a kept-alive connection may wait for its next request.").Default("2m").DurationVar(&limits.IdleTimeout)
	app.Flag("web.max-connections", "Maximum open HTTP connections (0: 2048, lowered to keep 1024 file descriptors for checks); above it, the connection idle longest is closed.").Default("0").IntVar(&limits.MaxConns)
	logCfg := &promslog.Config{}
	promslogflag.AddFlags(app, logCfg)
	scrape.AddFlags(app)
	discoveryFlags := addDiscoveryFlags(app)
	app.Version(version.Print("acme_exporter"))
	app.UsageWriter(os.Stdout)
	app.HelpFlag.Short('h')
	if _, err := app.Parse(args); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	logger := promslog.New(logCfg)
	// No soft limit by default: the live heap grows with the inventory
	// (about 1.5 KiB per certificate file), and once it passes a fixed
	// limit the GC runs almost continuously (100,000 files under 64 MiB
	// cost 2.4 CPU-s per warm scrape instead of 1). The GC percentage below
	// already keeps the heap near the live set; a limit is for hosts that
	// must cap memory and accept the CPU for it (docs/configuration.md).
	if os.Getenv("GOMEMLIMIT") == "" && *memLimit > 0 {
		debug.SetMemoryLimit(*memLimit)
	}
	// Most of the heap is long-lived (caches, inventory, results) while
	// each scrape makes a few MB of garbage: at 100 the heap grows to twice
	// the long-lived part between collections. Prometheus lowered its own
	// default to 75 in 2.53 for the same trade; an exporter on every host,
	// scraped every 15 s or more, spends little CPU either way, so memory
	// wins (docs/benchmarks.md has the three measured side by side).
	if os.Getenv("GOGC") == "" && *gcPercent > 0 {
		debug.SetGCPercent(*gcPercent)
	}

	if *configCheck {
		if *configFile == "" {
			fmt.Fprintln(os.Stderr, "--config.check needs --config.file")
			return 2
		}
		if _, err := config.Load(*configFile); err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		fmt.Println("config OK:", *configFile)
		return 0
	}

	logger.Info("Starting acme_exporter", "version", version.Info())
	logger.Info("Build context", "build_context", version.BuildContext())

	reg := prometheus.NewRegistry()
	reg.MustRegister(versioncollector.NewCollector("acme_exporter"))
	sc := config.NewSafeConfig(*configFile, reg, nil)
	if err := sc.Reload(logger); err != nil {
		return 1
	}
	exp, err := exporter.New(sc, reg, logger, nil)
	if err != nil {
		logger.Error("Cannot start", "err", err)
		return 1
	}
	defer func() { _ = exp.Close() }()
	discoveryFlags.start(exp)

	reloadCh := make(chan chan error)
	go func() {
		hup := make(chan os.Signal, 1)
		signal.Notify(hup, syscall.SIGHUP)
		for {
			select {
			case <-hup:
				_ = sc.Reload(logger)
			case rc := <-reloadCh:
				rc <- sc.Reload(logger)
			}
		}
	}()

	var extra prometheus.Gatherer
	if !*noExporterMet {
		own := prometheus.NewRegistry()
		own.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
		extra = own
	}
	mux := routes(exp, *metricsPath, extra, *maxRequests, func() error {
		rc := make(chan error)
		reloadCh <- rc
		return <-rc
	})
	srv := newServer(mux, limits, logger)
	if err := web.ListenAndServe(srv, webFlags, logger); err != nil {
		logger.Error("Server stopped", "err", err)
		return 1
	}
	return 0
}

// routes are the exporter's endpoints. The landing page shows what was
// found and how each check stands; every link on it answers 200 (the
// probe form needs a target).
func routes(exp *exporter.Exporter, metricsPath string, extra prometheus.Gatherer, maxRequests int, reload func() error) *http.ServeMux {
	mux := http.NewServeMux()
	mux.Handle(metricsPath, exp.MetricsHandler(extra, maxRequests))
	mux.Handle("/probe", exp.ProbeHandler())
	mux.Handle("/-/reload", exp.ReloadHandler(reload))
	mux.HandleFunc("/-/healthy", func(w http.ResponseWriter, _ *http.Request) { fmt.Fprintln(w, "Healthy") })
	mux.HandleFunc("/-/ready", func(w http.ResponseWriter, _ *http.Request) { fmt.Fprintln(w, "Ready") })
	mux.Handle("/", exp.LandingHandler(exporter.LandingConfig{
		Name:        "ACME Exporter",
		Description: "Why the next ACME certificate renewal would fail: files, endpoints, challenges, DNS, clock, CA.",
		Version:     version.Info(),
		Links: []exporter.Link{
			{Path: metricsPath, Text: "Metrics"},
			{Path: "/-/healthy", Text: "Health"},
			{Path: "/-/ready", Text: "Readiness"},
		},
	}))
	return mux
}
