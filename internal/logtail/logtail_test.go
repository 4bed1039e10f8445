// Copyright 2026 The acme_exporter Authors
// SPDX-License-Identifier: Apache-2.0

package logtail

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func appendFile(t *testing.T, path, s string) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteString(s); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
}

// step is one thing the writer (the ACME client, logrotate) does before
// the tailer reads, and the lines that read must deliver.
type step struct {
	do   func(t *testing.T, path string)
	want []string
	st   Stats // checked fields: Missing, Rotated, Truncated, Behind>0
}

func write(s string) func(*testing.T, string) {
	return func(t *testing.T, p string) { appendFile(t, p, s) }
}

func TestTailer(t *testing.T) {
	rename := func(t *testing.T, p string) {
		if err := os.Rename(p, p+".1"); err != nil {
			t.Fatal(err)
		}
	}
	copytruncate := func(t *testing.T, p string) {
		b, _ := os.ReadFile(p)
		if err := os.WriteFile(p+".1", b, 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.Truncate(p, 0); err != nil {
			t.Fatal(err)
		}
	}
	for name, tc := range map[string]struct {
		before  string // content before the first read ("" = no file)
		maxLine int
		max     int64
		steps   []step
	}{
		"starts at the end of an existing file": {before: "old 1\nold 2\n", steps: []step{
			{nil, nil, Stats{}},
			{write("new 1\nnew 2\n"), []string{"new 1", "new 2"}, Stats{}},
		}},
		"partial line waits for its newline": {before: "x\n", steps: []step{
			{nil, nil, Stats{}},
			{write("half"), nil, Stats{}},
			{write(" done\n"), []string{"half done"}, Stats{}},
		}},
		"file that does not exist yet is read from its start": {steps: []step{
			{nil, nil, Stats{Missing: true}},
			{write("first\n"), []string{"first"}, Stats{}},
		}},
		"rename rotation": {before: "old\n", steps: []step{
			{nil, nil, Stats{}},
			{func(t *testing.T, p string) {
				appendFile(t, p, "before rotation\n")
				rename(t, p)
				appendFile(t, p+".1", "late write to the old file\n")
				appendFile(t, p, "in the new file\n")
			}, []string{"before rotation", "late write to the old file", "in the new file"}, Stats{Rotated: true}},
			{write("more\n"), []string{"more"}, Stats{}},
		}},
		"rename rotation with the new file not created yet": {before: "old\n", steps: []step{
			{nil, nil, Stats{}},
			{func(t *testing.T, p string) { appendFile(t, p, "last\n"); rename(t, p) }, []string{"last"}, Stats{Missing: true}},
			{write("new\n"), []string{"new"}, Stats{}},
		}},
		"copytruncate": {before: "old\n", steps: []step{
			{nil, nil, Stats{}},
			{write("a\n"), []string{"a"}, Stats{}},
			{func(t *testing.T, p string) { copytruncate(t, p); appendFile(t, p, "b\n") }, []string{"b"}, Stats{Truncated: true}},
		}},
		"huge line is cut and the next line survives": {before: "", maxLine: 16, steps: []step{
			{write(""), nil, Stats{}},
			{write(strings.Repeat("x", 100000) + "\nnext\n"), []string{strings.Repeat("x", 16), "next"}, Stats{}},
		}},
		"read limit leaves the rest for later": {max: 4096, steps: []step{
			{write(""), nil, Stats{}},
			{write(strings.Repeat("l\n", 3000)), slices.Repeat([]string{"l"}, 2048), Stats{Behind: 1}},
			{nil, slices.Repeat([]string{"l"}, 952), Stats{}},
		}},
	} {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "client.log")
			if tc.before != "" {
				appendFile(t, path, tc.before)
			}
			if tc.maxLine == 0 {
				tc.maxLine = 1024
			}
			if tc.max == 0 {
				tc.max = 1 << 20
			}
			tl := New(path, tc.maxLine)
			defer func() { _ = tl.Close() }()
			for i, s := range tc.steps {
				if s.do != nil {
					s.do(t, path)
				}
				var got []string
				st, err := tl.Read(tc.max, func(l []byte) { got = append(got, string(l)) })
				if err != nil {
					t.Fatalf("step %d: %v", i, err)
				}
				if !slices.Equal(got, s.want) {
					t.Fatalf("step %d: got %q, want %q", i, trunc(got), trunc(s.want))
				}
				if st.Missing != s.st.Missing || st.Rotated != s.st.Rotated || st.Truncated != s.st.Truncated ||
					(st.Behind > 0) != (s.st.Behind > 0) || st.Lines != len(s.want) {
					t.Fatalf("step %d: stats %+v, want %+v", i, st, s.st)
				}
			}
		})
	}
}

func trunc(ls []string) []string {
	out := make([]string, 0, min(len(ls), 5))
	for i, l := range ls {
		if i == 5 {
			out = append(out, "...")
			break
		}
		if len(l) > 40 {
			l = l[:40] + "..."
		}
		out = append(out, l)
	}
	return out
}

// The tailer never changes what it reads.
func TestReadOnly(t *testing.T) {
	path := filepath.Join(t.TempDir(), "client.log")
	appendFile(t, path, "a\n")
	if err := os.Chmod(path, 0o444); err != nil {
		t.Fatal(err)
	}
	before, _ := os.Stat(path)
	tl := New(path, 64)
	for range 2 {
		if _, err := tl.Read(1<<20, func([]byte) {}); err != nil {
			t.Fatal(err)
		}
	}
	_ = tl.Close()
	after, _ := os.Stat(path)
	if before.ModTime() != after.ModTime() || before.Size() != after.Size() || before.Mode() != after.Mode() {
		t.Fatal("file changed")
	}
}

func TestNotRegular(t *testing.T) {
	dir := t.TempDir()
	tl := New(dir, 64)
	if _, err := tl.Read(1<<20, func([]byte) {}); !errors.Is(err, ErrNotRegular) {
		t.Fatal("a directory was accepted")
	}
}

// FuzzSplitter: however the stream is chunked, the lines are the input's
// lines cut to the limit.
func FuzzSplitter(f *testing.F) {
	f.Add([]byte("a\nbb\n\nccc"), uint8(3), uint8(2))
	f.Add([]byte(strings.Repeat("x", 300)+"\ny\n"), uint8(7), uint8(10))
	f.Fuzz(func(t *testing.T, in []byte, chunk, max uint8) {
		m := int(max)%64 + 1
		c := int(chunk)%32 + 1
		s := NewSplitter(m)
		var got [][]byte
		emit := func(l []byte) { got = append(got, bytes.Clone(l)) }
		for i := 0; i < len(in); i += c {
			s.Write(in[i:min(i+c, len(in))], emit)
		}
		var want [][]byte
		parts := bytes.Split(in, []byte("\n"))
		for _, p := range parts[:len(parts)-1] {
			want = append(want, p[:min(len(p), m)])
		}
		// An unterminated overlong tail was delivered cut already.
		if last := parts[len(parts)-1]; len(last) > m {
			want = append(want, last[:m])
		}
		if len(got) != len(want) {
			t.Fatalf("got %d lines, want %d", len(got), len(want))
		}
		for i := range got {
			if !bytes.Equal(got[i], want[i]) {
				t.Fatalf("line %d: %q, want %q", i, got[i], want[i])
			}
		}
	})
}
