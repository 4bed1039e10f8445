// Copyright 2026 The acme_exporter Authors
// SPDX-License-Identifier: Apache-2.0

package inventory

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestSerialNumber(t *testing.T) {
	for serial, want := range map[string]string{
		"":   "0",
		"0a": "10",
		"03e8fa0c9b21d7a4c5e6f70812233445566778ab": "22322527559608025170183749315061909005567228075",
		"not hex": "0",
	} {
		c := Certificate{Serial: serial}
		if got := c.SerialNumber().String(); got != want {
			t.Errorf("SerialNumber(%q) = %s, want %s", serial, got, want)
		}
	}
}

func cert(source, path, serial string, notBefore int64, history bool) Certificate {
	return Certificate{Name: path, Source: source, Path: path, Serial: serial, History: history,
		NotBefore: time.Unix(notBefore, 0), SHA256: [32]byte{byte(notBefore), serial[0]}}
}

// Current keeps, per source and path, the newest certificate among those
// not history and kept, sorted by source and path.
func TestCurrent(t *testing.T) {
	inv := New()
	inv.Put("f", "/b", []Certificate{cert("file", "/b", "01", 10, false)})
	inv.Put("f", "/a", []Certificate{cert("file", "/a", "02", 20, false)})
	inv.Put("f", "/a.old", []Certificate{cert("file", "/a", "03", 30, true)}) // history: never current
	inv.Put("e", "a:443", []Certificate{cert("endpoint", "a:443", "04", 5, false), cert("endpoint", "a:443", "05", 50, false)})
	inv.Put("f", "/c", []Certificate{cert("file", "/c", "06", 60, false), cert("file", "/c", "07", 70, false)})
	got := func(keep func(*Certificate) bool) string {
		var b strings.Builder
		for _, c := range inv.Current(keep) {
			fmt.Fprintf(&b, "%s %s %s;", c.Source, c.Path, c.Serial)
		}
		return b.String()
	}
	if g, w := got(nil), "endpoint a:443 05;file /a 02;file /b 01;file /c 07;"; g != w {
		t.Errorf("Current(nil) = %s, want %s", g, w)
	}
	// keep decides before the newest is chosen: serial 07 is not kept, so
	// /c's current one is 06.
	notSeven := func(c *Certificate) bool { return c.Serial != "07" && c.Source == "file" }
	if g, w := got(notSeven), "file /a 02;file /b 01;file /c 06;"; g != w {
		t.Errorf("Current(keep) = %s, want %s", g, w)
	}
}

// All is computed once per generation; publishing the same certificates
// again changes nothing, publishing others does.
func TestAllCachedPerGeneration(t *testing.T) {
	inv := New()
	inv.Put("e", "a:443", []Certificate{cert("endpoint", "a:443", "01", 1, false)})
	first := inv.All()
	gen := inv.Generation()
	inv.Put("e", "a:443", []Certificate{cert("endpoint", "a:443", "01", 1, false)})
	if inv.Generation() != gen {
		t.Fatal("the same certificates published again changed the generation")
	}
	if again := inv.All(); &again[0] != &first[0] {
		t.Fatal("All sorted again although nothing changed")
	}
	inv.Put("e", "a:443", []Certificate{cert("endpoint", "a:443", "02", 2, false)})
	if inv.Generation() == gen {
		t.Fatal("a new certificate left the generation alone")
	}
	if now := inv.All(); len(now) != 1 || now[0].Serial != "02" || first[0].Serial != "01" {
		t.Fatalf("after a change: %+v (the earlier answer must stay as it was: %+v)", now, first)
	}
}

// The patched view is what sorting everything again gives, through random
// puts, deletes and retains, with and without views taken in between, and
// past the patch bound.
func TestAllPatchedMatchesSorted(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, steps := range []int{1, 3, 50, maxPatch + 10} {
		inv := New()
		want := map[entryKey][]Certificate{}
		serial := 0
		for round := range 40 {
			for range steps {
				owner := []string{"certificate_file", "endpoint"}[rng.IntN(2)]
				key := fmt.Sprintf("/k%d", rng.IntN(300))
				k := entryKey{owner, key}
				switch r := rng.IntN(10); {
				case r < 7:
					var cs []Certificate
					for range rng.IntN(3) + 1 {
						serial++
						c := cert(owner, key, fmt.Sprintf("%06x", serial), int64(serial), false)
						c.SHA256 = [32]byte{byte(serial), byte(serial >> 8), byte(serial >> 16)}
						cs = append(cs, c)
					}
					inv.Put(owner, key, cs)
					want[k] = cs
				case r < 9:
					inv.Delete(owner, key)
					delete(want, k)
				default:
					keep := map[string]bool{}
					for key := range want {
						if key.owner == owner && rng.IntN(4) > 0 {
							keep[key.key] = true
						}
					}
					inv.Retain(owner, keep)
					for key := range want {
						if key.owner == owner && !keep[key.key] {
							delete(want, key)
						}
					}
				}
			}
			if round%3 == 2 {
				continue // some changes pile up before the next view
			}
			var exp []string
			for _, cs := range want {
				for _, c := range cs {
					exp = append(exp, c.Source+" "+c.Path+" "+c.Serial)
				}
			}
			slices.Sort(exp)
			var got []string
			for _, c := range inv.All() {
				got = append(got, c.Source+" "+c.Path+" "+c.Serial)
			}
			if !slices.Equal(got, exp) {
				t.Fatalf("steps %d round %d: All has %d certificates, want %d\n got %v\nwant %v", steps, round, len(got), len(exp), got, exp)
			}
		}
	}
}
