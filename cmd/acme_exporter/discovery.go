// Copyright 2026 The acme_exporter Authors
// SPDX-License-Identifier: Apache-2.0

package main

import (
	"context"

	"github.com/alecthomas/kingpin/v2"

	"github.com/acme-exporter/acme_exporter/discovery"
	"github.com/acme-exporter/acme_exporter/exporter"
)

// discoveryFlags are the --discovery.* flags: they override the config's
// discovery roots when given.
type discoveryFlags struct {
	overrides discovery.Overrides
	defaults  bool
}

// addDiscoveryFlags adds the --discovery.* flags to app.
func addDiscoveryFlags(app *kingpin.Application) *discoveryFlags {
	f := &discoveryFlags{}
	{
		o := &f.overrides
		app.Flag("discovery.certbot-dir", "certbot config directory to discover (repeatable; replaces discovery.certbot_dirs).").StringsVar(&o.CertbotDirs)
		app.Flag("discovery.lego-dir", "lego --path directory to discover (repeatable; replaces discovery.lego_dirs).").StringsVar(&o.LegoDirs)
		app.Flag("discovery.caddy-dir", "Caddy/certmagic data directory to discover (repeatable; replaces discovery.caddy_dirs).").StringsVar(&o.CaddyDirs)
		app.Flag("discovery.autocert-dir", "autocert DirCache directory to discover (repeatable; replaces discovery.autocert_dirs).").StringsVar(&o.AutocertDirs)
		app.Flag("discovery.acmesh-dir", "acme.sh home to discover (repeatable; replaces discovery.acmesh_dirs).").StringsVar(&o.AcmeShDirs)
		app.Flag("discovery.certbot-log-dir", "certbot --logs-dir holding letsencrypt.log (repeatable; replaces discovery.certbot_log_dirs).").StringsVar(&o.CertbotLogDirs)
		app.Flag("discovery.systemd-timer-dir", "Directory of systemd timer stamps (replaces discovery.systemd_timer_dir).").StringVar(&o.SystemdTimerDir)
		app.Flag("discovery.rootfs", "Where the host's / is mounted (e.g. /host in a container): default locations are looked up below it.").Default("/").StringVar(&o.RootFS)
		app.Flag("discovery.defaults", "Also look in each client's default locations when no directory is given for it.").Default("true").BoolVar(&f.defaults)
	}
	return f
}

// options are the overrides the flags say.
func (f *discoveryFlags) options() discovery.Overrides {
	o := f.overrides
	o.NoDefaults = !f.defaults
	return o
}

// start starts discovery for exp as the flags say.
func (f *discoveryFlags) start(exp *exporter.Exporter) {
	StartDiscovery(context.Background(), exp, f.options())
}

// StartDiscovery scans once, publishes the scanner through exp.Augment
// and exp.Discovered, rescans on every successful config load and on the
// configured interval.
func StartDiscovery(ctx context.Context, exp *exporter.Exporter, o discovery.Overrides) *discovery.Scanner {
	s := discovery.NewScanner(exp.Logger.With("component", "discovery"), exp.Now, o)
	s.Configure(exp.Config.Get())
	exp.Augment = s.Augment
	exp.Discovered = s.Snapshot
	exp.Config.OnLoad(s.Configure)
	go s.Run(ctx)
	return s
}
