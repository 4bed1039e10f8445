// Copyright 2026 The acme_exporter Authors
// SPDX-License-Identifier: Apache-2.0

package certificate

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/acme-exporter/acme_exporter/internal/files"
)

// Expanding the configured paths: globs and sibling keys.
//
// A glob over 10,000 files reads every directory it walks, and finding the
// keys next to the certificates reads them again, on every scrape. A
// directory's mtime changes whenever an entry is added, removed or renamed,
// so a listing is kept with the identity of every directory it read and
// reused while none of them changed: a warm scrape stats those directories
// instead of reading them. Changes to the files themselves do not matter
// here; each file is still stat'ed by its check.

// racyWindow: a directory modified this shortly before it was read may
// change again within the file system's timestamp granularity without its
// mtime moving, so its listing is not trusted (as git treats "racily
// clean" files); it is read again until it has been quiet this long.
const racyWindow = time.Second

// listed is one certificate file a pattern expanded to.
type listed struct {
	path, name, key string // key: the sibling private key, "" when none
}

type dirStamp struct {
	path string
	id   files.Identity
}

type listing struct {
	files  []listed
	dirs   []dirStamp
	readAt time.Time
	err    error
	// denied are the directories the pattern reaches that the exporter
	// may not search or list: what they hold is unknown, so the pattern
	// fails (exporter_cannot_read) rather than expanding to nothing.
	denied []string
}

// fresh reports whether every directory behind l is unchanged.
func (l *listing) fresh() bool {
	for _, d := range l.dirs {
		if l.readAt.Sub(time.Unix(0, d.id.Mtime)) < racyWindow {
			return false
		}
		fi, err := os.Stat(d.path)
		if err != nil || files.IdentityOf(fi) != d.id {
			return false
		}
	}
	return true
}

// expandPattern lists what pattern stands for: the matches of a glob (none is not
// an error), or the literal path, which is a target whether or not it
// exists (so that "not_found" is reported). With siblings, each file gets
// the private key its client keeps beside it.
func expandPattern(pattern string, siblings bool) *listing {
	l := &listing{readAt: time.Now()}
	seen := map[string]bool{}
	stamp := func(dir string) {
		dir = filepath.Clean(dir)
		if seen[dir] {
			return
		}
		seen[dir] = true
		// Stat before reading: a change in between makes the stamp old,
		// so the next scrape reads again (never the other way round).
		if fi, err := os.Stat(dir); err == nil {
			l.dirs = append(l.dirs, dirStamp{dir, files.IdentityOf(fi)})
		} else {
			// A directory that is missing now may appear; its parent's
			// stamp would see that, but keep it simple: never cache.
			l.dirs = append(l.dirs, dirStamp{dir, files.Identity{Mtime: l.readAt.UnixNano()}})
		}
	}
	// A literal path is a target whether or not it exists: nothing to
	// stamp unless its directory is read for a sibling key below.
	paths := []string{pattern}
	if hasMeta(pattern) {
		var err error
		paths, err = globStamped(pattern, stamp, func(dir string) { l.denied = append(l.denied, dir) })
		if err != nil {
			l.err = err
			return l
		}
	}
	sc := siblingCache{}
	for _, p := range paths {
		f := listed{path: p, name: DeriveName(p)}
		if siblings {
			stamp(filepath.Dir(p))
			f.key = sc.lookup(p)
		}
		l.files = append(l.files, f)
	}
	return l
}

// globStamped is filepath.Glob (same syntax and results on Unix) that
// stamps every directory whose entries it reads.
// A directory it may not search or list is passed to denied (a missing
// one is not: it holds nothing).
func globStamped(pattern string, stamp, denied func(string)) ([]string, error) {
	if _, err := filepath.Match(pattern, ""); err != nil {
		return nil, err
	}
	if !hasMeta(pattern) {
		if _, err := os.Lstat(pattern); err != nil {
			if errors.Is(err, fs.ErrPermission) {
				denied(filepath.Dir(pattern))
			}
			stamp(filepath.Dir(pattern))
			return nil, nil
		}
		return []string{pattern}, nil
	}
	dir, file := filepath.Split(pattern)
	dir = cleanGlobPath(dir)
	if !hasMeta(dir) {
		return globDir(dir, file, nil, stamp, denied)
	}
	if dir == pattern {
		return nil, filepath.ErrBadPattern
	}
	dirs, err := globStamped(dir, stamp, denied)
	if err != nil {
		return nil, err
	}
	var m []string
	for _, d := range dirs {
		if m, err = globDir(d, file, m, stamp, denied); err != nil {
			return m, err
		}
	}
	return m, nil
}

func cleanGlobPath(p string) string {
	switch p {
	case "":
		return "."
	case "/":
		return p
	}
	return strings.TrimSuffix(p, "/")
}

// globDir appends the entries of dir that match pattern. A malformed
// pattern is an error only once a name reaches the bad part, as in
// filepath.Glob.
func globDir(dir, pattern string, m []string, stamp, denied func(string)) ([]string, error) {
	fi, err := os.Stat(dir)
	if err != nil || !fi.IsDir() {
		if errors.Is(err, fs.ErrPermission) {
			denied(dir)
		}
		if err != nil {
			stamp(dir) // uncacheable while missing: see expandPattern
		}
		return m, nil
	}
	stamp(dir)
	// O_DIRECTORY|O_NONBLOCK: a FIFO swapped in after the stat fails
	// here instead of blocking the open.
	d, err := os.OpenFile(dir, os.O_RDONLY|syscall.O_DIRECTORY|syscall.O_NONBLOCK, 0)
	if err != nil {
		if errors.Is(err, fs.ErrPermission) {
			denied(dir)
		}
		return m, nil
	}
	names, err := d.Readdirnames(-1)
	d.Close()
	if errors.Is(err, fs.ErrPermission) {
		denied(dir)
	}
	slices.Sort(names)
	for _, n := range names {
		ok, err := filepath.Match(pattern, n)
		if err != nil {
			return m, err
		}
		if ok {
			m = append(m, filepath.Join(dir, n))
		}
	}
	return m, nil
}
