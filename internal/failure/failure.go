// Copyright 2026 The acme_exporter Authors
// SPDX-License-Identifier: Apache-2.0

// Package failure is the one error type that carries a bounded reason: the
// reason becomes the failure_info label of a check, so it is a snake_case
// word from a fixed set, never free text. Checks, the edges they use
// (files, DNS, ACME over HTTP, certificate parsing) and the framework all
// make and read it, so a reason found deep down reaches the label as it is.
package failure

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"sort"
	"sync"
)

// Error is an error with a bounded reason.
type Error struct {
	Reason string
	Err    error
	// Status is the HTTP status when the failure is a server's answer, else 0.
	Status int
	// Problem is the ACME problem type when that answer was a problem document.
	Problem string
}

func (e *Error) Error() string {
	if e.Err == nil {
		return e.Reason
	}
	return e.Reason + ": " + e.Err.Error()
}

func (e *Error) Unwrap() error { return e.Err }

var reasonRE = regexp.MustCompile(`^[a-z][a-z0-9_]{0,62}$`)

// New wraps err with reason. A reason that is not a snake_case word, or
// that no package declared (Declare), is a programming error, caught on the
// first run of the check that makes it (the scheduler turns the panic into
// reason="panic" and logs it).
func New(reason string, err error) *Error {
	if !reasonRE.MatchString(reason) {
		panic(fmt.Sprintf("bad failure reason %q", reason))
	}
	if !declared(reason) {
		panic(fmt.Sprintf("failure reason %q is not declared (failure.Declare)", reason))
	}
	return &Error{Reason: reason, Err: err}
}

var (
	declaredMu sync.RWMutex
	reasons    = map[string]bool{}
)

// Declare adds the reasons a package can make to the closed set that the
// reason label of acme_probe_failure_info may take; docs/metrics.md lists
// the set and tools/mixincheck checks the mixin's matchers against it.
// Call it from a package-level var next to the code that makes them.
func Declare(rs ...string) struct{} {
	declaredMu.Lock()
	defer declaredMu.Unlock()
	for _, r := range rs {
		if !reasonRE.MatchString(r) {
			panic(fmt.Sprintf("bad failure reason %q", r))
		}
		reasons[r] = true
	}
	return struct{}{}
}

// Declared returns every declared reason, sorted.
func Declared() []string {
	declaredMu.RLock()
	defer declaredMu.RUnlock()
	out := make([]string, 0, len(reasons))
	for r := range reasons {
		out = append(out, r)
	}
	sort.Strings(out)
	return out
}

func declared(r string) bool {
	declaredMu.RLock()
	defer declaredMu.RUnlock()
	return reasons[r]
}

// What ReasonOf gives errors that carry no reason, and a refusal's reason.
var _ = Declare("timeout", "canceled", "error", TargetRefused)

// Errorf is New with a formatted error.
func Errorf(reason, format string, args ...any) *Error {
	return New(reason, fmt.Errorf(format, args...))
}

// TargetRefused is the reason of a refusal: a /probe module does not
// accept the target it was asked to probe (the exporter answers 400 with
// the refusal's Detail, and no probe runs).
const TargetRefused = "target_refused"

// Refuse makes a refusal (reason TargetRefused) saying why.
func Refuse(format string, args ...any) *Error {
	return New(TargetRefused, fmt.Errorf(format, args...))
}

// IsRefused reports whether err is (or wraps) a refusal.
func IsRefused(err error) bool {
	var e *Error
	return errors.As(err, &e) && e.Reason == TargetRefused
}

// Detail is what err says beyond its reason: the wrapped error's text for
// an Error that wraps one, else err's own text.
func Detail(err error) string {
	var e *Error
	if errors.As(err, &e) && e.Err != nil {
		return e.Err.Error()
	}
	return err.Error()
}

// ReasonOf returns the reason of err: its Error's, "timeout" for a context
// deadline, "canceled" for a canceled context, else "error".
func ReasonOf(err error) string {
	var e *Error
	switch {
	case errors.As(err, &e):
		return e.Reason
	case errors.Is(err, context.DeadlineExceeded):
		return "timeout"
	case errors.Is(err, context.Canceled):
		return "canceled"
	}
	return "error"
}
