// Copyright 2026 The acme_exporter Authors
// SPDX-License-Identifier: Apache-2.0

package scrape_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/acme-exporter/acme_exporter/internal/scrapetest"
	"github.com/acme-exporter/acme_exporter/scrape"
)

var testValueDesc = prometheus.NewDesc("acme_test_value", "Test value.", []string{"target"}, nil)

// funcFamily is a test family whose targets run fn.
type funcFamily struct {
	targets []string
	min     time.Duration
	implied bool // Target.ImpliedSuccess
	fn      func(ctx context.Context, target string, emit scrape.Emit) error
}

// The check and the reasons these tests use, declared as a family would.
var (
	_ = scrape.Checks("test")
	_ = scrape.DeclareReasons("not_found", "parse_error")
)

func (f *funcFamily) Targets(*scrape.Env) ([]scrape.Target, error) {
	var ts []scrape.Target
	for _, name := range f.targets {
		ts = append(ts, scrape.Target{Check: "test", Target: name, MinInterval: f.min, ImpliedSuccess: f.implied,
			Run: func(ctx context.Context, emit scrape.Emit) error { return f.fn(ctx, name, emit) }})
	}
	return ts, nil
}

type panicky struct{}

func (panicky) Targets(*scrape.Env) ([]scrape.Target, error) { panic("listing exploded") }

func scrapeOnce(s *scrape.Scheduler, env *scrape.Env, fams map[string]scrape.Collector, timeout time.Duration) *prometheus.Registry {
	reg := prometheus.NewRegistry()
	reg.MustRegister(&scrapetest.Harness{Sched: s, Env: env, Families: fams, Timeout: timeout})
	return reg
}

// A check that hangs does not hold up the scrape: the scrape answers at
// its deadline with the last result, marked stale, and the other families
// report normally.
func TestHangingCheckServesLastResult(t *testing.T) {
	now := time.Unix(5000, 0)
	env := scrapetest.Env(t, "", now, nil)
	var calls atomic.Int32
	release := make(chan struct{})
	hang := &funcFamily{targets: []string{"slow"}, fn: func(ctx context.Context, target string, emit scrape.Emit) error {
		if calls.Add(1) > 1 {
			select {
			case <-release:
			case <-ctx.Done():
			}
			return ctx.Err()
		}
		emit(scrape.Gauge(testValueDesc, 42, target))
		return nil
	}}
	ok := &funcFamily{targets: []string{"fast"}, fn: func(_ context.Context, target string, emit scrape.Emit) error {
		emit(scrape.Gauge(testValueDesc, 1, target))
		return nil
	}}
	s := scrape.NewScheduler(4, env.Now, env.Logger)
	fams := map[string]scrape.Collector{"hang": hang, "ok": ok}
	if _, err := scrapeOnce(s, env, fams, time.Second).Gather(); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	reg := scrapeOnce(s, env, fams, 300*time.Millisecond)
	want := `
# HELP acme_check_stale 1 while the check's result is served from an earlier run because the current run did not finish within the scrape timeout; absent otherwise.
# TYPE acme_check_stale gauge
acme_check_stale{check="test",target="slow"} 1
# HELP acme_exporter_collector_success 1 when every check of the collector finished this scrape without panic or timeout.
# TYPE acme_exporter_collector_success gauge
acme_exporter_collector_success{collector="hang"} 0
acme_exporter_collector_success{collector="ok"} 1
# HELP acme_check_last_success_timestamp_seconds Unix time of the check's last success: present while the check fails, while its result is stale and when it is cached by min_interval; absent for a check that succeeded in this scrape.
# TYPE acme_check_last_success_timestamp_seconds gauge
acme_check_last_success_timestamp_seconds{check="test",target="slow"} 5000
# HELP acme_test_value Test value.
# TYPE acme_test_value gauge
acme_test_value{target="fast"} 1
acme_test_value{target="slow"} 42
`
	if err := testutil.GatherAndCompare(reg, scrapetest.StringsReader(want), "acme_check_stale", "acme_exporter_collector_success",
		"acme_check_last_success_timestamp_seconds", "acme_test_value"); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Fatalf("scrape took %v although its deadline was 300ms", d)
	}
	close(release)
}

// A panic in one check is recovered and reported; the other families
// still report, and so does a family whose target listing panics.
func TestPanicIsRecovered(t *testing.T) {
	env := scrapetest.Env(t, "", time.Unix(100, 0), nil)
	boom := &funcFamily{targets: []string{"a"}, fn: func(context.Context, string, scrape.Emit) error {
		var parts []string
		_ = parts[3] // index out of range: a runtime panic, as a bug would cause
		return nil
	}}
	ok := &funcFamily{targets: []string{"b"}, fn: func(_ context.Context, target string, emit scrape.Emit) error {
		emit(scrape.Gauge(testValueDesc, 7, target))
		return nil
	}}
	s := scrape.NewScheduler(2, env.Now, env.Logger)
	reg := scrapeOnce(s, env, map[string]scrape.Collector{"boom": boom, "ok": ok, "listing": panicky{}}, 5*time.Second)
	want := `
# HELP acme_exporter_collector_success 1 when every check of the collector finished this scrape without panic or timeout.
# TYPE acme_exporter_collector_success gauge
acme_exporter_collector_success{collector="boom"} 0
acme_exporter_collector_success{collector="listing"} 0
acme_exporter_collector_success{collector="ok"} 1
# HELP acme_probe_failure_info 1 while the check fails, with a bounded reason; absent otherwise.
# TYPE acme_probe_failure_info gauge
acme_probe_failure_info{check="test",reason="panic",target="a"} 1
# HELP acme_test_value Test value.
# TYPE acme_test_value gauge
acme_test_value{target="b"} 7
`
	if err := testutil.GatherAndCompare(reg, scrapetest.StringsReader(want), "acme_exporter_collector_success",
		"acme_probe_failure_info", "acme_test_value"); err != nil {
		t.Fatal(err)
	}
}

// Concurrent scrapes (an HA pair) share one run, and min_interval serves
// the cached result without running again.
func TestConcurrentScrapesShareOneRun(t *testing.T) {
	var now atomic.Int64
	now.Store(1000)
	clock := func() time.Time { return time.Unix(now.Load(), 0) }
	env := scrapetest.Env(t, "", time.Unix(1000, 0), nil)
	env.Now = clock
	var runs atomic.Int32
	gate := make(chan struct{})
	f := &funcFamily{targets: []string{"t"}, min: time.Minute, fn: func(_ context.Context, target string, emit scrape.Emit) error {
		runs.Add(1)
		<-gate
		emit(scrape.Gauge(testValueDesc, 1, target))
		return nil
	}}
	s := scrape.NewScheduler(4, clock, env.Logger)
	fams := map[string]scrape.Collector{"f": f}
	var wg sync.WaitGroup
	errs := make(chan error, 20)
	for i := 0; i < 20; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			n, err := gatherCount(scrapeOnce(s, env, fams, 10*time.Second), "acme_test_value")
			if err == nil && n != 1 {
				err = fmt.Errorf("%d samples", n)
			}
			errs <- err
		}()
	}
	time.Sleep(100 * time.Millisecond)
	close(gate)
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if got := runs.Load(); got != 1 {
		t.Fatalf("%d runs for 20 concurrent scrapes, want 1", got)
	}
	now.Add(30)
	if _, err := scrapeOnce(s, env, fams, time.Second).Gather(); err != nil {
		t.Fatal(err)
	}
	if got := runs.Load(); got != 1 {
		t.Fatalf("ran again inside min_interval: %d runs", got)
	}
	now.Add(31)
	if _, err := scrapeOnce(s, env, fams, time.Second).Gather(); err != nil {
		t.Fatal(err)
	}
	if got := runs.Load(); got != 2 {
		t.Fatalf("did not run after min_interval: %d runs", got)
	}
}

// A failure keeps the time of the last success and sends its reason. The
// second success repeats the first (it is kept, not made again): its time
// must move all the same.
func TestFailureKeepsLastSuccess(t *testing.T) {
	var now atomic.Int64
	now.Store(1000)
	clock := func() time.Time { return time.Unix(now.Load(), 0) }
	env := scrapetest.Env(t, "", time.Unix(0, 0), nil)
	fail := false
	f := &funcFamily{targets: []string{"t"}, fn: func(context.Context, string, scrape.Emit) error {
		if fail {
			return scrape.Fail("not_found", errors.New("gone"))
		}
		return nil
	}}
	s := scrape.NewScheduler(1, clock, env.Logger)
	fams := map[string]scrape.Collector{"f": f}
	// A success of this scrape has no time of its own to export.
	if n, err := testutil.GatherAndCount(scrapeOnce(s, env, fams, time.Second), "acme_check_last_success_timestamp_seconds"); err != nil || n != 0 {
		t.Fatalf("fresh success exports its time: %d series, %v", n, err)
	}
	now.Store(1500)
	if _, err := scrapeOnce(s, env, fams, time.Second).Gather(); err != nil {
		t.Fatal(err)
	}
	fail = true
	now.Store(2000)
	want := `
# HELP acme_check_last_success_timestamp_seconds Unix time of the check's last success: present while the check fails, while its result is stale and when it is cached by min_interval; absent for a check that succeeded in this scrape.
# TYPE acme_check_last_success_timestamp_seconds gauge
acme_check_last_success_timestamp_seconds{check="test",target="t"} 1500
# HELP acme_probe_failure_info 1 while the check fails, with a bounded reason; absent otherwise.
# TYPE acme_probe_failure_info gauge
acme_probe_failure_info{check="test",reason="not_found",target="t"} 1
# HELP acme_probe_success 1 when the check obtained its data; the verdict on health is in the family's own metrics.
# TYPE acme_probe_success gauge
acme_probe_success{check="test",target="t"} 0
`
	if err := testutil.GatherAndCompare(scrapeOnce(s, env, fams, time.Second), scrapetest.StringsReader(want),
		"acme_check_last_success_timestamp_seconds", "acme_probe_failure_info", "acme_probe_success"); err != nil {
		t.Fatal(err)
	}
}

func gatherCount(reg *prometheus.Registry, name string) (int, error) {
	mfs, err := reg.Gather()
	if err != nil {
		return 0, err
	}
	for _, mf := range mfs {
		if mf.GetName() == name {
			return len(mf.GetMetric()), nil
		}
	}
	return 0, nil
}

// TestStateChangesLoggedOnce: a check's state changes are logged at info
// once each (failing with the reason, another reason, recovered), never
// per scrape, and States says where each check stands and since when.
func TestStateChangesLoggedOnce(t *testing.T) {
	clock := time.Unix(5000, 0)
	env := scrapetest.Env(t, "", clock, nil)
	var buf syncBuffer
	s := scrape.NewScheduler(2, func() time.Time { return clock }, slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelInfo})))
	s.LogChanges = true
	var step atomic.Int32
	// Results per scrape of target "a"; "b" always succeeds.
	seq := []string{"", "", "not_found", "not_found", "parse_error", "", ""}
	fam := &funcFamily{targets: []string{"a", "b"}, fn: func(_ context.Context, target string, emit scrape.Emit) error {
		if target == "b" {
			return nil
		}
		if r := seq[step.Load()]; r != "" {
			return scrape.Fail(r, errors.New("detail of "+r))
		}
		return nil
	}}
	fams := map[string]scrape.Collector{"test": fam}
	var sinceFailing time.Time
	for i := range seq {
		step.Store(int32(i))
		clock = clock.Add(time.Minute)
		if i == 2 {
			sinceFailing = clock
		}
		if _, err := scrapeOnce(s, env, fams, time.Second).Gather(); err != nil {
			t.Fatal(err)
		}
		if i == 3 {
			st := s.States()
			want := []scrape.CheckState{{Check: "test", Target: "a", Reason: "not_found", Since: sinceFailing},
				{Check: "test", Target: "b", OK: true, Since: time.Unix(5060, 0)}}
			if fmt.Sprint(st) != fmt.Sprint(want) {
				t.Errorf("states\n got %v\nwant %v", st, want)
			}
		}
	}
	var got []string
	for _, l := range strings.Split(strings.TrimSpace(buf.String()), "\n") {
		_, rest, _ := strings.Cut(l, " level=") // drop the time
		got = append(got, rest)
	}
	want := []string{
		`INFO msg="Check failing" check=test target=a reason=not_found err="not_found: detail of not_found"`,
		`INFO msg="Check failing for another reason" check=test target=a reason=parse_error was=not_found err="parse_error: detail of parse_error"`,
		`INFO msg="Check recovered" check=test target=a was=parse_error`,
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("log\n got:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// syncBuffer is a bytes.Buffer safe for the scheduler's workers.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// A tarpit (a check that takes as long as the scrape allows, every time)
// does not hold every scrape until its deadline: once a run of it took
// more than half of what a scrape has left, the next scrapes serve its
// previous result, marked stale, at once, and run it again in the
// background. The other targets are served fresh.
func TestTarpitServedFromPreviousRun(t *testing.T) {
	now := time.Unix(5000, 0)
	env := scrapetest.Env(t, "", now, nil)
	var runs, ended atomic.Int32
	tarpit := &funcFamily{targets: []string{"tarpit"}, fn: func(ctx context.Context, target string, emit scrape.Emit) error {
		defer ended.Add(1)
		emit(scrape.Gauge(testValueDesc, float64(runs.Add(1)), target))
		<-ctx.Done() // answers a byte a second until the check's time is up
		return scrape.Fail("timeout", ctx.Err())
	}}
	var fast atomic.Int32
	ok := &funcFamily{targets: []string{"fast"}, fn: func(_ context.Context, target string, emit scrape.Emit) error {
		emit(scrape.Gauge(testValueDesc, float64(fast.Add(1)), target))
		return nil
	}}
	s := scrape.NewScheduler(4, env.Now, env.Logger)
	fams := map[string]scrape.Collector{"tarpit": tarpit, "ok": ok}
	// First scrape: nothing to serve instead, so it waits (its run gets
	// at least a second however near the deadline).
	if _, err := scrapeOnce(s, env, fams, 100*time.Millisecond).Gather(); err != nil {
		t.Fatal(err)
	}
	for ended.Load() < 1 {
		time.Sleep(10 * time.Millisecond)
	}
	// The first run took about a second; a scrape with 1.5 s left does
	// not wait for the next one.
	timeout := 1500 * time.Millisecond
	deadline := time.Now().Add(timeout)
	reg := scrapeOnce(s, env, fams, timeout)
	want := `
# HELP acme_check_stale 1 while the check's result is served from an earlier run because the current run did not finish within the scrape timeout; absent otherwise.
# TYPE acme_check_stale gauge
acme_check_stale{check="test",target="tarpit"} 1
# HELP acme_test_value Test value.
# TYPE acme_test_value gauge
acme_test_value{target="fast"} 2
acme_test_value{target="tarpit"} 1
`
	if err := testutil.GatherAndCompare(reg, scrapetest.StringsReader(want), "acme_check_stale", "acme_test_value"); err != nil {
		t.Fatal(err)
	}
	if !time.Now().Before(deadline) {
		t.Fatal("the scrape waited for the tarpit until its deadline")
	}
	for i := 0; runs.Load() < 2; i++ { // the second run, in the background
		if i > 500 {
			t.Fatal("the tarpit was not run again in the background")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// A target whose own series show its success exports acme_probe_success
// only while it fails, in the /metrics text and in a gathered registry
// alike; its failure keeps the 0, the reason and when it last worked.
func TestImpliedSuccessExportsOnlyFailures(t *testing.T) {
	now := time.Unix(5000, 0)
	env := scrapetest.Env(t, "", now, nil)
	var fail atomic.Bool
	fam := &funcFamily{targets: []string{"a"}, implied: true, fn: func(_ context.Context, target string, emit scrape.Emit) error {
		if fail.Load() {
			return scrape.Fail("not_found", errors.New("gone"))
		}
		emit(scrape.Gauge(testValueDesc, 1, target))
		return nil
	}}
	s := scrape.NewScheduler(2, env.Now, env.Logger)
	fams := map[string]scrape.Collector{"test": fam}
	text := func() string {
		var ms [][]prometheus.Metric
		s.CollectBatches(env, fams, time.Now().Add(time.Minute), func(b [][]prometheus.Metric) { ms = append(ms, b...) })
		var b strings.Builder
		if err := scrape.WriteText(&b, ms...); err != nil {
			t.Fatal(err)
		}
		return b.String()
	}
	for _, c := range []struct {
		fail      bool
		want, not []string
	}{
		{false, []string{`acme_test_value{target="a"} 1`}, []string{"acme_probe_success", "acme_probe_failure_info", "acme_check_last_success"}},
		{true, []string{`acme_probe_success{check="test",target="a"} 0`, `acme_probe_failure_info{check="test",target="a",reason="not_found"} 1`,
			`acme_check_last_success_timestamp_seconds{check="test",target="a"} 5000`}, []string{"acme_test_value"}},
		{false, []string{`acme_test_value{target="a"} 1`}, []string{"acme_probe_success", "acme_probe_failure_info"}},
	} {
		fail.Store(c.fail)
		got := text()
		for _, w := range c.want {
			if !strings.Contains(got, w+"\n") {
				t.Errorf("failing=%v: no %s in\n%s", c.fail, w, got)
			}
		}
		for _, n := range c.not {
			if strings.Contains(got, n) {
				t.Errorf("failing=%v: %s in\n%s", c.fail, n, got)
			}
		}
		gathered := testutil.CollectAndCount(&scrapetest.Harness{Sched: s, Env: env, Families: fams, Timeout: time.Minute}, "acme_probe_success")
		if (gathered == 1) != c.fail {
			t.Errorf("failing=%v: gathered %d acme_probe_success samples", c.fail, gathered)
		}
	}
}

// slotFamily's one target carries a Slot, as a family keeping its targets
// between scrapes does.
type slotFamily struct {
	slot   scrape.Slot
	target string
}

func (f *slotFamily) Targets(*scrape.Env) ([]scrape.Target, error) {
	return []scrape.Target{{Check: "test", Target: f.target, Slot: &f.slot,
		Run: func(_ context.Context, emit scrape.Emit) error {
			emit(scrape.Gauge(testValueDesc, 1, f.target))
			return nil
		}}}, nil
}

// A target's Slot finds its entry again; an entry the sweep dropped (the
// target was not asked for in an hour) is not trusted: the target gets a
// new entry the scheduler knows, so its state is listed again.
func TestSlotFollowsTheScheduler(t *testing.T) {
	now := time.Unix(10000, 0)
	clock := func() time.Time { return now }
	env := scrapetest.Env(t, "", now, nil)
	s := scrape.NewScheduler(2, clock, env.Logger)
	a := &slotFamily{target: "a"}
	other := &slotFamily{target: "b"}
	scrapeWith := func(f scrape.Collector) {
		s.CollectBatches(env, map[string]scrape.Collector{"test": f}, time.Now().Add(time.Minute), func([][]prometheus.Metric) {})
	}
	states := func() string {
		var b strings.Builder
		for _, st := range s.States() {
			b.WriteString(st.Target + ";")
		}
		return b.String()
	}
	scrapeWith(a)
	scrapeWith(a)
	if got := states(); got != "a;" {
		t.Fatalf("after two scrapes: %s", got)
	}
	now = now.Add(2 * time.Hour)
	scrapeWith(other) // sweeps a's entry
	if got := states(); got != "b;" {
		t.Fatalf("after the sweep: %s", got)
	}
	scrapeWith(a)
	if got := states(); got != "a;b;" {
		t.Fatalf("a's slot kept its dropped entry: states %s", got)
	}
	// Another scheduler does not take a's entry from the first one.
	s2 := scrape.NewScheduler(2, clock, env.Logger)
	s2.CollectBatches(env, map[string]scrape.Collector{"test": a}, time.Now().Add(time.Minute), func([][]prometheus.Metric) {})
	if got := s2.States(); len(got) != 1 || got[0].Target != "a" {
		t.Fatalf("second scheduler: %+v", got)
	}
}
