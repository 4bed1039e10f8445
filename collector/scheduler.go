// Copyright 2026 The acme_exporter Authors
// SPDX-License-Identifier: Apache-2.0

package collector

import (
	"context"
	"fmt"
	"log/slog"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// Scheduler runs targets for scrapes. It is safe for concurrent scrapes
// (Prometheus HA pairs): a target runs at most once at a time, later
// scrapes wait for that run, and a result younger than the target's
// MinInterval is served without running again. A run that outlives the
// scrape deadline keeps going in the background (bounded by its own
// timeout); the scrape serves the previous result, marked stale.
type Scheduler struct {
	sem    chan struct{}
	now    func() time.Time
	logger *slog.Logger

	mu        sync.Mutex
	entries   map[key]*entry
	lastSweep time.Time
}

type key struct{ check, target string }

type entry struct {
	mu       sync.Mutex
	running  chan struct{} // closed when the current run ends; nil if idle
	last     *result
	lastUsed time.Time
}

type result struct {
	metrics     []prometheus.Metric
	err         error
	panicked    bool
	finished    time.Time
	lastSuccess time.Time // zero until the first success
}

// entryTTL: entries of targets no scrape asked for in this long are dropped,
// so /probe targets and vanished files do not accumulate.
const entryTTL = time.Hour

// NewScheduler returns a scheduler running at most concurrency targets at once.
func NewScheduler(concurrency int, now func() time.Time, logger *slog.Logger) *Scheduler {
	if concurrency < 1 {
		concurrency = 1
	}
	if now == nil {
		now = time.Now
	}
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return &Scheduler{
		sem:     make(chan struct{}, concurrency),
		now:     now,
		logger:  logger,
		entries: map[key]*entry{},
	}
}

// served is what one scrape serves for one target.
type served struct {
	res      *result // nil when no run ever finished
	stale    bool
	panicked bool
}

// Run runs targets and returns once all finished or deadline passed.
func (s *Scheduler) run(targets []Target, deadline time.Time) []served {
	out := make([]served, len(targets))
	waits := make([]chan struct{}, len(targets))
	type job struct {
		e *entry
		t Target
	}
	var jobs []job
	now := s.now()
	for i, t := range targets {
		e := s.entry(key{t.Check, t.Target}, now)
		e.mu.Lock()
		switch {
		case e.running != nil:
			waits[i] = e.running
		case e.last != nil && t.MinInterval > 0 && now.Sub(e.last.finished) < t.MinInterval:
			out[i] = served{res: e.last}
		default:
			e.running = make(chan struct{})
			waits[i] = e.running
			jobs = append(jobs, job{e, t})
		}
		e.mu.Unlock()
	}
	// A few workers per scrape pull the jobs, rather than a goroutine per
	// target: ten thousand parked goroutines cost more memory than the
	// certificates they check. The semaphore bounds running checks across
	// concurrent scrapes.
	var next atomic.Int64
	for w := 0; w < min(len(jobs), cap(s.sem)); w++ {
		go func() {
			for {
				i := int(next.Add(1) - 1)
				if i >= len(jobs) {
					return
				}
				s.execute(jobs[i].e, jobs[i].t, deadline)
			}
		}()
	}
	timer := time.NewTimer(time.Until(deadline))
	defer timer.Stop()
	expired := false
	for i, w := range waits {
		if w == nil {
			continue
		}
		if !expired {
			select {
			case <-w:
			case <-timer.C:
				expired = true
			}
		}
		e := s.entry(key{targets[i].Check, targets[i].Target}, now)
		e.mu.Lock()
		select {
		case <-w:
			out[i] = served{res: e.last, panicked: e.last.panicked}
		default:
			out[i] = served{res: e.last, stale: true}
		}
		e.mu.Unlock()
	}
	s.sweep(now)
	return out
}

func (s *Scheduler) entry(k key, now time.Time) *entry {
	s.mu.Lock()
	defer s.mu.Unlock()
	e := s.entries[k]
	if e == nil {
		e = &entry{}
		s.entries[k] = e
	}
	e.lastUsed = now
	return e
}

func (s *Scheduler) sweep(now time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if now.Sub(s.lastSweep) < time.Minute {
		return
	}
	s.lastSweep = now
	for k, e := range s.entries {
		e.mu.Lock()
		idle := e.running == nil
		e.mu.Unlock()
		if idle && now.Sub(e.lastUsed) > entryTTL {
			delete(s.entries, k)
		}
	}
}

// execute runs one target under the semaphore and stores its result.
func (s *Scheduler) execute(e *entry, t Target, deadline time.Time) {
	timeout := t.Timeout
	if timeout <= 0 {
		timeout = time.Until(deadline)
		if timeout < time.Second {
			timeout = time.Second
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	res := &result{}
	select {
	case s.sem <- struct{}{}:
		res.metrics, res.err, res.panicked = s.call(ctx, t)
		<-s.sem
	case <-ctx.Done():
		res.err = Fail("timeout", fmt.Errorf("waited %s for a free worker", timeout))
	}
	res.finished = s.now()
	e.mu.Lock()
	if res.err == nil {
		res.lastSuccess = res.finished
	} else if e.last != nil {
		res.lastSuccess = e.last.lastSuccess
	}
	e.last = res
	close(e.running)
	e.running = nil
	e.mu.Unlock()
}

func (s *Scheduler) call(ctx context.Context, t Target) (ms []prometheus.Metric, err error, panicked bool) {
	defer func() {
		if r := recover(); r != nil {
			s.logger.Error("Check panicked", "check", t.Check, "target", t.Target, "panic", r, "stack", string(debug.Stack()))
			ms, err, panicked = nil, Fail("panic", fmt.Errorf("%v", r)), true
		}
	}()
	err = t.Run(ctx, func(m prometheus.Metric) { ms = append(ms, m) })
	if err != nil {
		s.logger.Debug("Check failed", "check", t.Check, "target", t.Target, "reason", ReasonOf(err), "err", err)
	}
	return ms, err, false
}

// emit sends a served result with its probe series.
func emitServed(emit Emit, t Target, sv served) {
	if sv.res == nil {
		if !t.Quiet {
			emit(Gauge(probeSuccessDesc, 0, t.Check, t.Target))
			emit(Gauge(probeFailureDesc, 1, t.Check, t.Target, "timeout"))
			emit(Gauge(staleDesc, 1, t.Check, t.Target))
		}
		return
	}
	for _, m := range sv.res.metrics {
		emit(m)
	}
	if t.Quiet {
		return
	}
	emit(Gauge(probeSuccessDesc, Bool(sv.res.err == nil), t.Check, t.Target))
	if sv.res.err != nil {
		emit(Gauge(probeFailureDesc, 1, t.Check, t.Target, ReasonOf(sv.res.err)))
	}
	if !sv.res.lastSuccess.IsZero() {
		emit(Gauge(lastSuccessDesc, float64(sv.res.lastSuccess.UnixNano())/1e9, t.Check, t.Target))
	}
	if sv.stale {
		emit(Gauge(staleDesc, 1, t.Check, t.Target))
	}
}

// Collect runs every family for one scrape and sends all results,
// including acme_exporter_collector_{success,duration_seconds}.
func (s *Scheduler) Collect(env *Env, cs map[string]Collector, deadline time.Time, ch chan<- prometheus.Metric) {
	s.CollectBatches(env, cs, deadline, func(ms []prometheus.Metric) {
		for _, m := range ms {
			ch <- m
		}
	})
}

// CollectBatches is Collect handing each family's metrics over in one
// slice, from the family's goroutine: the /metrics handler appends them
// without a channel operation per sample.
func (s *Scheduler) CollectBatches(env *Env, cs map[string]Collector, deadline time.Time, sink func([]prometheus.Metric)) {
	var wg sync.WaitGroup
	for name, c := range cs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var batch []prometheus.Metric
			s.collectFamily(env, name, c, deadline, func(m prometheus.Metric) { batch = append(batch, m) })
			sink(batch)
		}()
	}
	wg.Wait()
}

func (s *Scheduler) collectFamily(env *Env, name string, c Collector, deadline time.Time, emit Emit) {
	start := time.Now()
	ok := true
	targets, err := s.targets(env, name, c)
	if err != nil {
		ok = false
		s.logger.Error("Collector failed to list its targets", "collector", name, "err", err)
	}
	for i, sv := range s.run(targets, deadline) {
		if sv.stale || sv.panicked || sv.res == nil {
			ok = false
		}
		emitServed(emit, targets[i], sv)
	}
	emit(Gauge(collectorSuccessDesc, Bool(ok), name))
	emit(Gauge(collectorDurationDesc, time.Since(start).Seconds(), name))
}

func (s *Scheduler) targets(env *Env, name string, c Collector) (ts []Target, err error) {
	defer func() {
		if r := recover(); r != nil {
			s.logger.Error("Collector panicked listing targets", "collector", name, "panic", r, "stack", string(debug.Stack()))
			ts, err = nil, fmt.Errorf("panic: %v", r)
		}
	}()
	return c.Targets(env)
}

// Probe runs the targets of one /probe request.
func (s *Scheduler) Probe(targets []Target, deadline time.Time, ch chan<- prometheus.Metric) {
	for i, sv := range s.run(targets, deadline) {
		emitServed(func(m prometheus.Metric) { ch <- m }, targets[i], sv)
	}
}
