// Copyright 2026 The acme_exporter Authors
// SPDX-License-Identifier: Apache-2.0

package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"regexp"
	"strings"
	"unicode"
)

type ruleFile struct {
	Groups []ruleGroup `json:"groups"`
}

type ruleGroup struct {
	Name  string `json:"name"`
	Rules []rule `json:"rules"`
}

type rule struct {
	Alert       string            `json:"alert"`
	Record      string            `json:"record"`
	Expr        string            `json:"expr"`
	For         string            `json:"for"`
	Labels      map[string]string `json:"labels"`
	Annotations map[string]string `json:"annotations"`
}

func readAlerts(path string) (*ruleFile, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var rf ruleFile
	if err := json.Unmarshal(b, &rf); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return &rf, nil
}

var (
	alertName = regexp.MustCompile(`^Acme[A-Z][A-Za-z0-9]*$`)
	heading   = regexp.MustCompile(`^(#{1,6})\s+(.*?)\s*#*\s*$`)
	htmlID    = regexp.MustCompile(`<a\s+(?:id|name)="([^"]+)"`)
)

// readRunbook returns the anchors of docs/runbook.md (GitHub heading slugs
// and explicit <a id>) and the headings that look like alert names.
func readRunbook(path string) (anchors map[string]bool, sections []string, err error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	anchors = map[string]bool{}
	sc := bufio.NewScanner(f)
	inFence := false
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(strings.TrimSpace(line), "```") {
			inFence = !inFence
			continue
		}
		if inFence {
			continue
		}
		for _, m := range htmlID.FindAllStringSubmatch(line, -1) {
			anchors[m[1]] = true
		}
		if m := heading.FindStringSubmatch(line); m != nil {
			anchors[slug(m[2])] = true
			if alertName.MatchString(m[2]) {
				sections = append(sections, m[2])
			}
		}
	}
	return anchors, sections, sc.Err()
}

// slug is GitHub's heading anchor: lower case, spaces to dashes, drop
// punctuation other than - and _.
func slug(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		switch {
		case unicode.IsLetter(r) || unicode.IsDigit(r) || r == '-' || r == '_':
			b.WriteRune(r)
		case r == ' ':
			b.WriteRune('-')
		}
	}
	return b.String()
}

var severities = map[string]bool{"critical": true, "warning": true, "info": true}

func checkAlerts(rf *ruleFile, known, anchors map[string]bool, sections []string, urlPrefix string) []string {
	var problems []string
	bad := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }
	names := map[string]bool{}
	if len(rf.Groups) == 0 {
		bad("alerts: no rule groups")
	}
	for _, g := range rf.Groups {
		if len(g.Name) > 40 {
			bad("group %s: name longer than 40 characters", g.Name)
		}
		if len(g.Rules) > 20 {
			bad("group %s: %d rules, more than 20", g.Name, len(g.Rules))
		}
		for _, r := range g.Rules {
			for _, m := range metricsIn(r.Expr) {
				if !isKnown(known, m) {
					bad("rule %s%s: metric %s is not in the metric reference", r.Alert, r.Record, m)
				}
			}
			if r.Alert == "" {
				continue
			}
			a := r.Alert
			if names[a] {
				bad("alert %s: defined twice", a)
			}
			names[a] = true
			if !alertName.MatchString(a) || len(a) > 40 {
				bad("alert %s: name must be CamelCase with the Acme prefix and at most 40 characters", a)
			}
			if r.For == "" {
				bad("alert %s: no explicit for", a)
			}
			if !severities[r.Labels["severity"]] {
				bad("alert %s: severity %q is not critical, warning or info", a, r.Labels["severity"])
			}
			sum := r.Annotations["summary"]
			if sum == "" || !unicode.IsUpper([]rune(sum)[0]) || !strings.HasSuffix(sum, ".") {
				bad("alert %s: summary must be a sentence with a capital letter and a final period", a)
			}
			if strings.Contains(sum, "{{") {
				bad("alert %s: summary must be static", a)
			}
			desc := r.Annotations["description"]
			if !strings.Contains(desc, "{{ $labels.") {
				bad("alert %s: description must name the labels that locate the problem", a)
			}
			for _, text := range r.Annotations {
				for _, m := range metricsInTemplate(text) {
					if !isKnown(known, m) {
						bad("alert %s: annotation queries %s, which is not in the metric reference", a, m)
					}
				}
			}
			url := r.Annotations["runbook_url"]
			anchor := strings.ToLower(a)
			if !strings.HasSuffix(url, "#"+anchor) || !strings.HasPrefix(url, urlPrefix) {
				bad("alert %s: runbook_url %q must end with #%s", a, url, anchor)
			}
			if !anchors[anchor] {
				bad("alert %s: docs/runbook.md has no section with anchor #%s", a, anchor)
			}
		}
	}
	for _, s := range sections {
		if !names[s] {
			bad("runbook: section %s names no alert", s)
		}
	}
	return problems
}
