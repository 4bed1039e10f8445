// Copyright 2026 The acme_exporter Authors
// SPDX-License-Identifier: Apache-2.0

package perm

import (
	"encoding/binary"
	"os"
	"path/filepath"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/acme-exporter/acme_exporter/internal/testbed"
)

// aclBytes builds a system.posix_acl_access value.
func aclBytes(entries ...[3]uint32) []byte {
	b := binary.LittleEndian.AppendUint32(nil, 2)
	for _, e := range entries {
		b = binary.LittleEndian.AppendUint16(b, uint16(e[0]))
		b = binary.LittleEndian.AppendUint16(b, uint16(e[1]))
		b = binary.LittleEndian.AppendUint32(b, e[2])
	}
	return b
}

const (
	tagUserObj  = 0x01
	tagUser     = 0x02
	tagGroupObj = 0x04
	tagGroup    = 0x08
	tagMask     = 0x10
	tagOther    = 0x20
	noID        = 0xffffffff
)

// TestPermissionMatrix computes readability for a configured service user
// (uid 1000, in group 2000 only), never for the test's own uid, so it
// passes when run as root.
func TestPermissionMatrix(t *testing.T) {
	svc := Identity{UID: 1000, GID: 1000, Groups: []uint32{1000, 2000}}
	acl := func(es ...[3]uint32) *ACL {
		a, err := ParseACL(aclBytes(es...))
		if err != nil {
			t.Fatal(err)
		}
		return a
	}
	for _, tc := range []struct {
		name string
		id   Identity
		meta FileMeta
		want bool
	}{
		{"owner 0400", svc, FileMeta{UID: 1000, GID: 0, Mode: 0o400}, true},
		{"owner 0200 (write only)", svc, FileMeta{UID: 1000, GID: 0, Mode: 0o200}, false},
		{"owner without read though group could", svc, FileMeta{UID: 1000, GID: 2000, Mode: 0o040}, false},
		{"group member 0640", svc, FileMeta{UID: 0, GID: 2000, Mode: 0o640}, true},
		{"not in group 0640", svc, FileMeta{UID: 0, GID: 3000, Mode: 0o640}, false},
		{"primary group 0640", svc, FileMeta{UID: 0, GID: 1000, Mode: 0o640}, true},
		{"other 0604", svc, FileMeta{UID: 0, GID: 3000, Mode: 0o604}, true},
		{"group member but group denied, other allowed", svc, FileMeta{UID: 0, GID: 2000, Mode: 0o604}, false},
		{"root user reads 0000", Identity{UID: 0}, FileMeta{UID: 5, GID: 5, Mode: 0}, true},
		{"acl named user", svc, FileMeta{UID: 0, GID: 0, Mode: 0o640, ACL: acl(
			[3]uint32{tagUserObj, 6, noID}, [3]uint32{tagUser, 4, 1000}, [3]uint32{tagGroupObj, 0, noID},
			[3]uint32{tagMask, 4, noID}, [3]uint32{tagOther, 0, noID})}, true},
		{"acl named user masked out", svc, FileMeta{UID: 0, GID: 0, Mode: 0o600, ACL: acl(
			[3]uint32{tagUserObj, 6, noID}, [3]uint32{tagUser, 4, 1000}, [3]uint32{tagGroupObj, 0, noID},
			[3]uint32{tagMask, 0, noID}, [3]uint32{tagOther, 0, noID})}, false},
		{"acl named group", svc, FileMeta{UID: 0, GID: 0, Mode: 0o640, ACL: acl(
			[3]uint32{tagUserObj, 6, noID}, [3]uint32{tagGroupObj, 0, noID}, [3]uint32{tagGroup, 4, 2000},
			[3]uint32{tagMask, 4, noID}, [3]uint32{tagOther, 0, noID})}, true},
		{"acl named group, user not member", svc, FileMeta{UID: 0, GID: 0, Mode: 0o640, ACL: acl(
			[3]uint32{tagUserObj, 6, noID}, [3]uint32{tagGroupObj, 0, noID}, [3]uint32{tagGroup, 4, 3000},
			[3]uint32{tagMask, 4, noID}, [3]uint32{tagOther, 0, noID})}, false},
		{"acl other", svc, FileMeta{UID: 0, GID: 0, Mode: 0o604, ACL: acl(
			[3]uint32{tagUserObj, 6, noID}, [3]uint32{tagGroupObj, 0, noID}, [3]uint32{tagOther, 4, noID})}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := Allowed(tc.id, tc.meta, AccessRead); got != tc.want {
				t.Errorf("read allowed = %v, want %v", got, tc.want)
			}
		})
	}
}

// TestCanAccessFiles: real files with owners, modes and an ACL xattr set
// by the test (as root in CI), judged for uid 65534 (nobody).
func TestCanAccessFiles(t *testing.T) {
	dir := testbed.Dir(t)
	nobody := Identity{UID: 65534, GID: 65534, Groups: []uint32{65534}}
	inGroup := Identity{UID: 65534, GID: 65534, Groups: []uint32{65534, 4242}}
	mk := func(name string, uid, gid int, mode os.FileMode, acl []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte("x"), 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.Chown(p, uid, gid); err != nil {
			t.Fatalf("chown (the permission tests create files for other users and run as root in CI): %v", err)
		}
		if err := os.Chmod(p, mode); err != nil {
			t.Fatal(err)
		}
		if acl != nil {
			if err := unix.Setxattr(p, "system.posix_acl_access", acl, 0); err != nil {
				t.Fatalf("setting ACL: %v", err)
			}
		}
		return p
	}
	for _, tc := range []struct {
		name string
		path string
		id   Identity
		want bool
	}{
		{"root-owned 0600", mk("a", 0, 0, 0o600, nil), nobody, false},
		{"root-owned 0644", mk("b", 0, 0, 0o644, nil), nobody, true},
		{"owned by nobody 0400", mk("c", 65534, 65534, 0o400, nil), nobody, true},
		{"group 4242 0640, member", mk("d", 0, 4242, 0o640, nil), inGroup, true},
		{"group 4242 0640, not member", mk("e", 0, 4242, 0o640, nil), nobody, false},
		{"ACL grants nobody read", mk("f", 0, 0, 0o600, aclBytes([3]uint32{tagUserObj, 6, noID},
			[3]uint32{tagUser, 4, 65534}, [3]uint32{tagGroupObj, 0, noID}, [3]uint32{tagMask, 4, noID},
			[3]uint32{tagOther, 0, noID})), nobody, true},
		{"missing", filepath.Join(dir, "nope"), nobody, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := CanAccess(tc.id, tc.path, AccessRead); got != tc.want {
				t.Errorf("CanAccess = %v, want %v", got, tc.want)
			}
		})
	}
	// A directory on the way that nobody cannot search hides everything below.
	sub := filepath.Join(dir, "private")
	if err := os.Mkdir(sub, 0o700); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(sub, "key")
	if err := os.WriteFile(p, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	if CanAccess(nobody, p, AccessRead) {
		t.Error("file under a 0700 root directory is readable by nobody?")
	}
}
