// Copyright 2026 The acme_exporter Authors
// SPDX-License-Identifier: Apache-2.0

package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"go.yaml.in/yaml/v3"
)

// SafeConfig holds the running configuration and swaps it on reload. A
// reload that fails keeps the old configuration.
type SafeConfig struct {
	mu   sync.RWMutex
	c    *Config
	path string
	now  func() time.Time

	// listeners are told about every successful load.
	listeners []func(*Config)

	reloadOK   prometheus.Gauge
	reloadTime prometheus.Gauge
}

// NewSafeConfig returns a holder for the file at path ("" for none). It
// registers the reload metrics with reg.
func NewSafeConfig(path string, reg prometheus.Registerer, now func() time.Time) *SafeConfig {
	if now == nil {
		now = time.Now
	}
	s := &SafeConfig{
		path: path,
		now:  now,
		reloadOK: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "acme_exporter_config_last_reload_successful",
			Help: "1 when the last configuration load succeeded, 0 when it failed and the previous configuration is still in use.",
		}),
		reloadTime: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "acme_exporter_config_last_reload_success_timestamp_seconds",
			Help: "Unix time of the last successful configuration load.",
		}),
	}
	if reg != nil {
		reg.MustRegister(s.reloadOK, s.reloadTime)
	}
	return s
}

// FileGiven says whether a config file was named.
func (s *SafeConfig) FileGiven() bool { return s.path != "" }

// Path is the config file's path ("" for none).
func (s *SafeConfig) Path() string { return s.path }

// Get returns the current configuration. Callers must not modify it.
func (s *SafeConfig) Get() *Config {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.c
}

// OnLoad registers f to be called after every successful load.
func (s *SafeConfig) OnLoad(f func(*Config)) {
	s.mu.Lock()
	s.listeners = append(s.listeners, f)
	s.mu.Unlock()
}

// Reload reads the file again. On error the running configuration stays.
func (s *SafeConfig) Reload(logger *slog.Logger) error {
	var c *Config
	var err error
	if s.path == "" {
		c = Default()
	} else {
		c, err = s.load()
	}
	if err != nil {
		s.reloadOK.Set(0)
		if logger != nil {
			logger.Error("Error loading config, keeping the previous one", "file", s.path, "err", err)
		}
		return err
	}
	s.mu.Lock()
	s.c = c
	ls := append([]func(*Config){}, s.listeners...)
	s.mu.Unlock()
	s.reloadOK.Set(1)
	s.reloadTime.Set(float64(s.now().UnixNano()) / 1e9)
	for _, f := range ls {
		f(c)
	}
	switch {
	case logger == nil:
	case s.path == "":
		logger.Info("No config file: default settings, checks from discovery")
	default:
		logger.Info("Loaded config file", "file", s.path)
	}
	return nil
}

// ErrEmptyOnReload refuses a config file with no YAML document in it (empty,
// blank or only comments) once a configuration runs: a file truncated by an
// editor or a deploy tool would otherwise drop every configured check. At
// start, such a file means "no configured checks".
var ErrEmptyOnReload = errors.New("the file has no configuration in it (empty, blank or only comments); refused on reload, the previous configuration stays")

func (s *SafeConfig) load() (*Config, error) {
	b, err := os.ReadFile(s.path)
	if err != nil {
		return nil, err
	}
	if s.Get() != nil && emptyYAML(b) {
		return nil, fmt.Errorf("%s: %w", s.path, ErrEmptyOnReload)
	}
	return loadBytes(s.path, b)
}

// emptyYAML says whether b holds no YAML document, or one that is null
// ("---", "~").
func emptyYAML(b []byte) bool {
	if len(bytes.TrimSpace(b)) == 0 {
		return true
	}
	var n yaml.Node
	err := yaml.NewDecoder(bytes.NewReader(b)).Decode(&n)
	if errors.Is(err, io.EOF) {
		return true
	}
	if err != nil {
		return false // a syntax error, reported as such by Parse
	}
	if n.Kind == yaml.DocumentNode && len(n.Content) == 1 {
		v := n.Content[0]
		return v.Kind == yaml.ScalarNode && v.Tag == "!!null"
	}
	return n.Kind == 0 || (n.Kind == yaml.DocumentNode && len(n.Content) == 0)
}
