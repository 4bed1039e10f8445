// Copyright 2026 The acme_exporter Authors
// SPDX-License-Identifier: Apache-2.0

package config

import (
	"os"
	"strconv"
	"time"
)

// Clock is the `clock:` section: NTP servers to compare the local clock
// with. The kernel's own view (adjtimex) and the ACME servers' Date header
// need no configuration.
type Clock struct {
	// Servers are the NTP servers queried. When the key is absent the
	// default is DefaultNTPServer (not in tests); `servers: []` queries none.
	Servers []NTPServer `yaml:"servers"`
	// MinInterval between two queries of one server; at least a minute so
	// public pools are not hammered. Default 1m.
	MinInterval Duration `yaml:"min_interval"`
	// Timeout of one query. Default 5s.
	Timeout Duration `yaml:"timeout"`
}

// NTPServer is one NTP server.
type NTPServer struct {
	// Server is the name (or IP) asked, and the `server` label.
	Server string `yaml:"server"`
	// Port is the UDP port. Default 123.
	Port int `yaml:"port"`
	// Address, when set, is the ip:port queried instead of resolving Server.
	Address string `yaml:"address"`
	// Resolver, when set, is a DNS server ip:port that resolves Server
	// instead of the host's resolver.
	Resolver string `yaml:"resolver"`
}

// Clock defaults.
const (
	DefaultNTPServer        = "pool.ntp.org"
	DefaultClockMinInterval = time.Minute
	DefaultClockTimeout     = 5 * time.Second
	MinClockInterval        = time.Minute
)

// OfflineDefaults leaves out the defaults that would send traffic off the
// machine (the public NTP pool, Let's Encrypt's directory): in the exporter
// when ACME_EXPORTER_OFFLINE is set (test beds that run the real binary,
// air-gapped hosts), and in test binaries, whose packages set it from an
// init function (internal/scrapetest does for every family's tests).
var OfflineDefaults = os.Getenv("ACME_EXPORTER_OFFLINE") != ""

func (c *Clock) validate(v *Validator) {
	p := Path{"clock"}
	if c.Servers == nil && !OfflineDefaults {
		c.Servers = []NTPServer{{Server: DefaultNTPServer}}
	}
	if c.MinInterval == 0 {
		c.MinInterval = Duration(DefaultClockMinInterval)
	}
	if c.MinInterval < Duration(MinClockInterval) {
		v.Errorf(p.Add("min_interval"), "must be at least %s so NTP servers are not hammered", MinClockInterval)
	}
	if c.Timeout == 0 {
		c.Timeout = Duration(DefaultClockTimeout)
	}
	if c.Timeout < 0 {
		v.Errorf(p.Add("timeout"), "must not be negative")
	}
	seen := map[string]bool{}
	for i := range c.Servers {
		s := &c.Servers[i]
		sp := p.Add("servers").Add(i)
		if s.Server == "" {
			v.Errorf(sp.Add("server"), "must not be empty")
		}
		if s.Port == 0 {
			s.Port = 123
		}
		if s.Port < 0 || s.Port > 65535 {
			v.Errorf(sp.Add("port"), "must be between 1 and 65535")
		}
		if s.Address != "" {
			if err := checkHostPort(s.Address); err != nil {
				v.Errorf(sp.Add("address"), "%v", err)
			}
		}
		if s.Resolver != "" {
			if err := checkHostPort(s.Resolver); err != nil {
				v.Errorf(sp.Add("resolver"), "%v", err)
			}
		}
		key := s.Server + ":" + strconv.Itoa(s.Port)
		if seen[key] {
			v.Errorf(sp.Add("server"), "duplicate server %q", key)
		}
		seen[key] = true
	}
}
