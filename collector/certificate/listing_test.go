// Copyright 2026 The acme_exporter Authors
// SPDX-License-Identifier: Apache-2.0

package certificate

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/acme-exporter/acme_exporter/internal/files"
	"github.com/acme-exporter/acme_exporter/scrape"
)

// ageTree sets every directory under root (and root) an hour back, so
// listings of it are outside the racy window.
func ageTree(t *testing.T, root string) {
	t.Helper()
	old := time.Now().Add(-time.Hour)
	err := filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err == nil && d.IsDir() {
			err = os.Chtimes(p, old, old)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

func writeTree(t *testing.T, root string, files ...string) {
	t.Helper()
	for _, f := range files {
		p := filepath.Join(root, f)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte("x"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func TestGlobStampedMatchesFilepathGlob(t *testing.T) {
	root := t.TempDir()
	writeTree(t, root, "live/a.test/fullchain.pem", "live/a.test/privkey.pem", "live/b.test/fullchain.pem",
		"live/README", "certs/x.crt", "certs/x.key", "certs/sub/y.crt", "d1/c1.pem", "d2/c2.pem", "weird[/z.pem")
	if err := os.Symlink(filepath.Join(root, "certs"), filepath.Join(root, "link")); err != nil {
		t.Fatal(err)
	}
	for _, pat := range []string{
		"live/*/fullchain.pem", "live/*", "*/*.crt", "*/*/*.crt", "d?/*.pem", "d[12]/c*.pem", "link/*.crt",
		"nothing/*/x", "live/*/missing.pem", "*", `weird\[/*.pem`, "live/[", "[]", "certs/x.crt",
	} {
		p := filepath.Join(root, pat)
		want, wantErr := filepath.Glob(p)
		got, gotErr := globStamped(p, func(string) {}, func(string) {})
		if (wantErr == nil) != (gotErr == nil) || !slices.Equal(got, want) {
			t.Errorf("%s: got %v, %v; filepath.Glob gives %v, %v", pat, got, gotErr, want, wantErr)
		}
	}
}

func TestListingReusedUntilADirectoryChanges(t *testing.T) {
	root := t.TempDir()
	writeTree(t, root, "live/a.test/fullchain.pem", "live/a.test/privkey.pem", "live/b.test/fullchain.pem")
	ageTree(t, root)
	c := newCertFileCollector(nil)
	pattern := filepath.Join(root, "live/*/fullchain.pem")
	list := func() *listing {
		used := map[string]*listing{}
		l := c.listing(pattern, true, used)
		c.listings = used
		return l
	}
	names := func(l *listing) (out []string) {
		for _, f := range l.files {
			out = append(out, f.name+"|"+filepath.Base(f.key))
		}
		return out
	}
	first := list()
	if got, want := names(first), []string{"a.test|privkey.pem", "b.test|."}; !slices.Equal(got, want) {
		t.Fatalf("first listing %v, want %v", got, want)
	}
	if again := list(); again != first {
		t.Fatal("an unchanged tree was listed again")
	}

	// Each kind of change is seen at the next scrape.
	steps := []struct {
		name  string
		do    func()
		names []string
	}{
		{"new lineage", func() { writeTree(t, root, "live/c.test/fullchain.pem") },
			[]string{"a.test|privkey.pem", "b.test|.", "c.test|."}},
		{"key appears", func() { writeTree(t, root, "live/b.test/privkey.pem") },
			[]string{"a.test|privkey.pem", "b.test|privkey.pem", "c.test|."}},
		{"lineage removed", func() {
			if err := os.RemoveAll(filepath.Join(root, "live/a.test")); err != nil {
				t.Fatal(err)
			}
		}, []string{"b.test|privkey.pem", "c.test|."}},
		{"renamed", func() {
			if err := os.Rename(filepath.Join(root, "live/c.test/fullchain.pem"), filepath.Join(root, "live/c.test/old.pem")); err != nil {
				t.Fatal(err)
			}
		}, []string{"b.test|privkey.pem"}},
	}
	prev := first
	for _, st := range steps {
		ageTree(t, root)
		st.do()
		l := list()
		if l == prev {
			t.Fatalf("%s: stale listing reused", st.name)
		}
		if got := names(l); !slices.Equal(got, st.names) {
			t.Fatalf("%s: got %v, want %v", st.name, got, st.names)
		}
		prev = l
	}
}

func TestListingRacyDirectoryReadAgain(t *testing.T) {
	root := t.TempDir()
	writeTree(t, root, "d/c.pem")
	// Modified just now: within the racy window, so not trusted yet.
	c := newCertFileCollector(nil)
	pattern := filepath.Join(root, "d/*.pem")
	used := map[string]*listing{}
	first := c.listing(pattern, false, used)
	c.listings = used
	used = map[string]*listing{}
	if c.listing(pattern, false, used) == first {
		t.Fatal("a directory modified within the racy window was trusted")
	}
}

func TestListingMissingDirectoryNeverCached(t *testing.T) {
	root := t.TempDir()
	c := newCertFileCollector(nil)
	pattern := filepath.Join(root, "live/*/fullchain.pem")
	used := map[string]*listing{}
	first := c.listing(pattern, true, used)
	c.listings = used
	if len(first.files) != 0 {
		t.Fatalf("files %v in a missing directory", first.files)
	}
	writeTree(t, root, "live/a.test/fullchain.pem")
	ageTree(t, root)
	used = map[string]*listing{}
	if l := c.listing(pattern, true, used); len(l.files) != 1 {
		t.Fatalf("the directory that appeared was not read: %v", l.files)
	}
}

// statFile calls stat(2) itself; it must see what os.Stat sees, and
// classify failures the same way.
func TestStatFileMatchesOsStat(t *testing.T) {
	root := t.TempDir()
	writeTree(t, root, "f.pem")
	if err := os.Symlink("f.pem", filepath.Join(root, "link.pem")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("gone.pem", filepath.Join(root, "dangling.pem")); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"f.pem", "link.pem"} {
		p := filepath.Join(root, name)
		fi, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		got, err := files.Stat(p)
		if err != nil || got != files.IdentityOf(fi) {
			t.Errorf("%s: statFile = %+v, %v; os.Stat gives %+v", name, got, err, files.IdentityOf(fi))
		}
	}
	for name, reason := range map[string]string{"missing.pem": "not_found", "dangling.pem": "dangling_symlink", ".": "not_regular_file"} {
		if _, err := files.Stat(filepath.Join(root, name)); scrape.ReasonOf(err) != reason {
			t.Errorf("%s: reason %q (%v), want %q", name, scrape.ReasonOf(err), err, reason)
		}
	}
}

// A literal path (as discovery lists every file it found) is listed
// without reading anything, missing or not; with sibling keys, its
// directory is watched for a key appearing.
func TestListingLiteralPath(t *testing.T) {
	root := t.TempDir()
	writeTree(t, root, "live/a/fullchain.pem")
	ageTree(t, root)
	c := newCertFileCollector(nil)
	for _, name := range []string{"live/a/fullchain.pem", "live/missing/fullchain.pem"} {
		l := expandPattern(filepath.Join(root, name), false)
		if len(l.files) != 1 || len(l.dirs) != 0 || !l.fresh() {
			t.Errorf("%s: files %v, dirs %v", name, l.files, l.dirs)
		}
	}
	p := filepath.Join(root, "live/a/fullchain.pem")
	used := map[string]*listing{}
	first := c.listing(p, true, used)
	c.listings = used
	if first.files[0].key != "" {
		t.Fatalf("key %q before there is one", first.files[0].key)
	}
	writeTree(t, root, "live/a/privkey.pem")
	if l := c.listing(p, true, map[string]*listing{}); l == first || filepath.Base(l.files[0].key) != "privkey.pem" {
		t.Fatalf("the new sibling key was not seen: %+v", l.files)
	}
}

// FuzzGlobStamped: for any pattern, the stamped glob finds what
// filepath.Glob finds (or fails when it fails) in a small tree.
func FuzzGlobStamped(f *testing.F) {
	root := f.TempDir()
	for _, p := range []string{"live/a.test/fullchain.pem", "live/b.test/privkey.pem", "d1/c1.pem", "d2/x.crt", "a[b]/c.pem", `q\r/s.pem`} {
		full := filepath.Join(root, p)
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			f.Fatal(err)
		}
		if err := os.WriteFile(full, nil, 0o644); err != nil {
			f.Fatal(err)
		}
	}
	for _, seed := range []string{"live/*/fullchain.pem", "*/*", "d[12]/*.pem", `a\[b\]/*`, "[", "*/[!a]*", "live/?.test/*"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, pattern string) {
		// Stay inside the tree and small: the point is the matching.
		if len(pattern) > 64 || strings.Contains(pattern, "..") || strings.Count(pattern, "/") > 4 {
			return
		}
		p := root + "/" + pattern
		want, wantErr := filepath.Glob(p)
		got, gotErr := globStamped(p, func(string) {}, func(string) {})
		if (wantErr == nil) != (gotErr == nil) || !slices.Equal(got, want) {
			t.Fatalf("%q: got %v, %v; filepath.Glob gives %v, %v", pattern, got, gotErr, want, wantErr)
		}
	})
}
