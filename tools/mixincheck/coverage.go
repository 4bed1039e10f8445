// Copyright 2026 The acme_exporter Authors
// SPDX-License-Identifier: Apache-2.0

package main

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
)

var testAlertname = regexp.MustCompile(`(?m)^\s*(?:-\s*)?alertname:\s*['"]?([A-Za-z0-9_]+)`)

// checkTestCoverage requires every alert to appear in at least two
// alert_rule_test cases: one where it fires and one where it must not
// (promtool itself checks that the expectations hold).
func checkTestCoverage(rf *ruleFile, dir string) ([]string, error) {
	files, err := filepath.Glob(filepath.Join(dir, "*.yaml"))
	if err != nil {
		return nil, err
	}
	count := map[string]int{}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			return nil, err
		}
		for _, m := range testAlertname.FindAllStringSubmatch(string(b), -1) {
			count[m[1]]++
		}
	}
	var problems []string
	for _, g := range rf.Groups {
		for _, r := range g.Rules {
			if r.Alert != "" && count[r.Alert] < 2 {
				problems = append(problems, fmt.Sprintf("alert %s: %d alert_rule_test cases in %s, want a firing and a quiet one", r.Alert, count[r.Alert], dir))
			}
		}
	}
	return problems, nil
}
