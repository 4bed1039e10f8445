// Copyright 2026 The acme_exporter Authors
// SPDX-License-Identifier: Apache-2.0

package inventory

// Current returns the newest non-history certificate per source and path
// (the latest notBefore) among those keep (when not nil) says yes to,
// sorted by source and path: what ARI and CRL checks cover. The
// certificates are All's, shared: they must not be modified. One pass over
// All's sorted slice, so a scrape of 100,000 files neither sorts nor copies
// them again.
func (inv *Inventory) Current(keep func(*Certificate) bool) []*Certificate {
	all := inv.All()
	var out []*Certificate
	var best *Certificate
	for _, c := range all {
		if best != nil && (c.Source != best.Source || c.Path != best.Path) {
			out = append(out, best)
			best = nil
		}
		if c.History || (keep != nil && !keep(c)) {
			continue
		}
		if best == nil || c.NotBefore.After(best.NotBefore) {
			best = c
		}
	}
	if best != nil {
		out = append(out, best)
	}
	return out
}
