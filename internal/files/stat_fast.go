// Copyright 2026 The acme_exporter Authors
// SPDX-License-Identifier: Apache-2.0

//go:build linux && (amd64 || arm64)

package files

import (
	"syscall"
	"unsafe"
)

const canStatPrepared = true

// fdCWD is AT_FDCWD, a variable so that it converts to uintptr.
var fdCWD = -100

// statPrepared is stat(2) of a NUL-terminated path: fstatat relative to
// the working directory, following symlinks, as syscall.Stat does.
func statPrepared(path *byte, st *syscall.Stat_t) error {
	_, _, e := syscall.Syscall6(sysFstatat, uintptr(fdCWD), uintptr(unsafe.Pointer(path)), uintptr(unsafe.Pointer(st)), 0, 0, 0)
	if e != 0 {
		return e
	}
	return nil
}
