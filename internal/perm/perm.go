// Copyright 2026 The acme_exporter Authors
// SPDX-License-Identifier: Apache-2.0

// Package perm decides whether a user may read or write a file the way
// the kernel would: owner, group and other bits and POSIX ACLs, for the
// user an ACME client runs as.
package perm

import (
	"encoding/binary"
	"errors"
	"fmt"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// Identity is a user with its groups.
type Identity struct {
	UID    uint32
	GID    uint32
	Groups []uint32 // supplementary groups, primary included
}

func (id Identity) inGroup(g uint32) bool {
	if id.GID == g {
		return true
	}
	for _, x := range id.Groups {
		if x == g {
			return true
		}
	}
	return false
}

// ResolveUser turns run_as (a user name, or uid[:gid]) into an identity.
// An empty run_as means the owner of fallback (the client's storage
// directory: the client runs as whoever owns its storage).
func ResolveUser(runAs, fallback string) (Identity, error) {
	if runAs == "" {
		var st unix.Stat_t
		if err := unix.Stat(fallback, &st); err != nil {
			return Identity{}, err
		}
		runAs = strconv.FormatUint(uint64(st.Uid), 10)
	}
	uidS, gidS, hasGID := strings.Cut(runAs, ":")
	var u *user.User
	var err error
	if n, perr := strconv.ParseUint(uidS, 10, 32); perr == nil {
		id := Identity{UID: uint32(n), GID: uint32(n)}
		if u, err = user.LookupId(uidS); err == nil {
			id = userIdentity(u, id)
		}
		if hasGID {
			g, gerr := strconv.ParseUint(gidS, 10, 32)
			if gerr != nil {
				return Identity{}, fmt.Errorf("bad gid %q", gidS)
			}
			id.GID = uint32(g)
			if u == nil {
				id.Groups = []uint32{id.GID}
			}
		}
		return id, nil
	}
	if u, err = user.Lookup(uidS); err != nil {
		return Identity{}, err
	}
	return userIdentity(u, Identity{}), nil
}

func userIdentity(u *user.User, id Identity) Identity {
	if n, err := strconv.ParseUint(u.Uid, 10, 32); err == nil {
		id.UID = uint32(n)
	}
	if n, err := strconv.ParseUint(u.Gid, 10, 32); err == nil {
		id.GID = uint32(n)
	}
	id.Groups = nil
	if gs, err := u.GroupIds(); err == nil {
		for _, g := range gs {
			if n, err := strconv.ParseUint(g, 10, 32); err == nil {
				id.Groups = append(id.Groups, uint32(n))
			}
		}
	}
	return id
}

type access uint16

const (
	AccessExec  access = 1
	AccessWrite access = 2
	AccessRead  access = 4
)

// FileMeta is what the permission decision needs of one file.
type FileMeta struct {
	UID, GID uint32
	Mode     uint32 // permission bits
	ACL      *ACL   // nil when the file has no access ACL
}

// CanAccess reports whether id may access path with want, including
// search permission on every directory above it (after resolving
// symlinks). Root may do anything (read-only mounts are not considered).
func CanAccess(id Identity, path string, want access) bool {
	resolved, err := filepath.EvalSymlinks(path)
	if err != nil {
		return false
	}
	dirs := []string{}
	for d := filepath.Dir(resolved); ; d = filepath.Dir(d) {
		dirs = append(dirs, d)
		if d == "/" || d == "." {
			break
		}
	}
	for _, d := range dirs {
		m, err := statMeta(d)
		if err != nil || !Allowed(id, m, AccessExec) {
			return false
		}
	}
	m, err := statMeta(resolved)
	if err != nil {
		return false
	}
	return Allowed(id, m, want)
}

func statMeta(p string) (FileMeta, error) {
	var st unix.Stat_t
	if err := unix.Stat(p, &st); err != nil {
		return FileMeta{}, err
	}
	m := FileMeta{UID: st.Uid, GID: st.Gid, Mode: st.Mode & 0o777}
	buf := make([]byte, 1024)
	n, err := unix.Getxattr(p, "system.posix_acl_access", buf)
	if err == nil && n > 0 {
		if acl, err := ParseACL(buf[:n]); err == nil {
			m.ACL = acl
		}
	}
	return m, nil
}

// Allowed applies the POSIX.1e access check algorithm (acl(5)).
func Allowed(id Identity, m FileMeta, want access) bool {
	if id.UID == 0 {
		// CAP_DAC_OVERRIDE: anything but executing a file no one may execute.
		return true
	}
	has := func(perm uint16) bool { return access(perm)&want == want }
	if m.ACL == nil {
		switch {
		case id.UID == m.UID:
			return has(uint16(m.Mode>>6) & 7)
		case id.inGroup(m.GID):
			return has(uint16(m.Mode>>3) & 7)
		}
		return has(uint16(m.Mode) & 7)
	}
	a := m.ACL
	if id.UID == m.UID {
		return has(a.UserObj)
	}
	mask := uint16(7)
	if a.HasMask {
		mask = a.Mask
	}
	for _, e := range a.Users {
		if e.ID == id.UID {
			return has(e.Perm & mask)
		}
	}
	matched, granted := false, false
	if id.inGroup(m.GID) {
		matched = true
		granted = granted || has(a.GroupObj&mask)
	}
	for _, e := range a.Groups {
		if id.inGroup(e.ID) {
			matched = true
			granted = granted || has(e.Perm&mask)
		}
	}
	if matched {
		return granted
	}
	return has(a.Other)
}

// ACL is a parsed POSIX access ACL.
type ACL struct {
	UserObj, GroupObj, Other, Mask uint16
	HasMask                        bool
	Users, Groups                  []ACLEntry
}

// ACLEntry is a named user or group entry.
type ACLEntry struct {
	ID   uint32
	Perm uint16
}

// ParseACL parses the system.posix_acl_access xattr (Linux's
// posix_acl_xattr format: a little-endian version 2 header, then 8-byte
// entries of tag, perm and id).
func ParseACL(b []byte) (*ACL, error) {
	if len(b) < 4 || (len(b)-4)%8 != 0 {
		return nil, errors.New("bad ACL length")
	}
	if v := binary.LittleEndian.Uint32(b); v != 2 {
		return nil, fmt.Errorf("unsupported ACL version %d", v)
	}
	a := &ACL{}
	var seen uint16
	for off := 4; off < len(b); off += 8 {
		tag := binary.LittleEndian.Uint16(b[off:])
		perm := binary.LittleEndian.Uint16(b[off+2:]) & 7
		id := binary.LittleEndian.Uint32(b[off+4:])
		switch tag {
		case 0x01:
			a.UserObj = perm
		case 0x02:
			a.Users = append(a.Users, ACLEntry{ID: id, Perm: perm})
		case 0x04:
			a.GroupObj = perm
		case 0x08:
			a.Groups = append(a.Groups, ACLEntry{ID: id, Perm: perm})
		case 0x10:
			a.Mask, a.HasMask = perm, true
		case 0x20:
			a.Other = perm
		default:
			return nil, fmt.Errorf("unknown ACL tag %#x", tag)
		}
		seen |= tag
	}
	if seen&0x25 != 0x25 {
		return nil, errors.New("ACL lacks user, group or other entry")
	}
	return a, nil
}
