// Copyright 2026 The acme_exporter Authors
// SPDX-License-Identifier: Apache-2.0

// Package files reads the files checks look at: a stat that says whether a
// file changed without reading it, a read that notices a file rewritten
// while it was read, and the bounded failure reasons both report.
package files

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"
	"syscall"

	"github.com/acme-exporter/acme_exporter/internal/failure"
)

// MaxFileSize bounds what is read from one file: real bundles are a few
// KiB. A larger file is refused from its size alone, before any read, so
// a (sparse) multi-GB file costs one stat.
const MaxFileSize = 1 << 20

// Identity says whether a file changed without reading it. The inode
// change time is part of it: chmod or chown of an unchanged file changes
// whether the exporter may read it, and nothing else shows that.
type Identity struct {
	dev, ino uint64
	size     int64
	Mtime    int64
	ctime    int64
}

// Stat stats path, following symlinks, and classifies failures. It
// calls stat(2) directly: os.Stat allocates a FileInfo, and a warm scrape
// is mostly this call, once per file.
func Stat(path string) (Identity, error) {
	var st syscall.Stat_t
	err := syscall.Stat(path, &st)
	for err == syscall.EINTR {
		err = syscall.Stat(path, &st)
	}
	return identityOf(path, &st, err)
}

// A Path is a file path made ready for repeated Stat calls: the kernel
// takes it NUL-terminated, and converting the string on every call cost an
// allocation per file and scrape.
type Path struct {
	s string
	c []byte // s and a NUL; nil when s holds a NUL itself
}

// NewPath prepares p.
func NewPath(p string) Path {
	if strings.IndexByte(p, 0) >= 0 {
		return Path{s: p} // Stat reports the invalid path
	}
	c := make([]byte, len(p)+1)
	copy(c, p)
	return Path{s: p, c: c}
}

// String is the path.
func (p Path) String() string { return p.s }

// Stat is Stat(p.String()) without converting the path again.
func (p Path) Stat() (Identity, error) {
	if p.c == nil || !canStatPrepared {
		return Stat(p.s)
	}
	var st syscall.Stat_t
	err := statPrepared(&p.c[0], &st)
	for errors.Is(err, syscall.EINTR) {
		err = statPrepared(&p.c[0], &st)
	}
	return identityOf(p.s, &st, err)
}

func identityOf(path string, st *syscall.Stat_t, err error) (Identity, error) {
	if err != nil {
		return Identity{}, Failure(path, &fs.PathError{Op: "stat", Path: path, Err: err})
	}
	if err := checkStat(path, st); err != nil {
		return Identity{}, err
	}
	if err := checkSize(path, st.Size, MaxFileSize); err != nil {
		return Identity{}, err
	}
	return identityOfStat(st), nil
}

// checkStat refuses anything but a regular file: a FIFO blocks its
// reader, a device may never end.
func checkStat(path string, st *syscall.Stat_t) error {
	if st.Mode&syscall.S_IFMT != syscall.S_IFREG {
		return failure.New("not_regular_file", fmt.Errorf("%s is a %s", path, modeType(st.Mode)))
	}
	return nil
}

func checkSize(path string, size, max int64) error {
	if size > max {
		return failure.New("too_large", fmt.Errorf("%s is %d bytes, more than %d", path, size, max))
	}
	return nil
}

// Size is the size the identity was taken at.
func (id Identity) Size() int64 { return id.size }

func modeType(m uint32) fs.FileMode {
	switch m & syscall.S_IFMT {
	case syscall.S_IFDIR:
		return fs.ModeDir
	case syscall.S_IFIFO:
		return fs.ModeNamedPipe
	case syscall.S_IFSOCK:
		return fs.ModeSocket
	case syscall.S_IFCHR:
		return fs.ModeDevice | fs.ModeCharDevice
	case syscall.S_IFBLK:
		return fs.ModeDevice
	}
	return fs.ModeIrregular
}

func identityOfStat(st *syscall.Stat_t) Identity {
	return Identity{dev: uint64(st.Dev), ino: st.Ino, size: st.Size, Mtime: st.Mtim.Nano(), ctime: st.Ctim.Nano()}
}

func IdentityOf(fi fs.FileInfo) Identity {
	id := Identity{size: fi.Size(), Mtime: fi.ModTime().UnixNano()}
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		id.dev, id.ino, id.ctime = uint64(st.Dev), st.Ino, st.Ctim.Nano()
	}
	return id
}

// Open opens path for reading without ever blocking: O_NONBLOCK, so that
// a FIFO swapped in after a stat (or any special file) cannot hold the
// caller in open(2); then the open descriptor itself must be a regular
// file, so what is read is what was checked. On a regular file O_NONBLOCK
// changes nothing. Callers check the size (Identity.Size) before reading.
func Open(path string) (*os.File, Identity, error) {
	var fd int
	var err error
	for {
		fd, err = syscall.Open(path, syscall.O_RDONLY|syscall.O_NONBLOCK|syscall.O_CLOEXEC|syscall.O_NOCTTY, 0)
		if err != syscall.EINTR {
			break
		}
	}
	if err != nil {
		return nil, Identity{}, Failure(path, &fs.PathError{Op: "open", Path: path, Err: err})
	}
	var st syscall.Stat_t
	if err := syscall.Fstat(fd, &st); err != nil {
		_ = syscall.Close(fd)
		return nil, Identity{}, Failure(path, &fs.PathError{Op: "fstat", Path: path, Err: err})
	}
	if err := checkStat(path, &st); err != nil {
		_ = syscall.Close(fd)
		return nil, Identity{}, err
	}
	return os.NewFile(uintptr(fd), path), identityOfStat(&st), nil
}

// ReadLimited reads at most max bytes of the regular file path, opened as
// Open does; a larger file fails (too_large) without being read.
func ReadLimited(path string, max int64) ([]byte, error) {
	f, id, err := Open(path)
	if err != nil {
		return nil, err
	}
	defer func() { _ = f.Close() }()
	if err := checkSize(path, id.size, max); err != nil {
		return nil, err
	}
	b, err := io.ReadAll(io.LimitReader(f, max+1))
	if err != nil {
		return nil, Failure(path, err)
	}
	if int64(len(b)) > max {
		clear(b) // it may hold key material
		return nil, failure.New("too_large", fmt.Errorf("%s grew past %d bytes while read", path, max))
	}
	return b, nil
}

func Failure(path string, err error) error {
	switch {
	case errors.Is(err, fs.ErrNotExist):
		if fi, lerr := os.Lstat(path); lerr == nil && fi.Mode()&fs.ModeSymlink != 0 {
			return failure.New("dangling_symlink", err)
		}
		return failure.New("not_found", err)
	case errors.Is(err, fs.ErrPermission):
		return failure.New("exporter_cannot_read", err)
	}
	return failure.New("read_error", err)
}

// readStable reads a file read-only and makes sure it did not change while
// being read: a renewal that rewrites it in place, or swaps it by rename,
// is read again rather than reported half-written.
func ReadStable(path string) ([]byte, Identity, error) {
	for attempt := 0; attempt < 3; attempt++ {
		f, before, err := Open(path)
		if err != nil {
			return nil, Identity{}, err
		}
		if err := checkSize(path, before.size, MaxFileSize); err != nil {
			f.Close()
			return nil, Identity{}, err
		}
		// One buffer sized from the open file's stat (plus room to see
		// it grow): io.ReadAll's doubling from 512 bytes cost a tenth of
		// a cold scrape's CPU.
		data, err := readInto(io.LimitReader(f, MaxFileSize+1), make([]byte, 0, int(before.size)+bytes.MinRead))
		after, serr := f.Stat()
		f.Close()
		if err != nil {
			return nil, Identity{}, Failure(path, err)
		}
		if len(data) > MaxFileSize {
			return nil, Identity{}, failure.New("too_large", fmt.Errorf("%s is larger than %d bytes", path, MaxFileSize))
		}
		now, nerr := os.Stat(path)
		if serr == nil && nerr == nil && before == IdentityOf(after) && IdentityOf(after) == IdentityOf(now) {
			return data, before, nil
		}
	}
	return nil, Identity{}, failure.New("changing", fmt.Errorf("%s kept changing while being read", path))
}

// readInto reads r to its end into b's free capacity, growing b only when
// the data does not fit.
func readInto(r io.Reader, b []byte) ([]byte, error) {
	for {
		if len(b) == cap(b) {
			b = append(b, 0)[:len(b)]
		}
		n, err := r.Read(b[len(b):cap(b)])
		b = b[:len(b)+n]
		if err == io.EOF {
			return b, nil
		}
		if err != nil {
			return b, err
		}
	}
}
