// Copyright 2026 The acme_exporter Authors
// SPDX-License-Identifier: Apache-2.0

// Package files reads the files checks look at: a stat that says whether a
// file changed without reading it, a read that notices a file rewritten
// while it was read, and the bounded failure reasons both report.
package files

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"syscall"

	"github.com/acme-exporter/acme_exporter/internal/failure"
)

// maxCertFileSize bounds what is read from one file: real bundles are a few KiB.
const maxCertFileSize = 1 << 20

// Identity says whether a file changed without reading it.
type Identity struct {
	dev, ino uint64
	size     int64
	Mtime    int64
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
	if err != nil {
		return Identity{}, Failure(path, &fs.PathError{Op: "stat", Path: path, Err: err})
	}
	if st.Mode&syscall.S_IFMT != syscall.S_IFREG {
		if fi, err := os.Stat(path); err == nil {
			return Identity{}, failure.New("not_regular_file", fmt.Errorf("%s is a %s", path, fi.Mode().Type()))
		}
		return Identity{}, failure.New("not_regular_file", fmt.Errorf("%s is not a regular file", path))
	}
	return Identity{dev: uint64(st.Dev), ino: st.Ino, size: st.Size, Mtime: st.Mtim.Nano()}, nil
}

func IdentityOf(fi fs.FileInfo) Identity {
	id := Identity{size: fi.Size(), Mtime: fi.ModTime().UnixNano()}
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		id.dev, id.ino = uint64(st.Dev), st.Ino
	}
	return id
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

// ReadStable reads a file read-only and makes sure it did not change while
// being read: a renewal that rewrites it in place, or swaps it by rename,
// is read again rather than reported half-written.
func ReadStable(path string) ([]byte, Identity, error) {
	for attempt := 0; attempt < 3; attempt++ {
		f, err := os.Open(path)
		if err != nil {
			return nil, Identity{}, Failure(path, err)
		}
		before, err := f.Stat()
		if err != nil {
			f.Close()
			return nil, Identity{}, Failure(path, err)
		}
		if !before.Mode().IsRegular() {
			f.Close()
			return nil, Identity{}, failure.New("not_regular_file", fmt.Errorf("%s is not a regular file", path))
		}
		data, err := io.ReadAll(io.LimitReader(f, maxCertFileSize+1))
		after, serr := f.Stat()
		f.Close()
		if err != nil {
			return nil, Identity{}, Failure(path, err)
		}
		if len(data) > maxCertFileSize {
			return nil, Identity{}, failure.New("too_large", fmt.Errorf("%s is larger than %d bytes", path, maxCertFileSize))
		}
		now, nerr := os.Stat(path)
		if serr == nil && nerr == nil && IdentityOf(before) == IdentityOf(after) && IdentityOf(after) == IdentityOf(now) {
			return data, IdentityOf(after), nil
		}
	}
	return nil, Identity{}, failure.New("changing", fmt.Errorf("%s kept changing while being read", path))
}
