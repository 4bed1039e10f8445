// Copyright 2026 The acme_exporter Authors
// SPDX-License-Identifier: Apache-2.0

// Command mixincheck checks the rendered acme_exporter mixin:
//
//   - every acme_* metric used in alerts and dashboards is listed in
//     docs/metrics.md (the exporter's generated metric reference);
//   - every alert follows the naming and annotation rules and has a section
//     in docs/runbook.md that its runbook_url points to;
//   - every dashboard has a stable uid (md5 of its file name), unique panel
//     ids, the datasource/job/instance variables, and every panel and query
//     uses them;
//   - every label matcher in rules, annotation queries and dashboards names
//     a label the metric has, and a literal value of a bounded label is one
//     the code declares (the "Bounded label values" table of
//     docs/metrics.md); ALERTS matchers name alerts of the mixin.
//
// It does not parse PromQL itself: with -promql-out it writes every dashboard
// query into a Prometheus rules file (as recording rules) so that
// `promtool check rules` parses them. It only reads files and never runs
// other programs.
package main

import (
	"flag"
	"fmt"
	"io"
	"os"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("mixincheck", flag.ContinueOnError)
	fs.SetOutput(stderr)
	alertsPath := fs.String("alerts", "", "prometheusAlerts rendered as JSON (jsonnet -e '(import \"mixin.libsonnet\").prometheusAlerts')")
	dashboardsDir := fs.String("dashboards", "dashboards", "directory of rendered dashboard JSON files")
	metricsPath := fs.String("metrics", "docs/metrics.md", "metric reference with rows starting with | `acme_name` |")
	runbookPath := fs.String("runbook", "docs/runbook.md", "runbook with one section per alert")
	runbookURLPrefix := fs.String("runbook-url-prefix", "", "required prefix of every runbook_url before the #anchor (empty: any)")
	testsDir := fs.String("tests", "", "directory of promtool tests; every alert must be named in at least two alert_rule_test cases (empty: skip)")
	promqlOut := fs.String("promql-out", "", "write dashboard queries as recording rules to this file for promtool check rules")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if *alertsPath == "" {
		fmt.Fprintln(stderr, "mixincheck: -alerts is required")
		return 2
	}

	known, err := readMetrics(*metricsPath)
	if err != nil {
		fmt.Fprintln(stderr, "mixincheck:", err)
		return 1
	}
	alerts, err := readAlerts(*alertsPath)
	if err != nil {
		fmt.Fprintln(stderr, "mixincheck:", err)
		return 1
	}
	anchors, sections, err := readRunbook(*runbookPath)
	if err != nil {
		fmt.Fprintln(stderr, "mixincheck:", err)
		return 1
	}
	dashboards, err := readDashboards(*dashboardsDir)
	if err != nil {
		fmt.Fprintln(stderr, "mixincheck:", err)
		return 1
	}

	var problems []string
	problems = append(problems, checkAlerts(alerts, known, anchors, sections, *runbookURLPrefix)...)
	problems = append(problems, checkDashboards(dashboards, known)...)
	fams, err := readFamilies(*metricsPath)
	if err != nil {
		fmt.Fprintln(stderr, "mixincheck:", err)
		return 1
	}
	problems = append(problems, checkLabels(alerts, dashboards, fams)...)
	if *testsDir != "" {
		ps, err := checkTestCoverage(alerts, *testsDir)
		if err != nil {
			fmt.Fprintln(stderr, "mixincheck:", err)
			return 1
		}
		problems = append(problems, ps...)
		ps, err = checkTestSeries(*testsDir, fams)
		if err != nil {
			fmt.Fprintln(stderr, "mixincheck:", err)
			return 1
		}
		problems = append(problems, ps...)
	}
	if *promqlOut != "" {
		if err := writePromQLRules(*promqlOut, dashboards); err != nil {
			problems = append(problems, err.Error())
		}
	}
	for _, p := range problems {
		fmt.Fprintln(stderr, p)
	}
	if len(problems) > 0 {
		fmt.Fprintf(stderr, "mixincheck: %d problem(s)\n", len(problems))
		return 1
	}
	rules := 0
	for _, g := range alerts.Groups {
		rules += len(g.Rules)
	}
	fmt.Fprintf(stdout, "mixincheck: %d alerts in %d groups, %d dashboards, %d known metric families: OK\n",
		rules, len(alerts.Groups), len(dashboards), len(known))
	return 0
}
