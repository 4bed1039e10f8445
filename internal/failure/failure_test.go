// Copyright 2026 The acme_exporter Authors
// SPDX-License-Identifier: Apache-2.0

package failure

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
)

// The reasons these tests make, declared as a package that makes them would.
var _ = Declare("not_found", "too_large", "directory_timeout", "http_status", "x")

func TestReasonOf(t *testing.T) {
	cases := []struct {
		name string
		err  error
		want string
	}{
		{"own", New("not_found", errors.New("x")), "not_found"},
		{"wrapped", fmt.Errorf("reading: %w", New("too_large", nil)), "too_large"},
		{"outermost wins", New("directory_timeout", New("timeout", context.DeadlineExceeded)), "directory_timeout"},
		{"deadline", fmt.Errorf("get: %w", context.DeadlineExceeded), "timeout"},
		{"canceled", context.Canceled, "canceled"},
		{"plain", errors.New("boom"), "error"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := ReasonOf(tc.err); got != tc.want {
				t.Fatalf("ReasonOf(%v) = %q, want %q", tc.err, got, tc.want)
			}
		})
	}
}

func TestNewRefusesFreeText(t *testing.T) {
	for _, bad := range []string{"", "Not_Found", "not found", "9lives", "a-b"} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("New(%q) did not panic", bad)
				}
			}()
			_ = New(bad, nil)
		}()
	}
	e := Errorf("http_status", "answered %d", 503)
	if e.Error() != "http_status: answered 503" || New("x", nil).Error() != "x" {
		t.Fatalf("messages: %q, %q", e.Error(), New("x", nil).Error())
	}
}

func TestUndeclaredReasonPanics(t *testing.T) {
	for _, r := range []string{"no_such_reason_anywhere", "Bad Reason"} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("New(%q) did not panic", r)
				}
			}()
			_ = New(r, nil)
		}()
	}
	if got := Declared(); !slices.Contains(got, "not_found") || !slices.Contains(got, "timeout") || !slices.IsSorted(got) {
		t.Errorf("Declared() = %v, want sorted with not_found and timeout", got)
	}
}

// A refusal is an Error with the reason TargetRefused; Detail is its text
// without the reason word (what /probe answers), wrapped or not.
func TestRefuse(t *testing.T) {
	err := Refuse("target %q is not host:port", "x")
	if !IsRefused(err) || ReasonOf(err) != TargetRefused {
		t.Fatalf("%v: not a refusal", err)
	}
	if got := Detail(fmt.Errorf("probe: %w", err)); got != `target "x" is not host:port` {
		t.Errorf("Detail %q", got)
	}
	if IsRefused(New("not_found", errors.New("x"))) || IsRefused(errors.New("target_refused")) {
		t.Error("other errors are no refusals")
	}
	if got := Detail(errors.New("plain")); got != "plain" {
		t.Errorf("Detail of a plain error %q", got)
	}
}
