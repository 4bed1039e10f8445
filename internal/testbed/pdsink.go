// Copyright 2026 The acme_exporter Authors
// SPDX-License-Identifier: Apache-2.0

package testbed

import (
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
)

// PDSink stands where PagerDuty's Events API v2 and other notification
// receivers would be, on loopback. It validates every PagerDuty event the
// way https://events.pagerduty.com/v2/enqueue does (required fields, enum
// values, sizes) and answers as PagerDuty does (202, or 400 with the
// errors), and it records Alertmanager webhook notifications for the
// non-paging receivers. It is the test's own endpoint, not a fake of a
// server the bed could run: PagerDuty cannot run on loopback.
type PDSink struct {
	URL string // http://127.0.0.1:port

	srv *http.Server
	mu  sync.Mutex
	got []Notification
	ch  chan struct{} // closed and replaced on every notification
}

// PDEvent is a PagerDuty Events API v2 event.
type PDEvent struct {
	RoutingKey  string `json:"routing_key"`
	EventAction string `json:"event_action"`
	DedupKey    string `json:"dedup_key"`
	Payload     *struct {
		Summary       string         `json:"summary"`
		Source        string         `json:"source"`
		Severity      string         `json:"severity"`
		Timestamp     string         `json:"timestamp"`
		Component     string         `json:"component"`
		Group         string         `json:"group"`
		Class         string         `json:"class"`
		CustomDetails map[string]any `json:"custom_details"`
	} `json:"payload"`
	Client    string `json:"client"`
	ClientURL string `json:"client_url"`
}

// WebhookAlert is one alert of an Alertmanager webhook notification.
type WebhookAlert struct {
	Status      string            `json:"status"`
	Labels      map[string]string `json:"labels"`
	Annotations map[string]string `json:"annotations"`
	Fingerprint string            `json:"fingerprint"`
}

// WebhookMessage is Alertmanager's webhook payload (version 4).
type WebhookMessage struct {
	Receiver string         `json:"receiver"`
	Status   string         `json:"status"`
	Alerts   []WebhookAlert `json:"alerts"`
	GroupKey string         `json:"groupKey"`
	Version  string         `json:"version"`
}

// Notification is one request the sink received.
type Notification struct {
	At   time.Time
	Path string
	Body string
	// PagerDuty is set for requests to /v2/enqueue (also when invalid).
	PagerDuty *PDEvent
	// Webhook is set for requests to /webhook/<receiver>.
	Webhook *WebhookMessage
	// Invalid lists what PagerDuty would have rejected the event for.
	Invalid []string
}

// maxEventBody is PagerDuty's documented limit for one event (512 KiB).
const maxEventBody = 512 << 10

// StartPDSink serves the sink on a random loopback port until the test ends.
func StartPDSink(t testing.TB) *PDSink {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &PDSink{URL: "http://" + l.Addr().String(), ch: make(chan struct{})}
	mux := http.NewServeMux()
	mux.HandleFunc("/v2/enqueue", s.enqueue)
	mux.HandleFunc("/webhook/", s.webhook)
	s.srv = &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = s.srv.Serve(l) }()
	t.Cleanup(func() { _ = s.srv.Close() })
	return s
}

// EnqueueURL is what a pagerduty_config's url should be.
func (s *PDSink) EnqueueURL() string { return s.URL + "/v2/enqueue" }

// WebhookURL is what a webhook_config's url should be for receiver.
func (s *PDSink) WebhookURL(receiver string) string { return s.URL + "/webhook/" + receiver }

func (s *PDSink) record(n Notification) {
	s.mu.Lock()
	s.got = append(s.got, n)
	close(s.ch)
	s.ch = make(chan struct{})
	s.mu.Unlock()
}

// Notifications returns everything received so far.
func (s *PDSink) Notifications() []Notification {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Notification(nil), s.got...)
}

// Changed returns a channel closed at the next notification.
func (s *PDSink) Changed() <-chan struct{} {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.ch
}

func readBody(w http.ResponseWriter, r *http.Request) ([]byte, bool) {
	if r.Method != http.MethodPost {
		http.Error(w, "POST only", http.StatusMethodNotAllowed)
		return nil, false
	}
	b, err := io.ReadAll(io.LimitReader(r.Body, maxEventBody+1))
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return nil, false
	}
	return b, true
}

func (s *PDSink) enqueue(w http.ResponseWriter, r *http.Request) {
	b, ok := readBody(w, r)
	if !ok {
		return
	}
	n := Notification{At: time.Now(), Path: r.URL.Path, Body: string(b)}
	var ev PDEvent
	if len(b) > maxEventBody {
		n.Invalid = append(n.Invalid, "event larger than 512 KiB")
	} else if err := json.Unmarshal(b, &ev); err != nil {
		n.Invalid = append(n.Invalid, "not JSON: "+err.Error())
	} else {
		n.PagerDuty = &ev
		n.Invalid = ValidatePDEvent(&ev)
	}
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		n.Invalid = append(n.Invalid, fmt.Sprintf("Content-Type %q is not application/json", ct))
	}
	s.record(n)
	w.Header().Set("Content-Type", "application/json")
	if len(n.Invalid) > 0 {
		w.WriteHeader(http.StatusBadRequest)
		_ = json.NewEncoder(w).Encode(map[string]any{"status": "invalid event", "message": "Event object is invalid", "errors": n.Invalid})
		return
	}
	w.WriteHeader(http.StatusAccepted)
	_ = json.NewEncoder(w).Encode(map[string]any{"status": "success", "message": "Event processed", "dedup_key": ev.DedupKey})
}

// ValidatePDEvent lists the reasons PagerDuty's Events API v2 would reject
// ev (https://developer.pagerduty.com/docs/events-api-v2/trigger-events/).
func ValidatePDEvent(ev *PDEvent) []string {
	var bad []string
	if len(ev.RoutingKey) != 32 {
		bad = append(bad, fmt.Sprintf("routing_key must be a 32-character integration key, got %d characters", len(ev.RoutingKey)))
	}
	switch ev.EventAction {
	case "trigger":
		if ev.Payload == nil {
			bad = append(bad, "payload is required for trigger")
			break
		}
		if ev.Payload.Summary == "" || len(ev.Payload.Summary) > 1024 {
			bad = append(bad, fmt.Sprintf("payload.summary must be 1 to 1024 characters, got %d", len(ev.Payload.Summary)))
		}
		if ev.Payload.Source == "" {
			bad = append(bad, "payload.source is required")
		}
		switch ev.Payload.Severity {
		case "critical", "error", "warning", "info":
		default:
			bad = append(bad, fmt.Sprintf("payload.severity %q is not one of critical, error, warning, info", ev.Payload.Severity))
		}
		if ev.Payload.Timestamp != "" {
			if _, err := time.Parse(time.RFC3339Nano, ev.Payload.Timestamp); err != nil {
				bad = append(bad, "payload.timestamp is not ISO 8601: "+err.Error())
			}
		}
	case "acknowledge", "resolve":
		if ev.DedupKey == "" {
			bad = append(bad, "dedup_key is required for "+ev.EventAction)
		}
	default:
		bad = append(bad, fmt.Sprintf("event_action %q is not one of trigger, acknowledge, resolve", ev.EventAction))
	}
	if len(ev.DedupKey) > 255 {
		bad = append(bad, "dedup_key longer than 255 characters")
	}
	return bad
}

func (s *PDSink) webhook(w http.ResponseWriter, r *http.Request) {
	b, ok := readBody(w, r)
	if !ok {
		return
	}
	n := Notification{At: time.Now(), Path: r.URL.Path, Body: string(b)}
	var m WebhookMessage
	if err := json.Unmarshal(b, &m); err != nil {
		n.Invalid = append(n.Invalid, "not JSON: "+err.Error())
	} else {
		n.Webhook = &m
	}
	s.record(n)
	w.WriteHeader(http.StatusOK)
}
