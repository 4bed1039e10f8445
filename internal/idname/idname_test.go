// Copyright 2026 The acme_exporter Authors
// SPDX-License-Identifier: Apache-2.0

package idname

import (
	"os/user"
	"testing"
)

// Names come from the system's databases (root is uid and gid 0 on every
// Linux system); an id without a name stays a number.
func TestNames(t *testing.T) {
	for _, tc := range []struct {
		name string
		got  func(uint32) string
		id   uint32
		want string
	}{
		{"root user", User, 0, "root"},
		{"root group", Group, 0, "root"},
		{"unnamed user", User, 4123456789, "4123456789"},
		{"unnamed group", Group, 4123456789, "4123456789"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.got(tc.id); got != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
			if got := tc.got(tc.id); got != tc.want { // cached
				t.Errorf("cached: got %q, want %q", got, tc.want)
			}
		})
	}
	if _, err := user.LookupId("4123456789"); err == nil {
		t.Fatal("the unnamed id has a name on this machine: the test proves nothing")
	}
}
