// Copyright 2026 The acme_exporter Authors
// SPDX-License-Identifier: Apache-2.0

package collector

import (
	"fmt"
	"os"
	"testing"
)

func TestMain(m *testing.M) {
	if mode := os.Getenv("ACME_TEST_CHILD"); mode != "" {
		f, ok := childModes[mode]
		if !ok {
			fmt.Fprintln(os.Stderr, "unknown child mode", mode)
			os.Exit(3)
		}
		os.Exit(f())
	}
	os.Exit(m.Run())
}
