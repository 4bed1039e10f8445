// Copyright 2026 The acme_exporter Authors
// SPDX-License-Identifier: Apache-2.0

package inventory

import (
	"sort"
)

// Current returns the newest non-history certificate per source and path
// (the latest notBefore), for which keep (when not nil) says yes, sorted by
// source and path: what ARI and CRL checks cover.
func (inv *Inventory) Current(keep func(*Certificate) bool) []Certificate {
	best := map[[2]string]*Certificate{}
	inv.Each(func(c *Certificate) {
		if c.History || (keep != nil && !keep(c)) {
			return
		}
		k := [2]string{c.Source, c.Path}
		if old, ok := best[k]; !ok || c.NotBefore.After(old.NotBefore) {
			best[k] = c
		}
	})
	out := make([]Certificate, 0, len(best))
	for _, c := range best {
		out = append(out, *c)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Source != out[j].Source {
			return out[i].Source < out[j].Source
		}
		return out[i].Path < out[j].Path
	})
	return out
}
