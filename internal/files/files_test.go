// Copyright 2026 The acme_exporter Authors
// SPDX-License-Identifier: Apache-2.0

package files

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"testing/iotest"
	"time"

	"github.com/acme-exporter/acme_exporter/internal/failure"
)

// within fails the test when f has not returned in d: a read that blocks
// (a FIFO without writer) must never hold its caller.
func within(t *testing.T, d time.Duration, f func() error) error {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- f() }()
	select {
	case err := <-done:
		return err
	case <-time.After(d):
		t.Fatalf("still blocked after %s", d)
		return nil
	}
}

// Whatever is at the path when it is opened decides: a FIFO, a device or
// a directory is refused without blocking, a huge sparse file by its size
// before any byte is read.
func TestOpenRefusesWhatMustNotBeRead(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fullchain.pem")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Fatal(err)
	}
	sparse := filepath.Join(dir, "huge.pem")
	f, err := os.Create(sparse)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(2 << 30); err != nil { // 2 GB, no blocks
		t.Fatal(err)
	}
	f.Close()
	cases := []struct {
		path, reason string
	}{
		{fifo, "not_regular_file"},
		{"/dev/zero", "not_regular_file"},
		{dir, "not_regular_file"},
		{sparse, "too_large"},
		{filepath.Join(dir, "missing.pem"), "not_found"},
	}
	for _, c := range cases {
		t.Run(filepath.Base(c.path), func(t *testing.T) {
			for name, read := range map[string]func() error{
				"ReadStable":  func() error { _, _, err := ReadStable(c.path); return err },
				"ReadLimited": func() error { _, err := ReadLimited(c.path, MaxFileSize); return err },
				"Stat":        func() error { _, err := Stat(c.path); return err },
			} {
				err := within(t, 5*time.Second, read)
				if got := failure.ReasonOf(err); err == nil || got != c.reason {
					t.Errorf("%s: got %v (%s), want %s", name, err, got, c.reason)
				}
			}
		})
	}
}

// The identity changes with a permission change alone (ctime), so a file
// the exporter may no longer read is read again rather than served from
// cache.
func TestIdentityNoticesChmod(t *testing.T) {
	p := filepath.Join(t.TempDir(), "a.pem")
	if err := os.WriteFile(p, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	a, err := Stat(p)
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(10 * time.Millisecond)
	if err := os.Chmod(p, 0); err != nil {
		t.Fatal(err)
	}
	b, err := Stat(p)
	if err != nil {
		t.Fatal(err)
	}
	if a == b {
		t.Fatal("chmod 000 left the identity unchanged")
	}
}

// readInto returns exactly what the reader holds whatever the buffer's
// starting capacity (the stat's size may be stale: the file grew or
// shrank), and passes a read error on.
func TestReadInto(t *testing.T) {
	data := bytes.Repeat([]byte("0123456789abcdef"), 300) // 4,800 bytes
	for _, c := range []struct {
		name string
		cap  int
		in   []byte
	}{
		{"empty", 0, nil},
		{"exact", len(data), data},
		{"larger than stat", 100, data},
		{"smaller than stat", 10000, data[:7]},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, err := readInto(iotest.HalfReader(bytes.NewReader(c.in)), make([]byte, 0, c.cap))
			if err != nil || !bytes.Equal(got, c.in) {
				t.Errorf("readInto = %d bytes, %v; want %d bytes", len(got), err, len(c.in))
			}
		})
	}
	boom := errors.New("boom")
	if _, err := readInto(iotest.ErrReader(boom), make([]byte, 0, 8)); !errors.Is(err, boom) {
		t.Errorf("error %v, want %v", err, boom)
	}
}

// A prepared path stats as the string does, failures included, and
// without allocating.
func TestPathStat(t *testing.T) {
	dir := t.TempDir()
	f := filepath.Join(dir, "cert.pem")
	if err := os.WriteFile(f, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{f, filepath.Join(dir, "missing.pem"), dir, "bad\x00path"} {
		want, wantErr := Stat(p)
		got, gotErr := NewPath(p).Stat()
		if got != want || fmt.Sprint(gotErr) != fmt.Sprint(wantErr) || failure.ReasonOf(gotErr) != failure.ReasonOf(wantErr) {
			t.Errorf("%q: Path.Stat = %+v, %v; Stat = %+v, %v", p, got, gotErr, want, wantErr)
		}
	}
	if canStatPrepared {
		p := NewPath(f)
		if n := testing.AllocsPerRun(100, func() { _, _ = p.Stat() }); n != 0 {
			t.Errorf("Path.Stat allocates %v times", n)
		}
	}
}
