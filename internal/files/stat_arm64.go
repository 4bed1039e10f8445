// Copyright 2026 The acme_exporter Authors
// SPDX-License-Identifier: Apache-2.0

//go:build linux

package files

import "syscall"

const sysFstatat = syscall.SYS_FSTATAT
