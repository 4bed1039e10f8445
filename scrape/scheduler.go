// Copyright 2026 The acme_exporter Authors
// SPDX-License-Identifier: Apache-2.0

package scrape

import (
	"context"
	"fmt"
	"log/slog"
	"runtime/debug"
	"slices"
	"strings"
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
// timeout); the scrape serves the previous result, marked stale. A target
// whose last run took more than half of what is left of the scrape (a
// tarpit endpoint answering a byte a second) is not waited for at all: it
// runs in the background and the scrape serves its previous result,
// marked stale, so one slow target cannot hold every scrape until its
// deadline.
type Scheduler struct {
	sem    chan struct{}
	now    func() time.Time
	logger *slog.Logger
	// LogChanges logs, at info, each time a check starts failing, changes
	// its reason, or recovers: once per change, never per scrape. /probe
	// has its own scheduler without it (Prometheus keeps that history).
	LogChanges bool
	// WaitForSlow turns off serving slow targets from their previous run:
	// /probe asks for a fresh answer, and Prometheus's probe timeout
	// bounds it.
	WaitForSlow bool

	mu        sync.Mutex
	entries   map[key]*entry
	lastSweep time.Time
}

type key struct{ check, target string }

type entry struct {
	mu       sync.Mutex
	running  *batch // the batch running this target now; nil if idle
	last     *result
	lastUsed int64 // Unix nanoseconds, scheduler clock

	// The scheduler and key the entry belongs to, and whether the sweep
	// dropped it: what a Slot checks before it is trusted (under s.mu).
	owner   *Scheduler
	k       key
	dropped bool
}

// A Slot remembers the scheduler's entry of one target between scrapes,
// for a family that keeps its targets (a certificate file's spec): the
// scheduler then finds the entry without a map lookup, which at 100,000
// files costs a cache miss or more each (the lookups run one after the
// other at the start of every scrape). A family gives each target its own
// Slot, kept with the target's check and name; the scheduler fills it.
// The zero Slot is empty.
type Slot struct{ e *entry }

// A batch is the runs one scrape started. Waiting is per batch rather
// than per target: a channel per target and scrape cost a megabyte of
// garbage per 10,000 files, and a scrape waits for all its targets anyway.
type batch struct {
	done    chan struct{} // closed when every run of the batch ended
	pending atomic.Int64
	// cancel releases the context the batch's checks share, once the last
	// one ended (checks outliving the scrape keep it until it expires).
	cancel context.CancelFunc
}

// end records one ended run of b.
func (b *batch) end() {
	if b.pending.Add(-1) == 0 {
		close(b.done)
		b.cancel()
	}
}

type result struct {
	metrics  []prometheus.Metric
	err      error
	panicked bool
	// finished and took are read and written under the entry's lock
	// only: an unchanged outcome updates them in place (see execute).
	finished time.Time
	took     time.Duration // how long the run took
	// lastSuccess (Unix nanoseconds, 0 until the first success) is read by
	// writers without the entry's lock.
	lastSuccess atomic.Int64
	// everyScrape: the target runs on every scrape (no min_interval),
	// so a success's time is that scrape's and is not exported.
	everyScrape bool
	// impliedSuccess: Target.ImpliedSuccess.
	impliedSuccess bool
	since          time.Time // when the current state (ok, or this reason) began

	// check and target label the result's probe series, which the
	// result itself makes as a Lazy (self holds it, ready to emit).
	check, target string
	self          [1]prometheus.Metric
}

// The probe series of a result: acme_probe_success, the failure reason
// and the last success time. They are made for every target on every
// scrape, so the result makes them itself (a Lazy) rather than keeping or
// allocating samples.
type probeLazy struct{ r *result }

var probeMetas = []*DescMeta{probeSuccessMeta, probeFailureMeta, lastSuccessMeta}

func (p probeLazy) Metas() []*DescMeta { return probeMetas }

func (p probeLazy) SampleOf(meta *DescMeta, dst *Sample, scratch []string) bool {
	r := p.r
	var v float64
	switch meta {
	case probeSuccessMeta:
		if r.err == nil && r.impliedSuccess {
			return false
		}
		v = Bool(r.err == nil)
	case probeFailureMeta:
		if r.err == nil {
			return false
		}
		l := scratch[:3]
		l[0], l[1], l[2] = r.check, r.target, ReasonOf(r.err)
		Fill(dst, meta, 1, l)
		return true
	case lastSuccessMeta:
		if !r.datesSuccess() {
			return false
		}
		v = float64(r.lastSuccess.Load()) / 1e9
	default:
		return false
	}
	l := scratch[:2]
	l[0], l[1] = r.check, r.target
	Fill(dst, meta, v, l)
	return true
}

// datesSuccess says whether the result exports its last success time: a
// failure says when the check last worked and a result cached by
// min_interval how old it is, while a success of a check run on every
// scrape would only repeat the scrape's time, a new value per target and
// scrape that Prometheus cannot compress (10,000 files made 10,000 such
// samples). A stale result says it too (emitServed).
func (r *result) datesSuccess() bool {
	return r.lastSuccess.Load() != 0 && (r.err != nil || !r.everyScrape)
}

// silent says whether the result has no probe series at all: an implied
// success that needs no date.
func (r *result) silent() bool {
	return r.err == nil && r.impliedSuccess && !r.datesSuccess()
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
	type slot struct {
		e    *entry
		wait *batch // nil: served from cache, nothing to wait for
	}
	slots := make([]slot, len(targets))
	jobs := make([]int, 0, len(targets))
	now := s.now()
	s.mu.Lock()
	for i, t := range targets {
		slots[i].e = s.entryOfLocked(t, now)
	}
	s.mu.Unlock()
	// The checks of one scrape share one context: a context and timer per
	// target cost more than a warm file check itself. A check with its own
	// Timeout, or one starting too close to the deadline, gets its own.
	ctx, cancel := runContext(deadline)
	mine := &batch{done: make(chan struct{}), cancel: cancel}
	var waits []*batch // the distinct batches to wait for
	var bg *batch      // slow targets, run without being waited for
	var bgJobs []int
	var bgCtx context.Context
	budget := time.Until(deadline)
	for i, t := range targets {
		e := slots[i].e
		e.mu.Lock()
		slow := !s.WaitForSlow && e.last != nil && 2*e.last.took > budget
		switch {
		case e.running != nil && slow:
			out[i] = served{res: e.last, stale: true}
		case e.running != nil:
			slots[i].wait = e.running
		case e.last != nil && t.MinInterval > 0 && now.Sub(e.last.finished) < t.MinInterval:
			out[i] = served{res: e.last}
		case slow:
			if bg == nil {
				var bgCancel context.CancelFunc
				bgCtx, bgCancel = runContext(deadline)
				bg = &batch{done: make(chan struct{}), cancel: bgCancel}
			}
			e.running = bg
			bgJobs = append(bgJobs, i)
			out[i] = served{res: e.last, stale: true}
		default:
			e.running = mine
			slots[i].wait = mine
			jobs = append(jobs, i)
		}
		e.mu.Unlock()
		if b := slots[i].wait; b != nil && !slices.Contains(waits, b) {
			waits = append(waits, b)
		}
	}
	mine.pending.Store(int64(len(jobs)) + 1)
	mine.end() // the +1: done even when nothing had to run
	if bg != nil {
		bg.pending.Store(int64(len(bgJobs)) + 1)
		for _, j := range bgJobs {
			go s.execute(bgCtx, slots[j].e, targets[j], deadline, bg)
		}
		bg.end()
	}
	// A few workers per scrape pull the jobs, rather than a goroutine per
	// target: ten thousand parked goroutines cost more memory than the
	// certificates they check. The semaphore bounds running checks across
	// concurrent scrapes.
	var next atomic.Int64
	for w := 0; w < min(len(jobs), cap(s.sem)); w++ {
		go func() {
			for {
				n := int(next.Add(1) - 1)
				if n >= len(jobs) {
					return
				}
				i := jobs[n]
				s.execute(ctx, slots[i].e, targets[i], deadline, mine)
			}
		}()
	}
	timer := time.NewTimer(time.Until(deadline))
	defer timer.Stop()
wait:
	for _, b := range waits {
		select {
		case <-b.done:
		case <-timer.C:
			break wait
		}
	}
	for i, sl := range slots {
		if sl.wait == nil {
			continue
		}
		sl.e.mu.Lock()
		if sl.e.running != sl.wait {
			// The run waited for ended (another may have begun since).
			out[i] = served{res: sl.e.last, panicked: sl.e.last.panicked}
		} else {
			out[i] = served{res: sl.e.last, stale: true}
		}
		sl.e.mu.Unlock()
	}
	s.sweep(now)
	return out
}

// runContext is the context the checks of one scrape share.
func runContext(deadline time.Time) (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), max(time.Until(deadline), minRunTimeout))
}

// minRunTimeout: a run always gets at least this long, even when the
// scrape's deadline is nearer; it then finishes in the background.
const minRunTimeout = time.Second

// entryOfLocked is t's entry: the one its Slot holds when that is still
// this scheduler's entry for t, else the map's (kept in the Slot).
func (s *Scheduler) entryOfLocked(t Target, now time.Time) *entry {
	k := key{t.Check, t.Target}
	sl := t.Slot
	if sl == nil {
		return s.entryLocked(k, now)
	}
	if e := sl.e; e != nil && e.owner == s && !e.dropped && e.k == k {
		e.lastUsed = now.UnixNano()
		return e
	}
	sl.e = s.entryLocked(k, now)
	return sl.e
}

func (s *Scheduler) entryLocked(k key, now time.Time) *entry {
	e := s.entries[k]
	if e == nil {
		e = &entry{owner: s, k: k}
		s.entries[k] = e
	}
	e.lastUsed = now.UnixNano()
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
		if idle && now.Sub(time.Unix(0, e.lastUsed)) > entryTTL {
			delete(s.entries, k)
			e.dropped = true
		}
	}
}

// execute runs one target under the semaphore and stores its result.
// ctx is the scrape's shared context.
func (s *Scheduler) execute(ctx context.Context, e *entry, t Target, deadline time.Time, b *batch) {
	switch {
	case t.Timeout > 0:
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(context.Background(), t.Timeout)
		defer cancel()
	case time.Until(deadline) < minRunTimeout:
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(context.Background(), minRunTimeout)
		defer cancel()
	}
	e.mu.Lock()
	var last []prometheus.Metric
	if e.last != nil {
		last = e.last.metrics
	}
	e.mu.Unlock()
	var (
		ms       []prometheus.Metric
		err      error
		panicked bool
		took     time.Duration
	)
	select {
	case s.sem <- struct{}{}:
		start := time.Now()
		ms, err, panicked = s.call(ctx, t, last)
		took = time.Since(start)
		<-s.sem
	case <-ctx.Done():
		timeout := t.Timeout
		if dl, ok := ctx.Deadline(); ok && timeout <= 0 {
			timeout = time.Until(dl)
		}
		err = Fail("timeout", fmt.Errorf("no free worker within %s", timeout.Round(time.Millisecond)))
	}
	finished := s.now()
	e.mu.Lock()
	prev := e.last
	if prev != nil && err == nil && prev.err == nil && !panicked && !prev.panicked && sameSlice(ms, prev.metrics) &&
		prev.everyScrape == (t.MinInterval <= 0) && prev.impliedSuccess == t.ImpliedSuccess {
		// The same success as last time, which readers may be serving:
		// only its times move. A warm scrape of 100,000 unchanged files
		// made 100,000 results to throw away.
		prev.finished, prev.took = finished, took
		prev.lastSuccess.Store(finished.UnixNano())
		e.running = nil
		e.mu.Unlock()
		b.end()
		return
	}
	res := &result{check: t.Check, target: t.Target, everyScrape: t.MinInterval <= 0, impliedSuccess: t.ImpliedSuccess,
		metrics: ms, err: err, panicked: panicked, took: took, finished: finished}
	res.self[0] = probeMetric{res}
	if err == nil {
		res.lastSuccess.Store(finished.UnixNano())
	} else if prev != nil {
		res.lastSuccess.Store(prev.lastSuccess.Load())
	}
	res.since = finished
	if prev != nil && stateOf(prev) == stateOf(res) {
		res.since = prev.since
	}
	e.last = res
	e.running = nil
	e.mu.Unlock()
	if s.LogChanges {
		s.logChange(prev, res)
	}
	b.end()
}

// sameSlice says whether a and b are the same slice (what call returns
// when a run emitted what it emitted last time).
func sameSlice(a, b []prometheus.Metric) bool {
	return len(a) == len(b) && (len(a) == 0 || &a[0] == &b[0])
}

// stateOf is a result's state: "" when it succeeded, else its reason.
func stateOf(r *result) string {
	if r.err == nil {
		return ""
	}
	return ReasonOf(r.err)
}

// logChange logs a change of state. A first result that succeeds is no
// change worth a line (a host starts with thousands of them); a first
// failure is.
func (s *Scheduler) logChange(prev, res *result) {
	was, now := "", stateOf(res)
	if prev != nil {
		was = stateOf(prev)
	}
	switch {
	case was == now:
	case now == "":
		s.logger.Info("Check recovered", "check", res.check, "target", res.target, "was", was)
	case was == "":
		s.logger.Info("Check failing", "check", res.check, "target", res.target, "reason", now, "err", res.err)
	default:
		s.logger.Info("Check failing for another reason", "check", res.check, "target", res.target,
			"reason", now, "was", was, "err", res.err)
	}
}

// CheckState is the last result of one check on one target.
type CheckState struct {
	Check, Target string
	OK            bool
	Reason        string    // "" when OK
	Since         time.Time // when this state began
}

// States returns the state of every check that has a result, sorted by
// check and target.
func (s *Scheduler) States() []CheckState {
	s.mu.Lock()
	es := make([]*entry, 0, len(s.entries))
	for _, e := range s.entries {
		es = append(es, e)
	}
	s.mu.Unlock()
	out := make([]CheckState, 0, len(es))
	for _, e := range es {
		e.mu.Lock()
		r := e.last
		e.mu.Unlock()
		if r == nil {
			continue
		}
		out = append(out, CheckState{Check: r.check, Target: r.target, OK: r.err == nil, Reason: stateOf(r), Since: r.since})
	}
	slices.SortFunc(out, func(a, b CheckState) int {
		if c := strings.Compare(a.Check, b.Check); c != 0 {
			return c
		}
		return strings.Compare(a.Target, b.Target)
	})
	return out
}

// emitBuf collects one run's metrics. Buffers are pooled with their emit
// function bound, so a run allocates its slice only when it emitted
// something new: a cached certificate file emits the LazyRef it emitted
// last time, and at 100,000 files the slice, the closure and the variable
// it captured were three allocations per file and scrape for the garbage
// collector to find.
type emitBuf struct {
	ms   []prometheus.Metric
	emit Emit
}

var emitBufs = sync.Pool{New: func() any {
	b := &emitBuf{}
	b.emit = func(m prometheus.Metric) { b.ms = append(b.ms, m) }
	return b
}}

// sameMetrics says whether a and b hold the same samples, as far as can be
// told without comparing values that may not be comparable: the same Lazy
// or the same *Sample, in the same order.
func sameMetrics(a, b []prometheus.Metric) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		switch x := a[i].(type) {
		case lazyMetric:
			if y, ok := b[i].(lazyMetric); !ok || x.r != y.r {
				return false
			}
		case *Sample:
			if y, ok := b[i].(*Sample); !ok || x != y {
				return false
			}
		default:
			return false
		}
	}
	return true
}

// call runs t; last is what its last run emitted, kept when this run
// emits the same.
func (s *Scheduler) call(ctx context.Context, t Target, last []prometheus.Metric) (ms []prometheus.Metric, err error, panicked bool) {
	b := emitBufs.Get().(*emitBuf)
	defer func() {
		if r := recover(); r != nil {
			s.logger.Error("Check panicked", "check", t.Check, "target", t.Target, "panic", r, "stack", string(debug.Stack()))
			ms, err, panicked = nil, Fail("panic", fmt.Errorf("%v", r)), true
		}
		clear(b.ms)
		b.ms = b.ms[:0]
		emitBufs.Put(b)
	}()
	if !checkDeclared(t.Check) {
		panic("check " + t.Check + " is not declared with scrape.Checks")
	}
	err = t.Run(ctx, b.emit)
	switch {
	case len(b.ms) == 0:
	case sameMetrics(b.ms, last):
		ms = last
	default:
		ms = slices.Clone(b.ms)
	}
	if err != nil {
		s.logger.Debug("Check failed", "check", t.Check, "target", t.Target, "reason", ReasonOf(err), "err", err)
	}
	return ms, err, false
}

// emitServed sends a served result with its probe series, as slices. A
// Lazy is passed on as it is when keepLazy (for WriteText), else expanded.
func emitServed(emit func([]prometheus.Metric), t Target, sv served, keepLazy bool) {
	if sv.res == nil {
		if !t.Quiet {
			emit([]prometheus.Metric{
				Gauge(probeSuccessDesc, 0, t.Check, t.Target),
				Gauge(probeFailureDesc, 1, t.Check, t.Target, "timeout"),
				Gauge(staleDesc, 1, t.Check, t.Target),
			})
		}
		return
	}
	// The stored slice is served as it is, except that a Lazy is replaced
	// by its samples unless the consumer takes it.
	ms, start := sv.res.metrics, 0
	for i, m := range ms {
		if l, ok := lazyOf(m); ok && !keepLazy {
			emit(ms[start:i])
			emit(expandLazy(l))
			start = i + 1
		}
	}
	emit(ms[start:])
	if t.Quiet {
		return
	}
	// Results are stored per check and target, so the result's own
	// labels are the target's.
	if keepLazy {
		if !sv.res.silent() {
			emit(sv.res.self[:])
		}
	} else {
		emit(expandLazy(probeLazy{r: sv.res}))
	}
	if sv.stale {
		stale := []prometheus.Metric{Gauge(staleDesc, 1, t.Check, t.Target)}
		if ls := sv.res.lastSuccess.Load(); !sv.res.datesSuccess() && ls != 0 {
			// Served from an earlier scrape: its time is news.
			stale = append(stale, Gauge(lastSuccessDesc, float64(ls)/1e9, t.Check, t.Target))
		}
		emit(stale)
	}
}

var (
	probeSuccessMeta = MetaOf(probeSuccessDesc)
	probeFailureMeta = MetaOf(probeFailureDesc)
	lastSuccessMeta  = MetaOf(lastSuccessDesc)
)

// Collect runs every family for one scrape and sends all results,
// including acme_exporter_collector_{success,duration_seconds}.
func (s *Scheduler) Collect(env *Env, cs map[string]Collector, deadline time.Time, ch chan<- prometheus.Metric) {
	s.collectAll(env, cs, deadline, false, func(b [][]prometheus.Metric) {
		for _, ms := range b {
			for _, m := range ms {
				ch <- m
			}
		}
	})
}

// CollectBatches is Collect handing each family's metrics over at once,
// from the family's goroutine, as the slices the results already hold:
// the /metrics handler keeps them without copying or a channel operation
// per sample. The slices must not be modified, and they may hold Lazy
// metrics, which only WriteText knows how to write.
func (s *Scheduler) CollectBatches(env *Env, cs map[string]Collector, deadline time.Time, sink func([][]prometheus.Metric)) {
	s.collectAll(env, cs, deadline, true, sink)
}

func (s *Scheduler) collectAll(env *Env, cs map[string]Collector, deadline time.Time, keepLazy bool, sink func([][]prometheus.Metric)) {
	var wg sync.WaitGroup
	for name, c := range cs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sink(s.collectFamily(env, name, c, deadline, keepLazy))
		}()
	}
	wg.Wait()
}

// collectFamily runs one family and returns its metrics as the slices the
// results hold.
func (s *Scheduler) collectFamily(env *Env, name string, c Collector, deadline time.Time, keepLazy bool) [][]prometheus.Metric {
	start := time.Now()
	ok := true
	targets, err := s.targets(env, name, c)
	if err != nil {
		ok = false
		s.logger.Error("Collector failed to list its targets", "collector", name, "err", err)
	}
	// Each target gives its metrics and its probe series.
	batch := make([][]prometheus.Metric, 0, 2*len(targets)+1)
	emit := func(ms []prometheus.Metric) {
		if len(ms) > 0 {
			batch = append(batch, ms)
		}
	}
	for i, sv := range s.run(targets, deadline) {
		if sv.stale || sv.panicked || sv.res == nil {
			ok = false
		}
		emitServed(emit, targets[i], sv, keepLazy)
	}
	emit([]prometheus.Metric{
		Gauge(collectorSuccessDesc, Bool(ok), name),
		Gauge(collectorDurationDesc, time.Since(start).Seconds(), name),
	})
	return batch
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
	s.ProbeBatches(targets, deadline, func(ms []prometheus.Metric) {
		for _, m := range ms {
			ch <- m
		}
	})
}

// ProbeBatches is Probe handing the metrics over as slices (every Lazy
// expanded), for a writer that needs no registry: /probe writes them
// with WriteText.
func (s *Scheduler) ProbeBatches(targets []Target, deadline time.Time, sink func([]prometheus.Metric)) {
	for i, sv := range s.run(targets, deadline) {
		emitServed(sink, targets[i], sv, false)
	}
}
