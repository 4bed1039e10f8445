// Copyright 2026 The acme_exporter Authors
// SPDX-License-Identifier: Apache-2.0

package discovery

import (
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

// A FIFO where discovery expects a config (a renewal conf, a JSON file)
// is refused at once: opening it for reading used to block until a writer
// came, and discovery with it.
func TestReadFileRefusesFIFO(t *testing.T) {
	p := filepath.Join(t.TempDir(), "example.test.conf")
	if err := syscall.Mkfifo(p, 0o644); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { _, err := readFile(p); done <- err }()
	select {
	case err := <-done:
		if err == nil {
			t.Fatal("a FIFO was read as a file")
		}
	case <-time.After(5 * time.Second):
		t.Fatal("reading a FIFO blocked")
	}
}
