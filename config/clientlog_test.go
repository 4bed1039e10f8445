// Copyright 2026 The acme_exporter Authors
// SPDX-License-Identifier: Apache-2.0

package config

import (
	"os"
	"testing"
)

func TestClientLogsErrors(t *testing.T) {
	for name, tc := range map[string]struct{ in, want string }{
		"small line": {"client_logs:\n  max_line_bytes: 10\n",
			"2: client_logs.max_line_bytes: must be between 256 and 16777216"},
		"small read": {"client_logs:\n  max_read_bytes: 100\n",
			"2: client_logs.max_read_bytes: must be at least 4096"},
		"empty path": {"client_logs:\n  files:\n    - format: lego\n",
			"3: client_logs.files[0].path: must not be empty"},
		"relative path": {"client_logs:\n  files:\n    - path: letsencrypt.log\n",
			"3: client_logs.files[0].path: must be an absolute path"},
		"duplicate path": {"client_logs:\n  files:\n    - path: /a.log\n    - path: /a.log\n",
			`4: client_logs.files[1].path: duplicate log "/a.log"`},
		"bad format": {"client_logs:\n  files:\n    - path: /a.log\n      format: syslog\n",
			`4: client_logs.files[0].format: unknown format "syslog" (one of [auto certbot lego caddy-json])`},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := Parse([]byte(tc.in))
			if err == nil || err.Error() != tc.want {
				t.Fatalf("got %v\nwant %s", err, tc.want)
			}
		})
	}
}

// TestRateLimitAndLogExamples checks the fragments configure something.
func TestRateLimitAndLogExamples(t *testing.T) {
	for _, f := range []string{"../examples/config.d/ratelimit.yml", "../examples/config.d/clientlog.yml"} {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		c, err := Parse(b)
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		if len(c.ClientLogs.Files) == 0 && len(c.RateLimits.CAs) < 2 {
			t.Errorf("%s configures nothing", f)
		}
	}
}
