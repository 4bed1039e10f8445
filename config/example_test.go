// Copyright 2026 The acme_exporter Authors
// SPDX-License-Identifier: Apache-2.0

package config

import (
	"path/filepath"
	"testing"
)

// The shipped examples must load: users copy them.
func TestExamplesLoad(t *testing.T) {
	files, _ := filepath.Glob("../examples/config.d/*.yml")
	files = append(files, "../examples/acme_exporter.yml")
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			if _, err := Load(f); err != nil {
				t.Fatal(err)
			}
		})
	}
}
