// Copyright 2026 The acme_exporter Authors
// SPDX-License-Identifier: Apache-2.0

package exporter

import (
	"bytes"
	_ "embed"
	"html/template"
	"net/http"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/acme-exporter/acme_exporter/inventory"
	"github.com/acme-exporter/acme_exporter/scrape"
)

// LandingConfig is what the landing page shows beside the inventory.
type LandingConfig struct {
	Name, Description, Version string
	// Links are paths on this exporter; each must answer 200 to a GET.
	Links []Link
}

// Link is one link of the landing page.
type Link struct{ Path, Text string }

// maxRows bounds each table: a host with 10,000 certificates gets a page,
// not a megabyte of HTML; /metrics has everything.
const maxRows = 500

//go:embed landing.html
var landingHTML string

var landingTmpl = template.Must(template.New("landing").Funcs(template.FuncMap{
	"join": strings.Join,
	"ago": func(now, t time.Time) string {
		if t.IsZero() {
			return "never"
		}
		return now.Sub(t).Round(time.Second).String() + " ago"
	},
}).Parse(landingHTML))

type table[T any] struct {
	Rows []T
	More int // rows left out
}

func limit[T any](rows []T) table[T] {
	if len(rows) > maxRows {
		return table[T]{Rows: rows[:maxRows], More: len(rows) - maxRows}
	}
	return table[T]{Rows: rows}
}

type certRow struct{ Name, Path, Client string }

type moduleRow struct{ Name, Kind, Accepts string }

type landingData struct {
	LandingConfig
	Now          time.Time
	ConfigFile   string
	Discovery    bool
	Scanned      time.Time
	Clients      []inventory.ClientRoot
	Certificates table[certRow]
	Accounts     table[inventory.Account]
	Domains      table[inventory.Domain]
	Checks       table[scrape.CheckState]
	Failing      int
	Modules      []moduleRow
}

// LandingHandler serves the landing page at / (and 404 elsewhere): the
// discovered inventory, every check's current state and reason, the
// /probe modules with a form, and links.
func (e *Exporter) LandingHandler(lc LandingConfig) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/" {
			http.NotFound(w, r)
			return
		}
		var buf bytes.Buffer
		if err := landingTmpl.Execute(&buf, e.landingData(lc)); err != nil {
			e.Logger.Error("Landing page", "err", err)
			http.Error(w, "landing page: "+err.Error(), http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = w.Write(buf.Bytes())
	})
}

func (e *Exporter) landingData(lc LandingConfig) landingData {
	env := e.Env()
	c := env.Config
	d := landingData{LandingConfig: lc, Now: e.Now(), ConfigFile: e.Config.Path(), Discovery: c.DiscoveryEnabled()}
	snap := env.Discovered
	d.Scanned = snap.Taken
	d.Clients = snap.Clients
	var certs []certRow
	for _, f := range c.CertificateFiles {
		if !f.History {
			certs = append(certs, certRow{Name: f.Name, Path: f.Path, Client: f.Client})
		}
	}
	d.Certificates = limit(certs)
	d.Accounts = limit(snap.Accounts)
	d.Domains = limit(snap.Domains)
	states := e.sched.States()
	// Failing first: what needs a look comes before what is fine.
	sort.SliceStable(states, func(i, j int) bool { return !states[i].OK && states[j].OK })
	for _, s := range states {
		if !s.OK {
			d.Failing++
		}
	}
	d.Checks = limit(states)
	for name, m := range c.Modules {
		var accepts []string
		if len(m.Names) > 0 {
			accepts = append(accepts, "names "+strings.Join(m.Names, ", "))
		}
		if len(m.AllowCIDRs) > 0 {
			accepts = append(accepts, "addresses in "+strings.Join(m.AllowCIDRs, ", "))
		}
		if len(m.DenyCIDRs) > 0 {
			accepts = append(accepts, "not in "+strings.Join(m.DenyCIDRs, ", "))
		}
		if len(m.FileRoots) > 0 {
			accepts = append(accepts, "files below "+strings.Join(m.FileRoots, ", "))
		}
		d.Modules = append(d.Modules, moduleRow{Name: name, Kind: m.Kind, Accepts: strings.Join(accepts, "; ")})
	}
	slices.SortFunc(d.Modules, func(a, b moduleRow) int { return strings.Compare(a.Name, b.Name) })
	return d
}
