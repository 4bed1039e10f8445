// Copyright 2026 The acme_exporter Authors
// SPDX-License-Identifier: Apache-2.0

package config

// Discovery defaults.
var (
	DefaultCertbotLogDirs  = []string{"/var/log/letsencrypt"}
	DefaultSystemdTimerDir = "/var/lib/systemd/timers"
)

func (d *Discovery) validate(v *Validator) {
	for _, l := range []struct {
		field string
		dirs  []string
	}{
		{"certbot_dirs", d.CertbotDirs}, {"lego_dirs", d.LegoDirs}, {"caddy_dirs", d.CaddyDirs},
		{"autocert_dirs", d.AutocertDirs}, {"acmesh_dirs", d.AcmeShDirs}, {"certbot_log_dirs", d.CertbotLogDirs},
	} {
		for i, dir := range l.dirs {
			if !isAbs(dir) {
				v.Errorf(Path{"discovery", l.field, i}, "must be an absolute path")
			}
		}
	}
	if d.CertbotLogDirs == nil {
		d.CertbotLogDirs = append([]string{}, DefaultCertbotLogDirs...)
	}
	if d.SystemdTimerDir == "" {
		d.SystemdTimerDir = DefaultSystemdTimerDir
	} else if !isAbs(d.SystemdTimerDir) {
		v.Errorf(Path{"discovery", "systemd_timer_dir"}, "must be an absolute path")
	}
}
