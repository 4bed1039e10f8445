// Copyright 2026 The acme_exporter Authors
// SPDX-License-Identifier: Apache-2.0

package e2e

import (
	"bytes"
	"net/http"
	"slices"
	"testing"

	"github.com/acme-exporter/acme_exporter/internal/testbed"
)

// The sink must reject what PagerDuty rejects, or the suite would pass
// events a real integration drops.
func TestPDSinkValidates(t *testing.T) {
	s := testbed.StartPDSink(t)
	for name, tc := range map[string]struct {
		body   string
		status int
		want   string
	}{
		"trigger": {`{"routing_key":"` + routingKey + `","event_action":"trigger","dedup_key":"k","payload":{"summary":"s","source":"am","severity":"critical"}}`, 202, ""},
		"resolve": {`{"routing_key":"` + routingKey + `","event_action":"resolve","dedup_key":"k"}`, 202, ""},
		"short key": {`{"routing_key":"abc","event_action":"trigger","payload":{"summary":"s","source":"am","severity":"critical"}}`,
			400, "routing_key must be a 32-character integration key, got 3 characters"},
		"bad severity": {`{"routing_key":"` + routingKey + `","event_action":"trigger","payload":{"summary":"s","source":"am","severity":"page"}}`,
			400, `payload.severity "page" is not one of critical, error, warning, info`},
		"no payload":          {`{"routing_key":"` + routingKey + `","event_action":"trigger"}`, 400, "payload is required for trigger"},
		"resolve without key": {`{"routing_key":"` + routingKey + `","event_action":"resolve"}`, 400, "dedup_key is required for resolve"},
		"bad action":          {`{"routing_key":"` + routingKey + `","event_action":"fire","dedup_key":"k"}`, 400, `event_action "fire" is not one of trigger, acknowledge, resolve`},
	} {
		t.Run(name, func(t *testing.T) {
			before := len(s.Notifications())
			resp, err := http.Post(s.EnqueueURL(), "application/json", bytes.NewBufferString(tc.body))
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != tc.status {
				t.Errorf("status %d, want %d", resp.StatusCode, tc.status)
			}
			ns := s.Notifications()
			if len(ns) != before+1 {
				t.Fatalf("%d notifications recorded, want %d", len(ns), before+1)
			}
			got := ns[len(ns)-1].Invalid
			if tc.want == "" && len(got) > 0 || tc.want != "" && !slices.Contains(got, tc.want) {
				t.Errorf("invalid = %q, want %q", got, tc.want)
			}
		})
	}
}
