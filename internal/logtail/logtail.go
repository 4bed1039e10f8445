// Copyright 2026 The acme_exporter Authors
// SPDX-License-Identifier: Apache-2.0

// Package logtail follows a log file read-only, like tail -F, but driven by
// the caller: each Read returns the complete lines written since the last
// one. It starts at the end of a file that already exists, reads a file
// that appears later from its start, follows rename rotation (finishing the
// old file through its open descriptor first) and copytruncate (the file
// shrinks), and keeps memory bounded: a line longer than the limit is cut,
// and one Read consumes at most a given number of bytes.
package logtail

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"syscall"
)

// Splitter cuts a byte stream into lines of at most max bytes. The part of
// a longer line beyond max is dropped; the line is delivered cut.
type Splitter struct {
	max      int
	buf      []byte
	skipping bool // dropping the rest of an overlong line
	// Cut counts lines delivered cut.
	Cut int
}

// NewSplitter returns a splitter for lines of at most max bytes (min 1).
func NewSplitter(max int) *Splitter {
	if max < 1 {
		max = 1
	}
	return &Splitter{max: max}
}

// Write feeds p and calls fn for every line completed by it (without the
// newline). fn must not keep the slice.
func (s *Splitter) Write(p []byte, fn func([]byte)) {
	for len(p) > 0 {
		i := indexByte(p, '\n')
		chunk := p
		if i >= 0 {
			chunk = p[:i]
		}
		if !s.skipping {
			room := s.max - len(s.buf)
			if len(chunk) > room {
				s.buf = append(s.buf, chunk[:room]...)
				s.skipping = true
				s.Cut++
				fn(s.buf) // deliver the cut line now: memory stays bounded
			} else {
				s.buf = append(s.buf, chunk...)
			}
		}
		if i < 0 {
			return
		}
		if !s.skipping {
			fn(s.buf)
		}
		s.buf, s.skipping = s.buf[:0], false
		p = p[i+1:]
	}
}

// Flush delivers a last line that has no newline (at the end of a rotated
// file) and resets the splitter.
func (s *Splitter) Flush(fn func([]byte)) {
	if len(s.buf) > 0 && !s.skipping {
		fn(s.buf)
	}
	s.buf, s.skipping = s.buf[:0], false
}

// Reset drops a partial line (the file was truncated under it).
func (s *Splitter) Reset() { s.buf, s.skipping = s.buf[:0], false }

func indexByte(p []byte, c byte) int {
	for i, b := range p {
		if b == c {
			return i
		}
	}
	return -1
}

// ErrNotRegular: the path is a directory, FIFO, device or socket.
var ErrNotRegular = errors.New("not a regular file")

// Stats says what one Read saw.
type Stats struct {
	Bytes     int64 // bytes consumed
	Lines     int   // lines delivered
	Missing   bool  // the path does not exist (not yet, or between rotations)
	Rotated   bool  // the path is a new file (rename rotation)
	Truncated bool  // the file shrank (copytruncate)
	Behind    int64 // bytes left unread because of the limit
}

type fileID struct{ dev, ino uint64 }

// Tailer follows one path. It is not safe for concurrent use.
type Tailer struct {
	path    string
	split   *Splitter
	f       *os.File // the file being read, kept open across rotation
	id      fileID
	off     int64
	started bool // the first Read happened
}

// New returns a tailer for path with lines cut at maxLine bytes.
func New(path string, maxLine int) *Tailer {
	return &Tailer{path: path, split: NewSplitter(maxLine)}
}

// Close releases the open file.
func (t *Tailer) Close() error {
	if t.f == nil {
		return nil
	}
	err := t.f.Close()
	t.f = nil
	return err
}

// Cut counts lines cut at the length limit so far.
func (t *Tailer) Cut() int { return t.split.Cut }

// Read delivers the lines written since the last Read, consuming at most
// maxBytes. The first Read of a file that exists delivers nothing: it
// only positions at the end.
func (t *Tailer) Read(maxBytes int64, fn func([]byte)) (Stats, error) {
	var st Stats
	count := func(l []byte) { st.Lines++; fn(l) }
	first := !t.started
	t.started = true

	pathFI, err := os.Stat(t.path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		st.Missing = true
	case err != nil:
		return st, err
	case !pathFI.Mode().IsRegular():
		return st, fmt.Errorf("%s: %w (%s)", t.path, ErrNotRegular, pathFI.Mode().Type())
	}

	if t.f != nil && (st.Missing || idOf(pathFI) != t.id) {
		// Rotated away: finish the old file through the open descriptor.
		n, err := t.drain(maxBytes, count)
		st.Bytes += n
		if err != nil {
			return st, err
		}
		if st.Bytes >= maxBytes {
			st.Behind = t.remaining()
			if st.Behind > 0 {
				return st, nil // finish it next time
			}
		}
		t.split.Flush(count)
		_ = t.Close()
		st.Rotated = !st.Missing
	}
	if st.Missing {
		return st, nil
	}
	if t.f == nil {
		f, err := open(t.path)
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				st.Missing = true
				return st, nil
			}
			return st, err
		}
		fi, err := f.Stat()
		if err != nil {
			_ = f.Close()
			return st, err
		}
		t.f, t.id, t.off = f, idOf(fi), 0
		if first {
			t.off = fi.Size() // an existing file: only what comes next
		}
	}
	fi, err := t.f.Stat()
	if err != nil {
		return st, err
	}
	if fi.Size() < t.off {
		st.Truncated = true
		t.off = 0
		t.split.Reset()
	}
	n, err := t.drain(maxBytes-st.Bytes, count)
	st.Bytes += n
	if err != nil {
		return st, err
	}
	st.Behind = t.remaining()
	return st, nil
}

// drain reads the open file from off, at most max bytes.
func (t *Tailer) drain(max int64, fn func([]byte)) (int64, error) {
	if max <= 0 {
		return 0, nil
	}
	r := io.NewSectionReader(t.f, t.off, max)
	buf := make([]byte, 32<<10)
	var total int64
	for {
		n, err := r.Read(buf)
		if n > 0 {
			t.split.Write(buf[:n], fn)
			total += int64(n)
			t.off += int64(n)
		}
		if errors.Is(err, io.EOF) {
			return total, nil
		}
		if err != nil {
			return total, err
		}
	}
}

func (t *Tailer) remaining() int64 {
	fi, err := t.f.Stat()
	if err != nil || fi.Size() <= t.off {
		return 0
	}
	return fi.Size() - t.off
}

// open opens read-only without blocking on a FIFO and refuses anything but
// a regular file.
func open(path string) (*os.File, error) {
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK|syscall.O_NOCTTY, 0)
	if err != nil {
		return nil, err
	}
	fi, err := f.Stat()
	if err != nil {
		_ = f.Close()
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		_ = f.Close()
		return nil, fmt.Errorf("%s: %w (%s)", path, ErrNotRegular, fi.Mode().Type())
	}
	return f, nil
}

func idOf(fi fs.FileInfo) fileID {
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		return fileID{uint64(st.Dev), st.Ino}
	}
	return fileID{}
}
