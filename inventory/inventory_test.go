// Copyright 2026 The acme_exporter Authors
// SPDX-License-Identifier: Apache-2.0

package inventory

import (
	"testing"
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
