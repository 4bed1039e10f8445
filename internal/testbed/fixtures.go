// Copyright 2026 The acme_exporter Authors
// SPDX-License-Identifier: Apache-2.0

package testbed

import (
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// CopyTree copies the fixture tree src to dst, keeping symlinks as links
// (certbot's live/ points into archive/ by relative links). Git keeps no
// file modes, so CopyTree applies the modes the clients create: private
// directories 0700, private keys 0600 (certbot's account key 0400).
func CopyTree(t testing.TB, src, dst string) {
	t.Helper()
	err := filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		out := filepath.Join(dst, rel)
		switch {
		case d.Type()&fs.ModeSymlink != 0:
			l, err := os.Readlink(p)
			if err != nil {
				return err
			}
			return os.Symlink(l, out)
		case d.IsDir():
			return os.MkdirAll(out, clientMode(rel, true))
		}
		in, err := os.Open(p)
		if err != nil {
			return err
		}
		defer func() { _ = in.Close() }()
		f, err := os.OpenFile(out, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, clientMode(rel, false))
		if err != nil {
			return err
		}
		if _, err := io.Copy(f, in); err != nil {
			_ = f.Close()
			return err
		}
		return f.Close()
	})
	if err != nil {
		t.Fatal(err)
	}
	// MkdirAll and OpenFile honour the umask: set the modes explicitly.
	_ = filepath.WalkDir(dst, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.Type()&fs.ModeSymlink != 0 {
			return nil
		}
		rel, _ := filepath.Rel(dst, p)
		return os.Chmod(p, clientMode(rel, d.IsDir()))
	})
}

// clientMode is the mode certbot 2.1 / lego 4.9 gave the file at rel
// (observed when scripts/regen-fixtures.sh ran).
func clientMode(rel string, dir bool) fs.FileMode {
	rel = filepath.ToSlash(rel)
	first := strings.SplitN(rel, "/", 3)
	top := ""
	if len(first) > 1 {
		top = first[1]
	}
	private := false
	switch {
	case strings.HasPrefix(rel, "lego/"):
		private = true
	case strings.HasPrefix(rel, "certbot/"):
		private = top == "live" || top == "archive" || top == "accounts" || top == "keys"
	}
	if dir {
		// certbot's live/<name> and archive/<name> are 0755 inside 0700 parents.
		lineageDir := strings.HasPrefix(rel, "certbot/") && (top == "live" || top == "archive") && len(first) == 3 &&
			!strings.Contains(first[2], "/")
		if private && !lineageDir {
			return 0o700
		}
		return 0o755
	}
	base := filepath.Base(rel)
	switch {
	case base == "private_key.json":
		return 0o400
	case strings.HasPrefix(rel, "lego/accounts/") && strings.Contains(rel, "/keys/"):
		return 0o644 // lego 4.9.1 writes the account key world-readable
	case strings.HasPrefix(base, "privkey"), strings.HasSuffix(base, ".key"), strings.HasPrefix(rel, "lego/"),
		strings.HasPrefix(rel, "certbot/keys/"):
		return 0o600
	}
	return 0o644
}
