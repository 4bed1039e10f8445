// Copyright 2026 The acme_exporter Authors
// SPDX-License-Identifier: Apache-2.0

package perm

import (
	"testing"
)

func FuzzParseACL(f *testing.F) {
	f.Add(aclBytes([3]uint32{tagUserObj, 6, noID}, [3]uint32{tagUser, 4, 1000}, [3]uint32{tagGroupObj, 0, noID},
		[3]uint32{tagMask, 4, noID}, [3]uint32{tagOther, 0, noID}))
	f.Add([]byte{2, 0, 0, 0})
	f.Fuzz(func(t *testing.T, b []byte) {
		if len(b) > 4096 {
			return
		}
		a, err := ParseACL(b)
		if err == nil {
			_ = Allowed(Identity{UID: 1000, GID: 1000}, FileMeta{Mode: 0o640, ACL: a}, AccessRead)
		}
	})
}
