// Copyright 2026 The acme_exporter Authors
// SPDX-License-Identifier: Apache-2.0

package scrapetest

import (
	"fmt"
	"os"
	"testing"
)

// Main is the TestMain of a package whose tests re-run the test binary as
// another user (RunAsNobody): in the child it runs the requested mode of
// ChildModes instead of the tests.
func Main(m *testing.M) {
	if mode := os.Getenv("ACME_TEST_CHILD"); mode != "" {
		f, ok := ChildModes[mode]
		if !ok {
			fmt.Fprintln(os.Stderr, "unknown child mode", mode)
			os.Exit(3)
		}
		os.Exit(f())
	}
	os.Exit(m.Run())
}
