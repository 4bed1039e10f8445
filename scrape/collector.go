// Copyright 2026 The acme_exporter Authors
// SPDX-License-Identifier: Apache-2.0

// Package scrape is the scrape framework the check families plug into:
// family registration and flags, targets and their runs, bounded
// concurrency, per-check min_interval caching, shared runs for concurrent
// scrapes, stale results on timeout, panic recovery, per-family health
// metrics, metric descriptions (which docs/metrics.md is generated from)
// and the exposition of the results.
package scrape

import (
	"context"
	"crypto/x509"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"os"
	"slices"
	"sort"
	"sync"
	"time"

	"github.com/alecthomas/kingpin/v2"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/acme-exporter/acme_exporter/config"
	"github.com/acme-exporter/acme_exporter/internal/failure"
	"github.com/acme-exporter/acme_exporter/inventory"
)

// Env is what a check may use. It is built per scrape from the running
// configuration; every check reads time through Now so tests can pin it.
type Env struct {
	Config    *config.Config
	Now       func() time.Time
	Logger    *slog.Logger
	Roots     *x509.CertPool // trust roots; nil means the system pool
	Inventory *inventory.Inventory
	// Discovered is what discovery found; never nil (empty when off).
	Discovered *inventory.Snapshot
	// Directories is what the directory family learnt from each ACME
	// directory (CAA identities, profiles, ARI URL); nil reads as empty.
	Directories *inventory.DirectoryStore
}

// Emit sends one metric.
type Emit func(prometheus.Metric)

// A Target is one check against one thing: a file, an endpoint, a domain.
type Target struct {
	Check  string // the check label: certificate_file, endpoint, ...
	Target string // the target label: a path, host:port, a domain
	// MinInterval: a result younger than this is served from cache.
	MinInterval time.Duration
	// Timeout bounds one run; 0 means the scrape's remaining time.
	Timeout time.Duration
	// Quiet targets emit no acme_probe_* series (history files).
	Quiet bool
	// ImpliedSuccess: the family's own series show that the check worked
	// (a certificate file's not_after), so acme_probe_success is exported
	// only while the check fails, as 0. A host with 100,000 files would
	// otherwise store 100,000 series that only repeat the presence of
	// others; the failure side (0 with its failure_info) is unchanged.
	ImpliedSuccess bool
	// Slot, when not nil, is this target's own (see Slot).
	Slot *Slot
	// Run does the work. It returns nil, or an error made with Fail
	// whose reason becomes the failure_info label.
	Run func(ctx context.Context, emit Emit) error
}

// Collector is one check family. A family that keeps goroutines or
// connections between scrapes (ARI's background fetchers) also implements
// io.Closer: Close stops them and returns once they have ended (see
// Close).
type Collector interface {
	// Targets lists the family's targets for this scrape.
	Targets(env *Env) ([]Target, error)
}

// Close closes every family in cs that implements io.Closer, and returns
// the first error. Families are not used after.
func Close(cs map[string]Collector) error {
	var first error
	for _, name := range slices.Sorted(maps.Keys(cs)) {
		if c, ok := cs[name].(io.Closer); ok {
			if err := c.Close(); err != nil && first == nil {
				first = fmt.Errorf("closing %s: %w", name, err)
			}
		}
	}
	return first
}

// Prober is a family that serves /probe module kinds.
type Prober interface {
	// ProbeTargets returns the targets for one /probe request, or an
	// error made with Refuse when the module does not accept target.
	ProbeTargets(ctx context.Context, env *Env, module *config.Module, target string) ([]Target, error)
	// Kinds lists the module kinds it serves.
	Kinds() []string
}

// Fail wraps err with a reason (a failure.Error). Reasons are snake_case
// words from a fixed set per family, never free text: they become label
// values.
func Fail(reason string, err error) error { return failure.New(reason, err) }

// ReasonOf returns the reason of err (see failure.ReasonOf).
func ReasonOf(err error) string { return failure.ReasonOf(err) }

// Refuse is what ProbeTargets returns when a module does not accept a
// target: a failure.Error with reason failure.TargetRefused, saying why.
func Refuse(format string, args ...any) error { return failure.Refuse(format, args...) }

// IsRefused reports whether err is a refusal made with Refuse.
func IsRefused(err error) bool { return failure.IsRefused(err) }

// registry of families

type family struct {
	name    string
	enabled *bool
	factory func(*slog.Logger) Collector
}

var (
	familiesMu sync.Mutex
	families   = map[string]*family{}
)

// Register adds a check family. It is called from init() in the family's
// file and creates the --[no-]collector.<name> flag.
func Register(name string, defaultEnabled bool, factory func(*slog.Logger) Collector) {
	familiesMu.Lock()
	defer familiesMu.Unlock()
	if _, dup := families[name]; dup {
		panic("collector registered twice: " + name)
	}
	on := defaultEnabled
	families[name] = &family{name: name, enabled: &on, factory: factory}
}

// AddFlags adds --[no-]collector.<name> for every family.
func AddFlags(app *kingpin.Application) {
	familiesMu.Lock()
	defer familiesMu.Unlock()
	for _, name := range sortedNames() {
		f := families[name]
		state := "disabled"
		if *f.enabled {
			state = "enabled"
		}
		app.Flag("collector."+name, fmt.Sprintf("Enable the %s collector (default: %s).", name, state)).
			Default(fmt.Sprint(*f.enabled)).BoolVar(f.enabled)
	}
}

// SetEnabled switches a family on or off (tests, and the config).
func SetEnabled(name string, on bool) error {
	familiesMu.Lock()
	defer familiesMu.Unlock()
	f, ok := families[name]
	if !ok {
		return fmt.Errorf("unknown collector %q", name)
	}
	*f.enabled = on
	return nil
}

func sortedNames() []string {
	names := make([]string, 0, len(families))
	for n := range families {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// Families makes an instance of every enabled family and returns them by
// name. The instances are the caller's: it closes them (Close) when done.
func Families(logger *slog.Logger) map[string]Collector {
	familiesMu.Lock()
	defer familiesMu.Unlock()
	out := map[string]Collector{}
	for _, name := range sortedNames() {
		f := families[name]
		if !*f.enabled {
			continue
		}
		out[name] = f.factory(logger.With("collector", name))
	}
	return out
}

// New makes a fresh instance of the family registered as name, whether
// enabled or not: tests that combine families build them by name, without
// importing each other's internals.
func New(name string, logger *slog.Logger) (Collector, error) {
	familiesMu.Lock()
	defer familiesMu.Unlock()
	f, ok := families[name]
	if !ok {
		return nil, fmt.Errorf("unknown collector %q", name)
	}
	return f.factory(logger.With("collector", name)), nil
}

// ProberFor returns the enabled family that serves module kind.
func ProberFor(cs map[string]Collector, kind string) (Prober, bool) {
	for _, c := range cs {
		if p, ok := c.(Prober); ok {
			for _, k := range p.Kinds() {
				if k == kind {
					return p, true
				}
			}
		}
	}
	return nil, false
}

// LoadRoots builds the trust pool from the global settings.
func LoadRoots(g config.Global) (*x509.CertPool, error) {
	var pool *x509.CertPool
	if g.SystemRoots == nil || *g.SystemRoots {
		p, err := x509.SystemCertPool()
		if err != nil {
			p = x509.NewCertPool()
		}
		pool = p
	} else {
		pool = x509.NewCertPool()
	}
	if g.CAFile != "" {
		b, err := os.ReadFile(g.CAFile)
		if err != nil {
			return nil, err
		}
		if !pool.AppendCertsFromPEM(b) {
			return nil, fmt.Errorf("%s: no PEM certificates", g.CAFile)
		}
	}
	return pool, nil
}
