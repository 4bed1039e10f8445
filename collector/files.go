// Copyright 2026 The acme_exporter Authors
// SPDX-License-Identifier: Apache-2.0

package collector

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"syscall"
)

// maxCertFileSize bounds what is read from one file: real bundles are a few KiB.
const maxCertFileSize = 1 << 20

// identity says whether a file changed without reading it.
type identity struct {
	dev, ino uint64
	size     int64
	mtime    int64
}

// statFile stats path, following symlinks, and classifies failures. It
// calls stat(2) directly: os.Stat allocates a FileInfo, and a warm scrape
// is mostly this call, once per file.
func statFile(path string) (identity, error) {
	var st syscall.Stat_t
	err := syscall.Stat(path, &st)
	for err == syscall.EINTR {
		err = syscall.Stat(path, &st)
	}
	if err != nil {
		return identity{}, fileFailure(path, &fs.PathError{Op: "stat", Path: path, Err: err})
	}
	if st.Mode&syscall.S_IFMT != syscall.S_IFREG {
		if fi, err := os.Stat(path); err == nil {
			return identity{}, Fail("not_regular_file", fmt.Errorf("%s is a %s", path, fi.Mode().Type()))
		}
		return identity{}, Fail("not_regular_file", fmt.Errorf("%s is not a regular file", path))
	}
	return identity{dev: uint64(st.Dev), ino: st.Ino, size: st.Size, mtime: st.Mtim.Nano()}, nil
}

func identityOf(fi fs.FileInfo) identity {
	id := identity{size: fi.Size(), mtime: fi.ModTime().UnixNano()}
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		id.dev, id.ino = uint64(st.Dev), st.Ino
	}
	return id
}

func fileFailure(path string, err error) error {
	switch {
	case errors.Is(err, fs.ErrNotExist):
		if fi, lerr := os.Lstat(path); lerr == nil && fi.Mode()&fs.ModeSymlink != 0 {
			return Fail("dangling_symlink", err)
		}
		return Fail("not_found", err)
	case errors.Is(err, fs.ErrPermission):
		return Fail("exporter_cannot_read", err)
	}
	return Fail("read_error", err)
}

// readStable reads a file read-only and makes sure it did not change while
// being read: a renewal that rewrites it in place, or swaps it by rename,
// is read again rather than reported half-written.
func readStable(path string) ([]byte, identity, error) {
	for attempt := 0; attempt < 3; attempt++ {
		f, err := os.Open(path)
		if err != nil {
			return nil, identity{}, fileFailure(path, err)
		}
		before, err := f.Stat()
		if err != nil {
			f.Close()
			return nil, identity{}, fileFailure(path, err)
		}
		if !before.Mode().IsRegular() {
			f.Close()
			return nil, identity{}, Fail("not_regular_file", fmt.Errorf("%s is not a regular file", path))
		}
		data, err := io.ReadAll(io.LimitReader(f, maxCertFileSize+1))
		after, serr := f.Stat()
		f.Close()
		if err != nil {
			return nil, identity{}, fileFailure(path, err)
		}
		if len(data) > maxCertFileSize {
			return nil, identity{}, Fail("too_large", fmt.Errorf("%s is larger than %d bytes", path, maxCertFileSize))
		}
		now, nerr := os.Stat(path)
		if serr == nil && nerr == nil && identityOf(before) == identityOf(after) && identityOf(after) == identityOf(now) {
			return data, identityOf(after), nil
		}
	}
	return nil, identity{}, Fail("changing", fmt.Errorf("%s kept changing while being read", path))
}
